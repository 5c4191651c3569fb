"""A provider's deal registration rules as its administrators set them (Settings > Registration);
services.deals.eligibility checks a registration against them.

Each rule is on or off, hard (blocks the registration) or soft (warns), and has a message partners
see (empty: the rule's default, which names the rule's settings). A rule a provider never set is
at its default: off, except customer protection (on and soft).
"""

from dataclasses import dataclass, field, replace
from decimal import Decimal
from typing import Any

from sqlmodel import Session, col, select

from ...models import (
    OrgKind,
    Partnership,
    RegistrationRule,
    TaxonomyTerm,
    TermKind,
    utcnow,
)
from ..catalog import program
from ..catalog.fields import flag
from ..core import activity, inputs
from ..core.actor import Actor
from ..core.errors import Invalid
from . import places

TERRITORY = "territory"
MIN_AMOUNT = "min_amount"
MAX_AMOUNT = "max_amount"
PRODUCTS = "products"
NOT_CUSTOMER = "not_customer"
OPEN_CAP = "open_cap"
REQUIRED = "required_fields"
PROTECTION = "protection"

MAX_MESSAGE = 500
MAX_TERRITORIES = 300
MAX_CAP = 100_000
# The deal form's fields a provider may require (the others always are), with their labels.
REQUIRABLE = {
    "contact_name": "Contact",
    "contact_email": "Contact email",
    "amount": "Amount",
    "close_date": "Close date",
    "country": "Country",
    "region": "Region",
    "product_ids": "Products",
}
PROTECTED = "This customer is already protected for another partner until {date}."
NOT_PROTECTED = "No other partner holds this customer."


@dataclass(frozen=True, slots=True)
class Kind:
    """What a rule is: its code, its label, the form field a refusal names, its default."""

    rule: str
    label: str
    field: str
    hard: bool = True
    enabled: bool = False


KINDS = (
    Kind(TERRITORY, "Territory", "country"),
    Kind(MIN_AMOUNT, "Minimum amount", "amount"),
    Kind(MAX_AMOUNT, "Maximum amount", "amount"),
    Kind(PRODUCTS, "Products", "product_ids"),
    Kind(NOT_CUSTOMER, "Not an existing customer", "company"),
    Kind(OPEN_CAP, "Open registrations", "other_org_id"),
    Kind(REQUIRED, "Required fields", "name"),
    Kind(PROTECTION, "Customer protection", "company", hard=False, enabled=True),
)
BY_RULE = {kind.rule: kind for kind in KINDS}


@dataclass(frozen=True, slots=True)
class Rule:
    """One rule of a provider as it stands (its default when never set)."""

    rule: str
    label: str
    enabled: bool
    hard: bool
    message: str  # the provider's own message, "" for the default
    default_message: str
    countries: list[str] = field(default_factory=list)
    regions: list[str] = field(default_factory=list)
    amount: Decimal | None = None
    product_ids: list[int] = field(default_factory=list)
    limits: dict[str, int] = field(default_factory=dict)  # tier id ("" = any other) to a cap
    fields: list[str] = field(default_factory=list)

    @property
    def shown(self) -> str:
        """The message partners see."""
        return self.message or self.default_message


def rules_of(session: Session, provider_org_id: int) -> list[Rule]:
    """Every rule of a provider, in order, as set or at its default."""
    rows = {
        row.rule: row
        for row in session.exec(
            select(RegistrationRule).where(RegistrationRule.provider_org_id == provider_org_id)
        ).all()
    }
    currency = program.settings_of(session, provider_org_id).currency
    names = _names(session, provider_org_id)
    return [_rule(kind, rows.get(kind.rule), currency, names) for kind in KINDS]


def rules(session: Session, *, actor: Actor) -> list[Rule]:
    """A provider's rules, for any of its members (admins change them)."""
    actor.require_kind(OrgKind.PROVIDER)
    return rules_of(session, actor.org_id)


