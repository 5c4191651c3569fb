"""Customers protected for another partner, as a lead's provider and its consultant see them."""

from datetime import datetime

from sqlmodel import Session, col, func, select

from ...models import Deal, Lead, LeadRecipient, Organization, OrgKind, utcnow
from .. import customers
from ..core.actor import Actor
from ..customers import Conflict
from .access import own_lead
from .details import detail


def conflicts_for(session: Session, *, actor: Actor, lead_id: object) -> list[Conflict]:
    """For a provider deciding on a lead (or sending a referral): the same customer's deals
    protected for other partners, to compare side by side. A consultant is never told who."""
    seen = detail(session, actor=actor, lead_id=lead_id)
    if actor.org_kind != OrgKind.PROVIDER:
        return []
    lead = session.get(Lead, seen.id)
    exclude = lead.origin_org_id if seen.side == "recipient" else 0
    found = customers.find_conflicts(
        session, [actor.org_id], lead.company_norm, lead.email_domain, exclude
    )
    return found.get(actor.org_id, [])


def protection_notice(
    session: Session, *, actor: Actor, lead_id: object
) -> list[tuple[str, datetime]]:
    """For the submitting consultant: (provider name, protected until) where the customer is
    already protected for another partner. Never says who holds it."""
    actor.require_kind(OrgKind.CONSULTANT)
    lead = own_lead(session, actor, lead_id)
    if not (lead.company_norm or customers.domain_key(lead.email_domain)):
        return []
    now = utcnow()
    rows = session.exec(
        select(Organization.name, func.max(Deal.protected_until))
        .select_from(LeadRecipient)
        .join(Organization, col(Organization.id) == LeadRecipient.org_id)
        .join(Deal, col(Deal.provider_org_id) == LeadRecipient.org_id)
        .where(
            LeadRecipient.lead_id == lead.id,
            *customers.protected(now, lead.company_norm, lead.email_domain, actor.org_id),
        )
        .group_by(LeadRecipient.org_id, Organization.name)
        .order_by(func.lower(Organization.name))
    ).all()
    return [(name, until) for name, until in rows]
