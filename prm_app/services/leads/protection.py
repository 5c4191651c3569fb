"""Customers already protected for another partner of the same provider, as leads see them."""

from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Session, col, func, select

from ...models import (
    Approval,
    Deal,
    Lead,
    LeadDirection,
    LeadRecipient,
    Organization,
    OrgKind,
    Outcome,
    utcnow,
)
from ..core import inputs
from ..core.actor import Actor
from .access import own_lead
from .details import detail

FREE_MAIL_DOMAINS = frozenset(
    {
        "gmail.com",
        "googlemail.com",
        "outlook.com",
        "hotmail.com",
        "live.com",
        "msn.com",
        "yahoo.com",
        "icloud.com",
        "me.com",
        "aol.com",
        "proton.me",
        "protonmail.com",
        "gmx.com",
        "mail.com",
    }
)


@dataclass(frozen=True, slots=True)
class Conflict:
    """A customer already protected for another partner of the same provider."""

    deal_id: int
    partner_org_id: int
    partner_name: str
    company: str
    protected_until: datetime


def conflicts(
    session: Session,
    *,
    provider_org_id: object,
    company_norm: object,
    email_domain: object,
    exclude_partner_org_id: object,
) -> list[Conflict]:
    """The provider's customers protected for another partner matching the company or domain."""
    provider_org_id = inputs.record_id(provider_org_id, what="organization")
    exclude = inputs.record_id(exclude_partner_org_id, what="organization")
    company_norm = company_norm if isinstance(company_norm, str) else ""
    email_domain = email_domain if isinstance(email_domain, str) else ""
    found = find_conflicts(session, [provider_org_id], company_norm, email_domain, exclude)
    return found.get(provider_org_id, [])


def conflicts_for(session: Session, *, actor: Actor, lead_id: object) -> list[Conflict]:
    """For a provider deciding on a lead (or sending a referral): the same customer's deals
    protected for other partners, to compare side by side. A consultant is never told who."""
    seen = detail(session, actor=actor, lead_id=lead_id)
    if actor.org_kind != OrgKind.PROVIDER:
        return []
    lead = session.get(Lead, seen.id)
    exclude = lead.origin_org_id if seen.side == "recipient" else 0
    found = find_conflicts(session, [actor.org_id], lead.company_norm, lead.email_domain, exclude)
    return found.get(actor.org_id, [])


def protection_notice(
    session: Session, *, actor: Actor, lead_id: object
) -> list[tuple[str, datetime]]:
    """For the submitting consultant: (provider name, protected until) where the customer is
    already protected for another partner. Never says who holds it."""
    actor.require_kind(OrgKind.CONSULTANT)
    lead = own_lead(session, actor, lead_id)
    if not (lead.company_norm or domain_key(lead.email_domain)):
        return []
    now = utcnow()
    rows = session.exec(
        select(Organization.name, func.max(Deal.protected_until))
        .select_from(LeadRecipient)
        .join(Organization, col(Organization.id) == LeadRecipient.org_id)
        .join(Deal, col(Deal.provider_org_id) == LeadRecipient.org_id)
        .where(
            LeadRecipient.lead_id == lead.id,
            *protected(now, lead.company_norm, lead.email_domain, actor.org_id),
        )
        .group_by(LeadRecipient.org_id, Organization.name)
        .order_by(func.lower(Organization.name))
    ).all()
    return [(name, until) for name, until in rows]


def domain_key(email_domain: str) -> str:
    """The email domain as a conflict key ("" for free-mail domains)."""
    domain = email_domain.strip().lower()
    return "" if domain in FREE_MAIL_DOMAINS else domain


def protecting(now: datetime, exclude: int) -> list:
    """Conditions on Deal: it protects its customer now for a partner other than `exclude`."""
    return [
        Deal.partner_org_id != exclude,
        Deal.approval == Approval.APPROVED,
        col(Deal.outcome).in_([Outcome.OPEN, Outcome.WON]),
        col(Deal.protected_until) > now,
    ]


def protected(now: datetime, company_norm: str, email_domain: str, exclude: int) -> list:
    """Conditions on Deal: protected for a partner other than `exclude`, same customer."""
    same = []
    if company_norm:
        same.append(Deal.company_norm == company_norm)
    if domain := domain_key(email_domain):
        same.append(Deal.email_domain == domain)
    return [*protecting(now, exclude), sa.or_(*same) if same else sa.false()]


def find_conflicts(
    session: Session, provider_ids: list[int], company_norm: str, email_domain: str, exclude: int
) -> dict[int, list[Conflict]]:
    """Conflicts by provider id, for several providers in one query."""
    if not (company_norm or domain_key(email_domain)):
        return {}
    rows = session.exec(
        select(Deal, Organization.name)
        .join(Organization, col(Organization.id) == Deal.partner_org_id)
        .where(
            col(Deal.provider_org_id).in_(provider_ids),
            *protected(utcnow(), company_norm, email_domain, exclude),
        )
        .order_by(col(Deal.protected_until).desc(), col(Deal.id))
    )
    found: dict[int, list[Conflict]] = {}
    for deal, name in rows:
        found.setdefault(deal.provider_org_id, []).append(
            Conflict(deal.id, deal.partner_org_id, name, deal.company, deal.protected_until)
        )
    return found


def protected_elsewhere(session: Session, provider_id: int, lead_ids: list[int]) -> set[int]:
    """Of these leads received by the provider, those naming a customer protected for another
    partner (one query for a whole page)."""
    same_customer = sa.or_(
        sa.and_(Lead.company_norm != "", Deal.company_norm == Lead.company_norm),
        sa.and_(
            Lead.email_domain != "",
            col(Lead.email_domain).not_in(FREE_MAIL_DOMAINS),
            Deal.email_domain == Lead.email_domain,
        ),
    )
    held = (
        sa.exists()
        .where(
            Deal.provider_org_id == provider_id,
            Deal.partner_org_id != Lead.origin_org_id,
            Deal.approval == Approval.APPROVED,
            col(Deal.outcome).in_([Outcome.OPEN, Outcome.WON]),
            col(Deal.protected_until) > utcnow(),
            same_customer,
        )
        .correlate(Lead)
    )
    return set(
        session.exec(
            select(Lead.id).where(
                col(Lead.id).in_(lead_ids),
                Lead.direction == LeadDirection.PARTNER_TO_PROVIDER,
                held,
            )
        ).all()
    )
