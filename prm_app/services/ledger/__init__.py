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

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import aliased
from sqlmodel import Session, col, func, select

from ...models import (
    CommissionType,
    Deal,
    LedgerEntry,
    LedgerKind,
    LedgerStatus,
    LedgerTransaction,
    Organization,
    OrgKind,
    Outcome,
    Partnership,
    PartnershipStatus,
    PayoutKind,
    PayoutRequest,
    PayoutStatus,
)
from .. import deals
from ..catalog import program
from ..core import activity, changes, inputs, listing
from ..core.actor import Actor
from ..core.errors import Invalid, NotAllowed, NotFound
from ..core.listing import Page
from ..imports.files import csv_chunks

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
}
_CENT = Decimal("0.01")
MAX_PERCENT = Decimal("100")
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
}


# posting ---------------------------------------------------------------------------------------


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
    deal_id: int | None = None,
    payout_request_id: int | None = None,
    reverses_id: int | None = None,
) -> LedgerTransaction:
    """Add one balanced transaction (its legs sum to zero; a zero leg is left out)."""
    legs = [(account, amount.quantize(_CENT)) for account, amount in legs if amount]
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
        created_by_id=actor.user_id if actor else None,
    )
    session.add(transaction)
    session.flush()
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


# commission terms ------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Terms:
    kind: str  # CommissionType
    value: Decimal
    from_default: bool  # the provider's default rate, not set on the partnership

    def commission_on(self, amount: Decimal) -> Decimal:
        if self.kind == CommissionType.FLAT:
            return self.value.quantize(_CENT)
        return (amount * self.value / 100).quantize(_CENT)

    def describe(self, currency: str) -> str:
        if self.kind == CommissionType.FLAT:
            return f"{currency} {self.value:,.2f} per won deal"
        default = " (the program's default)" if self.from_default else ""
        return f"{_number(self.value)}% of the deal amount{default}"


def terms_of(session: Session, provider_org_id: int, partner_org_id: int) -> Terms:
    """The partnership's commission terms, else the provider's default rate."""
    partnership = _partnership(session, provider_org_id, partner_org_id)
    if partnership is not None and partnership.commission_value is not None:
        return Terms(partnership.commission_type, partnership.commission_value, False)
    rate = program.settings_of(session, provider_org_id).default_commission_pct
    return Terms(CommissionType.PERCENT, rate, True)


def set_terms(
    session: Session, *, actor: Actor, partnership_id: object, kind: object, value: object
) -> None:
    """The provider sets a partner's commission: a percentage, a flat amount per won deal, or
    "default" (the program's default rate). Deals already won keep what they accrued."""
    _require_provider_manager(actor)
    partnership_id = inputs.record_id(partnership_id, what="partnership")
    partnership = session.exec(
        select(Partnership).where(
            Partnership.id == partnership_id, Partnership.provider_org_id == actor.org_id
        )
    ).first()
    if partnership is None or partnership.consultant_org_id is None:
        raise NotFound("That partnership does not exist or is not visible to you.")
    before = {"type": partnership.commission_type, "value": _text(partnership.commission_value)}
    if kind == "default":
        partnership.commission_type, partnership.commission_value = CommissionType.PERCENT, None
    elif kind == CommissionType.PERCENT:
        rate = inputs.amount(value, field="commission_value")
        if rate > MAX_PERCENT:
            raise Invalid("A percentage is at most 100.", field="commission_value")
        partnership.commission_type, partnership.commission_value = kind, rate
    elif kind == CommissionType.FLAT:
        partnership.commission_type = kind
        partnership.commission_value = inputs.amount(value, field="commission_value")
    else:
        raise Invalid("Choose a percentage, a flat amount or the default.", field="kind")
    session.add(partnership)
    after = {"type": partnership.commission_type, "value": _text(partnership.commission_value)}
    activity.record(
        session,
        actor=actor,
        subject=partnership,
        action="commission_terms_set",
        before=before,
        after=after,
    )


