"""services.program.locator: partners opt in on their provider's locator, visitors filter it
and contact a partner (a referral from the provider to that partner, both sides told)."""

from datetime import timedelta

import pytest
from argon2 import PasswordHasher
from sqlmodel import select

from prm_app.models import (
    Lead,
    LeadDirection,
    LeadRecipient,
    LeadSource,
    Notification,
    OrgKind,
    Partnership,
    Role,
    TaxonomyTerm,
    TermKind,
    utcnow,
)
from prm_app.services import partnerships, program
from prm_app.services.core import public_forms
from prm_app.services.core.errors import Invalid, NotAllowed, NotFound
from prm_app.services.identity import auth
from prm_app.services.identity.rate_limits import TooMany
from prm_app.services.program import locator
from tests.unit.factories import colleague, org_admin, partners

VISITOR = {
    "first_name": "Vic",
    "last_name": "Tor",
    "email": "vic@tailspin.example",
    "company": "Tailspin Toys",
    "notes": "We need help with a rollout.",
}


@pytest.fixture(autouse=True)
def _cheap_password_hashing(monkeypatch):
    monkeypatch.setattr(auth, "_hasher", PasswordHasher(time_cost=1, memory_cost=8, parallelism=1))


@pytest.fixture
def provider(session):
    admin = org_admin(session, kind=OrgKind.PROVIDER, org_name="Northwind")
    program.set_program(
        session, actor=admin, slug="northwind", applications_open=False, locator_published=True
    )
    for name in ("Analytics", "Payments"):
        session.add(TaxonomyTerm(org_id=admin.org_id, kind=TermKind.PRODUCT, name=name))
    session.flush()
    return admin


def _term(session, org_id, kind, name):
    return session.exec(
        select(TaxonomyTerm.id).where(
            TaxonomyTerm.org_id == org_id, TaxonomyTerm.kind == kind, TaxonomyTerm.name == name
        )
    ).one()


def _partner(session, provider, name, *, tier=None, country="Ireland", products=(), listed=True):
    firm = org_admin(session, kind=OrgKind.CONSULTANT, org_name=name)
    partners(session, provider, firm)
    partnership = session.exec(
        select(Partnership).where(Partnership.consultant_org_id == firm.org_id)
    ).one()
    if tier:
        partnership.partner_tier_id = _term(session, provider.org_id, TermKind.PARTNER_TIER, tier)
        session.add(partnership)
    program.save_listing(
        session,
        actor=firm,
        partnership_id=partnership.id,
        published=listed,
        description=f"{name} does good work.",
        website=f"https://{name.lower()}.example",
        country=country,
        product_ids=[_term(session, provider.org_id, TermKind.PRODUCT, p) for p in products],
    )
    return firm, partnership


def _names(page):
    return [p.name for p in page.partners]


def test_only_partners_who_opted_in_are_listed_and_filters_apply(session, provider):
    _partner(session, provider, "Fabrikam", tier="Gold", products=["Analytics"])
    _partner(session, provider, "Litware", tier="Silver", country="France", products=["Payments"])
    _partner(session, provider, "Hidden", listed=False)
    page = program.locator_page(session, slug="northwind")
    assert _names(page) == ["Fabrikam", "Litware"]
    assert page.countries == ["France", "Ireland"]
    gold = _term(session, provider.org_id, TermKind.PARTNER_TIER, "Gold")
    payments = _term(session, provider.org_id, TermKind.PRODUCT, "Payments")
    assert _names(program.locator_page(session, slug="northwind", filters={"tier": str(gold)})) == [
        "Fabrikam"
    ]
    by_product = program.locator_page(session, slug="northwind", filters={"product": str(payments)})
    assert _names(by_product) == ["Litware"]
    assert by_product.partners[0].products == ["Payments"]
    assert _names(
        program.locator_page(session, slug="northwind", filters={"country": "ireland"})
    ) == ["Fabrikam"]
    # a choice that is not one of the page's filters nothing
    assert _names(
        program.locator_page(session, slug="northwind", filters={"tier": "999", "x": "1"})
    ) == ["Fabrikam", "Litware"]


def test_an_ended_partnership_or_an_unpublished_locator_shows_nothing(session, provider):
    _, partnership = _partner(session, provider, "Fabrikam")
    partnerships.end(session, actor=provider, partnership_id=partnership.id)
    assert _names(program.locator_page(session, slug="northwind")) == []
    program.set_program(
        session, actor=provider, slug="northwind", applications_open=True, locator_published=False
    )
    with pytest.raises(NotFound):
        program.locator_page(session, slug="northwind")


