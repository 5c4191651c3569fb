"""Personal-data requests passed between organizations (services.privacy)."""

from datetime import datetime
from enum import StrEnum

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from .base import code, created_at, fk


class ErasureStatus(StrEnum):
    PENDING = "pending"
    ERASED = "erased"
    DECLINED = "declined"


class ErasureRequest(SQLModel, table=True):
    """One organization's erasure of a person, told to another organization holding a copy of a
    shared lead or deal: its admins erase their copy or decline with a reason (a legal hold).

    The person's email and name are kept only while the request waits (the asked organization
    needs them to find its copy); a decision blanks them.
    """

    __tablename__ = "erasure_requests"
    __table_args__ = (sa.Index("ix_erasure_requests_org_status", "org_id", "status", "id"),)

    id: int | None = Field(default=None, primary_key=True)
    org_id: int = fk("organizations.id", index=False)  # the organization asked
    from_org_id: int = fk("organizations.id")  # the organization that erased
    requested_by_id: int | None = fk("users.id", nullable=True, index=False)
    email: str = Field(default="", max_length=254)
    name: str = Field(default="", max_length=201)
    lead_ids: list = Field(default_factory=list, sa_type=sa.JSON)
    deal_ids: list = Field(default_factory=list, sa_type=sa.JSON)
    status: str = code(ErasureStatus.PENDING)
    reason: str = Field(default="", max_length=1000)
    decided_by_id: int | None = fk("users.id", nullable=True, index=False)
    created_at: datetime = created_at()
    decided_at: datetime | None = None
