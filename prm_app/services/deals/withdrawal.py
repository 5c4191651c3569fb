"""A partner withdraws a registration, or resubmits one that was rejected or expired.

Withdrawal (the partner's admins and managers, or the deal's owner on the partner side): an open
registration, pending or approved, with a reason. It is final: a withdrawn deal can no longer
change, move, be approved or resubmitted, and it leaves the board's open columns. Its protection
ends at once, so another partner's registration of the same customer no longer conflicts.

Resubmission: a rejected registration, or an approved one whose protection ended without being
won, can be registered again by its partner as a new pending deal linked to it
(`Deal.resubmitted_from_id`), prefilled from it and editable, up to the provider's
`resubmission_cap` counted over the whole chain (0: never). Only the latest deal of a chain can
be resubmitted. The provider sees the chain on the deal's page.
"""

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlmodel import Session, col, select

from ...models import Approval, Deal, DealProduct, OrgKind, Outcome, utcnow
from .. import leads, notifications
from ..catalog import program, program_rules
from ..catalog.fields import whole_number
from ..core import activity, changes, inputs
from ..core.actor import Actor
from ..core.errors import Conflict, Invalid, NotAllowed
from . import extensions, lifecycle, visible

MAX_CAP = 10  # resubmissions a program may allow per chain
MAX_CHAIN = 50  # links followed at most (a chain is never longer than MAX_CAP + 1)

ONLY_PARTNER = "Only the partner that registered a deal can withdraw or resubmit it."
NOT_OPEN = "Only an open registration, pending or approved, can be withdrawn."
NOT_RESUBMITTABLE = (
    "Only a rejected registration, or one whose protection ended without being won, can be "
    "resubmitted."
)
NEVER = "This provider does not accept resubmissions."
CAP_REACHED = "This registration was already resubmitted as often as the provider allows ({cap})."
ALREADY = "This registration was already resubmitted: resubmit its latest registration instead."
CLOSED_REQUEST = "Closed: the partner withdrew the registration."
CAP_RANGE = f"Resubmissions: enter a whole number from 0 (never) to {MAX_CAP}."


def withdraw(
    session: Session, *, actor: Actor, deal_id: object, version: object, reason: object
) -> None:
    """The partner withdraws an open registration, with a reason: final, protection ends now,
    the provider is told (and its webhooks, `deal.withdrawn`)."""
    if actor.org_kind != OrgKind.CONSULTANT:
        raise NotAllowed(ONLY_PARTNER)
    expected = inputs.version(version)
    deal = visible(session, actor=actor, deal_id=deal_id, lock=True)
    if deal.version != expected:
        raise Conflict(lifecycle.CHANGED)
    if deal.approval == Approval.WITHDRAWN:
        raise Invalid(lifecycle.WITHDRAWN)
    if deal.outcome == Outcome.WON:
        raise Invalid(lifecycle.COMPLETE)
    if deal.outcome != Outcome.OPEN or deal.approval == Approval.REJECTED:
        raise Invalid(NOT_OPEN)
    text = inputs.text(reason, field="reason", label="Reason", max_len=leads.MAX_REASON)
    now = utcnow()
    before = {
        "approval": deal.approval,
        "protected_until": _iso(deal.protected_until),
    }
    deal.approval, deal.withdrawn_at, deal.withdrawal_reason = Approval.WITHDRAWN, now, text
    if deal.protected_until is not None and deal.protected_until > now:
        deal.protected_until = now  # the customer is free for other partners at once
    after = {"approval": deal.approval, "protected_until": _iso(deal.protected_until)}
    extensions.close_pending(session, deal=deal, reason=CLOSED_REQUEST, now=now)
    lifecycle._save(session, actor, deal, "withdrawn", before, {**after, "reason": text})
    notifications.deal_withdrawn(session, actor=actor, deal=deal)


def resubmit(
    session: Session, *, actor: Actor, deal_id: object, form: object
) -> lifecycle.Registered:
    """Register a rejected or expired deal again as a new pending deal linked to it (the form:
    the deal form's fields, prefilled from it on the page). Everything a registration checks
    applies (lifecycle.register); the earlier deal's timeline says it was resubmitted."""
    if actor.org_kind != OrgKind.CONSULTANT:
        raise NotAllowed(ONLY_PARTNER)
    earlier = visible(session, actor=actor, deal_id=deal_id, lock=True)
    if (why := _why_not(session, earlier, utcnow())) is not None:
        raise Invalid(why)
    done = lifecycle.register(
        session,
        actor=actor,
        other_org_id=earlier.provider_org_id,
        form=form,
        resubmits=earlier,
    )
    activity.record(
        session, actor=actor, subject=earlier, action="resubmitted", after={"deal": done.deal_id}
    )
    changes.deals_changed(session, earlier.provider_org_id, earlier.partner_org_id)
    return done


# what the deal's page shows ---------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Link:
    """One deal of a resubmission chain, oldest first."""

    deal_id: int
    name: str
    approval: str
    outcome: str
    created_at: datetime
    reason: str  # why it was rejected or withdrawn ("" otherwise)
    current: bool  # the deal whose page this is


