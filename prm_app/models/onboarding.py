"""A provider's partner onboarding: versioned agreements, their acceptances, and the checklist.

Whether a checklist step is done is computed from the records (services.onboarding.checklist);
only what the app cannot see otherwise is stored: a manual tick, a training link's visit.
"""

from datetime import datetime
from enum import StrEnum

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from .base import code, created_at, fk


class StepKind(StrEnum):
    AGREEMENT = "agreement"  # done when every agreement asked of the partner is signed
    PROFILE = "profile"  # the partner categorized the provider and filled its required fields
    FIRST_LEAD = "first_lead"  # a lead submitted to the provider
    FIRST_DEAL = "first_deal"  # a deal registered with the provider
    LINK = "link"  # a training link opened through the app
    MANUAL = "manual"  # ticked by the partner


class Agreement(SQLModel, table=True):
    """An agreement a provider asks its partners to accept: for all partners, or for those of
    one partner type and/or tier. Its text lives in versions; the newest one is current."""

    __tablename__ = "agreements"

    id: int | None = Field(default=None, primary_key=True)
    provider_org_id: int = fk("organizations.id")
    title: str = Field(max_length=120)
    partner_type_id: int | None = fk("taxonomy_terms.id", nullable=True, index=False)
    partner_tier_id: int | None = fk("taxonomy_terms.id", nullable=True, index=False)
    created_at: datetime = created_at()
    archived_at: datetime | None = None


class AgreementVersion(SQLModel, table=True):
    """One published text of an agreement (written, or an uploaded PDF or text file, kept in
    the database) and the SHA-256 of exactly those bytes."""

    __tablename__ = "agreement_versions"
    __table_args__ = (
        sa.UniqueConstraint("agreement_id", "number", name="uq_agreement_versions_number"),
    )

    id: int | None = Field(default=None, primary_key=True)
    agreement_id: int = fk("agreements.id", index=False)
    number: int
    media_type: str = Field(max_length=40)  # text/plain or application/pdf
    file_name: str = Field(default="", max_length=200)  # "" when written on the page
    content: bytes = Field(sa_type=sa.LargeBinary)
    sha256: str = Field(max_length=64)
    published_by_id: int = fk("users.id", index=False)
    published_at: datetime = created_at()


class AgreementAcceptance(SQLModel, table=True):
    """A partner's admin accepted one version for the partnership, typing their name."""

    __tablename__ = "agreement_acceptances"
    __table_args__ = (
        sa.UniqueConstraint(
            "version_id", "partnership_id", name="uq_agreement_acceptances_version_partnership"
        ),
    )

    id: int | None = Field(default=None, primary_key=True)
    version_id: int = fk("agreement_versions.id", index=False)
    partnership_id: int = fk("partnerships.id")
    user_id: int = fk("users.id", index=False)
    typed_name: str = Field(max_length=200)
    sha256: str = Field(max_length=64)  # the version's, as accepted
    accepted_at: datetime = created_at()


class ChecklistStep(SQLModel, table=True):
    """A step of a provider's onboarding checklist, for all partners or one partner type."""

    __tablename__ = "checklist_steps"

    id: int | None = Field(default=None, primary_key=True)
    provider_org_id: int = fk("organizations.id")
    partner_type_id: int | None = fk("taxonomy_terms.id", nullable=True, index=False)
    kind: str = code()  # StepKind
    title: str = Field(max_length=120)
    url: str = Field(default="", max_length=500)  # a `link` step's training page
    position: int = 0
    created_at: datetime = created_at()
    archived_at: datetime | None = None


class StepMark(SQLModel, table=True):
    """What only the partner can say: a manual step ticked, a training link opened."""

    __tablename__ = "checklist_marks"
    __table_args__ = (
        sa.UniqueConstraint(
            "step_id", "partnership_id", name="uq_checklist_marks_step_partnership"
        ),
    )

    id: int | None = Field(default=None, primary_key=True)
    step_id: int = fk("checklist_steps.id", index=False)
    partnership_id: int = fk("partnerships.id")
    user_id: int = fk("users.id", index=False)
    marked_at: datetime = created_at()
