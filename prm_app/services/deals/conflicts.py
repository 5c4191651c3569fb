"""A registration whose customer is already protected for another partner: the provider decides.

Approving such a deal would leave two partners protected for one customer, so the first approval
of a conflicting deal takes one explicit decision (every caller, page or API, goes through
lifecycle.approve, which refuses without one, always with UNDECIDED):

- KEEP: the other partner keeps its protection; this registration is rejected, with a reason;
- WAIVE: this deal is approved without protection (the other protection stands);
- TRANSFER: this deal is approved and protected; the other deals' protection ends now, with a
  reason.

Each outcome is written on the timelines of this deal and of every deal that held the customer,
and both partners hear of it in their own terms: a partner is never told who the other partner
is, nor which deal. Only the provider, whose data both deals are, sees them side by side.
Re-approving a change (a deal approved before) starts no protection, so it needs no decision.
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlmodel import Session, col, select

from ...models import ActivityEvent, Approval, Deal, Organization, OrgKind, utcnow
from .. import customers, leads, notifications
from ..catalog import program
from ..core import activity, changes, inputs
from ..core.actor import Actor
from ..core.errors import Conflict, Invalid
from ..customers import Conflict as Held
from . import builder, visible

KEEP, WAIVE, TRANSFER = "keep", "waive", "transfer"
DECISIONS = (KEEP, WAIVE, TRANSFER)
UNDECIDED = (
    "This customer is already protected for another partner: decide whether to keep that "
    "protection and reject this deal, approve this deal without protection, or transfer the "
    "protection to this partner."
)
CHOOSE = (
    "Choose what to do: keep the other protection and reject this deal, approve without "
    "protection, or transfer the protection."
)
NO_LONGER = "This customer is no longer protected for another partner: approve the deal as usual."
# The actions written on the deals that held the customer.
HELD_ACTIONS = ("protection_kept", "protection_upheld", "protection_transferred")


@dataclass(frozen=True, slots=True)
class Decision:
    """The provider's decision on a conflicting registration, validated."""

    kind: str
    reason: str
    held: list[Held]

    @property
    def until(self) -> datetime:
        """When the other partners' protection of the customer ends (the latest)."""
        return max(h.protected_until for h in self.held)

    def record(self) -> dict[str, Any]:
        """What the approved or rejected deal's event keeps of the decision."""
        return {
            "conflict": self.kind,
            "reason": self.reason,
            "held_until": self.until.isoformat(),
            "other_deals": [h.deal_id for h in self.held],
        }


def held_elsewhere(session: Session, deal: Deal) -> list[Held]:
    """The provider's deals protecting this deal's customer for another partner now."""
    return customers.conflicts(
        session,
        provider_org_id=deal.provider_org_id,
        company_norm=deal.company_norm,
        email_domain=deal.email_domain,
        exclude_partner_org_id=deal.partner_org_id,
    )


def decide(
    session: Session, deal: Deal, *, again: bool, decision: object, reason: object
) -> Decision | None:
    """What approving `deal` takes: None when no other partner holds its customer (or it is a
    re-approval), else the caller's decision, validated (Invalid UNDECIDED without one)."""
    held = [] if again else held_elsewhere(session, deal)
    if decision is None or decision == "":
        if held:
            raise Invalid(UNDECIDED, field="decision")
        return None
    if not isinstance(decision, str) or decision not in DECISIONS:
        raise Invalid(CHOOSE, field="decision")
    if not held:
        raise Conflict(NO_LONGER)
    text = inputs.text(
        reason,
        field="reason",
        label="Reason",
        max_len=leads.MAX_REASON,
        required=decision != WAIVE,
    )
    return Decision(decision, text, held)


Save = Callable[[Session, Actor, Deal, str, dict[str, Any], dict[str, Any]], None]


def settle(session: Session, *, actor: Actor, deal: Deal, decision: Decision, save: Save) -> None:
    """After `deal` was approved or rejected on `decision`: the deals that held its customer
    (their protection ended now on TRANSFER), their timelines and both partners told."""
    now = utcnow()
    others = []
    for held in decision.held:
        other = session.exec(select(Deal).where(Deal.id == held.deal_id).with_for_update()).one()
        after = {"other_deal": deal.id, "reason": decision.reason}
        if decision.kind == TRANSFER:
            before = {"protected_until": _iso(other.protected_until)}
            other.protected_until = now
            save(session, actor, other, "protection_transferred", before, after)
        else:
            action = "protection_kept" if decision.kind == KEEP else "protection_upheld"
            after["protected_until"] = _iso(other.protected_until)
            activity.record(session, actor=actor, subject=other, action=action, after=after)
            changes.deals_changed(session, other.provider_org_id, other.partner_org_id)
        others.append(other)
    notifications.deal_conflict_decided(
        session,
        actor=actor,
        deal=deal,
        decision=decision.kind,
        reason=decision.reason,
        until=decision.until,
        held=others,
    )


