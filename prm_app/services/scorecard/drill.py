"""The records behind a scorecard figure, as the viewer may see them.

A provider's managers and admins see every partner's records (or one partner's), its members
only the leads and deals they own; a consultant sees only its own records with that provider,
even behind a figure computed over every partner. Commissions and payouts are the books:
managers and admins only, on both sides.
"""

from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, col, func

from ... import routes
from ...models import Deal, Lead, LeadRecipient, Organization, OrgKind, PayoutRequest
from ..core import formats
from ..core.actor import Actor
from ..core.errors import NotAllowed, NotFound
from ..core.permissions import MANAGERS_ONLY
from . import figures, moments

LIMIT = 200  # rows listed, most recent first
DRILLS: dict[str, str] = {
    "lead_decision": "Leads decided",
    figures.LEADS_REJECTED: "Leads decided",
    "registration_decision": "Deal registrations decided",
    "commission_approval": "Commissions approved",
    "payout_time": "Payout requests paid",
    "leads_submitted": "Leads submitted",
    "registrations_approved": "Deal registrations approved",
    "deals_won": "Deals won",
    "first_lead": "First lead",
}
BOOKS = ("commission_approval", "payout_time")
OWN_ONLY = "Only your own records are listed; the figure counts every one of the window."
PARTNER_ONLY = "Only your firm's records are listed; a figure over all partners counts theirs too."


@dataclass(frozen=True, slots=True)
class DrillRow:
    kind: str  # lead, deal, commission, payout
    record_id: int
    title: str
    partner: str
    started: datetime | None
    ended: datetime | None
    hours: float | None  # the time it took, for a timed figure
    status: str
    link: str  # its page in the viewer's portal


@dataclass(frozen=True, slots=True)
class Drill:
    figure: str
    label: str
    rows: list[DrillRow]
    more: bool  # more than LIMIT records: the oldest are not listed
    note: str  # what the list leaves out for this viewer ("" when nothing)


def records(
    session: Session,
    *,
    actor: Actor,
    figure: object,
    provider_org_id: object = None,
    partner_org_id: object = None,
    now: datetime | None = None,
) -> Drill:
    """The records behind one figure of the last 90 days, most recent first."""
    if not isinstance(figure, str) or figure not in DRILLS:
        raise NotFound("That figure does not exist.")
    if figure in BOOKS and not actor.sees_all:
        raise NotAllowed(MANAGERS_ONLY)
    provider, partner = figures.pair(
        session, actor=actor, provider_org_id=provider_org_id, partner_org_id=partner_org_id
    )
    span = figures.window(now)
    query = _QUERIES[figure](session, actor, span, provider)
    where = [col(Organization.id) == partner] if partner is not None else []
    found = session.exec(query.where(*where).limit(LIMIT + 1)).all()
    provider_side = actor.org_kind == OrgKind.PROVIDER
    rows = [_row(figure, provider_side, *values) for values in found[:LIMIT]]
    note = "" if provider_side and actor.sees_all else OWN_ONLY if provider_side else PARTNER_ONLY
    return Drill(figure, DRILLS[figure], rows, len(found) > LIMIT, note)


# one query per kind of record -------------------------------------------------------------------
# Each selects: kind-specific title, status, started, ended, seconds, record id, link id, partner
# name, and joins Organization as the partner.


def _leads(session: Session, actor: Actor, rows: Any) -> Any:
    """Lead decisions (rows: moments.lead_decisions), the viewer's own for a member."""
    return (
        sa.select(
            col(Lead.company),
            col(LeadRecipient.status),
            rows.c.started,
            rows.c.ended,
            moments.seconds(session, rows.c.started, rows.c.ended),
            rows.c.id,
            rows.c.link_id,
            col(Organization.name),
        )
        .join(LeadRecipient, col(LeadRecipient.id) == rows.c.id)
        .join(Lead, col(Lead.id) == rows.c.link_id)
        .join(Organization, col(Organization.id) == rows.c.partner)
        .where(*_own_leads(actor))
        .order_by(rows.c.ended.desc(), rows.c.id.desc())
    )


def _lead_decisions(session: Session, actor: Actor, span: Any, provider: int) -> Any:
    rows = moments.lead_decisions(provider)
    return _leads(session, actor, rows).where(*_ended_in(rows, span))


def _registrations(
    session: Session, actor: Actor, span: Any, provider: int, *, approved: bool = False
) -> Any:
    rows = moments.registration_decisions(provider)
    query = (
        sa.select(
            col(Deal.name),
            sa.case((rows.c.rejected == 1, "rejected"), else_="approved"),
            rows.c.started,
            rows.c.ended,
            moments.seconds(session, rows.c.started, rows.c.ended),
            rows.c.id,
            rows.c.link_id,
            col(Organization.name),
        )
        .join(Deal, col(Deal.id) == rows.c.id)
        .join(Organization, col(Organization.id) == rows.c.partner)
        .where(*_ended_in(rows, span), *_own_deals(actor))
        .order_by(rows.c.ended.desc(), rows.c.id.desc())
    )
    return query.where(rows.c.rejected == 0) if approved else query


def _commissions(session: Session, actor: Actor, span: Any, provider: int) -> Any:
    rows = moments.commission_approvals(provider)
    return (
        sa.select(
            col(Deal.name),
            sa.literal("approved"),
            rows.c.started,
            rows.c.ended,
            moments.seconds(session, rows.c.started, rows.c.ended),
            rows.c.id,
            rows.c.link_id,
            col(Organization.name),
        )
        .join(Deal, col(Deal.id) == rows.c.link_id)
        .join(Organization, col(Organization.id) == rows.c.partner)
        .where(*_ended_in(rows, span))
        .order_by(rows.c.ended.desc(), rows.c.id.desc())
    )