@dataclass(frozen=True, slots=True)
class PartnerTerms:
    partnership_id: int
    partner_org_id: int
    partner_name: str
    kind: str
    value: str  # "" for the default
    description: str


def partner_terms(session: Session, *, actor: Actor) -> list[PartnerTerms]:
    """For the provider: each active partner's commission terms, by name."""
    _require_provider_manager(actor)
    settings = program.settings_of(session, actor.org_id)
    rows = session.exec(
        select(Partnership, Organization.name)
        .join(Organization, col(Organization.id) == Partnership.consultant_org_id)
        .where(
            Partnership.provider_org_id == actor.org_id,
            Partnership.status == PartnershipStatus.ACTIVE,
        )
        .order_by(func.lower(Organization.name), col(Partnership.id))
    ).all()
    found = []
    for partnership, name in rows:
        if partnership.commission_value is None:
            terms = Terms(CommissionType.PERCENT, settings.default_commission_pct, True)
        else:
            terms = Terms(partnership.commission_type, partnership.commission_value, False)
        found.append(
            PartnerTerms(
                partnership_id=partnership.id,
                partner_org_id=partnership.consultant_org_id,
                partner_name=name,
                kind="default" if terms.from_default else terms.kind,
                value="" if terms.from_default else f"{terms.value:.2f}",
                description=terms.describe(settings.currency),
            )
        )
    return found


# the deal's money ------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class DealMoney:
    """A deal's commission terms and what the ledger holds for it, as either side sees it."""

    terms: str  # "" until the deal is approved
    currency: str
    commission: Decimal | None  # the commission accrued (or expected, before Closed Won)
    commission_status: str  # pending / approved / paid / reversed, or "expected"
    credit: Decimal | None  # the referral credit awarded, if any
    credit_status: str
    refunded: bool
    can_refund: bool
    can_approve: bool
    accrual_id: int | None


def deal_money(session: Session, *, actor: Actor, deal_id: object) -> DealMoney:
    """Commission terms once the deal is accepted (approved), and what it accrued once won."""
    deal = deals.visible(session, actor=actor, deal_id=deal_id)
    rows = session.exec(
        select(LedgerTransaction.id, LedgerTransaction.kind, LedgerTransaction.status, _size())
        .join(LedgerEntry, col(LedgerEntry.transaction_id) == LedgerTransaction.id)
        .where(
            LedgerTransaction.deal_id == deal.id,
            col(LedgerTransaction.kind).in_(
                (LedgerKind.COMMISSION_ACCRUAL, LedgerKind.CREDIT_AWARD, LedgerKind.CLAWBACK)
            ),
        )
        .group_by(LedgerTransaction.id, LedgerTransaction.kind, LedgerTransaction.status)
    ).all()
    by_kind = {kind: (tx_id, status, size) for tx_id, kind, status, size in rows}
    accrual = by_kind.get(LedgerKind.COMMISSION_ACCRUAL)
    award = by_kind.get(LedgerKind.CREDIT_AWARD)
    refunded = LedgerKind.CLAWBACK in by_kind
    approved = deal.approval == "approved"
    terms = terms_of(session, deal.provider_org_id, deal.partner_org_id) if approved else None
    manager = actor.org_kind == OrgKind.PROVIDER and actor.sees_all
    if accrual:
        commission, status = accrual[2], accrual[1]
    elif terms and deal.outcome == Outcome.OPEN and deal.amount > 0:
        commission, status = terms.commission_on(deal.amount), "expected"
    else:
        commission, status = None, ""
    return DealMoney(
        terms=terms.describe(deal.currency) if terms else "",
        currency=deal.currency,
        commission=commission,
        commission_status=status,
        credit=award[2] if award else None,
        credit_status=award[1] if award else "",
        refunded=refunded,
        can_refund=manager and deal.outcome == Outcome.WON and not refunded and bool(rows),
        can_approve=manager and bool(accrual) and accrual[1] == LedgerStatus.PENDING,
        accrual_id=accrual[0] if accrual else None,
    )


