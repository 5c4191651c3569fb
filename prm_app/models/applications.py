"""The partner program's public side: applications to become a partner, and the partner
locator's listings (a partner's public entry on its provider's locator page)."""

from datetime import datetime
from enum import StrEnum

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from .base import code, created_at, fk
from .custom_fields import CUSTOM_JSON


class ApplicationStatus(StrEnum):
    PENDING = "pending"  # waiting for the applicant to confirm the address, then for review
    APPROVED = "approved"  # an invitation went to the confirmed address
    REJECTED = "rejected"  # the applicant was told the reason


class PartnerApplication(SQLModel, table=True):
    """A firm's request, sent from a provider's public "Become a partner" page."""

    __tablename__ = "partner_applications"

    id: int | None = Field(default=None, primary_key=True)
    provider_org_id: int = fk("organizations.id")
    status: str = code(ApplicationStatus.PENDING, index=True)
    firm: str = Field(max_length=200)
    name: str = Field(max_length=200)
    email: str = Field(max_length=254)
    website: str = Field(default="", max_length=500)
    country: str = Field(default="", max_length=100)
    partner_type_id: int | None = fk("taxonomy_terms.id", nullable=True, index=False)
    message: str = Field(default="", max_length=2000)
    # The provider's partner fields partners may edit, as the applicant answered them; carried
    # into the partnership at approval ({field id: value}).
    custom: dict = Field(default_factory=dict, sa_type=CUSTOM_JSON)
    # Duplicate keys (services.customers.keys): the normalized firm and the email's domain.
    firm_norm: str = Field(default="", max_length=200)
    email_domain: str = Field(default="", max_length=254)
    # The mailed link proves the address: reviewable only once confirmed.
    confirm_token_hash: str | None = Field(default=None, max_length=64, unique=True)
    confirmed_at: datetime | None = None
    created_at: datetime = created_at()
    decided_at: datetime | None = None
    decided_by_id: int | None = fk("users.id", nullable=True, index=False)
    reason: str = Field(default="", max_length=1000)
    partnership_id: int | None = fk("partnerships.id", nullable=True, index=False)


class LocatorListing(SQLModel, table=True):
    """A partner's entry on its provider's public locator, written by the partner's admins."""

    __tablename__ = "locator_listings"
    __table_args__ = (
        sa.UniqueConstraint("partnership_id", name="uq_locator_listings_partnership"),
    )

    id: int | None = Field(default=None, primary_key=True)
    partnership_id: int = fk("partnerships.id", index=False)
    provider_org_id: int = fk("organizations.id")
    published: bool = False  # the partner opted in
    description: str = Field(default="", max_length=500)
    website: str = Field(default="", max_length=500)
    country: str = Field(default="", max_length=100)
    product_ids: list = Field(default_factory=list, sa_type=sa.JSON)  # the provider's products
    updated_at: datetime = created_at()
