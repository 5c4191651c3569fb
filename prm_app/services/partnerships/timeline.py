"""A partnership's page: the other organization, and the timeline of the relationship.

The timeline, newest first, holds the partnership's own events (invited, accepted, ended, ...)
and the milestones of the deals between the two organizations (registered, approved, rejected,
closed). Each side sees its own categorization changes, never the other's (a provider's tiers and
a consultant's proficiency are private), and people are named only to their own organization.
"""

from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Session, col, select

from ...models import (
    ActivityEvent,
    Deal,
    Organization,
    OrgKind,
    Partnership,
    PartnershipStatus,
    User,
)
from .. import custom_fields as cf
from ..core import inputs
from ..core.actor import Actor
from ..core.errors import NotFound
from ..leads.timeline import Entry

LIMIT = 200
NOT_VISIBLE = "That partnership does not exist or is not visible to you."
# Partnership events either side may see (categorization stays with whoever made it).
_SHARED = {
    "invited",
    "resent",
    "revoked",
    "claimed",
    "accepted",
    "rejected",
    "ended",
    "tier_changed",
}
_ONBOARDING = {
    "agreement_signed": "Signed {agreement} v{version}",
    "step_done": "Completed the onboarding step {step}",
    "step_undone": "Reopened the onboarding step {step}",
}
_DEAL_MILESTONES = {"registered", "converted", "approved", "rejected", "stage_moved", "withdrawn"}


@dataclass(frozen=True, slots=True)
class PartnerPage:
    id: int
    other_org_id: int
    other_name: str
    status: str
    since: datetime | None
    invited_at: datetime
    entries: list[Entry]


def partner_page(session: Session, *, actor: Actor, partnership_id: object) -> PartnerPage:
    """A partnership of the caller's organization (either side), NotFound otherwise."""
    partnership_id = inputs.record_id(partnership_id, what="partnership")
    own = (
        Partnership.provider_org_id
        if actor.org_kind == OrgKind.PROVIDER
        else Partnership.consultant_org_id
    )
    partnership = session.exec(
        select(Partnership).where(Partnership.id == partnership_id, own == actor.org_id)
    ).first()
    if partnership is None or partnership.consultant_org_id is None:
        raise NotFound(NOT_VISIBLE)
    if actor.org_kind == OrgKind.PROVIDER and partnership.status not in (
        PartnershipStatus.ACTIVE,
        PartnershipStatus.ENDED,
    ):  # whose address an invitation reached stays unknown until it is accepted
        raise NotFound(NOT_VISIBLE)
    other = (
        partnership.consultant_org_id
        if actor.org_kind == OrgKind.PROVIDER
        else partnership.provider_org_id
    )
    other_name = session.exec(select(Organization.name).where(Organization.id == other)).one()
    return PartnerPage(
        id=partnership.id,
        other_org_id=other,
        other_name=other_name,
        status=partnership.status,
        since=partnership.responded_at,
        invited_at=partnership.invited_at,
        entries=_entries(session, actor, partnership),
    )


def _entries(session: Session, actor: Actor, partnership: Partnership) -> list[Entry]:
    deal_ids = select(Deal.id).where(
        Deal.provider_org_id == partnership.provider_org_id,
        Deal.partner_org_id == partnership.consultant_org_id,
    )
    rows = session.exec(
        select(ActivityEvent, User.name, Organization.name, Deal.name)
        .outerjoin(User, col(User.id) == ActivityEvent.actor_id)
        .join(Organization, col(Organization.id) == ActivityEvent.org_id)
        .outerjoin(
            Deal,
            sa.and_(ActivityEvent.entity_type == "deal", col(Deal.id) == ActivityEvent.entity_id),
        )
        .where(
            sa.or_(
                sa.and_(
                    ActivityEvent.entity_type == "partnership",
                    ActivityEvent.entity_id == partnership.id,
                    sa.or_(
                        ActivityEvent.org_id == actor.org_id,
                        col(ActivityEvent.action).in_([*_SHARED, cf.ACTION]),
                    ),
                ),
                sa.and_(
                    ActivityEvent.entity_type == "deal",
                    col(ActivityEvent.entity_id).in_(deal_ids),
                    col(ActivityEvent.action).in_(_DEAL_MILESTONES),
                ),
            )
        )
        .order_by(col(ActivityEvent.created_at).desc(), col(ActivityEvent.id).desc())
        .limit(LIMIT)
    ).all()
    fields = cf.for_partnership(session, partnership, actor.org_id)  # custom changes: these
    entries, seen = [], set()
    for event, person, org_name, deal_name in rows:
        # One change written into both organizations' trails reads once (a custom change is
        # written once: two in the same second are two).
        once = event.id if event.action == cf.ACTION else 0
        key = (event.entity_type, event.entity_id, event.action, event.actor_id, once)
        if (key, event.created_at.replace(microsecond=0)) in seen:
            continue
        seen.add((key, event.created_at.replace(microsecond=0)))
        own = event.org_id == actor.org_id
        who = "Automatically" if event.actor_id is None else (person if own else org_name)
        if event.entity_type == "partnership" and event.action == cf.ACTION:
            text = cf.changes_seen(fields, event.before, event.after)
        else:
            text = _describe(event, deal_name, own)
        if text:
            entries.append(Entry(event.created_at, who or org_name, text))
    return entries


def _describe(event: ActivityEvent, deal_name: str | None, own: bool) -> str:
    if event.entity_type == "deal":
        after = event.after or {}
        if event.action == "stage_moved":
            outcome = after.get("outcome")
            if outcome == "won":
                return f"Closed the deal {deal_name} as won"
            if outcome == "lost":
                return f"Closed the deal {deal_name} as lost"
            return ""  # ordinary moves belong to the deal's own timeline
        return {
            "registered": f"Registered the deal {deal_name}",
            "converted": f"Turned a lead into the deal {deal_name}",
            "approved": f"Approved the deal {deal_name}",
            "rejected": f"Rejected the deal {deal_name}",
            "withdrawn": f"Withdrew the deal {deal_name}",
        }.get(event.action, "")
    after = event.after or {}
    if event.action in _ONBOARDING:  # written in both trails (services.onboarding)
        return _ONBOARDING[event.action].format(**after)
    if event.action == "tier_changed":  # services.tiers
        was, now = (event.before or {}).get("tier"), after.get("tier")
        return f"Tier changed from {was or 'no tier'} to {now or 'no tier'}"
    tier_note = after.get("certification") or after.get("tier")
    return {
        "tier_override_cleared": "Cleared the tier set by hand" if own else "",
        "tier_suggestion_dismissed": f"Dismissed the suggested tier {tier_note}" if own else "",
        "certified": f"Ticked the certification {tier_note}" if own else "",
        "certification_removed": f"Unticked the certification {tier_note}" if own else "",
        "invited": "Sent the invitation",
        "resent": "Sent the invitation again",
        "revoked": "Withdrew the invitation",
        "claimed": "Signed up from the invitation",
        "accepted": "Accepted the invitation",
        "rejected": "Declined the invitation",
        "ended": "Ended the partnership",
        "categorized": "Changed the categorization" if own else "",
    }.get(event.action, "")
