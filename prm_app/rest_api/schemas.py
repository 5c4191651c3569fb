"""Request bodies and list pages of the REST API (the services validate every value again)."""

from datetime import date
from decimal import Decimal
from typing import Annotated, Generic, TypeVar

from fastapi import Path, Query
from pydantic import BaseModel, ConfigDict, Field

from ..services.core.inputs import MAX_ID

Row = TypeVar("Row")
RecordId = Annotated[int, Field(ge=1, le=MAX_ID)]
PathId = Annotated[int, Path(ge=1, le=MAX_ID)]
QueryId = Annotated[int | None, Query(ge=1, le=MAX_ID)]


class ListPage(BaseModel, Generic[Row]):
    items: list[Row]
    total: int
    page: int
    page_size: int


class Body(BaseModel):
    model_config = ConfigDict(extra="forbid")


class LeadIn(Body):
    first_name: str = Field(max_length=100)
    last_name: str = Field(max_length=100)
    email: str = Field(max_length=254)
    company: str = Field(max_length=200)
    phone: str = Field(default="", max_length=50)
    title: str = Field(default="", max_length=150)
    notes: str = Field(default="", max_length=5000)
    owner_id: RecordId | None = Field(default=None, description="Default: the key's creator")
    recipient_org_ids: list[RecordId] = Field(
        default_factory=list,
        max_length=20,
        description="Organizations to send it to at once; empty keeps a draft",
    )


class LeadCreated(BaseModel):
    lead_id: int
    recipient_ids: list[int]


class RejectIn(Body):
    reason: str = Field(max_length=1000)


class LeadStageIn(Body):
    stage_id: RecordId


class LostIn(Body):
    reason: str = Field(max_length=200, description="One of the provider's lost reasons")
    note: str = Field(default="", max_length=900)


class ConvertIn(Body):
    amount: Decimal = Field(ge=0, max_digits=14, decimal_places=2)
    close_date: date | None = None


class Converted(BaseModel):
    deal_id: int


class DealIn(Body):
    other_org_id: RecordId = Field(description="The partner (for a provider) or the provider")
    name: str = Field(max_length=200)
    company: str = Field(max_length=200)
    contact_name: str = Field(default="", max_length=200)
    contact_email: str = Field(default="", max_length=254)
    amount: Decimal = Field(default=Decimal("0"), ge=0, max_digits=14, decimal_places=2)
    close_date: date | None = None
    product_ids: list[RecordId] = Field(default_factory=list, max_length=50)


class DealCreated(BaseModel):
    deal_id: int
    protected_elsewhere_until: str | None = None


class DealStageIn(Body):
    version: int = Field(
        ge=1, le=MAX_ID, description="The deal's version as you read it (optimistic locking)"
    )
    stage_id: RecordId
    reason: str | None = Field(default=None, max_length=200, description="Closed Lost only")
    note: str = Field(default="", max_length=900)


class Done(BaseModel):
    ok: bool = True
