"""Redemptions of what a partner holds with a provider, each a request the provider decides.

A consultant's manager or admin asks to redeem part of its available balance with one provider
(approved commission plus referral credits, less what other open requests hold):

- cash, through a named payment method (bank transfer, PayPal, Stripe), from the provider's
  payout threshold up (a smaller payout is refused with the threshold in the message);
- a credit against one of the provider's invoices (its reference);
- applied to the next invoice (also created automatically on each credit when the provider's
  program says so);
- a discount on future purchases.

The provider's managers and admins approve (the amount moves to partner:redemption_due, credits
first, then commission), decline (with a reason) or, once approved, mark it paid (cash) or
applied (the rest), which settles it. Payments themselves happen outside the portal: finance
downloads the requests as CSV.
"""

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import aliased
from sqlmodel import Session, col, func, select

from ... import routes
from ...models import (
    LedgerEntry,
    LedgerKind,
    LedgerStatus,
    LedgerTransaction,
    Membership,
    Organization,
    OrgKind,
    Partnership,
    PayoutKind,
    PayoutRequest,
    PayoutStatus,
    User,
    utcnow,
)
from .. import notifications
from ..catalog import program
from ..core import activity, inputs, listing
from ..core.actor import Actor
from ..core.errors import Invalid, NotAllowed, NotFound
from ..core.listing import Page
from ..imports.files import csv_chunks
from ..notifications.delivery import members
from .books import (
    COMMISSION,
    CREDITS,
    DUE,
    SETTLED,
    post,
    request_columns,
    require_books,
    touched,
    transaction_size,
)
from .statements import Balance, balances

METHODS = {"bank_transfer": "Bank transfer", "paypal": "PayPal", "stripe": "Stripe"}
KINDS = {
    PayoutKind.CASH: "Cash payout",
    PayoutKind.INVOICE_CREDIT: "Credit against an invoice",
    PayoutKind.AUTO_INVOICE: "Applied to the next invoice",
    PayoutKind.DISCOUNT: "Discount on future purchases",
    PayoutKind.MDF: "MDF reimbursement",  # made by an approved MDF claim (services.mdf)
}
NOT_VISIBLE = "That request does not exist or is not visible to you."


def request(
    session: Session,
    *,
    actor: Actor,
    provider_org_id: object,
    kind: object,
    amount: object,
    method: object = "",
    invoice_ref: object = "",
) -> int:
    """A consultant asks a provider to redeem part of its available balance; returns its id."""
    if actor.org_kind != OrgKind.CONSULTANT or not actor.sees_all:
        raise NotAllowed("Only a partner's managers and admins request payouts.")
    provider_id = inputs.record_id(provider_org_id, what="provider")
    if not isinstance(kind, str) or kind not in KINDS or kind == PayoutKind.MDF:
        raise Invalid("Choose how to redeem from the list.", field="kind")
    value = inputs.amount(amount)
    method = method if kind == PayoutKind.CASH else ""
    if kind == PayoutKind.CASH and (not isinstance(method, str) or method not in METHODS):
        raise Invalid("Choose a payment method: bank transfer, PayPal or Stripe.", field="method")
    reference = ""
    if kind == PayoutKind.INVOICE_CREDIT:
        reference = inputs.text(invoice_ref, field="invoice_ref", label="Invoice", max_len=100)
    _lock_pair(session, provider_id, actor.org_id)
    balance = _balance(session, actor, provider_id)
    money = f"{balance.currency} {{:,.2f}}"
    if balance.available < 0:  # a refund clawed back more than was left: the balance is owed
        raise Invalid(
            f"Your balance with this provider is {money.format(balance.available)}: a refund "
            "took back more than was left, so nothing can be redeemed until it is positive.",
            field="amount",
        )
    if kind == PayoutKind.CASH and value < balance.threshold:
        raise Invalid(
            f"Cash payouts start at {money.format(balance.threshold)}: ask for at least that "
            f"much (you have {money.format(balance.available)} available).",
            field="amount",
        )
    if value > balance.available:
        raise Invalid(
            f"That is more than you have available: {money.format(balance.available)}.",
            field="amount",
        )
    payout = PayoutRequest(
        provider_org_id=provider_id,
        partner_org_id=actor.org_id,
        kind=kind,
        method=method,
        invoice_ref=reference,
        amount=value,
        currency=balance.currency,
        requested_by_id=actor.user_id,
    )
    session.add(payout)
    session.flush()
    touched(session, payout.provider_org_id, payout.partner_org_id)
    activity.record(session, actor=actor, subject=payout, action="requested", after=_state(payout))
    notifications.payout_event(
        session,
        actor=actor,
        org_id=provider_id,
        user_ids=members(session, provider_id, managers=True),
        paid=False,
        text=f"{actor.org_name} asks to redeem {money.format(value)}: {KINDS[kind].lower()}.",
        link=routes.Provider.COMMISSIONS,
    )
    return payout.id


