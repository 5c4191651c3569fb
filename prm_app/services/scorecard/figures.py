"""The scorecard's figures over the last 90 days, each computed by the database.

Service figures score the provider: how long it takes to decide a partner's lead or deal
registration, to approve a commission after Closed Won and to pay a payout request (medians, in
hours), and the share of partners' leads it rejected; for the provider as a whole and as
experienced by one partner (services.scorecard.moments says when each clock starts and stops).
Partner figures score each partner of the provider: leads submitted and accepted, registrations
approved, deals won and their value, days from joining to the first lead.

A figure counts the records whose clock stopped in the window (submitted, for leads submitted;
closed, for deals won). Every role reads the figures (aggregates only); the records behind them
are listed by services.scorecard.drill, with the viewer's own permissions.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, col, func, select

from ...models import (
    Deal,
    LeadRecipient,
    Organization,
    OrgKind,
    Outcome,
    Partnership,
    PartnershipStatus,
    RecipientStatus,
    utcnow,
)
from ..catalog import program
from ..core import formats, inputs, listing
from ..core.actor import Actor
from ..core.errors import NotAllowed, NotFound
from . import moments

WINDOW_DAYS = 90
# A lead the provider accepted, whatever became of it since.
ACCEPTED = (RecipientStatus.ACCEPTED, RecipientStatus.CONVERTED, RecipientStatus.LOST)
# The timed service figures: key -> (label, the records behind it).
TIMED: dict[str, tuple[str, Any]] = {
    "lead_decision": ("Time to decide a lead", moments.lead_decisions),
    "registration_decision": (
        "Time to decide a deal registration",
        moments.registration_decisions,
    ),
    "commission_approval": (
        "Time to approve a commission after Closed Won",
        moments.commission_approvals,
    ),
    "payout_time": ("Time to pay a payout request", moments.payouts),
}
LEADS_REJECTED = "leads_rejected"
LEADS_REJECTED_LABEL = "Partners' leads rejected"
NO_PROVIDER = "That provider does not exist or is not one of yours."
NO_PARTNER = "That partner does not exist or is not one of yours."
PARTNER_STATUSES = (PartnershipStatus.ACTIVE, PartnershipStatus.ENDED)


@dataclass(frozen=True, slots=True)
class Figure:
    key: str
    label: str
    value: float | None  # hours, or a share from 0 to 1; None without a record to count
    count: int  # the records behind it
    text: str  # "3.5 hours", "25%", "No records yet"


@dataclass(frozen=True, slots=True)
class ServiceFigures:
    provider_org_id: int
    provider_name: str
    overall: list[Figure]  # over every partner's records
    partner_org_id: int | None
    partner: list[Figure]  # over one partner's records ([] when none was chosen)


@dataclass(frozen=True, slots=True)
class PartnerFigures:
    partner_org_id: int
    name: str
    leads_submitted: int
    leads_accepted: int
    accepted_share: float | None  # of the leads submitted in the window
    registrations_approved: int
    deals_won: int
    won_revenue: Decimal  # in the provider's currency
    days_to_first_lead: float | None  # from joining the program; None before a first lead


@dataclass(frozen=True, slots=True)
class Window:
    since: datetime  # exclusive
    until: datetime  # inclusive


def window(now: datetime | None = None) -> Window:
    """The last 90 days up to `now` (the clock, unless a test freezes it)."""
    until = now or utcnow()
    return Window(since=until - timedelta(days=WINDOW_DAYS), until=until)


def pair(
    session: Session, *, actor: Actor, provider_org_id: object, partner_org_id: object
) -> tuple[int, int | None]:
    """The provider and partner a caller may score: a provider itself and, if chosen, one of
    its partners; a consultant one of its providers and itself. Others are NotFound."""
    if actor.org_kind == OrgKind.PROVIDER:
        partner = listing.filter_id(partner_org_id, "partner_org_id")
        if partner is not None and partner not in _partners(session, actor.org_id):
            raise NotFound(NO_PARTNER)
        return actor.org_id, partner
    if actor.org_kind == OrgKind.CONSULTANT:
        provider = inputs.record_id(provider_org_id, what="provider")
        if provider not in dict(providers(session, actor=actor)):
            raise NotFound(NO_PROVIDER)
        return provider, actor.org_id
    raise NotAllowed("Your organization has no scorecard.")


def providers(session: Session, *, actor: Actor) -> list[tuple[int, str]]:
    """The providers a consultant partners (or partnered) with, by name."""
    actor.require_kind(OrgKind.CONSULTANT)
    return [
        (org_id, name)
        for org_id, name in session.exec(
            select(col(Organization.id), col(Organization.name))
            .join(Partnership, col(Partnership.provider_org_id) == col(Organization.id))
            .where(
                col(Partnership.consultant_org_id) == actor.org_id,
                col(Partnership.status).in_(PARTNER_STATUSES),
            )
            .order_by(func.lower(col(Organization.name)), col(Organization.id))
        ).all()
        if org_id is not None
    ]


def service_figures(
    session: Session,
    *,
    actor: Actor,
    provider_org_id: object = None,
    partner_org_id: object = None,
    now: datetime | None = None,
) -> ServiceFigures:
    """The provider's service figures, overall and (when one is chosen, or for a consultant:
    itself) as one partner experienced them. One query per timed figure; the rejected share
    comes with the lead decisions."""
    provider, partner = pair(
        session, actor=actor, provider_org_id=provider_org_id, partner_org_id=partner_org_id
    )
    span = window(now)
    overall: list[Figure] = []
    mine: list[Figure] = []
    decisions: dict[int, tuple[float, int, int]] = {}
    for key, (label, records) in TIMED.items():
        found = _medians(session, records(provider), partner, span)
        decisions = found if key == "lead_decision" else decisions
        overall.append(_timed(key, label, found.get(0)))
        if partner is not None:
            mine.append(_timed(key, label, found.get(partner)))
    overall.append(_share(decisions.get(0)))
    if partner is not None:
        mine.append(_share(decisions.get(partner)))
    name = session.exec(
        select(col(Organization.name)).where(col(Organization.id) == provider)
    ).one()
    return ServiceFigures(provider, name, overall, partner, mine)


def partner_figures(
    session: Session,
    *,
    actor: Actor,
    provider_org_id: object = None,
    partner_org_id: object = None,
    now: datetime | None = None,
) -> list[PartnerFigures]:
    """Each partner's figures for the provider (a consultant's: its own), by name. One query
    per figure, grouped by partner."""
    provider, partner = pair(
        session, actor=actor, provider_org_id=provider_org_id, partner_org_id=partner_org_id
    )
    span = window(now)
    members = _partners(session, provider)
    chosen = [partner] if partner is not None else list(members)
    leads = _lead_counts(session, provider, chosen, span)
    approved = _approved(session, provider, chosen, span)
    won = _won(session, provider, chosen, span)
    first = _first_leads(session, provider, chosen)
    rows = []
    for org_id in chosen:
        name, joined = members[org_id]
        submitted, accepted = leads.get(org_id, (0, 0))
        count, revenue = won.get(org_id, (0, Decimal(0)))
        first_at = first.get(org_id)
        rows.append(
            PartnerFigures(
                partner_org_id=org_id,
                name=name,
                leads_submitted=submitted,
                leads_accepted=accepted,
                accepted_share=accepted / submitted if submitted else None,
                registrations_approved=approved.get(org_id, 0),
                deals_won=count,
                won_revenue=revenue,
                days_to_first_lead=(
                    round(max((first_at - joined).total_seconds(), 0) / 86400, 1)
                    if first_at is not None
                    else None
                ),
            )
        )
    return sorted(rows, key=lambda row: (row.name.lower(), row.partner_org_id))


def currency(session: Session, provider_org_id: int) -> str:
    """The provider's currency: won revenue is shown in it."""
    return program.settings_of(session, provider_org_id).currency


