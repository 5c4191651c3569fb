"""Commissions and referral credits as a double-entry ledger, and payout requests."""

from datetime import datetime
from decimal import Decimal

from sqlmodel import Field, SQLModel

from .base import code, created_at, fk, money
from .enums import LedgerStatus, PayoutStatus


class LedgerTransaction(SQLModel, table=True):
    """A balanced set of entries: accrual, approval, clawback, credit award, redemption, payout."""

    __tablename__ = "ledger_transactions"

    id: int | None = Field(default=None, primary_key=True)
    kind: str = code()  # LedgerKind
    status: str = code(LedgerStatus.PENDING)
    provider_org_id: int = fk("organizations.id")
    partner_org_id: int = fk("organizations.id")
    deal_id: int | None = fk("deals.id", nullable=True)
    payout_request_id: int | None = fk("payout_requests.id", nullable=True, index=False)
    reverses_id: int | None = fk("ledger_transactions.id", nullable=True, index=False)
    memo: str = Field(default="", max_length=500)
    # A commission accrual's terms as they were when it was written ("15% of the deal amount").
    terms: str = Field(default="", max_length=200)
    created_by_id: int | None = fk("users.id", nullable=True, index=False)
    created_at: datetime = created_at()


class LedgerEntry(SQLModel, table=True):
    """One leg of a transaction; the legs of a transaction sum to zero."""

    __tablename__ = "ledger_entries"

    id: int | None = Field(default=None, primary_key=True)
    transaction_id: int = fk("ledger_transactions.id", ondelete="CASCADE")
    account: str = Field(max_length=64)  # e.g. "partner:commission_receivable"
    amount: Decimal = money()  # signed: debit positive, credit negative
    currency: str = Field(default="USD", max_length=3)


class PayoutRequest(SQLModel, table=True):
    """A partner's request to redeem credits or be paid; the provider approves or declines."""

    __tablename__ = "payout_requests"

    id: int | None = Field(default=None, primary_key=True)
    provider_org_id: int = fk("organizations.id")
    partner_org_id: int = fk("organizations.id")
    kind: str = code()  # PayoutKind
    method: str = Field(default="", max_length=50)  # bank transfer, PayPal, Stripe
    invoice_ref: str = Field(default="", max_length=100)
    amount: Decimal = money()
    currency: str = Field(default="USD", max_length=3)
    status: str = code(PayoutStatus.REQUESTED)
    note: str = Field(default="", max_length=500)  # why it was declined, or the payment reference
    requested_by_id: int = fk("users.id", index=False)
    decided_by_id: int | None = fk("users.id", nullable=True, index=False)
    created_at: datetime = created_at()
    decided_at: datetime | None = None
    paid_at: datetime | None = None