def approve(session: Session, *, actor: Actor, request_id: object) -> None:
    """The provider approves a request its partner still holds the balance for."""
    payout = _decidable(session, actor, request_id)
    balance = _balance(session, actor, payout.partner_org_id)
    held = balance.commission + balance.credits
    if payout.amount > held:
        raise Invalid(
            f"The partner's balance no longer covers this request ({payout.currency} "
            f"{held:,.2f} available): decline it."
        )
    from_credits = min(payout.amount, max(balance.credits, Decimal(0)))
    post(
        session,
        kind=LedgerKind.REDEMPTION,
        status=LedgerStatus.APPROVED,
        provider_org_id=payout.provider_org_id,
        partner_org_id=payout.partner_org_id,
        legs=[
            (CREDITS, from_credits),
            (COMMISSION, payout.amount - from_credits),
            (DUE, -payout.amount),
        ],
        currency=payout.currency,
        memo=_memo(payout),
        actor=actor,
        payout_request_id=payout.id,
    )
    payout.status, payout.decided_by_id, payout.decided_at = (
        PayoutStatus.APPROVED,
        actor.user_id,
        utcnow(),
    )
    session.add(payout)
    activity.record(session, actor=actor, subject=payout, action="approved", after=_state(payout))


def decline(session: Session, *, actor: Actor, request_id: object, reason: object) -> None:
    """The provider declines a request, saying why; nothing moves in the ledger."""
    payout = _decidable(session, actor, request_id)
    payout.note = inputs.text(reason, field="reason", label="Reason", max_len=500)
    payout.status, payout.decided_by_id, payout.decided_at = (
        PayoutStatus.DECLINED,
        actor.user_id,
        utcnow(),
    )
    session.add(payout)
    touched(session, payout.provider_org_id, payout.partner_org_id)
    activity.record(session, actor=actor, subject=payout, action="declined", after=_state(payout))


def mark_paid(
    session: Session, *, actor: Actor, request_id: object, reference: object = ""
) -> None:
    """The provider's finance paid (or applied) an approved request: it is settled."""
    _require_decider(actor)
    payout = _own(session, actor, request_id, lock=True)
    if payout.status != PayoutStatus.APPROVED:
        raise Invalid(f"Only an approved request is marked paid; this one is {payout.status}.")
    note = inputs.text(reference, field="reference", label="Reference", max_len=500, required=False)
    post(
        session,
        kind=LedgerKind.PAYOUT,
        status=LedgerStatus.PAID,
        provider_org_id=payout.provider_org_id,
        partner_org_id=payout.partner_org_id,
        legs=[(DUE, payout.amount), (SETTLED[payout.kind], -payout.amount)],
        currency=payout.currency,
        memo=f"{_memo(payout)}{': ' + note if note else ''}",
        actor=actor,
        payout_request_id=payout.id,
    )
    payout.status, payout.paid_at = PayoutStatus.PAID, utcnow()
    if note:
        payout.note = note
    session.add(payout)
    activity.record(session, actor=actor, subject=payout, action="paid", after=_state(payout))
    _settle_commissions(session, payout.provider_org_id, payout.partner_org_id)
    amount = f"{payout.currency} {payout.amount:,.2f}"
    done = {
        PayoutKind.CASH: f"paid your cash payout of {amount}",
        PayoutKind.INVOICE_CREDIT: f"credited {amount} against invoice {payout.invoice_ref}",
        PayoutKind.AUTO_INVOICE: f"applied {amount} of your credits to your next invoice",
        PayoutKind.DISCOUNT: f"granted your discount of {amount} on future purchases",
        PayoutKind.MDF: f"paid your MDF reimbursement of {amount}",
    }[payout.kind]
    notifications.payout_event(
        session,
        actor=actor,
        org_id=payout.partner_org_id,
        # Whoever asked; for a request the program made by itself, the partner's managers.
        user_ids=[payout.requested_by_id, *_auto_recipients(session, payout)],
        paid=True,
        text=f"{actor.org_name} {done}.",
        link=routes.Consultant.COMMISSIONS,
    )


