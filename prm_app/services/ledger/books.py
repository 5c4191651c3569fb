"""Commissions and referral credits as a double-entry ledger, per provider and partner.

Every change to money is a LedgerTransaction whose entries (legs) sum to zero; history is never
edited: a refund posts a clawback that reverses the original, an approval moves the amount
from one account to another. A transaction's `status` is its place in the workflow (pending ->
approved -> paid, or reversed), never its amounts.

Accounts (debit positive, credit negative; the partner's balances are credit balances):

- provider:commission_expense, provider:credit_expense: what the program cost the provider.
- partner:commission_pending: commission accrued on a won deal, awaiting the provider's approval.
- partner:commission: approved commission the partner may redeem.
- partner:credits: referral credits the partner may redeem.
- partner:redemption_due: redemptions approved by the provider, awaiting payment (or application).
- provider:cash, provider:invoice_credits, provider:discounts: where redemptions were settled.

Closed Won accrues the partner's commission (from the partnership's terms, else the provider's
default rate) and, when the deal came from a lead or referral, the provider's referral credit,
in the transaction of the stage move. Closed Won is final for the deal's stage, so a deal is
"reopened" only by the provider recording a refund, which claws both back.

Only managers and admins read an organization's ledger; the provider's managers and admins
approve, refund and set terms. Nothing of another organization is ever visible.
"""

from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, col, func, select

from ...models import (
    LedgerEntry,
    LedgerKind,
    LedgerStatus,
    LedgerTransaction,
    OrgKind,
    PayoutKind,
    PayoutRequest,
)
from ..core import activity, changes
from ..core.actor import Actor
from ..core.errors import NotAllowed

EXPENSE = "provider:commission_expense"


CREDIT_EXPENSE = "provider:credit_expense"


PENDING = "partner:commission_pending"


COMMISSION = "partner:commission"


CREDITS = "partner:credits"


DUE = "partner:redemption_due"


SETTLED = {
    PayoutKind.CASH: "provider:cash",
    PayoutKind.INVOICE_CREDIT: "provider:invoice_credits",
    PayoutKind.AUTO_INVOICE: "provider:invoice_credits",
    PayoutKind.DISCOUNT: "provider:discounts",
    PayoutKind.MDF: "provider:cash",  # an MDF claim's reimbursement (services.mdf)
}


CENT = Decimal("0.01")


BOOKS_ONLY = "Only managers and admins of your organization see its commissions and credits."


PROVIDER_ONLY = "Only the provider's managers and admins can do that."


# How each kind of transaction changes what the partner holds (for statements).
EFFECT = {
    LedgerKind.COMMISSION_ACCRUAL: 1,
    LedgerKind.CREDIT_AWARD: 1,
    LedgerKind.CLAWBACK: -1,
    LedgerKind.REDEMPTION: -1,
    LedgerKind.COMMISSION_APPROVAL: 0,
    LedgerKind.PAYOUT: 0,
}


KIND_LABELS = {
    LedgerKind.COMMISSION_ACCRUAL: "Commission accrued",
    LedgerKind.COMMISSION_APPROVAL: "Commission approved",
    LedgerKind.CREDIT_AWARD: "Referral credit",
    LedgerKind.CLAWBACK: "Clawback",
    LedgerKind.REDEMPTION: "Redemption",
    LedgerKind.PAYOUT: "Paid",
    LedgerKind.MDF_ALLOCATION: "MDF allocated",
    LedgerKind.MDF_COMMITMENT: "MDF request approved",
    LedgerKind.MDF_CLAIM: "MDF claim approved",
    LedgerKind.MDF_EXPIRY: "MDF expired",
}


def touched(session: Session, provider_org_id: int, partner_org_id: int) -> None:
    """Note a change of the books or requests between a provider and a partner, for the open
    commissions views of both."""
    changes.touched(session, changes.Topic.LEDGER, provider_org_id, partner_org_id)


def post(
    session: Session,
    *,
    kind: LedgerKind,
    status: LedgerStatus,
    provider_org_id: int,
    partner_org_id: int,
    legs: list[tuple[str, Decimal]],
    currency: str,
    memo: str,
    actor: Actor | None,
    terms: str = "",
    deal_id: int | None = None,
    payout_request_id: int | None = None,
    reverses_id: int | None = None,
) -> LedgerTransaction:
    """Add one balanced transaction (its legs sum to zero; a zero leg is left out)."""
    legs = [(account, amount.quantize(CENT)) for account, amount in legs if amount]
    if not legs or sum(amount for _, amount in legs) != 0:
        raise ValueError(f"Unbalanced ledger transaction: {legs}")
    transaction = LedgerTransaction(
        kind=kind,
        status=status,
        provider_org_id=provider_org_id,
        partner_org_id=partner_org_id,
        deal_id=deal_id,
        payout_request_id=payout_request_id,
        reverses_id=reverses_id,
        memo=memo[:500],
        terms=terms,
        created_by_id=actor.user_id if actor else None,
    )
    session.add(transaction)
    session.flush()
    touched(session, provider_org_id, partner_org_id)
    session.add_all(
        LedgerEntry(
            transaction_id=transaction.id, account=account, amount=amount, currency=currency
        )
        for account, amount in legs
    )
    if actor is not None:
        activity.record(
            session,
            actor=actor,
            subject=transaction,
            action=str(kind),
            after={"deal_id": deal_id, "legs": {a: str(v) for a, v in legs}},
        )
    return transaction


def pair_columns(actor: Actor) -> tuple[Any, Any]:
    """The caller's column on LedgerTransaction (and PayoutRequest's names) and the other's."""
    if actor.org_kind == OrgKind.PROVIDER:
        return LedgerTransaction.provider_org_id, LedgerTransaction.partner_org_id
    if actor.org_kind == OrgKind.CONSULTANT:
        return LedgerTransaction.partner_org_id, LedgerTransaction.provider_org_id
    raise NotAllowed(BOOKS_ONLY)


def require_books(actor: Actor) -> None:
    pair_columns(actor)
    if not actor.sees_all:
        raise NotAllowed(BOOKS_ONLY)


def require_provider_manager(actor: Actor) -> None:
    if actor.org_kind != OrgKind.PROVIDER or not actor.sees_all:
        raise NotAllowed(PROVIDER_ONLY)


def request_columns(actor: Actor) -> tuple[Any, Any]:
    """The caller's column on PayoutRequest and the other side's."""
    if actor.org_kind == OrgKind.PROVIDER:
        return PayoutRequest.provider_org_id, PayoutRequest.partner_org_id
    if actor.org_kind == OrgKind.CONSULTANT:
        return PayoutRequest.partner_org_id, PayoutRequest.provider_org_id
    raise NotAllowed(BOOKS_ONLY)


def transaction_size() -> Any:
    """The size of a transaction: the sum of its debit legs (with LedgerEntry joined)."""
    return func.sum(sa.case((col(LedgerEntry.amount) > 0, LedgerEntry.amount), else_=0)).label(
        "size"
    )


def size_of(session: Session, transaction_id: int) -> Decimal:
    return session.exec(
        select(transaction_size()).where(LedgerEntry.transaction_id == transaction_id)
    ).one() or Decimal(0)


def currency_of(session: Session, transaction_id: int) -> str:
    return session.exec(
        select(LedgerEntry.currency).where(LedgerEntry.transaction_id == transaction_id).limit(1)
    ).one()
