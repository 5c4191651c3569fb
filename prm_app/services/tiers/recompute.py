"""Recomputing partners' tiers from the rules: daily for every provider, or on demand.

A partner qualifies for the highest tier whose rule it meets (a partner that meets no rule has
no tier). Tiers without a rule are set by hand only: the rules may promote a partner out of one,
never demote it from one. Partners with a manual override are left alone. Moving up follows the mode of the tier entered, moving down the mode of the tier left:
automatic moves at once, suggest leaves a suggestion on the partner's card (one the provider
dismissed is not made again until the outcome differs).
"""

from dataclasses import dataclass
from datetime import datetime
from typing import cast

from sqlmodel import Session, col, select

from ...models import (
    OrgKind,
    Partnership,
    PartnershipStatus,
    TierCause,
    TierMode,
    TierRule,
    TierStanding,
    utcnow,
)
from ..catalog import program
from ..core import changes
from ..core.actor import Actor
from .claims import claim
from .criteria import as_json, qualifies
from .figures import figures
from .moves import record
from .rules import ladder

JOB = "tiers"


@dataclass(frozen=True, slots=True)
class Recomputed:
    changed: int = 0
    suggested: int = 0


def recompute_now(session: Session, *, actor: Actor) -> Recomputed:
    """The provider's admins' "Recompute now"."""
    actor.require_kind(OrgKind.PROVIDER)
    actor.require_admin()
    return recompute_provider(session, provider_id=actor.org_id, actor=actor, now=utcnow())


def run_daily(session: Session, *, now: datetime | None = None) -> int:
    """The daily job: once per UTC day across workers, every provider with rules; how many
    partners moved or got a suggestion."""
    now = now or utcnow()
    if not claim(session, name=JOB, period=now.date().isoformat()):
        return 0
    done = 0
    for provider_id in session.exec(select(TierRule.org_id).distinct()).all():
        result = recompute_provider(session, provider_id=provider_id, actor=None, now=now)
        done += result.changed + result.suggested
    return done


def recompute_provider(
    session: Session, *, provider_id: int, actor: Actor | None, now: datetime
) -> Recomputed:
    tiers = ladder(session, provider_id)
    ruled = [(term, rule) for term, rule in tiers if rule is not None]
    if not ruled:
        return Recomputed()
    rank = {term.id: i for i, (term, _) in enumerate(tiers)}
    rules = {term.id: rule for term, rule in ruled}
    partners = session.exec(
        select(Partnership).where(
            Partnership.provider_org_id == provider_id,
            Partnership.status == PartnershipStatus.ACTIVE,
            col(Partnership.consultant_org_id).is_not(None),
        )
    ).all()
    standings = {
        s.partnership_id: s
        for s in session.exec(
            select(TierStanding).where(
                col(TierStanding.partnership_id).in_([p.id for p in partners])
            )
        )
    }
    partner_ids = [p.consultant_org_id for p in partners if p.consultant_org_id is not None]
    measured = {
        days: figures(session, provider_id, partner_ids, window_days=days, now=now)
        for days in {rule.window_days for _, rule in ruled}
    }
    currency = program.settings_of(session, provider_id).currency
    changed = suggested = 0
    for partnership in partners:
        standing = standings.get(cast(int, partnership.id))
        if standing is not None and standing.overridden_at is not None:
            continue
        partner = cast(int, partnership.consultant_org_id)
        mine = {d: found[partner] for d, found in measured.items()}
        target = next((t.id for t, r in ruled if qualifies(r, mine[r.window_days])), None)
        current = partnership.partner_tier_id
        if target == current:
            if standing is not None and standing.suggested:  # no longer called for
                standing.suggested = False
                session.add(standing)
            continue
        up = rank.get(target, len(tiers)) < rank.get(current, len(tiers))
        if not up and current in rank and current not in rules:
            continue  # a tier set by hand only is never left downwards by the rules
        deciding = rules.get(target if up else current) or rules.get(target)  # type: ignore[arg-type]
        window = (deciding or ruled[-1][1]).window_days
        shown = as_json(mine[window], window, currency)
        if deciding is not None and deciding.mode == TierMode.SUGGEST:
            suggested += _suggest(session, partnership, standing, target, shown, now)
            continue
        record(
            session,
            partnership=partnership,
            to_tier_id=target,
            cause=TierCause.AUTOMATIC,
            actor=actor,
            figures=shown,
        )
        changed += 1
    return Recomputed(changed, suggested)


def _suggest(
    session: Session,
    partnership: Partnership,
    standing: TierStanding | None,
    target: int | None,
    shown: dict,
    now: datetime,
) -> int:
    """Leave a suggestion (1), unless the same one is pending or was dismissed (0)."""
    standing = standing or TierStanding(partnership_id=cast(int, partnership.id))
    if standing.suggested_at is not None and standing.suggested_tier_id == target:
        return 0
    standing.suggested, standing.suggested_tier_id = True, target
    standing.suggested_figures, standing.suggested_at = shown, now
    session.add(standing)
    changes.touched(session, changes.Topic.PARTNERS, partnership.provider_org_id)
    return 1