@dataclass(frozen=True, slots=True)
class Standing:
    """A deal's withdrawal and resubmission as the caller sees it.

    `chain`: every deal of its chain, oldest first (just this one when it was never
    resubmitted); `withdrawn_at`, `withdrawal_reason`: its withdrawal; `can_resubmit`: the caller may resubmit it now; `why_not`: why it cannot be
    resubmitted ("" when it can, or when it is still open); `form`: its fields, to prefill the
    resubmission form.
    """

    chain: list[Link]
    withdrawn_at: datetime | None
    withdrawal_reason: str
    can_resubmit: bool
    why_not: str
    resubmissions_left: int
    form: dict[str, Any]
    product_ids: list[int]


def standing(session: Session, *, actor: Actor, deal_id: object) -> Standing:
    """The chain of a visible deal and whether the caller may resubmit it."""
    deal = visible(session, actor=actor, deal_id=deal_id)
    chain, now = _chain(session, deal), utcnow()
    why = _why_not(session, deal, now, chain=chain)
    finished = deal.approval in (Approval.REJECTED, Approval.WITHDRAWN) or (
        deal.protected_until is not None
        and deal.protected_until <= now
        and deal.outcome != Outcome.WON
    )
    cap = program.settings_of(session, deal.provider_org_id).resubmission_cap
    products = session.exec(
        select(DealProduct.product_id).where(DealProduct.deal_id == deal.id)
    ).all()
    return Standing(
        chain=[
            Link(
                deal_id=int(d.id or 0),
                name=d.name,
                approval=d.approval,
                outcome=d.outcome,
                created_at=d.created_at,
                reason=d.withdrawal_reason or d.rejection_reason,
                current=d.id == deal.id,
            )
            for d in chain
        ],
        withdrawn_at=deal.withdrawn_at,
        withdrawal_reason=deal.withdrawal_reason,
        can_resubmit=why is None and actor.org_kind == OrgKind.CONSULTANT,
        why_not=(why or "") if finished and actor.org_kind == OrgKind.CONSULTANT else "",
        resubmissions_left=max(0, cap - _depth(chain, deal)),
        form={
            "name": deal.name,
            "company": deal.company,
            "contact_name": deal.contact_name,
            "contact_email": deal.contact_email,
            "amount": f"{deal.amount:.2f}" if deal.amount else "",
            "close_date": deal.close_date.isoformat() if deal.close_date else "",
        },
        product_ids=list(products),
    )


# the program's cap ------------------------------------------------------------------------------


def resubmission_cap(session: Session, *, actor: Actor) -> int:
    """A provider's cap on resubmissions per chain (0: never)."""
    actor.require_kind(OrgKind.PROVIDER)
    return program.settings_of(session, actor.org_id).resubmission_cap


def set_resubmission_cap(session: Session, *, actor: Actor, cap: object) -> int:
    """An admin sets how often a rejected or expired registration may be resubmitted."""
    actor.require_admin()
    actor.require_kind(OrgKind.PROVIDER)
    try:
        value = whole_number(cap, field="resubmission_cap", label="", low=0, high=MAX_CAP)
    except Invalid:
        raise Invalid(CAP_RANGE, field="resubmission_cap") from None
    program_rules.save_settings(session, actor=actor, values={"resubmission_cap": value})
    return value


# helpers ---------------------------------------------------------------------------------------


def _why_not(
    session: Session, deal: Deal, now: datetime, *, chain: list[Deal] | None = None
) -> str | None:
    """Why `deal` cannot be resubmitted now (None: it can)."""
    if deal.approval == Approval.WITHDRAWN:
        return lifecycle.WITHDRAWN
    expired = (
        deal.approval == Approval.APPROVED
        and deal.outcome != Outcome.WON
        and deal.protected_until is not None
        and deal.protected_until <= now
    )
    if deal.approval != Approval.REJECTED and not expired:
        return NOT_RESUBMITTABLE
    chain = chain if chain is not None else _chain(session, deal)
    if chain[-1].id != deal.id:
        return ALREADY
    cap = program.settings_of(session, deal.provider_org_id).resubmission_cap
    if cap <= 0:
        return NEVER
    if _depth(chain, deal) >= cap:
        return CAP_REACHED.format(cap=cap)
    return None


def _chain(session: Session, deal: Deal) -> list[Deal]:
    """The deals resubmitting one another through `deal`, oldest first (same provider and
    partner: a resubmission is always registered between them)."""
    earlier: list[Deal] = []
    current = deal
    while current.resubmitted_from_id is not None and len(earlier) < MAX_CHAIN:
        found = _of_pair(session, deal, Deal.id == current.resubmitted_from_id)
        if found is None:
            break
        earlier.insert(0, found)
        current = found
    later: list[Deal] = []
    current = deal
    while len(later) < MAX_CHAIN:
        found = _of_pair(session, deal, Deal.resubmitted_from_id == current.id)
        if found is None:
            break
        later.append(found)
        current = found
    return [*earlier, deal, *later]


def _of_pair(session: Session, deal: Deal, condition: Any) -> Deal | None:
    return session.exec(
        select(Deal)
        .where(
            condition,
            Deal.provider_org_id == deal.provider_org_id,
            Deal.partner_org_id == deal.partner_org_id,
        )
        .order_by(col(Deal.id))
    ).first()


def _depth(chain: list[Deal], deal: Deal) -> int:
    """How many resubmissions lead to `deal` (0 for the first registration)."""
    return next(i for i, d in enumerate(chain) if d.id == deal.id)


def _iso(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment else None