@dataclass(frozen=True, slots=True)
class RequestRow:
    id: int
    other_org_id: int
    other_name: str
    kind: str
    method: str
    invoice_ref: str
    amount: Decimal
    currency: str
    status: str
    note: str
    requested_by: str
    created_at: datetime
    decided_at: datetime | None
    paid_at: datetime | None


def list_requests(
    session: Session,
    *,
    actor: Actor,
    status: object = None,
    other_org_id: object = None,
    page: object = 1,
    page_size: object = 25,
) -> Page:
    """The organization's redemption requests (made or received), newest first."""
    require_books(actor)
    page, page_size = listing.paging(page, page_size)
    query, count = _requests_query(actor, status, other_org_id)
    rows = session.exec(
        query.add_columns(listing.total(count))
        .order_by(col(PayoutRequest.id).desc())
        .limit(page_size)
        .offset((page - 1) * page_size)
    ).all()
    found = rows[0].total if rows else (session.exec(count).one() if page > 1 else 0)
    mapped = [{k: v for k, v in row._mapping.items() if k != "total"} for row in rows]
    return Page([RequestRow(**m) for m in mapped], found, page, page_size)


def requests_csv(
    session: Session, *, actor: Actor, status: object = None, other_org_id: object = None
) -> Iterator[str]:
    """The requests as CSV for the finance team, newest first, in chunks."""
    require_books(actor)
    query, _ = _requests_query(actor, status, other_org_id)
    provider = actor.org_kind == OrgKind.PROVIDER
    header = ["ID", "Partner" if provider else "Provider", "Type", "Method", "Invoice"]
    header += ["Amount", "Currency", "Status", "Note", "Requested by", "Requested"]
    header += ["Decided", "Paid"]

    def stamp(value: datetime | None) -> str:
        return value.strftime("%Y-%m-%d %H:%M") if value else ""

    chunks = listing.newest_first(session, query, PayoutRequest.id, 1000)
    rows = (
        [
            [
                row.id,
                row.other_name,
                KINDS.get(row.kind, row.kind),
                METHODS.get(row.method, row.method),
                row.invoice_ref,
                row.amount,
                row.currency,
                row.status,
                row.note,
                row.requested_by,
                stamp(row.created_at),
                stamp(row.decided_at),
                stamp(row.paid_at),
            ]
            for row in chunk
        ]
        for chunk in chunks
    )
    return csv_chunks(header, rows)


# helpers ---------------------------------------------------------------------------------------


def _require_decider(actor: Actor) -> None:
    if actor.org_kind != OrgKind.PROVIDER or not actor.sees_all:
        raise NotAllowed("Only the provider's managers and admins decide on payouts.")


def _own(session: Session, actor: Actor, request_id: object, *, lock: bool = False):
    require_books(actor)
    request_id = inputs.record_id(request_id, what="request")
    own, _ = request_columns(actor)
    query = select(PayoutRequest).where(PayoutRequest.id == request_id, own == actor.org_id)
    found = session.exec(query.with_for_update() if lock else query).first()
    if found is None:
        raise NotFound(NOT_VISIBLE)
    return found


def _decidable(session: Session, actor: Actor, request_id: object) -> PayoutRequest:
    _require_decider(actor)
    payout = _own(session, actor, request_id)
    _lock_pair(session, payout.provider_org_id, payout.partner_org_id)
    session.refresh(payout, with_for_update=True)
    if payout.status != PayoutStatus.REQUESTED:
        raise Invalid(f"This request is already {payout.status}.")
    return payout


def _lock_pair(session: Session, provider_id: int, partner_id: int) -> None:
    """Serialize the balance checks of one provider and partner (requests and approvals)."""
    found = session.exec(
        select(Partnership.id)
        .where(
            Partnership.provider_org_id == provider_id,
            Partnership.consultant_org_id == partner_id,
        )
        .with_for_update()
    ).first()
    if found is None:
        raise NotFound("That provider does not exist or is not visible to you.")


