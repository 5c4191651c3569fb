"""The home dashboard of each portal: a few aggregates, each one GROUP BY query.

Every figure is computed by the database over the caller's own records (a member's: those they
own, as in the lists), filtered by a date range and the organization across (a partner for a
provider, a provider for a consultant). Only the points of the charts come back.
"""

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, col, func, select

from ...models import (
    Approval,
    Deal,
    Lead,
    LeadRecipient,
    LedgerEntry,
    LedgerKind,
    LedgerStatus,
    LedgerTransaction,
    Organization,
    Outcome,
    RecipientStatus,
    Stage,
)
from .. import deals, ledger
from ..catalog import program
from ..core import inputs, listing
from ..core.actor import Actor
from ..core.errors import Invalid

TOP = 5
ACCEPTED = (RecipientStatus.ACCEPTED, RecipientStatus.CONVERTED, RecipientStatus.LOST)


@dataclass(frozen=True, slots=True)
class Filters:
    start: datetime | None  # inclusive, UTC
    end: datetime | None  # exclusive, UTC
    other_org_id: int | None


def filters(*, start: object = None, end: object = None, other_org_id: object = None) -> Filters:
    """The dashboard's filters from untrusted values (ISO dates, an organization id)."""
    first = inputs.day(start, field="start", label="start date")
    last = inputs.day(end, field="end", label="end date")
    if first and last and first > last:
        raise Invalid("The start date is after the end date.", field="start")
    return Filters(
        start=datetime.combine(first, time.min, UTC) if first else None,
        end=(
            datetime.combine(last + timedelta(days=1), time.min, UTC)
            if last and last < date.max
            else None
        ),
        other_org_id=listing.filter_id(other_org_id, "other_org_id"),
    )


@dataclass(frozen=True, slots=True)
class Dashboard:
    pipeline: list[dict[str, Any]]  # stage, value, deals
    won_by_month: list[dict[str, Any]]  # month, won, value
    funnel: list[dict[str, Any]]  # step, count
    acceptance: list[dict[str, Any]]  # month, hours
    top: list[dict[str, Any]]  # name, value, deals
    commissions: list[dict[str, Any]]  # month, earned, pending
    currency: str


def dashboard(session: Session, *, actor: Actor, chosen: Filters) -> Dashboard:
    """Every chart of the caller's dashboard."""
    deals.side_columns(actor)  # refuses organizations of no known kind
    return Dashboard(
        pipeline=pipeline(session, actor=actor, chosen=chosen),
        won_by_month=won_by_month(session, actor=actor, chosen=chosen),
        funnel=funnel(session, actor=actor, chosen=chosen),
        acceptance=acceptance_time(session, actor=actor, chosen=chosen),
        top=top_organizations(session, actor=actor, chosen=chosen),
        commissions=commissions(session, actor=actor, chosen=chosen),
        currency=_currency(session, actor),
    )


def pipeline(session: Session, *, actor: Actor, chosen: Filters) -> list[dict[str, Any]]:
    """Open deals' value by stage (by stage name across a consultant's providers), in order."""
    where = _deals(actor, chosen, Deal.created_at)
    rows = session.exec(
        select(
            Stage.name,
            func.sum(Deal.amount),
            func.count(),
            func.min(Stage.position),
        )
        .join(Stage, col(Stage.id) == Deal.stage_id)
        .where(
            *where,
            Deal.outcome == Outcome.OPEN,
            col(Deal.approval).notin_([Approval.REJECTED, Approval.WITHDRAWN]),
        )
        .group_by(Stage.name)
        .order_by(func.min(Stage.position), Stage.name)
    ).all()
    return [{"stage": name, "value": _f(value), "deals": count} for name, value, count, _ in rows]


def won_by_month(session: Session, *, actor: Actor, chosen: Filters) -> list[dict[str, Any]]:
    month = _month(session, Deal.closed_at)
    rows = session.exec(
        select(month, func.count(), func.sum(Deal.amount))
        .where(*_deals(actor, chosen, Deal.closed_at), Deal.outcome == Outcome.WON)
        .group_by(month)
        .order_by(month)
    ).all()
    return [{"month": m, "won": count, "value": _f(value)} for m, count, value in rows]


def funnel(session: Session, *, actor: Actor, chosen: Filters) -> list[dict[str, Any]]:
    """Leads and referrals between the caller and the organizations across: submitted,
    accepted, converted into a deal, and that deal won."""
    won = sa.exists().where(
        Deal.source_recipient_id == LeadRecipient.id, Deal.outcome == Outcome.WON
    )
    submitted, accepted, converted, won_count = session.exec(
        select(
            func.count(),
            func.sum(sa.case((col(LeadRecipient.status).in_(ACCEPTED), 1), else_=0)),
            func.sum(sa.case((LeadRecipient.status == RecipientStatus.CONVERTED, 1), else_=0)),
            func.sum(sa.case((won, 1), else_=0)),
        )
        .select_from(LeadRecipient)
        .join(Lead, col(Lead.id) == LeadRecipient.lead_id)
        .where(*_leads(actor, chosen, LeadRecipient.created_at))
    ).one()
    return [
        {"step": "Submitted", "count": submitted or 0},
        {"step": "Accepted", "count": accepted or 0},
        {"step": "Converted", "count": converted or 0},
        {"step": "Closed Won", "count": won_count or 0},
    ]


