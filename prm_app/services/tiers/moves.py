"""One change of a partner's tier, whatever caused it: the partnership's tier, the history row
with its figures, the timeline event, the live views and the partner admins' notification."""

from sqlmodel import Session, col, select

from ... import routes
from ...models import (
    Membership,
    Partnership,
    Role,
    TaxonomyTerm,
    TierCause,
    TierChange,
    TierStanding,
    utcnow,
)
from ..core import activity, changes
from ..core.actor import Actor
from ..notifications import delivery


class _Current:
    """The partner's tier as it stands (the default of `from_tier_id`)."""


CURRENT = _Current()

CAUSES = {
    TierCause.AUTOMATIC: "Automatically, by the tier rules",
    TierCause.SUGGESTION_ACCEPTED: "Suggested by the tier rules and accepted",
    TierCause.MANUAL: "Set by hand (kept until cleared)",
    TierCause.OVERRIDE_CLEARED: "Override cleared: the next recompute decides",
}


def tier_name(session: Session, tier_id: int | None) -> str:
    if tier_id is None:
        return ""
    return session.exec(select(TaxonomyTerm.name).where(TaxonomyTerm.id == tier_id)).one()


def standing_of(session: Session, partnership_id: int | None) -> TierStanding:
    """The partner's standing (a new, unsaved one when it never had one)."""
    assert partnership_id is not None
    return session.get(TierStanding, partnership_id) or TierStanding(partnership_id=partnership_id)


def set_by_hand(
    session: Session,
    *,
    partnership: Partnership,
    to_tier_id: int | None,
    actor: Actor,
    from_tier_id: int | _Current | None = CURRENT,
) -> None:
    """A manager's tier, from the partner card or the categorization form (which already set
    it, from `from_tier_id`, and wrote its own event in the trail): the rules leave it alone
    until the override is cleared."""
    standing = standing_of(session, partnership.id)
    standing.overridden_by_id, standing.overridden_at = actor.user_id, utcnow()
    session.add(standing)
    record(
        session,
        partnership=partnership,
        to_tier_id=to_tier_id,
        cause=TierCause.MANUAL,
        actor=actor,
        from_tier_id=from_tier_id,
    )


def record(
    session: Session,
    *,
    partnership: Partnership,
    to_tier_id: int | None,
    cause: TierCause,
    actor: Actor | None,
    figures: dict | None = None,
    from_tier_id: int | _Current | None = CURRENT,
) -> TierChange:
    """Move the partner to `to_tier_id` (or record the cleared override, which moves nothing)
    and tell whoever needs to know; a pending suggestion is settled by any change. With
    `from_tier_id`, the caller already moved it and wrote the trail's event."""
    moved_already = not isinstance(from_tier_id, _Current)
    was = partnership.partner_tier_id if isinstance(from_tier_id, _Current) else from_tier_id
    from_name = tier_name(session, was)
    to_name = tier_name(session, to_tier_id)
    partnership.partner_tier_id = to_tier_id
    session.add(partnership)
    standing = session.get(TierStanding, partnership.id)
    if standing is not None and standing.suggested:
        standing.suggested, standing.suggested_tier_id = False, None
        standing.suggested_figures = standing.suggested_at = None
        session.add(standing)
    assert partnership.id is not None
    change = TierChange(
        partnership_id=partnership.id,
        cause=cause,
        actor_id=actor.user_id if actor else None,
        from_tier=from_name,
        to_tier=to_name,
        figures=figures or {},
    )
    session.add(change)
    if not moved_already:
        activity.record(
            session,
            actor=actor,
            subject=partnership,
            action="tier_changed"
            if cause != TierCause.OVERRIDE_CLEARED
            else "tier_override_cleared",
            org_id=partnership.provider_org_id,
            before={"tier": from_name},
            after={"tier": to_name, "cause": cause.value, "figures": figures or {}},
        )
    changes.touched(
        session,
        changes.Topic.PARTNERS,
        partnership.provider_org_id,
        partnership.consultant_org_id,
    )
    if from_name != to_name and partnership.consultant_org_id is not None:
        _tell_partner(session, partnership, from_name, to_name, actor)
    return change


def _tell_partner(
    session: Session, partnership: Partnership, from_name: str, to_name: str, actor: Actor | None
) -> None:
    provider = delivery.org_name(session, partnership.provider_org_id)
    text = (
        f"You are now a {to_name} partner of {provider}."
        if to_name
        else f"You are no longer a {from_name} partner of {provider}."
    )
    consultant = partnership.consultant_org_id
    assert consultant is not None
    admins = session.exec(
        select(Membership.user_id).where(
            Membership.org_id == consultant,
            Membership.role == Role.ADMIN,
            col(Membership.is_active).is_(True),
        )
    ).all()
    delivery.notify(
        session,
        org_id=consultant,
        user_ids=admins,
        kind="tier_changed",
        text=text,
        link=f"{routes.Consultant.PROVIDERS}/{partnership.id}",
        actor=actor,
    )