def save_rule(
    session: Session,
    *,
    actor: Actor,
    rule: object,
    enabled: object,
    hard: object,
    message: object = "",
    countries: object = (),
    regions: object = (),
    amount: object = None,
    product_ids: object = (),
    limits: object = None,
    fields: object = (),
) -> Rule:
    """An administrator sets one rule: on or off, hard or soft, its message and its settings
    (those of its kind; the others are ignored). A rule turned on must have settings that can
    pass: at least one territory, an amount, a product, a limit or a field."""
    actor.require_admin()
    actor.require_kind(OrgKind.PROVIDER)
    if not isinstance(rule, str) or rule not in BY_RULE:
        raise Invalid("Choose a rule from the list.", field="rule")
    is_on = flag(enabled, field="enabled")
    config = _config(
        session,
        actor.org_id,
        rule,
        countries=countries,
        regions=regions,
        amount=amount,
        product_ids=product_ids,
        limits=limits,
        fields=fields,
        required=is_on,
    )
    text = inputs.text(
        message, field="message", label="Message", max_len=MAX_MESSAGE, required=False
    )
    if rule == PROTECTION:
        text = ""  # its message names the date the protection ends: never edited
    row = session.exec(
        select(RegistrationRule).where(
            RegistrationRule.provider_org_id == actor.org_id, RegistrationRule.rule == rule
        )
    ).first()
    kind = BY_RULE[rule]
    before = _record(row) if row else {"enabled": kind.enabled, "hard": kind.hard}
    row = row or RegistrationRule(provider_org_id=actor.org_id, rule=rule)
    row.enabled, row.hard = is_on, flag(hard, field="hard")
    row.message, row.config, row.updated_at = text, config, utcnow()
    session.add(row)
    session.flush()
    activity.record(
        session, actor=actor, subject=row, action="updated", before=before, after=_record(row)
    )
    return next(r for r in rules_of(session, actor.org_id) if r.rule == rule)


def tier_choices(session: Session, *, actor: Actor) -> list[tuple[int, str]]:
    """The provider's partner tiers (the open registrations cap is set per tier)."""
    actor.require_kind(OrgKind.PROVIDER)
    found = session.exec(
        select(TaxonomyTerm.id, TaxonomyTerm.name)
        .where(
            TaxonomyTerm.org_id == actor.org_id,
            TaxonomyTerm.kind == TermKind.PARTNER_TIER,
            col(TaxonomyTerm.archived_at).is_(None),
        )
        .order_by(col(TaxonomyTerm.position), col(TaxonomyTerm.id))
    ).all()
    return [(term_id, name) for term_id, name in found if term_id is not None]


def tier_of(session: Session, provider_org_id: int, partner_org_id: int) -> int | None:
    """The tier a provider put a partner in (None: none)."""
    return session.exec(
        select(Partnership.partner_tier_id).where(
            Partnership.provider_org_id == provider_org_id,
            Partnership.consultant_org_id == partner_org_id,
        )
    ).first()


# helpers ---------------------------------------------------------------------------------------


def _rule(kind: Kind, row: RegistrationRule | None, currency: str, names: dict[int, str]) -> Rule:
    config: dict[str, Any] = (row.config if row else None) or {}
    amount = config.get("amount")
    found = Rule(
        rule=kind.rule,
        label=kind.label,
        enabled=row.enabled if row else kind.enabled,
        hard=row.hard if row else kind.hard,
        message=row.message if row else "",
        default_message="",
        countries=list(config.get("countries", [])),
        regions=list(config.get("regions", [])),
        amount=Decimal(amount) if amount is not None else None,
        product_ids=[int(p) for p in config.get("product_ids", [])],
        limits={str(k): int(v) for k, v in config.get("limits", {}).items()},
        fields=[f for f in config.get("fields", []) if f in REQUIRABLE],
    )
    return _with_default(found, currency, names)


def _with_default(rule: Rule, currency: str, names: dict[int, str]) -> Rule:
    """The rule with its default message, naming its settings."""
    money = f"{currency} {rule.amount:,.2f}" if rule.amount is not None else ""
    territories = [places.country_name(c) for c in rule.countries]
    territories += [places.place(r.partition("-")[0], r) for r in rule.regions]
    text = {
        TERRITORY: "The customer must be in the provider's territory: "
        + ("; ".join(territories) or "none set")
        + ".",
        MIN_AMOUNT: f"The deal's amount must be at least {money}.",
        MAX_AMOUNT: f"The deal's amount must be at most {money}: "
        "larger deals are registered with the provider directly.",
        PRODUCTS: "Name at least one of these products: "
        + (", ".join(names.get(p, "?") for p in rule.product_ids) or "none set")
        + ".",
        NOT_CUSTOMER: "This company is already the provider's customer: "
        "registrations are for new customers.",
        OPEN_CAP: "Your firm has reached its limit of open registrations with this provider.",
        REQUIRED: "Fill in: " + (", ".join(REQUIRABLE[f] for f in rule.fields) or "nothing") + ".",
        PROTECTION: PROTECTED.replace("{date}", "DATE"),
    }[rule.rule]
    return replace(rule, default_message=text)


