"""Extensions of a deal's protection: the partner asks, the provider answers.

A partner (its managers and admins, or the deal's owner: whoever sees the deal) asks before an
approved, open deal's protection ends, with a reason and the days wanted (at most the program's
maximum); one request waits at a time, and the program (services.catalog.extension_rules) allows
none, one, or any number. A manager or admin of the provider approves, choosing the new end (at
most the maximum after the current end), or declines with a reason. Requests are kept as the
deal's history; each step is on the deal's timeline (both sides), told to the other side and
sent to webhooks (deal.extension_requested, deal.extension_approved, deal.extension_declined).

Every step names the deal's version the caller saw (optimistic locking, as in lifecycle).
"""

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from sqlmodel import Session, col, select

from ...models import (
    Approval,
    Deal,
    ExtensionStatus,
    OrgKind,
    Outcome,
    ProtectionExtension,
    utcnow,
)
from ..catalog import extension_rules, program
from ..catalog.fields import whole_number
from ..core import inputs
from ..core.actor import Actor
from ..core.errors import Conflict, Invalid, NotAllowed, NotFound
from ..notifications import extension_events
from . import lifecycle, visible

MAX_REASON = 1000
NOT_PROTECTED = "Only the protection of an approved, open deal can be extended."
ENDED = "This deal's protection has ended: it can no longer be extended."
ENDED_BEFORE = (
    "This deal's protection ended before the request was answered: it can no longer be "
    "extended. Decline the request."
)
WAITING = "An extension of this deal's protection is already waiting for the provider's answer."
ONLY_PARTNER = "Only the deal's partner can request an extension of its protection."
ONLY_PROVIDER_MANAGER = "Only a manager or administrator of the provider can answer a request."
NO_REQUEST = "That extension request does not exist or is not visible to you."
ANSWERED = "This extension request was already answered."
ACTIONS = ("extension_requested", "extension_approved", "extension_declined")


def days_message(max_days: int) -> str:
    """The refusal of a number of days outside 1..max_days (form and API alike)."""
    return f"Days wanted must be a whole number from 1 to {max_days}."


def end_message(until: datetime, max_days: int) -> str:
    """The refusal of a new end that is not after the current one or too far after it."""
    last = until.date() + timedelta(days=max_days)
    return (
        f"Choose a new end after {until:%Y-%m-%d} and at most {max_days} days later "
        f"(by {last:%Y-%m-%d})."
    )


def request(
    session: Session,
    *,
    actor: Actor,
    deal_id: object,
    version: object,
    days: object,
    reason: object,
    now: datetime | None = None,
) -> int:
    """The partner asks to extend the deal's protection by `days`; returns the request's id."""
    now = now or utcnow()
    if actor.org_kind != OrgKind.CONSULTANT:
        raise NotAllowed(ONLY_PARTNER)
    deal = _load(session, actor, deal_id, version)
    if deal.approval != Approval.APPROVED or deal.outcome != Outcome.OPEN:
        raise Invalid(NOT_PROTECTED)
    if deal.protected_until is None or deal.protected_until <= now:
        raise Invalid(ENDED)
    rows = _requests(session, deal.id)
    if any(r.status == ExtensionStatus.PENDING for r in rows):
        raise Invalid(WAITING)
    settings = program.settings_of(session, deal.provider_org_id)
    approved = sum(r.status == ExtensionStatus.APPROVED for r in rows)
    if why := extension_rules.closed_because(settings.extension_mode, approved=approved):
        raise Invalid(why)
    problems = {}
    try:
        wanted = _days(days, settings.extension_max_days)
    except Invalid as error:
        problems["days"] = str(error)
    try:
        text = inputs.text(reason, field="reason", label="Reason", max_len=MAX_REASON)
    except Invalid as error:
        problems["reason"] = str(error)
    if problems:
        first = next(iter(problems))
        raise Invalid(problems[first], field=first, problems=problems)
    row = ProtectionExtension(
        deal_id=int(deal.id or 0),
        requested_by_id=actor.user_id,
        days=wanted,
        reason=text,
        protected_until=deal.protected_until,
        created_at=now,
    )
    session.add(row)
    session.flush()
    record = _record(row)
    lifecycle._save(session, actor, deal, "extension_requested", {}, record)
    extension_events.extension_requested(session, actor=actor, deal=deal, extension=record)
    return int(row.id or 0)


