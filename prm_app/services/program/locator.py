"""The partner locator: a provider's optional public page listing the partners who opted in.

A consultant's admins opt in per provider (a short public description, a website, a country and
which of the provider's products they cover). Visitors filter by tier, type, product and
country, and may contact a partner: the message becomes a referral from the provider to that
partner (services.leads, like a web-to-lead form's), owned by the partner's manager at the
provider (or its first admin), and both sides are told. The contact form has the public forms'
defenses (services.core.public_forms) and rate limits per client address and per program.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlmodel import Session, col, select

from ...models import (
    FieldType,
    Lead,
    LeadSource,
    LocatorListing,
    Membership,
    Organization,
    OrgKind,
    OrgSettings,
    Partnership,
    PartnershipStatus,
    Role,
    TermKind,
    User,
    utcnow,
)
from .. import custom_fields as cf
from .. import leads
from ..core import activity, changes, channel, inputs, public_forms
from ..core.actor import Actor
from ..core.errors import Invalid, NotFound
from ..identity import rate_limits
from ..notifications.delivery import notify
from ..partnerships.common import load
from .settings import OpenProgram, open_program, terms

MAX_DESCRIPTION = 500
MAX_COUNTRY = 100
PER_CLIENT = rate_limits.Limit("locator_client", 5, timedelta(minutes=10))
PER_PROGRAM = rate_limits.Limit("locator_program", 100, timedelta(minutes=10))
NOT_LISTED = "That partner is not listed here."
CONTACT_FIELDS = {"first_name", "last_name", "email", "company", "phone", "notes"}


@dataclass(frozen=True, slots=True)
class ListingForm:
    """A consultant's entry on one provider's locator, as its form shows it."""

    partnership_id: int
    provider_name: str
    published: bool
    description: str
    website: str
    country: str
    product_ids: list[int]
    products: list[tuple[int, str]]  # the provider's products to choose from
    locator_on: bool  # the provider publishes its locator
    can_edit: bool  # the caller is an admin and the partnership is active


@dataclass(frozen=True, slots=True)
class PublicPartner:
    listing_id: int
    name: str
    tier: str
    partner_type: str
    description: str
    website: str
    country: str
    products: list[str]


@dataclass(frozen=True, slots=True)
class LocatorPage:
    slug: str
    provider_name: str
    partners: list[PublicPartner]
    tiers: list[tuple[int, str]]
    types: list[tuple[int, str]]
    products: list[tuple[int, str]]
    countries: list[str]
    chosen: dict[str, str]  # the filters applied, as the page's form sends them back
    served: str


# the consultant's admins -----------------------------------------------------------------------


def my_listing(session: Session, *, actor: Actor, partnership_id: object) -> ListingForm:
    """The caller's entry on this provider's locator (any member reads it)."""
    actor.require_kind(OrgKind.CONSULTANT)
    partnership = load(session, actor, partnership_id)
    listing = _listing_of(session, partnership)
    provider = session.get(Organization, partnership.provider_org_id)
    settings = open_settings(session, partnership.provider_org_id)
    return ListingForm(
        partnership_id=partnership.id or 0,
        provider_name=provider.name if provider else "",
        published=listing.published,
        description=listing.description,
        website=listing.website,
        country=listing.country,
        product_ids=[int(p) for p in listing.product_ids],
        products=terms(session, partnership.provider_org_id, TermKind.PRODUCT),
        locator_on=settings,
        can_edit=actor.is_admin and partnership.status == PartnershipStatus.ACTIVE,
    )


def save_listing(
    session: Session,
    *,
    actor: Actor,
    partnership_id: object,
    published: object,
    description: object,
    website: object,
    country: object,
    product_ids: object,
) -> None:
    """Opt in (or out) of the provider's locator and say what it shows. The firm's admins, on
    an active partnership."""
    actor.require_kind(OrgKind.CONSULTANT)
    actor.require_admin()
    partnership = load(session, actor, partnership_id)
    if partnership.status != PartnershipStatus.ACTIVE:
        raise Invalid("Only an active partnership can be listed.")
    if not isinstance(published, bool):
        raise Invalid("Choose whether to be listed.", field="published")
    values = inputs.every_field(
        {
            "description": lambda: inputs.text(
                description,
                field="description",
                label="Description",
                max_len=MAX_DESCRIPTION,
                required=published,
            ),
            "website": lambda: (
                cf.parse(FieldType.URL, website, label="Website", options=[], field="website") or ""
            ),
            "country": lambda: inputs.text(
                country, field="country", label="Country", max_len=MAX_COUNTRY, required=False
            ),
            "product_ids": lambda: _products(session, partnership.provider_org_id, product_ids),
        }
    )
    listing = _listing_of(session, partnership)
    before = _state(listing)
    listing.published = published
    listing.description = str(values["description"])
    listing.website = str(values["website"])
    listing.country = str(values["country"])
    listing.product_ids = list(values["product_ids"])  # type: ignore[call-overload]
    listing.updated_at = utcnow()
    session.add(listing)
    session.flush()
    if _state(listing) != before:
        activity.record(
            session,
            actor=actor,
            subject=listing,
            action="listed",
            before=before,
            after=_state(listing),
        )
        changes.touched(session, changes.Topic.PARTNERS, partnership.provider_org_id, actor.org_id)


# the public ------------------------------------------------------------------------------------


def page_name(slug: str) -> str:
    return f"partners/{slug}"


def locator_page(
    session: Session, *, slug: object, filters: object = None, now: datetime | None = None
) -> LocatorPage:
    """The published locator at `slug` (NotFound otherwise), filtered by tier, type, product
    and country (a filter that is not one of the choices is ignored)."""
    program = open_program(session, slug, locator=True)
    chosen = {
        k: v.strip()
        for k, v in (filters.items() if isinstance(filters, dict) else ())
        if k in ("tier", "type", "product", "country") and isinstance(v, str) and v.strip()
    }
    tiers = terms(session, program.org_id, TermKind.PARTNER_TIER)
    types = terms(session, program.org_id, TermKind.PARTNER_TYPE)
    products = terms(session, program.org_id, TermKind.PRODUCT)
    names = dict(tiers) | dict(types) | dict(products)
    everyone = _listed(session, program.org_id, names, dict(products))
    countries = sorted({p.country for p, _ in everyone if p.country}, key=str.casefold)
    shown = [
        p
        for p, (tier_id, type_id, product_ids) in everyone
        if _chosen(chosen.get("tier"), tier_id, tiers)
        and _chosen(chosen.get("type"), type_id, types)
        and (not _known(chosen.get("product"), products) or int(chosen["product"]) in product_ids)
        and (
            chosen.get("country", "").casefold() not in {c.casefold() for c in countries}
            or p.country.casefold() == chosen["country"].casefold()
        )
    ]
    at = int((now or utcnow()).timestamp())
    served = public_forms.served_stamp(program.stamp_key, page_name(program.slug), at)
    return LocatorPage(
        program.slug, program.name, shown, tiers, types, products, countries, chosen, served
    )


def contact_page(
    session: Session, *, slug: object, listing_id: object, now: datetime | None = None
) -> tuple[PublicPartner, str]:
    """A listed partner and the signed time its contact form is served `now`."""
    program = open_program(session, slug, locator=True)
    at = int((now or utcnow()).timestamp())
    served = public_forms.served_stamp(program.stamp_key, page_name(program.slug), at)
    return _listed_on(session, program, listing_id), served


def contact(
    session: Session,
    *,
    slug: object,
    listing_id: object,
    form: object,
    client: str,
    now: datetime | None = None,
) -> int | None:
    """A visitor's message to a listed partner: the referral's lead id, or None for a bot.
    Raises TooMany past the limits, Invalid for bad input, NotFound for an unlisted partner."""
    program = open_program(session, slug, locator=True)
    partner = _listed_on(session, program, listing_id)
    now = now or utcnow()
    values = form if isinstance(form, dict) else {}
    rate_limits.spend(PER_CLIENT, public_forms.client_hash(page_name(program.slug), client))
    paced = public_forms.at_a_persons_pace(
        program.stamp_key, page_name(program.slug), values.get(public_forms.SERVED), now
    )
    if values.get(public_forms.HONEYPOT) or not paced:
        return None
    rate_limits.spend(PER_PROGRAM, program.org_id)
    data = leads.lead_input({k: v for k, v in values.items() if k in CONTACT_FIELDS})
    partnership = session.exec(
        select(Partnership)
        .join(LocatorListing, col(LocatorListing.partnership_id) == Partnership.id)
        .where(LocatorListing.id == partner.listing_id)
    ).one()
    owner = _owner(session, program, partnership.partner_manager_id)
    lead_id, _ = leads.create_and_submit(  # the public fills no custom field: none required
        session,
        actor=owner,
        data=data,
        owner_id=owner.user_id,
        recipient_org_ids=[partnership.consultant_org_id],
        check_required=False,
    )
    lead = session.get(Lead, lead_id)
    assert lead is not None
    lead.source = LeadSource.WEB_FORM
    session.add(lead)
    notify(  # the partner hears of the referral from services.leads, the provider here
        session,
        org_id=program.org_id,
        user_ids=[owner.user_id],
        kind="locator_contact",
        text=f"{data.company} contacted {partner.name} through your partner locator.",
        link=f"/p/referrals/{lead_id}",
    )
    return lead_id


# helpers ---------------------------------------------------------------------------------------


def _listed_on(session: Session, program: OpenProgram, listing_id: object) -> PublicPartner:
    listing_id = inputs.record_id(listing_id, what="partner")
    names = dict(terms(session, program.org_id, TermKind.PARTNER_TIER))
    names |= dict(terms(session, program.org_id, TermKind.PARTNER_TYPE))
    products = dict(terms(session, program.org_id, TermKind.PRODUCT))
    for partner, _ in _listed(session, program.org_id, names, products, listing_id=listing_id):
        return partner
    raise NotFound(NOT_LISTED)


def open_settings(session: Session, provider_id: int) -> bool:
    """Whether the provider publishes its locator."""
    row = session.get(OrgSettings, provider_id)
    return bool(row and row.locator_published and row.program_slug)


def _listing_of(session: Session, partnership: Partnership) -> LocatorListing:
    listing = session.exec(
        select(LocatorListing).where(LocatorListing.partnership_id == partnership.id)
    ).first()
    return listing or LocatorListing(
        partnership_id=partnership.id or 0, provider_org_id=partnership.provider_org_id
    )


def _listed(
    session: Session,
    provider_id: int,
    names: dict[int, str],
    products: dict[int, str],
    *,
    listing_id: int | None = None,
) -> list[tuple[PublicPartner, tuple[int | None, int | None, list[int]]]]:
    """The published listings of the provider's active partners, by name."""
    query = (
        select(LocatorListing, Partnership, Organization.name)
        .join(Partnership, col(Partnership.id) == LocatorListing.partnership_id)
        .join(Organization, col(Organization.id) == Partnership.consultant_org_id)
        .where(
            LocatorListing.provider_org_id == provider_id,
            Partnership.provider_org_id == provider_id,
            col(LocatorListing.published).is_(True),
            Partnership.status == PartnershipStatus.ACTIVE,
        )
        .order_by(col(Organization.name), col(LocatorListing.id))
    )
    if listing_id is not None:
        query = query.where(LocatorListing.id == listing_id)
    found = []
    for listing, partnership, name in session.exec(query).all():
        covered = [int(p) for p in listing.product_ids if int(p) in products]
        partner = PublicPartner(
            listing_id=listing.id or 0,
            name=name,
            tier=names.get(partnership.partner_tier_id or 0, ""),
            partner_type=names.get(partnership.partner_type_id or 0, ""),
            description=listing.description,
            website=listing.website,
            country=listing.country,
            products=[products[p] for p in covered],
        )
        found.append((partner, (partnership.partner_tier_id, partnership.partner_type_id, covered)))
    return found