def hours_text(hours: float | None) -> str:
    """A duration as people read it: minutes, hours, or days past two days."""
    if hours is None:
        return "No records yet"
    if hours < 1:
        return f"{round(hours * 60)} min"
    if hours < 48:
        return f"{hours:.1f} hours"
    return f"{hours / 24:.1f} days"


def share_text(share: float | None) -> str:
    return "No records yet" if share is None else f"{share:.0%}"


def money_text(amount: Decimal, code: str) -> str:
    return formats.money(amount, code)


# queries ----------------------------------------------------------------------------------------


def _partners(session: Session, provider: int) -> dict[int, tuple[str, datetime]]:
    """The provider's partners (active or ended): name and when they joined (accepted the
    invitation; invited, for a partnership recorded without an answer's time)."""
    rows = session.exec(
        select(
            col(Partnership.consultant_org_id),
            col(Organization.name),
            func.coalesce(col(Partnership.responded_at), col(Partnership.invited_at)),
        )
        .join(Organization, col(Organization.id) == col(Partnership.consultant_org_id))
        .where(
            col(Partnership.provider_org_id) == provider,
            col(Partnership.status).in_(PARTNER_STATUSES),
        )
    ).all()
    return {org_id: (name, joined) for org_id, name, joined in rows if org_id is not None}


def in_window(column: Any, span: Window) -> list:
    """Conditions: the moment `column` lies in the window."""
    return [column > span.since, column <= span.until]


