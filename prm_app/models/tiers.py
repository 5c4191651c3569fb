"""Tier rules: what each partner tier asks for, the partners' certifications, manual overrides,
pending suggestions, the history of tier changes, and the claims of daily jobs."""

from datetime import datetime
from decimal import Decimal
from enum import StrEnum

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from .base import code, created_at, fk, money


class TierMode(StrEnum):
    AUTOMATIC = "automatic"  # the job promotes and demotes
    SUGGEST = "suggest"  # the job suggests; the provider accepts or dismisses


class TierCause(StrEnum):
    AUTOMATIC = "automatic"
    SUGGESTION_ACCEPTED = "suggestion_accepted"
    MANUAL = "manual"
    OVERRIDE_CLEARED = "override_cleared"


class TierRule(SQLModel, table=True):
    """A provider's criteria for one of its partner tiers (a `partner_tier` term), over the
    trailing `window_days`; a criterion left empty asks nothing."""

    __tablename__ = "tier_rules"

    tier_id: int = Field(foreign_key="taxonomy_terms.id", primary_key=True, ondelete="CASCADE")
    org_id: int = fk("organizations.id")
    mode: str = code(TierMode.AUTOMATIC)
    window_days: int = 365
    min_won_revenue: Decimal | None = money(None)
    min_deals_won: int | None = None
    min_registrations: int | None = None
    min_leads_accepted: int | None = None
    min_certifications: int | None = None
    # The commission percentage of the tier's partners who have no terms of their own.
    commission_pct: Decimal | None = money(None)
    updated_at: datetime | None = None


class PartnerCertification(SQLModel, table=True):
    """A provider's certification (a `certification` term) ticked on a partner's card."""

    __tablename__ = "partner_certifications"

    partnership_id: int = Field(foreign_key="partnerships.id", primary_key=True, ondelete="CASCADE")
    term_id: int = Field(foreign_key="taxonomy_terms.id", primary_key=True)
    ticked_by_id: int | None = fk("users.id", nullable=True, index=False)
    ticked_at: datetime = created_at()


class TierStanding(SQLModel, table=True):
    """A partner's standing beyond its tier: a manual override kept until cleared, and the
    tier the job suggests for review."""

    __tablename__ = "tier_standings"

    partnership_id: int = Field(foreign_key="partnerships.id", primary_key=True, ondelete="CASCADE")
    overridden_by_id: int | None = fk("users.id", nullable=True, index=False)
    overridden_at: datetime | None = None
    suggested: bool = False
    suggested_tier_id: int | None = fk(
        "taxonomy_terms.id", nullable=True, index=False, ondelete="SET NULL"
    )
    suggested_figures: dict | None = Field(default=None, sa_type=sa.JSON)
    suggested_at: datetime | None = None


class TierChange(SQLModel, table=True):
    """One change of a partner's tier: why, by whom, from and to, and the figures behind it."""

    __tablename__ = "tier_changes"
    __table_args__ = (sa.Index("ix_tier_changes_partnership", "partnership_id", "id"),)

    id: int | None = Field(default=None, primary_key=True)
    partnership_id: int = fk("partnerships.id", index=False, ondelete="CASCADE")
    cause: str = code()  # TierCause
    actor_id: int | None = fk("users.id", nullable=True, index=False)
    from_tier: str = Field(default="", max_length=100)  # the tiers' names then ("" for none)
    to_tier: str = Field(default="", max_length=100)
    figures: dict = Field(default_factory=dict, sa_type=sa.JSON)
    created_at: datetime = created_at()


class JobRun(SQLModel, table=True):
    """A claim on one run of a periodic job: the insert that wins runs it, the others skip."""

    __tablename__ = "job_runs"

    name: str = Field(primary_key=True, max_length=64)
    period: str = Field(primary_key=True, max_length=32)  # e.g. the day, "2026-12-05"
    claimed_at: datetime = created_at()
