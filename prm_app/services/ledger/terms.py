"""Commission terms: a partnership's own, else its tier's rate, else the provider's default rate."""

from dataclasses import dataclass
from decimal import Decimal

from sqlmodel import Session, col, func, select

from ...models import (
    CommissionType,
    Organization,
    Partnership,
    PartnershipStatus,
    TaxonomyTerm,
    TierRule,
)
from ..catalog import program
from ..core import activity, inputs
from ..core.actor import Actor
from ..core.errors import Invalid, NotFound
from .books import CENT, require_provider_manager, touched

MAX_PERCENT = Decimal("100")


@dataclass(frozen=True, slots=True)
class Terms:
    kind: str  # CommissionType
    value: Decimal
    from_default: bool  # not set on the partnership: the tier's rate or the program's default
    tier: str = ""  # the tier whose rate it is

    def commission_on(self, amount: Decimal) -> Decimal:
        if self.kind == CommissionType.FLAT:
            return self.value.quantize(CENT)
        return (amount * self.value / 100).quantize(CENT)

    def describe(self, currency: str) -> str:
        if self.kind == CommissionType.FLAT:
            return f"{currency} {self.value:,.2f} per won deal"
        default = " (the program's default)" if self.from_default else ""
        if self.tier:
            default = f" (the {self.tier} tier's rate)"
        return f"{_number(self.value)}% of the deal amount{default}"


def terms_of(session: Session, provider_org_id: int, partner_org_id: int) -> Terms:
    """The partnership's commission terms (see `decide`)."""
    partnership = _partnership(session, provider_org_id, partner_org_id)
    rate = program.settings_of(session, provider_org_id).default_commission_pct
    tier_rates = _tier_rates(session, provider_org_id)
    return decide(partnership, tier_rates, rate)


def decide(
    partnership: Partnership | None, tier_rates: dict[int, tuple[str, Decimal]], rate: Decimal
) -> Terms:
    """The one rule: the partnership's own terms, else its tier's commission percentage (tier
    rules, services.tiers), else the provider's default rate."""
    if partnership is not None and partnership.commission_value is not None:
        return Terms(partnership.commission_type, partnership.commission_value, False)
    tier_id = partnership.partner_tier_id if partnership is not None else None
    if tier_id in tier_rates:
        name, pct = tier_rates[tier_id]
        return Terms(CommissionType.PERCENT, pct, True, tier=name)
    return Terms(CommissionType.PERCENT, rate, True)


def _tier_rates(session: Session, provider_org_id: int) -> dict[int, tuple[str, Decimal]]:
    """The provider's tiers that set a commission percentage: id -> (name, percentage)."""
    rows = session.exec(
        select(TierRule.tier_id, TaxonomyTerm.name, col(TierRule.commission_pct))
        .join(TaxonomyTerm, col(TaxonomyTerm.id) == TierRule.tier_id)
        .where(TierRule.org_id == provider_org_id, col(TierRule.commission_pct).is_not(None))
    ).all()
    return {tier_id: (name, pct) for tier_id, name, pct in rows if pct is not None}


def set_terms(
    session: Session, *, actor: Actor, partnership_id: object, kind: object, value: object
) -> None:
    """The provider sets a partner's commission: a percentage, a flat amount per won deal, or
    "default" (the program's default rate). Deals already won keep what they accrued."""
    require_provider_manager(actor)
    partnership_id = inputs.record_id(partnership_id, what="partnership")
    partnership = session.exec(
        select(Partnership).where(
            Partnership.id == partnership_id, Partnership.provider_org_id == actor.org_id
        )
    ).first()
    if partnership is None or partnership.consultant_org_id is None:
        raise NotFound("That partnership does not exist or is not visible to you.")
    before = {"type": partnership.commission_type, "value": _text(partnership.commission_value)}
    if kind == "default":
        partnership.commission_type, partnership.commission_value = CommissionType.PERCENT, None
    elif kind == CommissionType.PERCENT:
        rate = inputs.amount(value, field="commission_value")
        if rate > MAX_PERCENT:
            raise Invalid("A percentage is at most 100.", field="commission_value")
        partnership.commission_type, partnership.commission_value = kind, rate
    elif kind == CommissionType.FLAT:
        partnership.commission_type = kind
        partnership.commission_value = inputs.amount(value, field="commission_value")
    else:
        raise Invalid("Choose a percentage, a flat amount or the default.", field="kind")
    session.add(partnership)
    touched(session, partnership.provider_org_id, partnership.consultant_org_id)
    after = {"type": partnership.commission_type, "value": _text(partnership.commission_value)}
    activity.record(
        session,
        actor=actor,
        subject=partnership,
        action="commission_terms_set",
        before=before,
        after=after,
    )


@dataclass(frozen=True, slots=True)
class PartnerTerms:
    partnership_id: int
    partner_org_id: int
    partner_name: str
    kind: str
    value: str  # "" for the default
    description: str


def partner_terms(session: Session, *, actor: Actor) -> list[PartnerTerms]:
    """For the provider: each active partner's commission terms, by name."""
    require_provider_manager(actor)
    settings = program.settings_of(session, actor.org_id)
    rows = session.exec(
        select(Partnership, Organization.name)
        .join(Organization, col(Organization.id) == Partnership.consultant_org_id)
        .where(
            Partnership.provider_org_id == actor.org_id,
            Partnership.status == PartnershipStatus.ACTIVE,
        )
        .order_by(func.lower(Organization.name), col(Partnership.id))
    ).all()
    tier_rates = _tier_rates(session, actor.org_id)
    found = []
    for partnership, name in rows:
        terms = decide(partnership, tier_rates, settings.default_commission_pct)
        found.append(
            PartnerTerms(
                partnership_id=partnership.id,
                partner_org_id=partnership.consultant_org_id,
                partner_name=name,
                kind="default" if terms.from_default else terms.kind,
                value="" if terms.from_default else f"{terms.value:.2f}",
                description=terms.describe(settings.currency),
            )
        )
    return found


def _partnership(session: Session, provider_org_id: int, partner_org_id: int):
    return session.exec(
        select(Partnership).where(
            Partnership.provider_org_id == provider_org_id,
            Partnership.consultant_org_id == partner_org_id,
        )
    ).first()


def _number(value: Decimal) -> str:
    return f"{value.normalize():f}"


def _text(value: Decimal | None) -> str | None:
    return None if value is None else str(value)
