"""An accepted lead turned into a deal."""

from sqlmodel import Session

from ...models import LeadDirection, utcnow
from .. import notifications
from ..core import activity, inputs
from ..core.actor import Actor
from ..core.errors import Invalid
from ..deals import builder, places
from .access import CLOSED, Status, either_side, provider_of, require_partnership, touched
from .audit import recipient_state


def convert(
    session: Session,
    *,
    actor: Actor,
    recipient_id: object,
    amount: object,
    close_date: object = None,
    country: object = None,
    region: object = None,
) -> int:
    """Turn an accepted lead into a deal (either side may); returns the deal id.

    A consultant's lead becomes a deal registration awaiting the provider's approval; a referral
    converted by its provider is approved and protected at once. The customer's country and
    region are optional, checked as the deal form checks them.
    """
    amount = inputs.amount(amount)
    close_date = inputs.day(close_date, field="close_date", label="close date")
    country_code = places.country(country)
    region_code = places.region(region, country_code=country_code)
    recipient, lead, side = either_side(session, actor, recipient_id)
    if recipient.status != Status.ACCEPTED:
        raise Invalid(CLOSED[recipient.status])
    require_partnership(session, lead, recipient)
    provider_id = provider_of(lead, recipient)
    is_referral = lead.direction == LeadDirection.PROVIDER_TO_PARTNER
    partner_id = recipient.org_id if is_referral else lead.origin_org_id
    now = utcnow()
    contact = f"{lead.first_name} {lead.last_name}"
    deal = builder.build(
        session,
        actor=actor,
        provider_org_id=provider_id,
        partner_org_id=partner_id,
        approved=is_referral and actor.org_id == provider_id,
        now=now,
        name=f"{lead.company} \u2013 {contact}"[:200],
        company=lead.company,
        company_norm=lead.company_norm,
        email_domain=lead.email_domain,
        contact_name=contact[:200],
        contact_email=lead.email,
        amount=amount,
        close_date=close_date,
        provider_owner_id=lead.owner_id if is_referral else recipient.owner_id,
        partner_owner_id=recipient.owner_id if is_referral else lead.owner_id,
        source_recipient_id=recipient.id,
        country=country_code,
        region=region_code,
    )
    before = recipient_state(recipient)
    recipient.status = Status.CONVERTED
    touched(session, lead, recipient)
    recipient.converted_at = recipient.updated_at = now
    session.add(recipient)
    after = {
        **recipient_state(recipient),
        "deal_id": deal.id,
        "amount": str(amount),
        "currency": deal.currency,
        "approval": deal.approval,
    }
    activity.record(
        session,
        actor=actor,
        subject=recipient,
        action="converted",
        org_id=recipient.org_id,
        before=before,
        after=after,
    )
    activity.record(
        session,
        actor=actor,
        subject=lead,
        action="converted",
        org_id=lead.origin_org_id,
        after={"recipient_id": recipient.id, "deal_id": deal.id, "by": side},
    )
    activity.record(
        session,
        actor=actor,
        subject=deal,
        action="converted",
        after={"lead_id": lead.id, "amount": str(amount), "approval": deal.approval},
    )
    notifications.lead_answered(
        session, actor=actor, lead=lead, recipient=recipient, action="converted"
    )
    return deal.id
