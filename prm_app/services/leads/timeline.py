"""A lead's timeline, as each side may see it, written from the activity trail.

The origin organization sees its own lead events and every recipient's; a recipient only its own
row's. Names of people appear only to their own organization; the other side reads the
organization's name. Conflict details (who holds a protected customer) are never written here.
Custom value changes (recorded on the lead) reach both sides, each reading only the changes of
the fields it sees, with their values before and after.
"""

from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, col, select

from ...models import ActivityEvent, Membership, Organization, Stage, User
from .. import custom_fields as cf
from ..core import formats
from ..core.actor import Actor
from . import detail


@dataclass(frozen=True, slots=True)
class Entry:
    at: datetime
    who: str
    text: str


def timeline(session: Session, *, actor: Actor, lead_id: object) -> list[Entry]:
    """Newest first. Visible exactly when `leads.detail` is (NotFound otherwise)."""
    seen = detail(session, actor=actor, lead_id=lead_id)
    recipient_orgs = {r.id: r.org_name for r in seen.recipients}
    conditions = [
        sa.and_(
            ActivityEvent.entity_type == "lead_recipient",
            col(ActivityEvent.entity_id).in_(recipient_orgs),
        )
    ]
    on_lead = sa.and_(ActivityEvent.entity_type == "lead", ActivityEvent.entity_id == seen.id)
    if seen.side == "origin":
        conditions.append(on_lead)
    else:  # of the lead's own events, a recipient reads only custom values it sees
        conditions.append(sa.and_(on_lead, col(ActivityEvent.action) == cf.ACTION))
    rows = session.exec(
        select(ActivityEvent, User.name)
        .outerjoin(User, col(User.id) == ActivityEvent.actor_id)
        .where(sa.or_(*conditions))
        .order_by(col(ActivityEvent.created_at).desc(), col(ActivityEvent.id).desc())
    ).all()
    events = [event for event, _ in rows]
    colleagues = _members(session, actor.org_id, {e.actor_id for e in events if e.actor_id})
    stages, org_names = _stage_names(session, events), _org_names(session, events)
    side_names = {r.org_id: r.org_name for r in seen.recipients}
    side_names[seen.origin_org_id] = seen.origin_org_name
    entries = []
    for event, person in rows:
        if event.action == cf.ACTION:
            text = cf.changes_seen(seen.custom_fields, event.before, event.after)
            if text:
                who = person if event.actor_id in colleagues else side_names.get(event.org_id, "")
                entries.append(Entry(event.created_at, who or "Automatically", text))
            continue
        if event.action == "received":  # recorded by whoever sent it
            who = seen.origin_org_name
        elif event.actor_id is None:
            who = "Automatically"
        elif event.actor_id in colleagues:
            who = person
        elif event.entity_type == "lead_recipient" and seen.side == "origin":
            who = recipient_orgs[event.entity_id]
        else:
            who = seen.origin_org_name
        if text := _describe(event, seen.side, seen.origin_org_name, stages, org_names):
            entries.append(Entry(event.created_at, who, text))
    return entries


def _describe(
    event: ActivityEvent,
    side: str,
    origin_name: str,
    stages: dict[int, str],
    org_names: dict[int, str],
) -> str:
    after: dict[str, Any] = event.after or {}
    if event.entity_type == "lead":
        names = ", ".join(org_names.get(o, "?") for o in after.get("recipient_org_ids", []))
        to = f" to {names}" if names else ""
        return {
            "created": "Created it as a draft",
            "updated": "Edited the draft",
            "submitted": f"Submitted it{to}",
            "sent_to_more": f"Sent it on{to}",
        }.get(event.action, "")
    if event.action == "received":  # the origin reads "submitted" instead
        return f"Received from {origin_name}" if side == "recipient" else ""
    return {
        "opened": "Opened it",
        "accepted": "Accepted it",
        "rejected": f"Rejected it: {after.get('reason', '')}",
        "stage_moved": f"Moved it to {stages.get(after.get('stage_id'), 'another stage')}",
        "lost": f"Closed it as lost: {after.get('reason', '')}",
        "returned": "Returned it: not accepted in time",
        "converted": "Converted it into a deal"
        + (
            f" of {formats.money(after['amount'], after.get('currency', ''))}"
            if after.get("amount")
            else ""
        ),
    }.get(event.action, "")


def _members(session: Session, org_id: int, user_ids: set[int]) -> set[int]:
    if not user_ids:
        return set()
    return set(
        session.exec(
            select(Membership.user_id).where(
                Membership.org_id == org_id, col(Membership.user_id).in_(user_ids)
            )
        ).all()
    )


def _stage_names(session: Session, events: list[ActivityEvent]) -> dict[int, str]:
    ids = {
        e.after["stage_id"]
        for e in events
        if e.action == "stage_moved" and isinstance((e.after or {}).get("stage_id"), int)
    }
    if not ids:
        return {}
    return dict(session.exec(select(Stage.id, Stage.name).where(col(Stage.id).in_(ids))).all())


def _org_names(session: Session, events: list[ActivityEvent]) -> dict[int, str]:
    ids = {
        org
        for e in events
        if e.entity_type == "lead"
        for org in (e.after or {}).get("recipient_org_ids", [])
        if isinstance(org, int)
    }
    if not ids:
        return {}
    return dict(
        session.exec(
            select(Organization.id, Organization.name).where(col(Organization.id).in_(ids))
        ).all()
    )
