"""An accepted lead turned into a deal."""

from decimal import Decimal

from sqlmodel import Session, col, select

from ...models import DealProduct, LeadDirection, TaxonomyTerm, TermKind, utcnow
from .. import notifications
from ..core import activity, inputs
from ..core.actor import Actor
from ..core.errors import Invalid, NotFound
from ..deals import builder, custom, eligibility, places
from .access import CLOSED, Status, either_side, provider_of, require_partnership, touched
from .audit import recipient_state

MAX_PRODUCTS = 20
NOT_A_PRODUCT = "Choose products from the provider's list."


def convert(
    session: Session,
    *,
    actor: Actor,
    recipient_id: object,
    amount: object,
    close_date: object = None,
    country: object = None,
    region: object = None,
    product_ids: object = (),
    custom_values: object = None,
    custom_named_by: str = "id",
) -> int:
    """Turn an accepted lead into a deal (either side may); returns the deal id.

    A consultant's lead becomes a deal registration awaiting the provider's approval; a referral
    converted by its provider is approved and protected at once. The customer's country and
    region and the products named are optional, checked as the deal form checks them. A lead's
    conversion is a registration: the provider's registration rules apply (not to a referral,
    whose customer the provider chose). `custom_values`: the deal fields the caller fills
    (services.deals.custom; the caller's required ones must be), told with the form's problems,
    named by field id or by key (`custom_named_by="key"`).
    """
    problems: Invalid | None = None
    try:
        amount = inputs.amount(amount)
        close_date = inputs.day(close_date, field="close_date", label="close date")
        country_code = places.country(country)
        region_code = places.region(region, country_code=country_code)
    except Invalid as error:  # told below, with the custom fields' problems
        problems = error
        amount, close_date, country_code, region_code = Decimal(0), None, "", ""
    recipient, lead, side = either_side(session, actor, recipient_id)
    if recipient.status != Status.ACCEPTED:
        raise Invalid(CLOSED[recipient.status])
    require_partnership(session, lead, recipient)
    provider_id = provider_of(lead, recipient)
    is_referral = lead.direction == LeadDirection.PROVIDER_TO_PARTNER
    partner_id = recipient.org_id if is_referral else lead.origin_org_id
    other_id = partner_id if actor.org_id == provider_id else provider_id
    fields = custom.fields_for_new(session, actor=actor, other_org_id=other_id)
    written = custom.check_new(fields, custom_values, problems=problems, named_by=custom_named_by)
    products = _products(session, provider_id, product_ids)
    if not is_referral:
        eligibility.enforce(
            session,
            provider_org_id=provider_id,
            partner_org_id=partner_id,
            facts=eligibility.facts_from(
                company=lead.company,
                contact_email=lead.email,
                amount=amount,
                country=country_code,
                region=region_code,
                product_ids=products,
                contact_name=f"{lead.first_name} {lead.last_name}".strip(),
                close_date=close_date,
            ),
        )
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
    session.add_all(
        DealProduct(deal_id=deal_id, product_id=p) for p in products if (deal_id := deal.id)
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
    custom.apply_new(session, actor=actor, deal=deal, written=written)
    notifications.lead_answered(
        session, actor=actor, lead=lead, recipient=recipient, action="converted"
    )
    return deal.id


def _products(session: Session, provider_id: int, value: object) -> list[int]:
    """The provider's active products named (all of them, else Invalid), as the deal form."""
    if value is None:
        value = []
    if not isinstance(value, list | tuple) or len(value) > MAX_PRODUCTS:
        raise Invalid(f"Choose at most {MAX_PRODUCTS} products.", field="product_ids")
    try:
        ids = list(dict.fromkeys(inputs.record_id(v, what="product") for v in value))
    except NotFound:
        raise Invalid(NOT_A_PRODUCT, field="product_ids") from None
    if not ids:
        return []
    found = session.exec(
        select(TaxonomyTerm.id).where(
            col(TaxonomyTerm.id).in_(ids),
            TaxonomyTerm.org_id == provider_id,
            TaxonomyTerm.kind == TermKind.PRODUCT,
            col(TaxonomyTerm.archived_at).is_(None),
        )
    ).all()
    if set(found) != set(ids):
        raise Invalid(NOT_A_PRODUCT, field="product_ids")
    return ids