def on_won(session: Session, *, actor: Actor, deal: Deal) -> None:
    """Closed Won: accrue the partner's commission (pending) and, for a deal that came from a
    lead or referral, award the provider's referral credit. Called in the stage move's
    transaction."""
    terms = terms_of(session, deal.provider_org_id, deal.partner_org_id)
    commission = terms.commission_on(deal.amount)
    pair = {"provider_org_id": deal.provider_org_id, "partner_org_id": deal.partner_org_id}
    if commission > 0:
        post(
            session,
            kind=LedgerKind.COMMISSION_ACCRUAL,
            status=LedgerStatus.PENDING,
            legs=[(EXPENSE, commission), (PENDING, -commission)],
            currency=deal.currency,
            memo=f"Commission on {deal.name}: {terms.describe(deal.currency)}",
            actor=actor,
            deal_id=deal.id,
            **pair,
        )
    if deal.source_recipient_id is None:
        return
    settings = program.settings_of(session, deal.provider_org_id)
    credit = settings.referral_credit_amount.quantize(_CENT)
    if credit <= 0:
        return
    post(
        session,
        kind=LedgerKind.CREDIT_AWARD,
        status=LedgerStatus.APPROVED,
        legs=[(CREDIT_EXPENSE, credit), (CREDITS, -credit)],
        currency=deal.currency,
        memo=f"Referral credit for {deal.name}",
        actor=actor,
        deal_id=deal.id,
        **pair,
    )
    if settings.auto_apply_credits:
        # The program applies credits to the partner's next invoice: a request the provider
        # still approves or declines like any other.
        session.add(
            PayoutRequest(
                kind=PayoutKind.AUTO_INVOICE,
                amount=credit,
                currency=deal.currency,
                requested_by_id=actor.user_id,
                note=f"Automatically, for {deal.name}"[:500],
                **pair,
            )
        )


def approve_commission(session: Session, *, actor: Actor, transaction_id: object) -> None:
    """The provider approves a pending commission: it becomes the partner's to redeem."""
    _require_provider_manager(actor)
    accrual = _own_transaction(session, actor, transaction_id, lock=True)
    if accrual.kind != LedgerKind.COMMISSION_ACCRUAL:
        raise Invalid("Only an accrued commission is approved.")
    if accrual.status != LedgerStatus.PENDING:
        raise Invalid(f"This commission is already {accrual.status}.")
    amount = _size_of(session, accrual.id)
    post(
        session,
        kind=LedgerKind.COMMISSION_APPROVAL,
        status=LedgerStatus.APPROVED,
        provider_org_id=accrual.provider_org_id,
        partner_org_id=accrual.partner_org_id,
        legs=[(PENDING, amount), (COMMISSION, -amount)],
        currency=_currency(session, accrual.id),
        memo=f"Approved: {accrual.memo}",
        actor=actor,
        deal_id=accrual.deal_id,
        reverses_id=None,
    )
    accrual.status = LedgerStatus.APPROVED
    session.add(accrual)
    changes.deals_changed(session, accrual.provider_org_id, accrual.partner_org_id)


