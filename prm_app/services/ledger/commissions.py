"""A deal's money: what it earns on Closed Won, the provider's approval, and a refund's clawback."""

from dataclasses import dataclass
from decimal import Decimal

from sqlmodel import Session, col, select

from ...models import (
    Approval,
    Deal,
    LedgerEntry,
    LedgerKind,
    LedgerStatus,
    LedgerTransaction,
    OrgKind,
    Outcome,
    PayoutKind,
    PayoutRequest,
)
from .. import deals
from ..catalog import program
from ..core import activity, changes, inputs
from ..core.actor import Actor
from ..core.errors import Invalid, NotFound
from .books import (
    CENT,
    COMMISSION,
    CREDIT_EXPENSE,
    CREDITS,
    EXPENSE,
    PENDING,
    currency_of,
    pair_columns,
    post,
    require_provider_manager,
    size_of,
    transaction_size,
)
from .terms import terms_of


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
        select(
            LedgerTransaction.id,
            LedgerTransaction.kind,
            LedgerTransaction.status,
            LedgerTransaction.terms,
            transaction_size(),
        )
        .join(LedgerEntry, col(LedgerEntry.transaction_id) == LedgerTransaction.id)
        .where(
            LedgerTransaction.deal_id == deal.id,
            col(LedgerTransaction.kind).in_(
                (LedgerKind.COMMISSION_ACCRUAL, LedgerKind.CREDIT_AWARD, LedgerKind.CLAWBACK)
            ),
        )
        .group_by(
            LedgerTransaction.id,
            LedgerTransaction.kind,
            LedgerTransaction.status,
            LedgerTransaction.terms,
        )
    ).all()
    by_kind = {kind: (tx_id, status, size, used) for tx_id, kind, status, used, size in rows}
    accrual = by_kind.get(LedgerKind.COMMISSION_ACCRUAL)
    award = by_kind.get(LedgerKind.CREDIT_AWARD)
    refunded = LedgerKind.CLAWBACK in by_kind
    approved = deal.approval == "approved"
    terms = terms_of(session, deal.provider_org_id, deal.partner_org_id) if approved else None
    described = terms.describe(deal.currency) if terms else ""
    manager = actor.org_kind == OrgKind.PROVIDER and actor.sees_all
    if accrual:  # what it accrued, on the terms in force then (not today's)
        commission, status, described = accrual[2], accrual[1], accrual[3] or described
    elif terms and deal.outcome == Outcome.OPEN and deal.amount > 0:
        commission, status = terms.commission_on(deal.amount), "expected"
    else:
        commission, status = None, ""
    return DealMoney(
        terms=described,
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
    transaction. Only an approved deal earns: one pending (re-)approval accrues nothing."""
    if deal.approval != Approval.APPROVED:
        raise Invalid("Approve the deal before closing it as won.", field="stage_id")
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
            terms=terms.describe(deal.currency),
            actor=actor,
            deal_id=deal.id,
            **pair,
        )
    if deal.source_recipient_id is None:
        return
    settings = program.settings_of(session, deal.provider_org_id)
    credit = settings.referral_credit_amount.quantize(CENT)
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
    require_provider_manager(actor)
    accrual = _own_transaction(session, actor, transaction_id, lock=True)
    if accrual.kind != LedgerKind.COMMISSION_ACCRUAL:
        raise Invalid("Only an accrued commission is approved.")
    if accrual.status != LedgerStatus.PENDING:
        raise Invalid(f"This commission is already {accrual.status}.")
    amount = size_of(session, accrual.id)
    post(
        session,
        kind=LedgerKind.COMMISSION_APPROVAL,
        status=LedgerStatus.APPROVED,
        provider_org_id=accrual.provider_org_id,
        partner_org_id=accrual.partner_org_id,
        legs=[(PENDING, amount), (COMMISSION, -amount)],
        currency=currency_of(session, accrual.id),
        memo=f"Approved: {accrual.memo}",
        actor=actor,
        deal_id=accrual.deal_id,
        reverses_id=None,
    )
    accrual.status = LedgerStatus.APPROVED
    session.add(accrual)
    changes.deals_changed(session, accrual.provider_org_id, accrual.partner_org_id)
    changes.touched(session, changes.Topic.LEDGER, accrual.provider_org_id, accrual.partner_org_id)


def refund_deal(session: Session, *, actor: Actor, deal_id: object, reason: object) -> None:
    """The provider records that a Closed Won deal was refunded: the commission and referral
    credit it earned are clawed back by reversing transactions (the partner's balance may go
    below zero: what was already paid out is netted from future redemptions)."""
    require_provider_manager(actor)
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
        amount = size_of(session, original.id)
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
            currency=currency_of(session, original.id),
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
