"""A deal's timeline, newest first, written from the activity trail.

Both organizations of a deal see all of its events, but a change of custom fields names only
the fields the viewer may see (services.deals.custom.describe), and one that changed none of
them is left out. People are named only to their own organization; the other side reads the
organization's name.
"""

from typing import Any

from sqlmodel import Session, col, select

from ...models import ActivityEvent, Organization, Stage, User
from .. import custom_fields as cf
from ..core.actor import Actor
from ..leads.timeline import Entry
from . import conflicts, extensions, revisions, visible


def timeline(session: Session, *, actor: Actor, deal_id: object) -> list[Entry]:
    """Visible exactly when the deal is (NotFound otherwise)."""
    deal = visible(session, actor=actor, deal_id=deal_id)
    rows = session.exec(
        select(ActivityEvent, User.name, Organization.name)
        .outerjoin(User, col(User.id) == ActivityEvent.actor_id)
        .join(Organization, col(Organization.id) == ActivityEvent.org_id)
        .where(ActivityEvent.entity_type == "deal", ActivityEvent.entity_id == deal.id)
        .order_by(col(ActivityEvent.created_at).desc(), col(ActivityEvent.id).desc())
    ).all()
    stage_ids = {
        e.after.get("stage_id") for e, _, _ in rows if e.action == "stage_moved" and e.after
    }
    stages = dict(
        session.exec(select(Stage.id, Stage.name).where(col(Stage.id).in_(stage_ids))).all()
    )
    owners = _colleague_names(session, actor, [e for e, _, _ in rows])
    fields = cf.for_deal(session, deal, actor.org_id)
    entries = []
    for event, person, org_name in rows:
        own = event.org_id == actor.org_id
        who = "Automatically" if event.actor_id is None else person if own else org_name
        if event.action == cf.ACTION:
            text = cf.changes_seen(fields, event.before, event.after)
            if text:
                entries.append(Entry(event.created_at, who or org_name, text))
            continue
        entries.append(Entry(event.created_at, who or org_name, _describe(event, stages, owners)))
    return entries


def _describe(event: ActivityEvent, stages: dict[int, str], owners: dict[int, str]) -> str:
    after: dict[str, Any] = event.after or {}
    if event.action == "stage_moved":
        if after.get("outcome") == "won":
            return "Closed it as won"
        if after.get("outcome") == "lost":
            return f"Closed it as lost: {after.get('reason', '')}"
        return f"Moved it to {stages.get(after.get('stage_id'), 'another stage')}"
    if event.action == "owner_assigned":
        owner = next((owners.get(v) for v in after.values() if v in owners), None)
        return f"Gave it to {owner}" if owner else "Changed its owner"
    if event.action in conflicts.HELD_ACTIONS or after.get("conflict") in conflicts.DECISIONS:
        return conflicts.describe(event.action, after)
    if event.action in extensions.ACTIONS:
        return extensions.describe(event.action, after)
    if event.action == "approved":
        return "Approved the change" if after.get("again") else "Approved the registration"
    if event.action == "rejected":
        return f"Rejected it: {after.get('reason', '')}"
    if event.action == "withdrawn":
        return f"Withdrew the registration: {after.get('reason', '')}"
    if event.action == "resubmitted":
        return "Resubmitted it as a new registration"
    if event.action == "registered" and after.get("resubmitted_from"):
        return "Resubmitted an earlier registration"
    if event.action == "reapproval_required":
        return f"Sent it back for approval: {after.get('reason', '')}"
    if event.action == "edited" and (lines := revisions.changed(event.before or {}, after)):
        return "Edited the deal: " + "; ".join(lines)
    return {
        "registered": "Registered the deal",
        "converted": "Created it from a lead",
        "edited": "Edited the deal",
    }.get(event.action, event.action.replace("_", " ").capitalize())


def _colleague_names(session: Session, actor: Actor, events: list[ActivityEvent]) -> dict[int, str]:
    """Names of owners given a deal by the caller's own organization (never the other's)."""
    ids = {
        v
        for e in events
        if e.action == "owner_assigned" and e.org_id == actor.org_id and e.after
        for v in e.after.values()
        if isinstance(v, int)
    }
    if not ids:
        return {}
    return dict(session.exec(select(User.id, User.name).where(col(User.id).in_(ids))).all())