def refund_deal(session: Session, *, actor: Actor, deal_id: object, reason: object) -> None:
    """The provider records that a Closed Won deal was refunded: the commission and referral
    credit it earned are clawed back by reversing transactions (the partner's balance may go
    below zero: what was already paid out is netted from future redemptions)."""
    _require_provider_manager(actor)
    deal = deals.visible(session, actor=actor, deal_id=deal_id, lock=True)
    reason = inputs.text(reason, field="reason", label="Reason", max_len=500)
    if deal.outcome != Outcome.WON:
        raise Invalid("Only a Closed Won deal is refunded.")
    originals = session.exec(
        select(LedgerTransaction)
        .where(
            LedgerTransaction.deal_id == deal.id,
            col(LedgerTransaction.kind).in_(
                (LedgerKind.COMMISSION_ACCRUAL, LedgerKind.CREDIT_AWARD, LedgerKind.CLAWBACK)
            ),
        )
        .order_by(col(LedgerTransaction.id))
        .with_for_update()
    ).all()
    if any(t.kind == LedgerKind.CLAWBACK for t in originals):
        raise Invalid("This deal's refund is already recorded.")
    if not originals:
        raise Invalid("This deal earned no commission or credit: there is nothing to reverse.")
    for original in originals:
        amount = _size_of(session, original.id)
        if original.kind == LedgerKind.CREDIT_AWARD:
            legs = [(CREDITS, amount), (CREDIT_EXPENSE, -amount)]
        elif original.status == LedgerStatus.PENDING:
            legs = [(PENDING, amount), (EXPENSE, -amount)]
        else:
            legs = [(COMMISSION, amount), (EXPENSE, -amount)]
        post(
            session,
            kind=LedgerKind.CLAWBACK,
            status=LedgerStatus.APPROVED,
            provider_org_id=original.provider_org_id,
            partner_org_id=original.partner_org_id,
            legs=legs,
            currency=_currency(session, original.id),
            memo=f"Refund of {deal.name}: {reason}",
            actor=actor,
            deal_id=deal.id,
            reverses_id=original.id,
        )
        original.status = LedgerStatus.REVERSED
        session.add(original)
    activity.record(
        session,
        actor=actor,
        subject=deal,
        action="refunded",
        after={"reason": reason},
    )
    changes.deals_changed(session, deal.provider_org_id, deal.partner_org_id)


# balances and statements -----------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Balance:
    """What one provider owes one partner, from the caller's side ("other" is across)."""

    other_org_id: int
    other_name: str
    currency: str
    pending: Decimal  # commission awaiting approval
    commission: Decimal  # approved commission not yet redeemed
    credits: Decimal  # referral credits not yet redeemed
    requested: Decimal  # held by redemption requests awaiting a decision
    due: Decimal  # approved redemptions awaiting payment
    redeemed: Decimal  # paid out or applied
    threshold: Decimal  # the provider's minimum cash payout

    @property
    def available(self) -> Decimal:
        return self.commission + self.credits - self.requested


def pair_columns(actor: Actor) -> tuple[Any, Any]:
    """The caller's column on LedgerTransaction (and PayoutRequest's names) and the other's."""
    if actor.org_kind == OrgKind.PROVIDER:
        return LedgerTransaction.provider_org_id, LedgerTransaction.partner_org_id
    if actor.org_kind == OrgKind.CONSULTANT:
        return LedgerTransaction.partner_org_id, LedgerTransaction.provider_org_id
    raise NotAllowed(BOOKS_ONLY)


def balances(session: Session, *, actor: Actor, other_org_id: object = None) -> list[Balance]:
    """Per provider (for a consultant: all of them, in one place) or per partner (for a
    provider), aggregated in the database."""
    require_books(actor)
    own, other = pair_columns(actor)
    where = [own == actor.org_id]
    if (chosen := listing.filter_id(other_org_id, "other_org_id")) is not None:
        where.append(other == chosen)
    sums = session.exec(
        select(col(other).label("other"), LedgerEntry.account, func.sum(LedgerEntry.amount))
        .join(LedgerEntry, col(LedgerEntry.transaction_id) == LedgerTransaction.id)
        .where(*where)
        .group_by(other, LedgerEntry.account)
    ).all()
    req_own, req_other = _request_columns(actor)
    held = session.exec(
        select(col(req_other), PayoutRequest.status, func.sum(PayoutRequest.amount))
        .where(
            req_own == actor.org_id,
            col(PayoutRequest.status) == PayoutStatus.REQUESTED,
            *([req_other == chosen] if chosen is not None else []),
        )
        .group_by(req_other, PayoutRequest.status)
    ).all()
    accounts: dict[int, dict[str, Decimal]] = {}
    for org_id, account, total in sums:
        accounts.setdefault(org_id, {})[account] = Decimal(total or 0)
    requested = {org_id: Decimal(total or 0) for org_id, _, total in held}
    org_ids = set(accounts) | set(requested)
    if not org_ids:
        return []
    names = dict(
        session.exec(
            select(Organization.id, Organization.name).where(col(Organization.id).in_(org_ids))
        ).all()
    )
    found = []
    for org_id in sorted(org_ids, key=lambda i: (names.get(i, "").lower(), i)):
        got = accounts.get(org_id, {})
        provider_id = actor.org_id if actor.org_kind == OrgKind.PROVIDER else org_id
        settings = program.settings_of(session, provider_id)
        found.append(
            Balance(
                other_org_id=org_id,
                other_name=names.get(org_id, ""),
                currency=settings.currency,
                pending=-got.get(PENDING, Decimal(0)),
                commission=-got.get(COMMISSION, Decimal(0)),
                credits=-got.get(CREDITS, Decimal(0)),
                requested=requested.get(org_id, Decimal(0)),
                due=-got.get(DUE, Decimal(0)),
                redeemed=-sum((got.get(a, Decimal(0)) for a in set(SETTLED.values())), Decimal(0)),
                threshold=settings.payout_threshold,
            )
        )
    return found


