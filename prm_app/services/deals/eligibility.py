"""Whether a registration meets its provider's rules (services.deals.registration_rules).

`check` gives a verdict per rule in force, for the deal form's live panel and `POST
/api/v1/deals/check`; `enforce` refuses a registration on its first failing hard rule, with that
rule's message, through the same `evaluate`: Submit Deal and the REST API (lifecycle.register),
a lead's conversion (leads.conversion) and the deal import (imports.rules) all call it.

A partner never learns who holds a protected customer: only "already protected until DATE".
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal

import sqlalchemy as sa
from sqlmodel import Session, col, func, select

from ...models import (
    Approval,
    Deal,
    OrgKind,
    Outcome,
    Partnership,
    PartnershipStatus,
    ProviderCustomer,
)
from .. import customers, partnerships
from ..core import inputs
from ..core.actor import Actor
from ..core.errors import Invalid, NotAllowed, NotFound
from ..customers.keys import customer_keys, domain_key
from . import places
from . import registration_rules as rules
from .registration_rules import Rule

NOT_VISIBLE = "That organization does not exist or is not visible to you."


@dataclass(frozen=True, slots=True)
class Verdict:
    """One rule's verdict on a registration: `label` says what the rule is ("Territory")."""

    rule: str
    label: str
    passed: bool
    hard: bool
    message: str


@dataclass(frozen=True, slots=True)
class Facts:
    """What the rules look at in a registration (values that are not valid count as missing)."""

    company: str = ""
    contact_email: str = ""
    amount: Decimal | None = None
    country: str = ""
    region: str = ""
    product_ids: tuple[int, ...] = ()
    filled: frozenset[str] = field(default_factory=frozenset)

    @property
    def keys(self) -> tuple[str, str]:
        """(company_norm, email_domain), as the conflict check keys a customer."""
        return customer_keys(self.company, self.contact_email)


@dataclass(slots=True)
class Program:
    """A provider's rules in force, read once (an import checks many rows against them)."""

    provider_org_id: int
    rules: list[Rule]
    # Open registrations counted by partner (filled as asked).
    open_counts: dict[int, int] = field(default_factory=dict)
    # The provider's customer list as (names, domains), once read (an import reads it once).
    customer_list: tuple[set[str], set[str]] | None = None


def program_of(session: Session, provider_org_id: int) -> Program:
    return Program(
        provider_org_id, [r for r in rules.rules_of(session, provider_org_id) if r.enabled]
    )


def check(session: Session, *, actor: Actor, other_org_id: object, form: object) -> list[Verdict]:
    """The verdict of each rule in force on a registration being filled in (the deal form's
    fields; any may be missing or not valid yet): a consultant's with a provider it may register
    deals with, or a provider's for one of its active partners."""
    provider_id, partner_id = parties(session, actor=actor, other_org_id=other_org_id)
    return evaluate(
        session, program_of(session, provider_id), partner_org_id=partner_id, facts=facts_of(form)
    )


def parties(session: Session, *, actor: Actor, other_org_id: object) -> tuple[int, int]:
    """(provider, partner) of a registration by the actor with the organization across."""
    other = inputs.record_id(other_org_id, what="organization")
    if actor.org_kind == OrgKind.CONSULTANT:
        if not partnerships.can_submit_to(
            session, consultant_org_id=actor.org_id, provider_org_id=other
        ):
            raise NotFound(NOT_VISIBLE)
        return other, actor.org_id
    if actor.org_kind == OrgKind.PROVIDER:
        active = session.exec(
            select(Partnership.id).where(
                Partnership.provider_org_id == actor.org_id,
                Partnership.consultant_org_id == other,
                Partnership.status == PartnershipStatus.ACTIVE,
            )
        ).first()
        if active is None:
            raise NotFound(NOT_VISIBLE)
        return actor.org_id, other
    raise NotAllowed("Your organization cannot register deals.")


def enforce(
    session: Session,
    *,
    provider_org_id: int,
    partner_org_id: int,
    facts: Facts,
    program: Program | None = None,
) -> list[Verdict]:
    """Refuse a registration on its first failing hard rule (Invalid with that rule's message,
    naming the form field concerned); else the verdicts (soft ones may have failed)."""
    program = program or program_of(session, provider_org_id)
    found = evaluate(session, program, partner_org_id=partner_org_id, facts=facts)
    if refusal := first_refusal(found, facts, program):
        raise refusal
    return found


def first_refusal(verdicts: list[Verdict], facts: Facts, program: Program) -> Invalid | None:
    """The refusal of the first failing hard rule, if any, naming the form field concerned."""
    failed = next((v for v in verdicts if v.hard and not v.passed), None)
    if failed is None:
        return None
    name = rules.BY_RULE[failed.rule].field
    if failed.rule == rules.REQUIRED:
        wanted = next(r.fields for r in program.rules if r.rule == rules.REQUIRED)
        name = next((f for f in wanted if f not in facts.filled), name)
    return Invalid(failed.message, field=name)


def evaluate(
    session: Session, program: Program, *, partner_org_id: int, facts: Facts
) -> list[Verdict]:
    """Each rule in force on the facts, in the rules' order."""
    return [_verdict(session, program, rule, partner_org_id, facts) for rule in program.rules]