def _balance(session: Session, actor: Actor, other_org_id: int) -> Balance:
    found = balances(session, actor=actor, other_org_id=other_org_id)
    if found:
        balance = found[0]
    else:
        provider_id = actor.org_id if actor.org_kind == OrgKind.PROVIDER else other_org_id
        settings = program.settings_of(session, provider_id)
        zero = Decimal(0)
        balance = Balance(
            other_org_id, "", settings.currency, zero, zero, zero, zero, zero, zero,
            settings.payout_threshold,
        )  # fmt: skip
    return balance


def _settle_commissions(session: Session, provider_id: int, partner_id: int) -> None:
    """Mark approved commissions paid, oldest first, as far as the commission drawn by settled
    redemptions covers them."""
    drawn = session.exec(
        select(func.coalesce(func.sum(LedgerEntry.amount), 0))
        .join(LedgerTransaction, col(LedgerTransaction.id) == LedgerEntry.transaction_id)
        .join(PayoutRequest, col(PayoutRequest.id) == LedgerTransaction.payout_request_id)
        .where(
            LedgerTransaction.provider_org_id == provider_id,
            LedgerTransaction.partner_org_id == partner_id,
            LedgerTransaction.kind == LedgerKind.REDEMPTION,
            LedgerEntry.account == COMMISSION,
            PayoutRequest.status == PayoutStatus.PAID,
        )
    ).one()
    accruals = session.exec(
        select(LedgerTransaction, transaction_size())
        .join(LedgerEntry, col(LedgerEntry.transaction_id) == LedgerTransaction.id)
        .where(
            LedgerTransaction.provider_org_id == provider_id,
            LedgerTransaction.partner_org_id == partner_id,
            LedgerTransaction.kind == LedgerKind.COMMISSION_ACCRUAL,
            col(LedgerTransaction.status).in_((LedgerStatus.APPROVED, LedgerStatus.PAID)),
        )
        .group_by(LedgerTransaction.id)
        .order_by(col(LedgerTransaction.id))
    ).all()
    covered = Decimal(drawn or 0)
    for accrual, size in accruals:
        if covered < size:
            return
        covered -= size
        if accrual.status != LedgerStatus.PAID:
            accrual.status = LedgerStatus.PAID
            session.add(accrual)


def _requests_query(actor: Actor, status: object, other_org_id: object) -> tuple[Any, Any]:
    own, other = request_columns(actor)
    where = [own == actor.org_id]
    if status not in (None, ""):
        if status not in tuple(PayoutStatus):
            raise Invalid("Choose a status from the list.", field="status")
        where.append(PayoutRequest.status == status)
    if (chosen := listing.filter_id(other_org_id, "other_org_id")) is not None:
        where.append(other == chosen)
    org, person = aliased(Organization), aliased(User)
    # People are named only to their own organization: the other side reads the organization's
    # name, and a request the program made by itself reads "Automatically".
    colleague = sa.exists().where(
        Membership.user_id == PayoutRequest.requested_by_id, Membership.org_id == actor.org_id
    )
    requested_by = sa.case(
        (colleague, person.name),
        (PayoutRequest.kind == PayoutKind.AUTO_INVOICE, "Automatically"),
        else_=org.name,
    )
    query = (
        select(
            PayoutRequest.id,
            col(other).label("other_org_id"),
            col(org.name).label("other_name"),
            PayoutRequest.kind,
            PayoutRequest.method,
            PayoutRequest.invoice_ref,
            PayoutRequest.amount,
            PayoutRequest.currency,
            PayoutRequest.status,
            PayoutRequest.note,
            requested_by.label("requested_by"),
            PayoutRequest.created_at,
            PayoutRequest.decided_at,
            PayoutRequest.paid_at,
        )
        .join(org, org.id == other)
        .join(person, person.id == PayoutRequest.requested_by_id)
        .where(*where)
    )
    count = select(func.count()).select_from(PayoutRequest).where(*where)
    return query, count


def _auto_recipients(session: Session, payout: PayoutRequest) -> list[int]:
    if payout.kind != PayoutKind.AUTO_INVOICE:
        return []
    return members(session, payout.partner_org_id, managers=True)


def _memo(payout: PayoutRequest) -> str:
    detail = METHODS.get(payout.method) or payout.invoice_ref
    return f"{KINDS[payout.kind]}{' (' + detail + ')' if detail else ''}"


def _state(payout: PayoutRequest) -> dict[str, Any]:
    """What the activity trail keeps of a request."""
    return {
        "kind": payout.kind,
        "amount": str(payout.amount),
        "status": payout.status,
        "method": payout.method,
        "invoice_ref": payout.invoice_ref,
    }
