"""Request bodies and list pages of the REST API (the services validate every value again)."""

from datetime import date
from decimal import Decimal
from typing import Annotated, Generic, TypeVar

from fastapi import Path, Query
from pydantic import BaseModel, ConfigDict, Field

from ..services.core.inputs import MAX_ID
from ..services.core.listing import MAX_PAGE, MAX_PAGE_SIZE
from ..services.deals.eligibility import Verdict
from ..services.integrations.custom_api import MAX_VALUES
from ..services.leads.fields import LEAD_FIELDS, MAX_NOTE, MAX_REASON

Row = TypeVar("Row")
RecordId = Annotated[int, Field(ge=1, le=MAX_ID)]
PathId = Annotated[int, Path(ge=1, le=MAX_ID)]
QueryId = Annotated[int | None, Query(ge=1, le=MAX_ID)]
# Every list's paging, with the limits of services.core.listing.
PageNo = Annotated[int, Query(ge=1, le=MAX_PAGE)]
PageSize = Annotated[int, Query(ge=1, le=MAX_PAGE_SIZE)]


# A `custom` object (rest_api.custom): values by the fields' API names.
CustomText = Annotated[str, Field(max_length=5000)]
CustomValue = bool | int | float | CustomText | list[Annotated[str, Field(max_length=200)]] | None
Custom = Annotated[
    dict[Annotated[str, Field(max_length=60)], CustomValue],
    Field(
        max_length=MAX_VALUES,
        description="Custom field values by the fields' API names (GET /custom-fields): "
        "text, a number, an ISO date, true/false, a select's option label, a multi select's "
        "labels; null empties a field",
    ),
]


class ListPage(BaseModel, Generic[Row]):
    items: list[Row]
    total: int
    page: int
    page_size: int


class Body(BaseModel):
    model_config = ConfigDict(extra="forbid")


class LeadIn(Body):
    first_name: str = Field(max_length=LEAD_FIELDS["first_name"].max_len)
    last_name: str = Field(max_length=LEAD_FIELDS["last_name"].max_len)
    email: str = Field(max_length=LEAD_FIELDS["email"].max_len)
    company: str = Field(max_length=LEAD_FIELDS["company"].max_len)
    phone: str = Field(default="", max_length=LEAD_FIELDS["phone"].max_len)
    title: str = Field(default="", max_length=LEAD_FIELDS["title"].max_len)
    notes: str = Field(default="", max_length=LEAD_FIELDS["notes"].max_len)
    share_consent: bool = Field(
        default=False,
        description="The contact's permission to share their details with partners "
        "(required to send a referral when the provider's program says so)",
    )
    owner_id: RecordId | None = Field(default=None, description="Default: the key's creator")
    recipient_org_ids: list[RecordId] = Field(
        default_factory=list,
        max_length=20,
        description="Organizations to send it to at once; empty keeps a draft",
    )
    custom: Custom = Field(default_factory=dict)


class LeadCreated(BaseModel):
    lead_id: int
    recipient_ids: list[int]


class RejectIn(Body):
    reason: str = Field(max_length=MAX_REASON)


class LeadStageIn(Body):
    stage_id: RecordId


class LostIn(Body):
    reason: str = Field(max_length=200, description="One of the provider's lost reasons")
    note: str = Field(default="", max_length=MAX_NOTE)


CountryCode = Annotated[
    str, Field(max_length=100, description="ISO 3166-1 alpha-2 code (or alpha-3, or name)")
]
RegionCode = Annotated[str, Field(max_length=100, description="ISO 3166-2 code, e.g. US-CA")]


class ConvertIn(Body):
    amount: Decimal = Field(ge=0, max_digits=14, decimal_places=2)
    close_date: date | None = None
    country: CountryCode = ""
    region: RegionCode = ""
    product_ids: list[RecordId] = Field(default_factory=list, max_length=20)
    custom: Custom = Field(default_factory=dict, description="The deal's custom values")


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
    country: CountryCode = ""
    region: RegionCode = ""
    custom: Custom = Field(default_factory=dict)


class DealCheckIn(Body):
    """A registration being filled in: every field may still be missing."""

    other_org_id: RecordId = Field(description="The partner (for a provider) or the provider")
    name: str = Field(default="", max_length=200)
    company: str = Field(default="", max_length=200)
    contact_name: str = Field(default="", max_length=200)
    contact_email: str = Field(default="", max_length=254)
    amount: Decimal | None = Field(default=None, ge=0, max_digits=14, decimal_places=2)
    close_date: date | None = None
    product_ids: list[RecordId] = Field(default_factory=list, max_length=50)
    country: CountryCode = ""
    region: RegionCode = ""


class DealCheck(BaseModel):
    ok: bool = Field(description="No hard rule fails: the registration would be accepted")
    verdicts: list[Verdict]


class DealCreated(BaseModel):
    deal_id: int
    protected_elsewhere_until: str | None = None


class DealStageIn(Body):
    version: int = Field(
        ge=1, le=MAX_ID, description="The deal's version as you read it (optimistic locking)"
    )
    stage_id: RecordId
    reason: str | None = Field(default=None, max_length=200, description="Closed Lost only")
    note: str = Field(default="", max_length=MAX_NOTE)


class Done(BaseModel):
    ok: bool = True


# Withdrawal and resubmission (services.deals.withdrawal) ----------------------------------------


class WithdrawIn(Body):
    version: int = Field(
        ge=1, le=MAX_ID, description="The deal's version as you read it (optimistic locking)"
    )
    reason: str = Field(max_length=MAX_REASON, description="Told to the provider")


class DealResubmitIn(Body):
    """The new registration's fields (the deal form's, as DealIn without the organization: a
    resubmission goes to the earlier deal's provider)."""

    name: str = Field(max_length=200)
    company: str = Field(max_length=200)
    contact_name: str = Field(default="", max_length=200)
    contact_email: str = Field(default="", max_length=254)
    amount: Decimal = Field(default=Decimal("0"), ge=0, max_digits=14, decimal_places=2)
    close_date: date | None = None
    product_ids: list[RecordId] = Field(default_factory=list, max_length=50)