@dataclass(frozen=True, slots=True)
class Line:
    """One transaction in a statement: a per-deal line item, a redemption or a payment."""

    id: int
    created_at: datetime
    kind: str
    status: str
    other_org_id: int
    other_name: str
    deal_id: int | None
    deal_name: str
    memo: str
    amount: Decimal  # the size of the transaction
    effect: Decimal  # + adds to what the partner holds, - takes from it, 0 moves it
    currency: str


def statement(
    session: Session,
    *,
    actor: Actor,
    other_org_id: object = None,
    kind: object = None,
    page: object = 1,
    page_size: object = 25,
) -> Page:
    """The caller's ledger transactions, newest first, one page of Lines."""
    require_books(actor)
    page, page_size = listing.paging(page, page_size)
    query, count = _statement_query(actor, other_org_id, kind)
    ordered = query.add_columns(listing.total(count)).order_by(col(LedgerTransaction.id).desc())
    rows = session.exec(ordered.limit(page_size).offset((page - 1) * page_size)).all()
    found = rows[0].total if rows else (session.exec(count).one() if page > 1 else 0)
    return Page([_line(row) for row in rows], found, page, page_size)


def statement_csv(
    session: Session, *, actor: Actor, other_org_id: object = None, kind: object = None
) -> Iterator[str]:
    """The statement as CSV (every line, newest first), read in chunks by id."""
    require_books(actor)
    query, _ = _statement_query(actor, other_org_id, kind)
    across = "Partner" if actor.org_kind == OrgKind.PROVIDER else "Provider"
    header = ["ID", "Date", across, "Type", "Status", "Deal", "Memo", "Amount", "Effect"]
    header += ["Currency"]

    def rows() -> Iterator[list[list[Any]]]:
        last = None
        while True:
            chunk_query = query if last is None else query.where(LedgerTransaction.id < last)
            chunk = session.exec(
                chunk_query.order_by(col(LedgerTransaction.id).desc()).limit(1000)
            ).all()
            if chunk:
                yield [
                    [
                        line.id,
                        line.created_at.strftime("%Y-%m-%d %H:%M"),
                        line.other_name,
                        KIND_LABELS.get(line.kind, line.kind),
                        line.status,
                        line.deal_name,
                        line.memo,
                        str(line.amount),
                        str(line.effect),
                        line.currency,
                    ]
                    for line in map(_line, chunk)
                ]
            if len(chunk) < 1000:
                return
            last = chunk[-1].id

    return csv_chunks(header, rows())


# helpers ---------------------------------------------------------------------------------------


def require_books(actor: Actor) -> None:
    pair_columns(actor)
    if not actor.sees_all:
        raise NotAllowed(BOOKS_ONLY)


