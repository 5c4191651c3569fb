"""Requests to extend a deal's protection (services.deals.extensions), history kept."""

from datetime import datetime
from enum import StrEnum

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from .base import code, created_at, fk


class ExtensionMode(StrEnum):
    """What a provider's program allows (OrgSettings.extension_mode)."""

    NONE = "none"
    ONCE = "once"
    UNLIMITED = "unlimited"


class ExtensionStatus(StrEnum):
    PENDING = "pending"
    APPROVED = "approved"
    DECLINED = "declined"


class ProtectionExtension(SQLModel, table=True):
    """A partner's request to extend an approved deal's protection, and the provider's answer."""

    __tablename__ = "protection_extensions"
    __table_args__ = (sa.Index("ix_protection_extensions_deal", "deal_id", "id"),)

    id: int | None = Field(default=None, primary_key=True)
    deal_id: int = fk("deals.id", index=False, ondelete="CASCADE")
    requested_by_id: int = fk("users.id", index=False)
    days: int  # asked for
    reason: str = Field(max_length=1000)
    status: str = code(ExtensionStatus.PENDING)
    # The protection's end when asked, and the new end the provider chose (approved only).
    protected_until: datetime
    new_until: datetime | None = None
    decided_by_id: int | None = fk("users.id", nullable=True, index=False)
    decision_reason: str = Field(default="", max_length=1000)
    created_at: datetime = created_at()
    decided_at: datetime | None = None