def acceptance_time(session: Session, *, actor: Actor, chosen: Filters) -> list[dict[str, Any]]:
    """Average hours from a lead's arrival to its acceptance, by month of acceptance."""
    month = _month(session, LeadRecipient.responded_at)
    hours = _hours(session, LeadRecipient.created_at, LeadRecipient.responded_at)
    rows = session.exec(
        select(month, func.avg(hours), func.count())
        .select_from(LeadRecipient)
        .join(Lead, col(Lead.id) == LeadRecipient.lead_id)
        .where(
            *_leads(actor, chosen, LeadRecipient.responded_at),
            col(LeadRecipient.status).in_(ACCEPTED),
            col(LeadRecipient.responded_at).is_not(None),
        )
        .group_by(month)
        .order_by(month)
    ).all()
    return [{"month": m, "hours": round(float(h or 0), 1), "leads": n} for m, h, n in rows]


def top_organizations(session: Session, *, actor: Actor, chosen: Filters) -> list[dict[str, Any]]:
    """The partners (provider) or providers (consultant) with the most won value."""
    side = deals.side_columns(actor)
    value = func.sum(Deal.amount)
    rows = session.exec(
        select(Organization.name, value, func.count())
        .join(Organization, col(Organization.id) == side.other_org)
        .where(*_deals(actor, chosen, Deal.closed_at), Deal.outcome == Outcome.WON)
        .group_by(Organization.id, Organization.name)
        .order_by(value.desc(), Organization.name)
        .limit(TOP)
    ).all()
    return [{"name": name, "value": _f(total), "deals": count} for name, total, count in rows]


def commissions(session: Session, *, actor: Actor, chosen: Filters) -> list[dict[str, Any]]:
    """Commissions accrued by month: earned (approved or paid) and pending approval. Only for
    those who read the organization's books (managers and admins)."""
    if not actor.sees_all:
        return []
    own, other = ledger.pair_columns(actor)
    month = _month(session, LedgerTransaction.created_at)
    where = [
        own == actor.org_id,
        LedgerTransaction.kind == LedgerKind.COMMISSION_ACCRUAL,
        LedgerTransaction.status != LedgerStatus.REVERSED,
        col(LedgerEntry.amount) > 0,
        *_between(LedgerTransaction.created_at, chosen),
    ]
    if chosen.other_org_id is not None:
        where.append(other == chosen.other_org_id)
    pending = LedgerTransaction.status == LedgerStatus.PENDING
    rows = session.exec(
        select(
            month,
            func.sum(sa.case((pending, 0), else_=LedgerEntry.amount)),
            func.sum(sa.case((pending, LedgerEntry.amount), else_=0)),
        )
        .join(LedgerEntry, col(LedgerEntry.transaction_id) == LedgerTransaction.id)
        .where(*where)
        .group_by(month)
        .order_by(month)
    ).all()
    return [{"month": m, "earned": _f(e), "pending": _f(p)} for m, e, p in rows]


def others(session: Session, *, actor: Actor) -> list[tuple[int, str]]:
    """The organizations across the caller's deals, leads and ledger, for the filter."""
    return deals.counterparts(session, actor=actor)


# helpers ---------------------------------------------------------------------------------------


def _deals(actor: Actor, chosen: Filters, moment: Any) -> list:
    return [*deals.scope(actor, other_org_id=chosen.other_org_id), *_between(moment, chosen)]


def _leads(actor: Actor, chosen: Filters, moment: Any) -> list:
    """Recipients of leads the caller's organization sent or received (a member's: those they
    own on their side)."""
    received = LeadRecipient.org_id == actor.org_id
    sent = Lead.origin_org_id == actor.org_id
    if not actor.sees_all:
        received = sa.and_(received, LeadRecipient.owner_id == actor.user_id)
        sent = sa.and_(sent, Lead.owner_id == actor.user_id)
    where = [sa.or_(received, sent), *_between(moment, chosen)]
    if chosen.other_org_id is not None:
        where.append(
            sa.or_(
                sa.and_(
                    LeadRecipient.org_id == actor.org_id, Lead.origin_org_id == chosen.other_org_id
                ),
                sa.and_(
                    Lead.origin_org_id == actor.org_id, LeadRecipient.org_id == chosen.other_org_id
                ),
            )
        )
    return where


def _between(moment: Any, chosen: Filters) -> list:
    where = []
    if chosen.start is not None:
        where.append(col(moment) >= chosen.start)
    if chosen.end is not None:
        where.append(col(moment) < chosen.end)
    return where


def _month(session: Session, moment: Any) -> Any:
    """YYYY-MM of a timestamp, in the database."""
    if session.get_bind().dialect.name == "postgresql":
        return func.to_char(moment, "YYYY-MM")
    return func.strftime("%Y-%m", moment)


def _hours(session: Session, start: Any, end: Any) -> Any:
    if session.get_bind().dialect.name == "postgresql":
        return func.extract("epoch", end - start) / 3600
    return (func.julianday(end) - func.julianday(start)) * 24


def _currency(session: Session, actor: Actor) -> str:
    """The provider's currency (a consultant keeps the default one)."""
    return program.settings_of(session, actor.org_id).currency


def _f(value: Any) -> float:
    """Chart values are plain numbers."""
    return float(Decimal(value or 0).quantize(Decimal("0.01")))