def _medians(
    session: Session, rows: Any, partner: int | None, span: Window
) -> dict[int, tuple[float, int, int]]:
    """{0 (all partners) and the partner, when one is chosen and has records: (median hours,
    records, records rejected)}. One pass over the window's rows: each is ranked among all and
    among its side (the partner's or the others'); the median is the middle row, or the mean
    of the two middle rows."""
    secs = moments.seconds(session, rows.c.started, rows.c.ended).label("secs")
    mine = (
        sa.case((rows.c.partner == partner, 1), else_=0)
        if partner is not None
        else sa.literal(0, sa.Integer)
    )
    timed = (
        sa.select(secs, rows.c.rejected, mine.label("mine"))
        .where(*in_window(rows.c.ended, span))
        .subquery("timed")
    )
    r = sa.select(
        timed.c.secs,
        timed.c.rejected,
        timed.c.mine,
        func.row_number().over(order_by=timed.c.secs).label("rn"),
        func.count().over().label("n"),
        func.row_number().over(partition_by=timed.c.mine, order_by=timed.c.secs).label("side_rn"),
        func.count().over(partition_by=timed.c.mine).label("side_n"),
    ).subquery("ranked")

    def middle(rank: Any, count: Any) -> Any:
        return sa.and_(rank >= (count + 1) // 2, rank <= (count + 2) // 2)

    ours = r.c.mine == 1
    query: Any = sa.select(
        func.avg(sa.case((middle(r.c.rn, r.c.n), r.c.secs))),
        func.count(),
        func.sum(r.c.rejected),
        func.avg(sa.case((sa.and_(ours, middle(r.c.side_rn, r.c.side_n)), r.c.secs))),
        func.sum(r.c.mine),
        func.sum(sa.case((ours, r.c.rejected), else_=0)),
    )
    found = session.exec(query).one()
    everyone, count, rejected, theirs, their_count, their_rejected = found
    medians: dict[int, tuple[float, int, int]] = {}
    if count:
        medians[0] = (float(everyone) / 3600, int(count), int(rejected or 0))
    if partner is not None and their_count:
        medians[partner] = (float(theirs) / 3600, int(their_count), int(their_rejected or 0))
    return medians


def _timed(key: str, label: str, found: tuple[float, int, int] | None) -> Figure:
    hours, count = (found[0], found[1]) if found else (None, 0)
    return Figure(key, label, hours, count, hours_text(hours))


def _share(found: tuple[float, int, int] | None) -> Figure:
    """The share of the lead decisions that were rejections."""
    decided, rejected = (found[1], found[2]) if found else (0, 0)
    share = rejected / decided if decided else None
    return Figure(LEADS_REJECTED, LEADS_REJECTED_LABEL, share, decided, share_text(share))


def _lead_counts(
    session: Session, provider: int, partners: list[int], span: Window
) -> dict[int, tuple[int, int]]:
    """{partner: (leads submitted to the provider in the window, of which accepted)}."""
    rows = session.exec(
        select(
            col(LeadRecipient.origin_org_id),
            func.count(),
            func.sum(sa.case((col(LeadRecipient.status).in_(ACCEPTED), 1), else_=0)),
        )
        .where(
            *moments.received_leads(provider),
            col(LeadRecipient.origin_org_id).in_(partners),
            *in_window(col(LeadRecipient.created_at), span),
        )
        .group_by(col(LeadRecipient.origin_org_id))
    ).all()
    return {org_id: (int(n), int(accepted or 0)) for org_id, n, accepted in rows}


def _approved(session: Session, provider: int, partners: list[int], span: Window) -> dict[int, int]:
    rows = moments.registration_decisions(provider)
    found = session.exec(
        select(rows.c.partner, func.count())
        .where(
            rows.c.partner.in_(partners),
            rows.c.rejected == 0,
            *in_window(rows.c.ended, span),
        )
        .group_by(rows.c.partner)
    ).all()
    return {org_id: int(n) for org_id, n in found}


def won_deals(span: Window) -> list:
    """Conditions on Deal: closed as won in the window."""
    return [col(Deal.outcome) == Outcome.WON, *in_window(col(Deal.closed_at), span)]


def _won(
    session: Session, provider: int, partners: list[int], span: Window
) -> dict[int, tuple[int, Decimal]]:
    found = session.exec(
        select(col(Deal.partner_org_id), func.count(), func.sum(col(Deal.amount)))
        .where(
            *won_deals(span),
            col(Deal.provider_org_id) == provider,
            col(Deal.partner_org_id).in_(partners),
        )
        .group_by(col(Deal.partner_org_id))
    ).all()
    return {org_id: (int(n), Decimal(total or 0)) for org_id, n, total in found}


def _first_leads(session: Session, provider: int, partners: list[int]) -> dict[int, datetime]:
    """{partner: when the provider received its first lead} (ever, not only in the window)."""
    found = session.exec(
        select(col(LeadRecipient.origin_org_id), func.min(col(LeadRecipient.created_at)))
        .where(
            *moments.received_leads(provider),
            col(LeadRecipient.origin_org_id).in_(partners),
        )
        .group_by(col(LeadRecipient.origin_org_id))
    ).all()
    return {org_id: first for org_id, first in found if first is not None}