def test_only_the_firms_admins_edit_its_listing_with_the_providers_products(session, provider):
    firm, partnership = _partner(session, provider, "Fabrikam")
    member = colleague(session, firm, role=Role.MANAGER)
    form = program.my_listing(session, actor=member, partnership_id=partnership.id)
    assert (form.published, form.can_edit, form.locator_on) == (True, False, True)
    assert [name for _, name in form.products] == ["Analytics", "Payments"]
    args = {
        "partnership_id": partnership.id,
        "published": True,
        "description": "x",
        "website": "",
        "country": "",
    }
    with pytest.raises(NotAllowed):
        program.save_listing(session, actor=member, product_ids=[], **args)
    other = org_admin(session, kind=OrgKind.PROVIDER)
    foreign = TaxonomyTerm(org_id=other.org_id, kind=TermKind.PRODUCT, name="Theirs")
    session.add(foreign)
    session.flush()
    with pytest.raises(Invalid, match="provider's list"):
        program.save_listing(session, actor=firm, product_ids=[foreign.id], **args)
    with pytest.raises(Invalid) as refused:
        program.save_listing(
            session, actor=firm, product_ids=[], **{**args, "description": "", "website": "ftp:x"}
        )
    assert set(refused.value.problems) == {"description", "website"}
    stranger = org_admin(session, kind=OrgKind.CONSULTANT)
    with pytest.raises(NotFound):
        program.my_listing(session, actor=stranger, partnership_id=partnership.id)


def _contact(session, listing_id, values=None, *, client="203.0.113.9"):
    served_at = utcnow() - public_forms.MIN_FILL - timedelta(seconds=5)
    served = program.locator_page(session, slug="northwind", now=served_at).served
    form = {**VISITOR, **(values or {}), public_forms.SERVED: served}
    return program.contact(
        session, slug="northwind", listing_id=listing_id, form=form, client=client
    )


def test_contacting_a_partner_sends_the_provider_s_referral_and_tells_both(session, provider):
    firm, partnership = _partner(session, provider, "Fabrikam")
    manager = colleague(session, provider, role=Role.MANAGER)
    partnership.partner_manager_id = manager.user_id
    session.add(partnership)
    listing_id = program.locator_page(session, slug="northwind").partners[0].listing_id
    lead_id = _contact(session, listing_id)
    lead = session.get(Lead, lead_id)
    assert (lead.direction, lead.origin_org_id, lead.owner_id, lead.source) == (
        LeadDirection.PROVIDER_TO_PARTNER,
        provider.org_id,
        manager.user_id,
        LeadSource.WEB_FORM,
    )
    assert session.exec(
        select(LeadRecipient.org_id).where(LeadRecipient.lead_id == lead_id)
    ).all() == [firm.org_id]
    told = session.exec(select(Notification.user_id, Notification.kind)).all()
    assert (manager.user_id, "locator_contact") in told
    assert (firm.user_id, "lead_received") in told


def test_contact_refuses_bots_bad_input_other_listings_and_floods(session, provider):
    _, partnership = _partner(session, provider, "Fabrikam")
    listing_id = program.locator_page(session, slug="northwind").partners[0].listing_id
    assert _contact(session, listing_id, {public_forms.HONEYPOT: "x"}) is None
    with pytest.raises(Invalid):
        _contact(session, listing_id, {"email": "nope"}, client="198.51.100.5")
    other = org_admin(session, kind=OrgKind.PROVIDER)
    program.set_program(
        session, actor=other, slug="other", applications_open=False, locator_published=True
    )
    theirs = _partner(session, other, "Elsewhere")[1]
    their_listing = program.locator_page(session, slug="other").partners[0].listing_id
    assert their_listing != listing_id and theirs.id != partnership.id
    for target in (their_listing, "abc", -1, 10**12):
        with pytest.raises(NotFound):
            _contact(session, target)
    for _ in range(locator.PER_CLIENT.count):
        _contact(session, listing_id, client="192.0.2.1")
    with pytest.raises(TooMany):
        _contact(session, listing_id, client="192.0.2.1")
    assert session.exec(select(Lead)).all() and all(
        lead.origin_org_id == provider.org_id for lead in session.exec(select(Lead)).all()
    )
