"""Each partner tier's rule: its criteria, mode, window and commission (provider Settings >
Tiers; admins change, everyone in the provider reads)."""

from dataclasses import dataclass
from decimal import Decimal
from typing import cast

from sqlmodel import Session, col, select

from ...models import OrgKind, TaxonomyTerm, TermKind, TierMode, TierRule, utcnow
from ..core import activity, changes, formats, inputs
from ..core.actor import Actor
from ..core.errors import Invalid, NotFound
from .criteria import CRITERIA, needed

MAX_WINDOW_DAYS = 3650
MAX_COUNT = 1_000_000
MODES = {TierMode.AUTOMATIC: "Promote and demote automatically", TierMode.SUGGEST: "Suggest"}
NO_TIER = "No tier"


def ladder(session: Session, provider_id: int) -> list[tuple[TaxonomyTerm, TierRule | None]]:
    """The provider's active tiers, highest first, each with its rule (None: set by hand only)."""
    rows = session.exec(
        select(TaxonomyTerm, TierRule)
        .outerjoin(TierRule, col(TierRule.tier_id) == TaxonomyTerm.id)
        .where(
            TaxonomyTerm.org_id == provider_id,
            TaxonomyTerm.kind == TermKind.PARTNER_TIER,
            col(TaxonomyTerm.archived_at).is_(None),
        )
        .order_by(col(TaxonomyTerm.position), col(TaxonomyTerm.id))
    ).all()
    return [(term, rule) for term, rule in rows]


@dataclass(frozen=True, slots=True)
class RuleView:
    tier_id: int
    tier_name: str
    has_rule: bool
    mode: str
    window_days: int
    minimums: dict[str, str]  # criterion key -> the minimum as typed ("" not asked)
    commission_pct: str  # "" none
    summary: str


def tier_rules(session: Session, *, actor: Actor) -> list[RuleView]:
    """The provider's tiers, highest first, with their rules."""
    actor.require_kind(OrgKind.PROVIDER)
    return [_view(term, rule) for term, rule in ladder(session, actor.org_id)]


def save_rule(session: Session, *, actor: Actor, tier_id: object, form: object) -> RuleView:
    """Set a tier's rule from the settings form: `mode`, `window_days`, `min_<criterion>` and
    `commission_pct` (an empty minimum is not asked; an empty commission: none)."""
    actor.require_kind(OrgKind.PROVIDER)
    actor.require_admin()
    term = _tier(session, actor, tier_id)
    if not isinstance(form, dict):
        raise Invalid("Fill in the tier's rule.", field="form")
    rule = session.get(TierRule, term.id) or TierRule(
        tier_id=cast(int, term.id), org_id=actor.org_id
    )
    before = _stored(rule) if rule.updated_at else None
    mode = form.get("mode")
    if not isinstance(mode, str) or mode not in MODES:
        raise Invalid("Choose automatic or suggest.", field="mode")
    rule.mode = mode
    rule.window_days = _count(form.get("window_days"), "window_days", "Window", 1, MAX_WINDOW_DAYS)
    for criterion in CRITERIA:
        field = f"min_{criterion.key}"
        value = form.get(field)
        if value in (None, ""):
            setattr(rule, field, None)
        elif criterion.money:
            setattr(rule, field, inputs.amount(value, field=field, zero=True))
        else:
            setattr(rule, field, _count(value, field, criterion.label, 0, MAX_COUNT))
    rule.commission_pct = _percent(form.get("commission_pct"))
    rule.updated_at = utcnow()
    session.add(rule)
    activity.record(
        session,
        actor=actor,
        subject=term,
        action="tier_rule_set",
        before=before,
        after=_stored(rule),
    )
    changes.touched(session, changes.Topic.PARTNERS, actor.org_id)
    return _view(term, rule)


def remove_rule(session: Session, *, actor: Actor, tier_id: object) -> None:
    """The tier is set by hand only again (and pays no commission of its own)."""
    actor.require_kind(OrgKind.PROVIDER)
    actor.require_admin()
    term = _tier(session, actor, tier_id)
    rule = session.get(TierRule, term.id)
    if rule is None:
        return
    activity.record(
        session, actor=actor, subject=term, action="tier_rule_removed", before=_stored(rule)
    )
    session.delete(rule)
    changes.touched(session, changes.Topic.PARTNERS, actor.org_id)


def tier_term(session: Session, provider_id: int, tier_id: object) -> TaxonomyTerm:
    """An active partner tier of the provider; NotFound otherwise."""
    tier_id = inputs.record_id(tier_id, what="tier")
    term = session.exec(
        select(TaxonomyTerm).where(
            TaxonomyTerm.id == tier_id,
            TaxonomyTerm.org_id == provider_id,
            TaxonomyTerm.kind == TermKind.PARTNER_TIER,
            col(TaxonomyTerm.archived_at).is_(None),
        )
    ).first()
    if term is None:
        raise NotFound("That tier does not exist or is not visible to you.")
    return term


def describe(rule: TierRule, currency: str = "") -> str:
    """The rule in words: "Won revenue USD 50,000.00 and Deals won 3 over 365 days"."""
    asks = [
        f"{c.label} {formats.money(needed(rule, c), currency) if c.money else needed(rule, c)}"
        for c in CRITERIA
        if needed(rule, c) is not None
    ]
    return f"{' and '.join(asks) or 'Every partner'} over {rule.window_days} days"


def _tier(session: Session, actor: Actor, tier_id: object) -> TaxonomyTerm:
    return tier_term(session, actor.org_id, tier_id)


def _count(value: object, field: str, label: str, low: int, high: int) -> int:
    if isinstance(value, str) and value.strip().isascii() and value.strip().isdigit():
        value = int(value.strip()) if len(value.strip()) < 10 else None
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise Invalid(f"{label} must be a whole number from {low} to {high:,}.", field=field)
    return value


def _percent(value: object) -> Decimal | None:
    if value in (None, ""):
        return None
    rate = inputs.amount(value, field="commission_pct", zero=True)
    if rate > 100:
        raise Invalid("A percentage is at most 100.", field="commission_pct")
    return rate


def _stored(rule: TierRule) -> dict:
    kept = {"mode": rule.mode, "window_days": rule.window_days}
    for criterion in CRITERIA:
        value = needed(rule, criterion)
        kept[f"min_{criterion.key}"] = None if value is None else str(value)
    kept["commission_pct"] = None if rule.commission_pct is None else str(rule.commission_pct)
    return kept


def _view(term: TaxonomyTerm, rule: TierRule | None) -> RuleView:
    tier_id = cast(int, term.id)
    if rule is None:
        return RuleView(tier_id, term.name, False, TierMode.AUTOMATIC, 365, {}, "", "Set by hand")
    minimums = {c.key: "" if needed(rule, c) is None else str(needed(rule, c)) for c in CRITERIA}
    pct = "" if rule.commission_pct is None else f"{rule.commission_pct.normalize():f}"
    return RuleView(
        tier_id, term.name, True, rule.mode, rule.window_days, minimums, pct, describe(rule)
    )