def _names(session: Session, provider_org_id: int) -> dict[int, str]:
    return {
        term_id: name
        for term_id, name in session.exec(
            select(TaxonomyTerm.id, TaxonomyTerm.name).where(
                TaxonomyTerm.org_id == provider_org_id, TaxonomyTerm.kind == TermKind.PRODUCT
            )
        ).all()
        if term_id is not None
    }


def _config(
    session: Session,
    provider_org_id: int,
    rule: str,
    *,
    countries: object,
    regions: object,
    amount: object,
    product_ids: object,
    limits: object,
    fields: object,
    required: bool,
) -> dict[str, Any]:
    """The settings of a rule of this kind, checked (empty ones refused when it is on)."""
    if rule == TERRITORY:
        found_countries = [places.country(c) for c in _list(countries, "countries")]
        found_regions = [_region(r) for r in _list(regions, "regions")]
        if required and not (found_countries or found_regions):
            raise Invalid("Choose at least one country or region.", field="countries")
        return {
            "countries": sorted(set(found_countries) - {""}),
            "regions": sorted(set(found_regions) - {""}),
        }
    if rule in (MIN_AMOUNT, MAX_AMOUNT):
        if amount is None or amount == "":
            if required:
                raise Invalid("Enter the amount.", field="amount")
            return {}
        return {"amount": str(inputs.amount(amount, zero=True))}
    if rule == PRODUCTS:
        ids = [inputs.record_id(p, what="product") for p in _list(product_ids, "product_ids")]
        products = set(_names(session, provider_org_id))
        if any(p not in products for p in ids):
            raise Invalid("Choose products from your list.", field="product_ids")
        if required and not ids:
            raise Invalid("Choose at least one product.", field="product_ids")
        return {"product_ids": sorted(set(ids))}
    if rule == OPEN_CAP:
        return {"limits": _limits(session, provider_org_id, limits, required=required)}
    if rule == REQUIRED:
        chosen = _list(fields, "fields")
        if any(f not in REQUIRABLE for f in chosen):
            raise Invalid("Choose fields from the list.", field="fields")
        if required and not chosen:
            raise Invalid("Choose at least one field.", field="fields")
        return {"fields": [f for f in REQUIRABLE if f in chosen]}
    return {}


def _limits(session: Session, provider_org_id: int, value: object, *, required: bool) -> dict:
    """Tier id ("" for partners of any other tier or none) to a cap of 0 or more."""
    if value is None:
        value = {}
    if not isinstance(value, dict) or len(value) > 100:
        raise Invalid("Enter a limit per tier.", field="limits")
    tiers = {
        str(term_id)
        for term_id in session.exec(
            select(TaxonomyTerm.id).where(
                TaxonomyTerm.org_id == provider_org_id,
                TaxonomyTerm.kind == TermKind.PARTNER_TIER,
            )
        ).all()
    }
    found: dict[str, int] = {}
    for tier, cap in value.items():
        if tier not in tiers and tier != "":
            raise Invalid("Choose tiers from your list.", field="limits")
        if cap is None or cap == "":
            continue
        if isinstance(cap, str) and cap.strip().isdigit() and len(cap.strip()) < 7:
            cap = int(cap.strip())
        if isinstance(cap, bool) or not isinstance(cap, int) or not 0 <= cap <= MAX_CAP:
            raise Invalid(f"A limit must be a whole number from 0 to {MAX_CAP:,}.", field="limits")
        found[tier] = cap
    if required and not found:
        raise Invalid("Enter a limit for at least one tier.", field="limits")
    return found


def _list(value: object, name: str) -> list[str]:
    if value is None:
        return []
    if isinstance(value, str):
        value = [v for v in value.replace(";", ",").split(",") if v.strip()]
    if not isinstance(value, list | tuple) or len(value) > MAX_TERRITORIES:
        raise Invalid("Choose from the list.", field=name)
    if not all(isinstance(v, str | int) and not isinstance(v, bool) for v in value):
        raise Invalid("Choose from the list.", field=name)
    return [str(v).strip() for v in value]


def _region(value: str) -> str:
    return places.region(value, country_code=value.strip().upper().partition("-")[0])


def _record(row: RegistrationRule) -> dict[str, Any]:
    return {"enabled": row.enabled, "hard": row.hard, "message": row.message, **row.config}
