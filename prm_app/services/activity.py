"""The activity trail: every change writes one event in the same transaction."""

from typing import Any

from sqlmodel import Session, col, select

from ..models import ActivityEvent
from .actor import Actor


def record(
    session: Session,
    *,
    actor: Actor | None,
    org_id: int,
    entity_type: str,
    entity_id: int,
    action: str,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
) -> ActivityEvent:
    """Add an activity event to the session (committed with the change it describes)."""
    event = ActivityEvent(
        org_id=org_id,
        actor_id=actor.user_id if actor else None,
        entity_type=entity_type,
        entity_id=entity_id,
        action=action,
        before=before,
        after=after,
    )
    session.add(event)
    return event


def timeline(
    session: Session, *, actor: Actor, entity_type: str, entity_id: int, limit: int = 50
) -> list[ActivityEvent]:
    """The caller's organization's events about one record, newest first."""
    query = (
        select(ActivityEvent)
        .where(
            ActivityEvent.org_id == actor.org_id,
            ActivityEvent.entity_type == entity_type,
            ActivityEvent.entity_id == entity_id,
        )
        .order_by(col(ActivityEvent.id).desc())
        .limit(limit)
    )
    return list(session.exec(query))