def _known(value: str | None, choices: list[tuple[int, str]]) -> bool:
    return value is not None and value.isdigit() and int(value) in dict(choices)


def _chosen(value: str | None, term_id: int | None, choices: list[tuple[int, str]]) -> bool:
    """Whether a partner passes one term filter (an unknown choice filters nothing)."""
    return not _known(value, choices) or term_id == int(value or 0)


def _products(session: Session, provider_id: int, value: object) -> list[int]:
    if not isinstance(value, list | tuple):
        raise Invalid("Choose the products you cover.", field="product_ids")
    offered = dict(terms(session, provider_id, TermKind.PRODUCT))
    chosen = set()
    for item in value:
        try:
            product_id = inputs.record_id(item, what="product")
        except NotFound:
            product_id = 0
        if product_id not in offered:
            raise Invalid("Choose the products from the provider's list.", field="product_ids")
        chosen.add(product_id)
    return sorted(chosen)


def _owner(session: Session, program: OpenProgram, manager_id: int | None) -> Actor:
    """Who the referral is sent as: the partner's manager at the provider while an active
    member, else the provider's first active admin."""
    query = (
        select(User, Membership.role)
        .join(Membership, col(Membership.user_id) == User.id)
        .where(
            Membership.org_id == program.org_id,
            col(Membership.is_active).is_(True),
            col(User.is_active).is_(True),
        )
    )
    row = None
    if manager_id is not None:
        row = session.exec(query.where(User.id == manager_id)).first()
    if row is None:
        row = session.exec(
            query.where(Membership.role == Role.ADMIN).order_by(col(Membership.id))
        ).first()
    if row is None:
        raise NotFound(NOT_LISTED)
    user, role = row
    assert user.id is not None
    return Actor(
        *(user.id, program.org_id, OrgKind.PROVIDER, role, user.name, user.email, program.name),
        via=channel.public_form("partner locator"),
    )


def _state(listing: LocatorListing) -> dict:
    return {
        "published": listing.published,
        "description": listing.description,
        "website": listing.website,
        "country": listing.country,
        "product_ids": list(listing.product_ids),
    }