def approve(
    session: Session,
    *,
    actor: Actor,
    deal_id: object,
    version: object,
    extension_id: object,
    new_end: object,
    now: datetime | None = None,
) -> datetime:
    """The provider extends the protection to `new_end` (a date); returns the new end."""
    now = now or utcnow()
    deal, row = _pending(session, actor, deal_id, version, extension_id)
    until = deal.protected_until
    if (
        deal.approval != Approval.APPROVED
        or deal.outcome != Outcome.OPEN
        or until is None
        or until <= now
    ):
        raise Invalid(ENDED_BEFORE)
    max_days = program.settings_of(session, deal.provider_org_id).extension_max_days
    day = inputs.day(new_end, field="new_end", label="new end")
    if day is None:
        raise Invalid(end_message(until, max_days), field="new_end")
    added = (day - until.date()).days
    if not 1 <= added <= max_days:
        raise Invalid(end_message(until, max_days), field="new_end")
    new_until = until + timedelta(days=added)
    row.status, row.new_until = ExtensionStatus.APPROVED, new_until
    row.decided_by_id, row.decided_at = actor.user_id, now
    session.add(row)
    deal.protected_until = new_until
    record = _record(row)
    lifecycle._save(
        session, actor, deal, "extension_approved", {"protected_until": until.isoformat()}, record
    )
    extension_events.extension_decided(session, actor=actor, deal=deal, extension=record)
    return new_until


def decline(
    session: Session,
    *,
    actor: Actor,
    deal_id: object,
    version: object,
    extension_id: object,
    reason: object,
    now: datetime | None = None,
) -> None:
    """The provider declines the request, with a reason told to the partner."""
    now = now or utcnow()
    deal, row = _pending(session, actor, deal_id, version, extension_id)
    text = inputs.text(reason, field="decision_reason", label="Reason", max_len=MAX_REASON)
    row.status, row.decision_reason = ExtensionStatus.DECLINED, text
    row.decided_by_id, row.decided_at = actor.user_id, now
    session.add(row)
    record = _record(row)
    lifecycle._save(session, actor, deal, "extension_declined", {}, record)
    extension_events.extension_decided(session, actor=actor, deal=deal, extension=record)


# what the deal's page shows ---------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Request:
    """One request and its answer."""

    id: int
    status: str
    days: int
    reason: str
    asked_at: datetime
    protected_until: datetime  # the end when asked
    new_until: datetime | None
    decision_reason: str
    decided_at: datetime | None


@dataclass(frozen=True, slots=True)
class Outlook:
    """A deal's extensions as the caller sees them.

    `can_request`: the caller may ask now; `closed`: why the program allows no further one
    ("" when it does); `pending`: the request waiting (None when none); `can_decide`: the caller
    may answer it; `suggested_end`, `earliest_end`, `latest_end`: the new end the request asks
    for (within the maximum), and the earliest and latest allowed; `history`: every request,
    newest first.
    """

    can_request: bool
    closed: str
    max_days: int
    pending: Request | None
    can_decide: bool
    suggested_end: date | None
    earliest_end: date | None
    latest_end: date | None
    history: list[Request]


def outlook(
    session: Session, *, actor: Actor, deal_id: object, now: datetime | None = None
) -> Outlook:
    """Visible exactly when the deal is (NotFound otherwise)."""
    now = now or utcnow()
    deal = visible(session, actor=actor, deal_id=deal_id)
    rows = _requests(session, deal.id)
    settings = program.settings_of(session, deal.provider_org_id)
    approved = sum(r.status == ExtensionStatus.APPROVED for r in rows)
    closed = extension_rules.closed_because(settings.extension_mode, approved=approved)
    pending = next((r for r in rows if r.status == ExtensionStatus.PENDING), None)
    until = deal.protected_until
    running = (
        deal.approval == Approval.APPROVED
        and deal.outcome == Outcome.OPEN
        and until is not None
        and until > now
    )
    partner = actor.org_kind == OrgKind.CONSULTANT
    provider_manager = actor.org_kind == OrgKind.PROVIDER and actor.sees_all
    suggested = earliest = latest = None
    if pending is not None and until is not None:
        earliest = until.date() + timedelta(days=1)
        latest = until.date() + timedelta(days=settings.extension_max_days)
        suggested = min(until.date() + timedelta(days=pending.days), latest)
    return Outlook(
        can_request=partner and running and pending is None and not closed,
        closed=closed,
        max_days=settings.extension_max_days,
        pending=_view(pending) if pending else None,
        can_decide=provider_manager and pending is not None,
        suggested_end=suggested,
        earliest_end=earliest,
        latest_end=latest,
        history=[_view(r) for r in reversed(rows)],
    )