# what each side sees ----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class OtherDeal:
    """For the provider only: a deal of another partner its decision was about."""

    deal_id: int
    name: str
    partner_name: str


@dataclass(frozen=True, slots=True)
class Standing:
    """A deal's protection as the caller sees it.

    `own`: this deal's protection in words; `held_until`: another partner's protection of the
    same customer (never who); `needs_decision`: approving it takes a Decision; `protect_until`:
    the end of the protection an approval now would start; `decided`: the decisions about this
    deal's customer written on it (their events' descriptions are in the timeline). For the
    provider only (else empty): `held`, the other partners' deals protecting the customer now;
    `others`, the other partners' deals those decisions were about.
    """

    own: str
    held_until: datetime | None
    needs_decision: bool
    protect_until: datetime
    decided: list[str]
    held: list[Held]
    others: list[OtherDeal]


def standing(session: Session, *, actor: Actor, deal_id: object) -> Standing:
    """The protection of a visible deal and of its customer, in the caller's terms."""
    deal = visible(session, actor=actor, deal_id=deal_id)
    now = utcnow()
    held = held_elsewhere(session, deal)
    first = deal.approval == Approval.PENDING and deal.approved_at is None
    events = session.exec(
        select(ActivityEvent)
        .where(
            ActivityEvent.entity_type == "deal",
            ActivityEvent.entity_id == deal.id,
            col(ActivityEvent.action).in_(("approved", "rejected", *HELD_ACTIONS)),
        )
        .order_by(col(ActivityEvent.created_at), col(ActivityEvent.id))
    ).all()
    decided: list[str] = []
    other_ids: list[Any] = []
    for event in events:
        after = event.after or {}
        if event.action in HELD_ACTIONS or after.get("conflict") in DECISIONS:
            decided.append(describe(event.action, after))
            other_ids += after.get("other_deals") or [after.get("other_deal")]
    provider = actor.org_kind == OrgKind.PROVIDER
    settings = program.settings_of(session, deal.provider_org_id)
    return Standing(
        own=_own(deal, now),
        held_until=max((h.protected_until for h in held), default=None),
        needs_decision=provider and first and bool(held),
        protect_until=builder.protection_end(settings, approved_at=now),
        decided=decided,
        held=held if provider else [],
        others=_others(session, deal, other_ids) if provider else [],
    )


def describe(action: str, after: dict[str, Any]) -> str:
    """A conflict decision as a timeline reads it, on either side (it never names a partner)."""
    reason = after.get("reason") or ""
    until = (after.get("held_until") or after.get("protected_until") or "")[:10]
    if action == "protection_kept":
        return "Kept this deal's protection of the customer and rejected another registration of it"
    if action == "protection_upheld":
        return (
            "Approved another registration of the customer without protection: this deal's "
            "protection stands"
        )
    if action == "protection_transferred":
        return f"Transferred the customer's protection to another partner: {reason}"
    kind = after.get("conflict")
    if kind == KEEP:
        return (
            f"Rejected it: the customer stays protected for another partner until {until}: {reason}"
        )
    if kind == WAIVE:
        return (
            "Approved the registration without protection: the customer is protected for "
            f"another partner until {until}"
        )
    return f"Approved the registration and transferred the customer's protection to it: {reason}"


def _own(deal: Deal, now: datetime) -> str:
    until = deal.protected_until
    if deal.approval == Approval.REJECTED:
        return "Not protected: the deal was rejected."
    if deal.approval == Approval.WITHDRAWN:
        return "Not protected: the partner withdrew the deal."
    if until is not None and until > now:
        return f"Protected until {until:%Y-%m-%d}."
    if until is not None:
        return f"Protection ended on {until:%Y-%m-%d}."
    if deal.approved_at is not None:
        return "Not protected: approved without protection."
    return "Not protected yet: protection starts when the provider approves the deal."


def _others(session: Session, deal: Deal, ids: list[Any]) -> list[OtherDeal]:
    wanted = sorted({i for i in ids if isinstance(i, int)})
    if not wanted:
        return []
    rows = session.exec(
        select(Deal.id, Deal.name, Organization.name)
        .join(Organization, col(Organization.id) == Deal.partner_org_id)
        .where(col(Deal.id).in_(wanted), Deal.provider_org_id == deal.provider_org_id)
        .order_by(col(Deal.id))
    ).all()
    return [OtherDeal(int(i or 0), name, partner) for i, name, partner in rows]


def _iso(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment else None
