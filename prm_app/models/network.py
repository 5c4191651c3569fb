"""The partnership between a provider and a consultant firm."""

from datetime import datetime
from decimal import Decimal

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from .base import code, created_at, fk, money
from .custom_fields import CUSTOM_JSON
from .enums import PartnershipStatus


class Partnership(SQLModel, table=True):
    """Invited by a provider, accepted or rejected by a consultant firm, categorized by both."""

    __tablename__ = "partnerships"
    __table_args__ = (
        sa.UniqueConstraint(
            "provider_org_id", "consultant_org_id", name="uq_partnerships_provider_consultant"
        ),
    )

    id: int | None = Field(default=None, primary_key=True)
    provider_org_id: int = fk("organizations.id")
    # None until an invitation sent to an email address is accepted by a new organization.
    consultant_org_id: int | None = fk("organizations.id", nullable=True)
    status: str = code(PartnershipStatus.INVITED, index=True)

    invite_email: str = Field(default="", max_length=254)
    invite_message: str = Field(default="", max_length=2000)
    invite_token_hash: str | None = Field(default=None, max_length=64, unique=True)
    invite_expires_at: datetime | None = None
    invited_by_id: int | None = fk("users.id", nullable=True, index=False)
    invited_at: datetime = created_at()
    responded_at: datetime | None = None
    ended_at: datetime | None = None

    # Provider-side categorization.
    partner_type_id: int | None = fk("taxonomy_terms.id", nullable=True, index=False)
    partner_status_id: int | None = fk("taxonomy_terms.id", nullable=True, index=False)
    partner_tier_id: int | None = fk("taxonomy_terms.id", nullable=True, index=False)
    partner_group_id: int | None = fk("taxonomy_terms.id", nullable=True, index=False)
    partner_manager_id: int | None = fk("users.id", nullable=True, index=False)

    # Consultant-side categorization ("waiting to be categorized" until set).
    provider_type_id: int | None = fk("taxonomy_terms.id", nullable=True, index=False)
    proficiency_id: int | None = fk("taxonomy_terms.id", nullable=True, index=False)
    assigned_user_id: int | None = fk("users.id", nullable=True, index=False)
    categorized_at: datetime | None = None

    # Commission terms (from the provider's default unless set).
    commission_type: str = code("percent")  # CommissionType
    commission_value: Decimal | None = money(None)

    # Custom field values of both sides' partner fields ({field id: value}): the provider's
    # (some shown to the partner) and the consultant's private view of its provider.
    custom: dict = Field(default_factory=dict, sa_type=CUSTOM_JSON)
