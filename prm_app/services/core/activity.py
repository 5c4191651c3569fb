"""The activity trail: every change writes one event in the same transaction."""

from typing import Any

from sqlmodel import Session

from ...models import ActivityEvent
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
