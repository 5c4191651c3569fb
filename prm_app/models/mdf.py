"""Market development funds: budgets per period, allocations to partners, fund requests for a
marketing activity, claims with receipts. The money itself lives in the ledger
(services.mdf.books); these rows are the workflow around it."""

from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from .base import code, created_at, fk, money


class BudgetStatus(StrEnum):
    OPEN = "open"
    EXPIRED = "expired"  # the period ended and the unused allocations went back


class FundRequestStatus(StrEnum):
    REQUESTED = "requested"
    APPROVED = "approved"
    DENIED = "denied"
    CLAIMED = "claimed"  # a claim was approved: the request is settled


class ClaimStatus(StrEnum):
    SUBMITTED = "submitted"
    APPROVED = "approved"
    REJECTED = "rejected"


class MdfBudget(SQLModel, table=True):
    """A provider's market development funds for one period."""

    __tablename__ = "mdf_budgets"

    id: int | None = Field(default=None, primary_key=True)
    provider_org_id: int = fk("organizations.id")
    name: str = Field(max_length=200)
    period_start: date
    period_end: date
    amount: Decimal = money()
    currency: str = Field(default="USD", max_length=3)
    status: str = code(BudgetStatus.OPEN)
    created_by_id: int = fk("users.id", index=False)
    created_at: datetime = created_at()
    expired_at: datetime | None = None


class MdfAllocation(SQLModel, table=True):
    """Part of a budget given to one partner (directly, or as one of a tier's partners)."""

    __tablename__ = "mdf_allocations"

    id: int | None = Field(default=None, primary_key=True)
    budget_id: int = fk("mdf_budgets.id")
    provider_org_id: int = fk("organizations.id", index=False)
    partner_org_id: int = fk("organizations.id")
    tier_id: int | None = fk("taxonomy_terms.id", nullable=True, index=False)
    amount: Decimal = money()
    transaction_id: int = fk("ledger_transactions.id", index=False)
    created_by_id: int = fk("users.id", index=False)
    created_at: datetime = created_at()


class MdfRequest(SQLModel, table=True):
    """A partner's request for funds for a marketing activity, decided by the provider."""

    __tablename__ = "mdf_requests"
    __table_args__ = (
        sa.Index("ix_mdf_requests_provider_status", "provider_org_id", "status", "id"),
        sa.Index("ix_mdf_requests_partner_status", "partner_org_id", "status", "id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    budget_id: int = fk("mdf_budgets.id")
    provider_org_id: int = fk("organizations.id", index=False)
    partner_org_id: int = fk("organizations.id", index=False)
    activity_type: str = code()
    title: str = Field(max_length=200)
    description: str = Field(default="", max_length=2000)
    starts_on: date
    ends_on: date
    requested_amount: Decimal = money()
    approved_amount: Decimal | None = money(None)
    currency: str = Field(default="USD", max_length=3)
    expected_leads: int = 0
    status: str = code(FundRequestStatus.REQUESTED)
    decision_reason: str = Field(default="", max_length=1000)
    requested_by_id: int = fk("users.id", index=False)
    decided_by_id: int | None = fk("users.id", nullable=True, index=False)
    created_at: datetime = created_at()
    decided_at: datetime | None = None


class MdfClaim(SQLModel, table=True):
    """A partner's claim for an approved request's activity, with receipts and results."""

    __tablename__ = "mdf_claims"

    id: int | None = Field(default=None, primary_key=True)
    request_id: int = fk("mdf_requests.id")
    provider_org_id: int = fk("organizations.id", index=False)
    partner_org_id: int = fk("organizations.id", index=False)
    amount: Decimal = money()
    approved_amount: Decimal | None = money(None)
    currency: str = Field(default="USD", max_length=3)
    results: str = Field(default="", max_length=2000)
    actual_leads: int = 0
    status: str = code(ClaimStatus.SUBMITTED)
    decision_reason: str = Field(default="", max_length=1000)
    # The reimbursement: a payout request the provider settles in its payouts.
    payout_request_id: int | None = fk("payout_requests.id", nullable=True, index=False)
    submitted_by_id: int = fk("users.id", index=False)
    decided_by_id: int | None = fk("users.id", nullable=True, index=False)
    created_at: datetime = created_at()
    decided_at: datetime | None = None


class MdfReceipt(SQLModel, table=True):
    """A receipt of a claim (PDF, PNG or JPEG, its type read from its bytes), kept in the
    database and served only to the claim's two organizations."""

    __tablename__ = "mdf_receipts"

    id: int | None = Field(default=None, primary_key=True)
    claim_id: int = fk("mdf_claims.id", ondelete="CASCADE")
    file_name: str = Field(default="", max_length=200)
    media_type: str = Field(max_length=50)
    size: int = 0
    content: bytes = Field(sa_type=sa.LargeBinary)
    uploaded_by_id: int = fk("users.id", index=False)
    created_at: datetime = created_at()