def facts_of(form: object) -> Facts:
    """The facts of a deal form as sent (lenient: a value not valid yet counts as missing)."""
    form = form if isinstance(form, dict) else {}
    company = _text(form.get("company"))
    email = _text(form.get("contact_email")).lower()
    try:
        amount: Decimal | None = inputs.amount(form.get("amount", ""), zero=True)
    except Invalid:
        amount = None
    country = _lenient(places.country, form.get("country"))
    try:
        region = places.region(form.get("region"), country_code=country)
    except Invalid:
        region = ""
    products = form.get("product_ids")
    ids: list[int] = []
    if isinstance(products, list | tuple):
        for value in products[:50]:
            try:
                ids.append(inputs.record_id(value, what="product"))
            except NotFound:
                continue
    values = {
        "contact_name": _text(form.get("contact_name")),
        "contact_email": email,
        "amount": amount if amount else None,
        "close_date": _text(form.get("close_date")),
        "country": country,
        "region": region,
        "product_ids": ids,
    }
    return Facts(
        company=company,
        contact_email=email,
        amount=amount,
        country=country,
        region=region,
        product_ids=tuple(ids),
        filled=frozenset(name for name, value in values.items() if value),
    )


def facts_from(
    *,
    company: str,
    contact_email: str,
    amount: Decimal,
    country: str,
    region: str,
    product_ids: list[int] | tuple[int, ...] = (),
    contact_name: str = "",
    close_date: object = None,
) -> Facts:
    """The facts of validated values (a registration, a conversion, an imported row)."""
    values = {
        "contact_name": contact_name,
        "contact_email": contact_email,
        "amount": amount if amount else None,
        "close_date": close_date,
        "country": country,
        "region": region,
        "product_ids": list(product_ids),
    }
    return Facts(
        company=company,
        contact_email=contact_email,
        amount=amount,
        country=country,
        region=region,
        product_ids=tuple(product_ids),
        filled=frozenset(name for name, value in values.items() if value),
    )


def held_until(
    session: Session, *, provider_org_id: int, partner_org_id: int, facts: Facts
) -> datetime | None:
    """Until when another partner of the provider holds this customer (None: nobody)."""
    company_norm, email_domain = facts.keys
    if not company_norm and not domain_key(email_domain):
        return None
    found = customers.conflicts(
        session,
        provider_org_id=provider_org_id,
        company_norm=company_norm,
        email_domain=email_domain,
        exclude_partner_org_id=partner_org_id,
    )
    return max((c.protected_until for c in found), default=None)


# each rule -----------------------------------------------------------------------------------


def _verdict(
    session: Session,
    program: Program,
    rule: Rule,
    partner_org_id: int,
    facts: Facts,
) -> Verdict:
    message = rule.shown
    if rule.rule == rules.TERRITORY:
        passed = facts.country in rule.countries or facts.region in rule.regions
    elif rule.rule == rules.MIN_AMOUNT:
        passed = (
            facts.amount is not None and rule.amount is not None and facts.amount >= rule.amount
        )
    elif rule.rule == rules.MAX_AMOUNT:
        passed = (
            facts.amount is not None and rule.amount is not None and facts.amount <= rule.amount
        )
    elif rule.rule == rules.PRODUCTS:
        passed = bool(set(facts.product_ids) & set(rule.product_ids))
    elif rule.rule == rules.NOT_CUSTOMER:
        passed = not _a_customer(session, program, facts)
    elif rule.rule == rules.OPEN_CAP:
        passed = _under_cap(session, program, rule, partner_org_id)
    elif rule.rule == rules.REQUIRED:
        passed = all(f in facts.filled for f in rule.fields)
    else:  # protection
        until = held_until(
            session,
            provider_org_id=program.provider_org_id,
            partner_org_id=partner_org_id,
            facts=facts,
        )
        passed = until is None
        message = (
            rules.NOT_PROTECTED
            if until is None
            else rules.PROTECTED.format(date=until.date().isoformat())
        )
    return Verdict(rule.rule, rule.label, passed, rule.hard, message)


def _a_customer(session: Session, program: Program, facts: Facts) -> bool:
    company_norm, email_domain = facts.keys
    domain = domain_key(email_domain)
    if program.customer_list is not None:
        names, domains = program.customer_list
        return bool(company_norm and company_norm in names) or bool(domain and domain in domains)
    matches = []
    if company_norm:
        matches.append(col(ProviderCustomer.name_norm) == company_norm)
    if domain:
        matches.append(col(ProviderCustomer.domain) == domain)
    if not matches:
        return False
    found = session.exec(
        select(ProviderCustomer.id).where(
            ProviderCustomer.provider_org_id == program.provider_org_id, sa.or_(*matches)
        )
    ).first()
    return found is not None


def read_customer_list(session: Session, program: Program) -> None:
    """Read the provider's customer list once, for many checks (an import's rows)."""
    rows = session.exec(
        select(ProviderCustomer.name_norm, ProviderCustomer.domain).where(
            ProviderCustomer.provider_org_id == program.provider_org_id
        )
    ).all()
    program.customer_list = ({n for n, _ in rows if n}, {d for _, d in rows if d})


def _under_cap(session: Session, program: Program, rule: Rule, partner_org_id: int) -> bool:
    tier = rules.tier_of(session, program.provider_org_id, partner_org_id)
    limit = rule.limits.get(str(tier)) if tier is not None else None
    if limit is None:
        limit = rule.limits.get("")
    if limit is None:
        return True  # no cap for this partner's tier
    if partner_org_id not in program.open_counts:
        program.open_counts[partner_org_id] = session.exec(
            select(func.count())
            .select_from(Deal)
            .where(
                Deal.provider_org_id == program.provider_org_id,
                Deal.partner_org_id == partner_org_id,
                Deal.outcome == Outcome.OPEN,
                col(Deal.approval).in_([Approval.PENDING, Approval.APPROVED]),
            )
        ).one()
    return program.open_counts[partner_org_id] < limit


def _text(value: object) -> str:
    return value.strip()[:254] if isinstance(value, str) else ""


def _lenient(check: Callable[[object], str], value: object) -> str:
    try:
        return check(value)
    except Invalid:
        return ""
