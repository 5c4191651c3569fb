"""A partner's progress towards its next tier, for either side of the partnership."""

from dataclasses import dataclass

from sqlmodel import Session, or_, select

from ...models import Partnership, PartnershipStatus, utcnow
from ..catalog import program
from ..core import formats, inputs
from ..core.actor import Actor
from ..core.errors import NotFound
from .criteria import asked, needed
from .figures import figures
from .moves import standing_of
from .rules import NO_TIER, ladder


@dataclass(frozen=True, slots=True)
class CriterionProgress:
    label: str
    current: str
    needed: str
    met: bool


@dataclass(frozen=True, slots=True)
class TierProgress:
    current_tier: str  # NO_TIER when none
    next_tier: str  # "" at the top, or when no higher tier has a rule
    window_days: int
    criteria: list[CriterionProgress]
    overridden: bool  # set by hand: the rules do not move it


def progress_with(session: Session, *, actor: Actor, org_id: object) -> TierProgress | None:
    """The progress of the partnership between the actor's organization and `org_id` (its
    partner or its provider), or None when they have no active partnership."""
    org_id = inputs.record_id(org_id, what="organization")
    partnership_id = session.exec(
        select(Partnership.id).where(
            Partnership.status == PartnershipStatus.ACTIVE,
            or_(
                (Partnership.provider_org_id == actor.org_id)
                & (Partnership.consultant_org_id == org_id),
                (Partnership.consultant_org_id == actor.org_id)
                & (Partnership.provider_org_id == org_id),
            ),
        )
    ).first()
    return (
        None
        if partnership_id is None
        else progress(session, actor=actor, partnership_id=partnership_id)
    )


def progress(session: Session, *, actor: Actor, partnership_id: object) -> TierProgress:
    """The partner's tier and, for the nearest higher tier with a rule, each criterion's
    current figure and minimum. Visible to both organizations of an active partnership."""
    partnership_id = inputs.record_id(partnership_id, what="partnership")
    partnership = session.exec(
        select(Partnership).where(
            Partnership.id == partnership_id,
            Partnership.status == PartnershipStatus.ACTIVE,
        )
    ).first()
    if partnership is None or actor.org_id not in (
        partnership.provider_org_id,
        partnership.consultant_org_id,
    ):
        raise NotFound("That partnership does not exist or is not visible to you.")
    tiers = ladder(session, partnership.provider_org_id)
    names = {term.id: term.name for term, _ in tiers}
    here = next(
        (i for i, (term, _) in enumerate(tiers) if term.id == partnership.partner_tier_id),
        len(tiers),
    )
    above = [(term, rule) for term, rule in tiers[:here] if rule is not None]
    overridden = standing_of(session, partnership.id).overridden_at is not None
    current = names.get(partnership.partner_tier_id, NO_TIER)  # type: ignore[arg-type]
    if not above:
        return TierProgress(current, "", 0, [], overridden)
    term, rule = above[-1]
    assert rule is not None and partnership.consultant_org_id is not None
    mine = figures(
        session,
        partnership.provider_org_id,
        [partnership.consultant_org_id],
        window_days=rule.window_days,
        now=utcnow(),
    )[partnership.consultant_org_id]
    currency = program.settings_of(session, partnership.provider_org_id).currency
    shown = []
    for criterion in asked(rule):
        minimum, value = needed(rule, criterion), mine[criterion.key]
        as_text = (lambda v: formats.money(v, currency)) if criterion.money else str
        shown.append(
            CriterionProgress(criterion.label, as_text(value), as_text(minimum), value >= minimum)  # type: ignore[operator]
        )
    return TierProgress(current, term.name, rule.window_days, shown, overridden)