def _payouts(session: Session, actor: Actor, span: Any, provider: int) -> Any:
    rows = moments.payouts(provider)
    return (
        sa.select(
            col(PayoutRequest.amount),
            col(PayoutRequest.currency),
            rows.c.started,
            rows.c.ended,
            moments.seconds(session, rows.c.started, rows.c.ended),
            rows.c.id,
            rows.c.link_id,
            col(Organization.name),
        )
        .join(PayoutRequest, col(PayoutRequest.id) == rows.c.id)
        .join(Organization, col(Organization.id) == rows.c.partner)
        .where(*_ended_in(rows, span))
        .order_by(rows.c.ended.desc(), rows.c.id.desc())
    )


def _submitted(
    session: Session, actor: Actor, span: Any, provider: int, *, first: bool = False
) -> Any:
    """Partners' leads the provider received in the window (first: each partner's first
    lead, ever)."""
    query = (
        sa.select(
            col(Lead.company),
            col(LeadRecipient.status),
            col(LeadRecipient.created_at),
            col(LeadRecipient.responded_at),
            sa.null(),
            col(LeadRecipient.id),
            col(Lead.id),
            col(Organization.name),
        )
        .select_from(LeadRecipient)
        .join(Lead, col(Lead.id) == col(LeadRecipient.lead_id))
        .join(Organization, col(Organization.id) == col(LeadRecipient.origin_org_id))
        .where(*moments.received_leads(provider), *_own_leads(actor))
        .order_by(col(LeadRecipient.created_at).desc(), col(LeadRecipient.id).desc())
    )
    if not first:
        return query.where(*figures.in_window(col(LeadRecipient.created_at), span))
    earliest = (
        sa.select(
            col(LeadRecipient.origin_org_id).label("partner"),
            func.min(col(LeadRecipient.created_at)).label("at"),
        )
        .where(*moments.received_leads(provider))
        .group_by(col(LeadRecipient.origin_org_id))
        .subquery("earliest")
    )
    return query.join(
        earliest,
        sa.and_(
            earliest.c.partner == col(LeadRecipient.origin_org_id),
            earliest.c.at == col(LeadRecipient.created_at),
        ),
    )


def _won(session: Session, actor: Actor, span: Any, provider: int) -> Any:
    return (
        sa.select(
            col(Deal.name),
            col(Deal.outcome),
            col(Deal.created_at),
            col(Deal.closed_at),
            sa.null(),
            col(Deal.id),
            col(Deal.id),
            col(Organization.name),
            col(Deal.amount),
            col(Deal.currency),
        )
        .join(Organization, col(Organization.id) == col(Deal.partner_org_id))
        .where(
            *figures.won_deals(span),
            col(Deal.provider_org_id) == provider,
            *_own_deals(actor),
        )
        .order_by(col(Deal.closed_at).desc(), col(Deal.id).desc())
    )


_QUERIES: dict[str, Any] = {
    "lead_decision": _lead_decisions,
    figures.LEADS_REJECTED: _lead_decisions,
    "registration_decision": _registrations,
    "registrations_approved": lambda s, a, w, p: _registrations(s, a, w, p, approved=True),
    "commission_approval": _commissions,
    "payout_time": _payouts,
    "leads_submitted": _submitted,
    "first_lead": lambda s, a, w, p: _submitted(s, a, w, p, first=True),
    "deals_won": _won,
}


def _ended_in(rows: Any, span: Any) -> list:
    return figures.in_window(rows.c.ended, span)


def _own_leads(actor: Actor) -> list:
    if actor.sees_all:
        return []
    if actor.org_kind == OrgKind.PROVIDER:
        return [col(LeadRecipient.owner_id) == actor.user_id]
    return [col(Lead.owner_id) == actor.user_id]


def _own_deals(actor: Actor) -> list:
    if actor.sees_all:
        return []
    if actor.org_kind == OrgKind.PROVIDER:
        return [col(Deal.provider_owner_id) == actor.user_id]
    return [col(Deal.partner_owner_id) == actor.user_id]


def _row(figure: str, provider_side: bool, *values: Any) -> DrillRow:
    first, second, started, ended, secs, record_id, link_id, partner, *money = values
    portal = OrgKind.PROVIDER if provider_side else OrgKind.CONSULTANT
    hours = float(secs) / 3600 if secs is not None else None
    if figure == "payout_time":
        return DrillRow(
            "payout",
            record_id,
            f"Payout of {formats.money(first, second)}",
            partner,
            started,
            ended,
            hours,
            "paid",
            routes.Provider.COMMISSIONS if provider_side else routes.Consultant.COMMISSIONS,
        )
    if figure in ("lead_decision", figures.LEADS_REJECTED, "leads_submitted", "first_lead"):
        base = routes.Provider.LEADS if provider_side else routes.Consultant.LEADS
        return DrillRow(
            "lead", record_id, first, partner, started, ended, hours, second, f"{base}/{link_id}"
        )
    title = f"{first} ({formats.money(*money)})" if money else first
    kind = "commission" if figure == "commission_approval" else "deal"
    return DrillRow(
        kind,
        record_id,
        title,
        partner,
        started,
        ended,
        hours,
        str(second),
        routes.deal_page(portal, link_id),
    )