def describe(action: str, after: dict[str, Any]) -> str:
    """A step as the deal's timeline reads it (either side)."""
    if action == "extension_requested":
        return f"Asked to extend the protection by {after.get('days')} days: {after.get('reason')}"
    if action == "extension_approved":
        return f"Extended the protection to {(after.get('new_until') or '')[:10]}"
    return f"Declined the extension of the protection: {after.get('decision_reason')}"


def close_pending(session: Session, *, deal: Deal, reason: str, now: datetime) -> None:
    """The deal's protection ended for good (the partner withdrew it): a request still waiting
    is closed as declined with `reason` (nobody is left to answer it)."""
    for row in _requests(session, deal.id):
        if row.status == ExtensionStatus.PENDING:
            row.status, row.decision_reason, row.decided_at = (
                ExtensionStatus.DECLINED,
                reason,
                now,
            )
            session.add(row)


# helpers ---------------------------------------------------------------------------------------


def _load(session: Session, actor: Actor, deal_id: object, version: object) -> Deal:
    """The deal, locked, as the caller saw it (else Conflict)."""
    expected = inputs.version(version)
    deal = visible(session, actor=actor, deal_id=deal_id, lock=True)
    if deal.version != expected:
        raise Conflict(lifecycle.CHANGED)
    return deal


def _pending(
    session: Session, actor: Actor, deal_id: object, version: object, extension_id: object
) -> tuple[Deal, ProtectionExtension]:
    """The deal and its waiting request, for a manager or admin of its provider."""
    if actor.org_kind != OrgKind.PROVIDER or not actor.sees_all:
        raise NotAllowed(ONLY_PROVIDER_MANAGER)
    deal = _load(session, actor, deal_id, version)
    wanted = inputs.record_id(extension_id, what="extension request")
    row = session.exec(
        select(ProtectionExtension).where(
            ProtectionExtension.id == wanted, ProtectionExtension.deal_id == deal.id
        )
    ).first()
    if row is None:
        raise NotFound(NO_REQUEST)
    if row.status != ExtensionStatus.PENDING:
        raise Invalid(ANSWERED)
    return deal, row


def _requests(session: Session, deal_id: int | None) -> list[ProtectionExtension]:
    """The deal's requests, oldest first."""
    return list(
        session.exec(
            select(ProtectionExtension)
            .where(ProtectionExtension.deal_id == deal_id)
            .order_by(col(ProtectionExtension.id))
        ).all()
    )


def _days(value: object, max_days: int) -> int:
    try:
        return whole_number(value, field="days", label="Days wanted", low=1, high=max_days)
    except Invalid:
        raise Invalid(days_message(max_days), field="days") from None


def _record(row: ProtectionExtension) -> dict[str, Any]:
    """The request as the timeline, notifications and webhooks keep it."""
    return {
        "extension_id": row.id,
        "status": row.status,
        "days": row.days,
        "reason": row.reason,
        "protected_until": row.protected_until.isoformat(),
        "new_until": row.new_until.isoformat() if row.new_until else None,
        "decision_reason": row.decision_reason,
    }


def _view(row: ProtectionExtension) -> Request:
    return Request(
        id=int(row.id or 0),
        status=row.status,
        days=row.days,
        reason=row.reason,
        asked_at=row.created_at,
        protected_until=row.protected_until,
        new_until=row.new_until,
        decision_reason=row.decision_reason,
        decided_at=row.decided_at,
    )