def _require_provider_manager(actor: Actor) -> None:
    if actor.org_kind != OrgKind.PROVIDER or not actor.sees_all:
        raise NotAllowed(PROVIDER_ONLY)


def _request_columns(actor: Actor) -> tuple[Any, Any]:
    if actor.org_kind == OrgKind.PROVIDER:
        return PayoutRequest.provider_org_id, PayoutRequest.partner_org_id
    return PayoutRequest.partner_org_id, PayoutRequest.provider_org_id


def _partnership(session: Session, provider_org_id: int, partner_org_id: int):
    return session.exec(
        select(Partnership).where(
            Partnership.provider_org_id == provider_org_id,
            Partnership.consultant_org_id == partner_org_id,
        )
    ).first()


def _size() -> Any:
    """The size of a transaction: the sum of its debit legs (with LedgerEntry joined)."""
    return func.sum(sa.case((col(LedgerEntry.amount) > 0, LedgerEntry.amount), else_=0)).label(
        "size"
    )


def _size_of(session: Session, transaction_id: int) -> Decimal:
    return session.exec(
        select(_size()).where(LedgerEntry.transaction_id == transaction_id)
    ).one() or Decimal(0)


def _currency(session: Session, transaction_id: int) -> str:
    return session.exec(
        select(LedgerEntry.currency).where(LedgerEntry.transaction_id == transaction_id).limit(1)
    ).one()


def _own_transaction(
    session: Session, actor: Actor, transaction_id: object, *, lock: bool = False
) -> LedgerTransaction:
    transaction_id = inputs.record_id(transaction_id, what="ledger line")
    own, _ = pair_columns(actor)
    query = select(LedgerTransaction).where(
        LedgerTransaction.id == transaction_id, own == actor.org_id
    )
    found = session.exec(query.with_for_update() if lock else query).first()
    if found is None:
        raise NotFound("That ledger line does not exist or is not visible to you.")
    return found


def _statement_query(actor: Actor, other_org_id: object, kind: object) -> tuple[Any, Any]:
    own, other = pair_columns(actor)
    where = [own == actor.org_id]
    if (chosen := listing.filter_id(other_org_id, "other_org_id")) is not None:
        where.append(other == chosen)
    if kind not in (None, ""):
        if kind not in tuple(LedgerKind):
            raise Invalid("Choose a type of line from the list.", field="kind")
        where.append(LedgerTransaction.kind == kind)
    sizes = (
        select(
            col(LedgerEntry.transaction_id).label("transaction_id"),
            _size(),
            func.max(LedgerEntry.currency).label("currency"),
        )
        .group_by(LedgerEntry.transaction_id)
        .subquery()
    )
    org = aliased(Organization)
    query = (
        select(
            LedgerTransaction.id,
            LedgerTransaction.created_at,
            LedgerTransaction.kind,
            LedgerTransaction.status,
            col(other).label("other_org_id"),
            col(org.name).label("other_name"),
            LedgerTransaction.deal_id,
            func.coalesce(Deal.name, "").label("deal_name"),
            LedgerTransaction.memo,
            sizes.c.size,
            sizes.c.currency,
        )
        .join(sizes, sizes.c.transaction_id == LedgerTransaction.id)
        .join(org, org.id == other)
        .outerjoin(Deal, col(Deal.id) == LedgerTransaction.deal_id)
        .where(*where)
    )
    count = select(func.count()).select_from(LedgerTransaction).where(*where)
    return query, count


def _line(row: Any) -> Line:
    size = Decimal(row.size or 0)
    return Line(
        id=row.id,
        created_at=row.created_at,
        kind=row.kind,
        status=row.status,
        other_org_id=row.other_org_id,
        other_name=row.other_name,
        deal_id=row.deal_id,
        deal_name=row.deal_name,
        memo=row.memo,
        amount=size,
        effect=size * EFFECT.get(row.kind, 0),
        currency=row.currency,
    )


def _number(value: Decimal) -> str:
    return f"{value.normalize():f}"


def _text(value: Decimal | None) -> str | None:
    return None if value is None else str(value)
