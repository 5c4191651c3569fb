"""lead_forms: a provider's public form whose submissions become referrals to partners."""

from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import pytest
from argon2 import PasswordHasher
from sqlalchemy import create_engine
from sqlmodel import Session, col, select

from prm_app.models import (
    FormSubmission,
    Lead,
    LeadForm,
    LeadRecipient,
    Notification,
    OrgKind,
    Partnership,
    Role,
    TaxonomyTerm,
    TermKind,
    utcnow,
)
from prm_app.services import leads, partnerships
from prm_app.services.core.errors import Invalid, NotAllowed, NotFound
from prm_app.services.identity import auth, team
from prm_app.services.leads import forms as lead_forms
from prm_app.services.leads.forms import RateLimited
from tests.conftest import _postgres_server
from tests.support import migrate, scratch_postgres
from tests.unit.factories import colleague, org_admin, paced, partners

PERSON = {
    "first_name": "Lin",
    "last_name": "Webb",
    "email": "lin@webb.example",
    "company": "Webb & Co",
    "phone": "+1 555 0100",
    "notes": "Call me",
}


@pytest.fixture(autouse=True)
def _cheap_password_hashing(monkeypatch):
    monkeypatch.setattr(auth, "_hasher", PasswordHasher(time_cost=1, memory_cost=8, parallelism=1))


@pytest.fixture
def provider(session):
    return org_admin(session, kind=OrgKind.PROVIDER, org_name="Northwind")


def _partner(session, provider, tier: str | None = None):
    consultant = org_admin(session, kind=OrgKind.CONSULTANT)
    partners(session, provider, consultant)
    if tier is not None:
        partnership_id = session.exec(
            select(Partnership.id).where(Partnership.consultant_org_id == consultant.org_id)
        ).one()
        partnerships.categorize_partner(
            session,
            actor=provider,
            partnership_id=partnership_id,
            partner_type_id=None,
            partner_status_id=None,
            partner_tier_id=_tier(session, provider, tier),
            partner_group_id=None,
            partner_manager_id=None,
        )
    return consultant


def _tier(session, provider, name):
    return session.exec(
        select(TaxonomyTerm.id).where(
            TaxonomyTerm.org_id == provider.org_id,
            TaxonomyTerm.kind == TermKind.PARTNER_TIER,
            TaxonomyTerm.name == name,
        )
    ).one()


def _form(session, provider, **kwargs):
    form_id = lead_forms.create(
        session,
        actor=provider,
        name=kwargs.pop("name", "Contact us"),
        fields=kwargs.pop("fields", ["phone"]),
        **kwargs,
    )
    return next(f for f in lead_forms.forms(session, actor=provider) if f.id == form_id)


def test_a_submission_becomes_a_referral_to_the_chosen_partner(session, provider):
    partner = _partner(session, provider)
    form = _form(session, provider, routing="partner", partner_org_id=partner.org_id)
    assert lead_forms.public_form(session, token=form.token).provider_name == "Northwind"
    lead_id = lead_forms.submit(
        session, token=form.token, form=paced(session, form.token, PERSON), client="203.0.113.9"
    )
    lead = session.get(Lead, lead_id)
    assert (lead.source, lead.direction, lead.origin_org_id, lead.owner_id) == (
        "web_form",
        "provider_to_partner",
        provider.org_id,
        provider.user_id,
    )
    assert (lead.phone, lead.notes) == ("+1 555 0100", "")  # notes is not a field of this form
    received = leads.list_received(session, actor=partner)
    assert [(r.lead_id, r.company, r.status) for r in received.rows] == [
        (lead_id, "Webb & Co", "pending")
    ]
    told = session.exec(
        select(Notification.kind).where(Notification.user_id == partner.user_id)
    ).all()
    assert "lead_received" in told
    assert lead_forms.forms(session, actor=provider)[0].submissions == 1


def test_round_robin_serves_the_tiers_active_partners_in_turn(session, provider):
    gold = [_partner(session, provider, "Gold") for _ in range(3)]
    _partner(session, provider, "Silver")
    form = _form(session, provider, routing="round_robin", tier_id=_tier(session, provider, "Gold"))
    got = []
    for n in range(6):
        lead_id = lead_forms.submit(
            session,
            token=form.token,
            form=paced(session, form.token, {**PERSON, "company": f"C{n}"}),
            client=f"10.0.0.{n}",
        )
        got.append(
            session.exec(select(LeadRecipient.org_id).where(LeadRecipient.lead_id == lead_id)).one()
        )
    order = sorted(p.org_id for p in gold)
    assert got == order + order


def test_a_filled_honeypot_creates_nothing(session, provider):
    partner = _partner(session, provider)
    form = _form(session, provider, routing="partner", partner_org_id=partner.org_id)
    bot = {**PERSON, lead_forms.HONEYPOT: "http://spam.example"}
    assert (
        lead_forms.submit(
            session, token=form.token, form=paced(session, form.token, bot), client="198.51.100.1"
        )
        is None
    )
    assert leads.list_received(session, actor=partner).total == 0
    recorded = session.exec(
        select(FormSubmission.lead_id).where(FormSubmission.form_id == form.id)
    ).all()
    assert recorded == [None]  # counted for rate limiting, nothing created


def test_submissions_are_rate_limited_per_client(session, provider):
    partner = _partner(session, provider)
    form = _form(session, provider, routing="partner", partner_org_id=partner.org_id)
    for _ in range(lead_forms.PER_CLIENT):
        lead_forms.submit(
            session, token=form.token, form=paced(session, form.token, PERSON), client="192.0.2.7"
        )
    with pytest.raises(RateLimited):
        lead_forms.submit(
            session, token=form.token, form=paced(session, form.token, PERSON), client="192.0.2.7"
        )
    assert lead_forms.submit(
        session, token=form.token, form=paced(session, form.token, PERSON), client="192.0.2.8"
    )


def test_bad_input_names_the_field(session, provider):
    partner = _partner(session, provider)
    form = _form(session, provider, routing="partner", partner_org_id=partner.org_id)
    for bad, field in [
        ({**PERSON, "email": "nope"}, "email"),
        ({**PERSON, "company": ""}, "company"),
        ({**PERSON, "first_name": "x" * 500}, "first_name"),
    ]:
        with pytest.raises(Invalid) as refused:
            lead_forms.submit(
                session, token=form.token, form=paced(session, form.token, bad), client="192.0.2.1"
            )
        assert refused.value.field == field


def test_closed_unknown_or_orphaned_forms_take_nothing(session, provider):
    partner = _partner(session, provider)
    form = _form(session, provider, routing="partner", partner_org_id=partner.org_id)
    for token in [None, "", "x", "../../etc", form.token + "x", {"t": 1}]:
        with pytest.raises(NotFound):
            lead_forms.submit(session, token=token, form=PERSON, client="192.0.2.1")
    lead_forms.set_active(session, actor=provider, form_id=form.id, active=False)
    with pytest.raises(NotFound):
        lead_forms.public_form(session, token=form.token)
    lead_forms.set_active(session, actor=provider, form_id=form.id, active=True)
    partnership_id = session.exec(
        select(Partnership.id).where(Partnership.consultant_org_id == partner.org_id)
    ).one()
    partnerships.end(session, actor=provider, partnership_id=partnership_id)
    with pytest.raises(Invalid, match="not accepting"):
        lead_forms.submit(
            session, token=form.token, form=paced(session, form.token, PERSON), client="192.0.2.1"
        )


def test_a_deactivated_creator_closes_the_form(session, provider):
    other_admin = colleague(session, provider, role=Role.ADMIN)
    partner = _partner(session, provider)
    form_id = lead_forms.create(
        session,
        actor=other_admin,
        name="Theirs",
        fields=[],
        routing="partner",
        partner_org_id=partner.org_id,
    )
    token = next(f.token for f in lead_forms.forms(session, actor=provider) if f.id == form_id)
    team.set_active(session, actor=provider, user_id=other_admin.user_id, active=False)
    with pytest.raises(Invalid, match="not accepting"):
        lead_forms.submit(
            session, token=token, form=paced(session, token, PERSON), client="192.0.2.1"
        )


@pytest.mark.parametrize(
    ("arguments", "field"),
    [
        ({"name": "", "routing": "partner"}, "name"),
        ({"fields": ["salary"], "routing": "partner"}, "fields"),
        ({"fields": "phone", "routing": "partner"}, "fields"),
        ({"routing": "lottery"}, "routing"),
        ({"routing": "partner", "partner_org_id": None}, "partner_org_id"),
        ({"routing": "partner", "partner_org_id": "stranger"}, "partner_org_id"),
        ({"routing": "round_robin", "tier_id": None}, "tier_id"),
        ({"routing": "round_robin", "tier_id": "other"}, "tier_id"),
    ],
)
def test_form_settings_are_validated(session, provider, arguments, field):
    stranger = org_admin(session, kind=OrgKind.CONSULTANT)
    other_provider = org_admin(session, kind=OrgKind.PROVIDER)
    swap = {"stranger": stranger.org_id, "other": _tier(session, other_provider, "Gold")}
    arguments = {k: swap.get(v, v) if isinstance(v, str) else v for k, v in arguments.items()}
    arguments = {"name": "Form", "fields": [], **arguments}
    with pytest.raises(Invalid) as refused:
        lead_forms.create(session, actor=provider, **arguments)
    assert refused.value.field == field


def test_only_a_providers_admins_manage_forms(session, provider):
    manager = colleague(session, provider, role=Role.MANAGER)
    consultant = org_admin(session, kind=OrgKind.CONSULTANT)
    partner = _partner(session, provider)
    form = _form(session, provider, routing="partner", partner_org_id=partner.org_id)
    for actor in (manager, consultant):
        with pytest.raises(NotAllowed):
            lead_forms.forms(session, actor=actor)
        with pytest.raises(NotAllowed):
            lead_forms.set_active(session, actor=actor, form_id=form.id, active=False)
        with pytest.raises(NotAllowed):
            lead_forms.create(
                session,
                actor=actor,
                name="x",
                fields=[],
                routing="partner",
                partner_org_id=partner.org_id,
            )
    other_provider = org_admin(session, kind=OrgKind.PROVIDER)
    with pytest.raises(NotFound):
        lead_forms.set_active(session, actor=other_provider, form_id=form.id, active=False)
    with pytest.raises(Invalid):
        lead_forms.set_active(session, actor=provider, form_id=form.id, active="no")


@pytest.fixture
def own_postgres(engine):
    """An engine on a database of this test's own: it commits, so it must not share one."""
    if engine.dialect.name != "postgresql":
        pytest.skip("SQLite runs one writer at a time: nothing concurrent to check")
    with scratch_postgres(_postgres_server()) as url:
        migrate(url)
        own = create_engine(url)
        yield own
        own.dispose()


def test_round_robin_stays_fair_under_concurrent_submissions(own_postgres):
    """Real concurrent transactions (PostgreSQL): each takes the next turn, none is lost."""
    with Session(own_postgres, expire_on_commit=False) as setup:
        provider = org_admin(setup, kind=OrgKind.PROVIDER)
        gold = [_partner(setup, provider, "Gold") for _ in range(3)]
        form = _form(setup, provider, routing="round_robin", tier_id=_tier(setup, provider, "Gold"))
        setup.commit()

    def submit(n: int) -> int:
        with Session(own_postgres) as session:
            lead_id = lead_forms.submit(
                session,
                token=form.token,
                form=paced(session, form.token, {**PERSON, "company": f"C{n}"}),
                client=f"n{n}",
            )
            session.commit()
            return lead_id

    with ThreadPoolExecutor(max_workers=6) as pool:
        lead_ids = list(pool.map(submit, range(12)))
    with Session(own_postgres) as session:
        routed = session.exec(
            select(LeadRecipient.org_id).where(col(LeadRecipient.lead_id).in_(lead_ids))
        ).all()
        turn = session.exec(select(LeadForm.turn).where(LeadForm.id == form.id)).one()
    assert turn == 12
    assert sorted(Counter(routed).items()) == sorted((p.org_id, 4) for p in gold)


def test_editing_a_form_reroutes_it_and_keeps_its_link(session, provider):
    first, second = _partner(session, provider), _partner(session, provider, "Silver")
    form = _form(session, provider, routing="partner", partner_org_id=first.org_id)
    lead_forms.update(
        session,
        actor=provider,
        form_id=form.id,
        name="Book a demo",
        fields=["title", "notes"],
        routing="round_robin",
        tier_id=_tier(session, provider, "Silver"),
    )
    (edited,) = lead_forms.forms(session, actor=provider)
    assert (edited.token, edited.name, edited.fields, edited.routing, edited.tier_name) == (
        form.token,
        "Book a demo",
        ["title", "notes"],
        "round_robin",
        "Silver",
    )
    assert edited.partner_org_id is None
    lead_id = lead_forms.submit(
        session, token=form.token, form=paced(session, form.token, PERSON), client="192.0.2.3"
    )
    routed = session.exec(select(LeadRecipient.org_id).where(LeadRecipient.lead_id == lead_id))
    assert routed.all() == [second.org_id]
    with pytest.raises(Invalid) as refused:
        lead_forms.update(
            session, actor=provider, form_id=form.id, name="x", fields=[], routing="partner"
        )
    assert refused.value.field == "partner_org_id"
    stranger = org_admin(session, kind=OrgKind.PROVIDER)
    with pytest.raises(NotFound):
        lead_forms.update(
            session,
            actor=stranger,
            form_id=form.id,
            name="Mine now",
            fields=[],
            routing="round_robin",
            tier_id=_tier(session, stranger, "Gold"),
        )


def test_a_submission_faster_than_a_person_is_a_bots_and_counts_for_nothing(session, provider):
    partner = _partner(session, provider)
    form = _form(session, provider, routing="partner", partner_org_id=partner.org_id)
    now = utcnow()
    just_served = lead_forms.public_form(session, token=form.token, now=now).served
    forged = f"{int(now.timestamp()) - 60}.{'0' * 32}"
    for n, served in enumerate((None, "", just_served, forged, "١٢٣.x", "9" * 40, ["x"])):
        sent = {**PERSON, lead_forms.SERVED: served}
        client = f"192.0.2.{20 + n}"
        assert lead_forms.submit(session, token=form.token, form=sent, client=client) is None
    made = select(Lead.id).where(Lead.origin_org_id == provider.org_id)
    assert session.exec(made).all() == []
    # A person's pace passes; a page left open more than a day is sent again, not dropped.
    assert lead_forms.submit(
        session, token=form.token, form=paced(session, form.token, PERSON), client="192.0.2.10"
    )
    old = now - lead_forms.MAX_FILL - timedelta(minutes=1)
    stale = {
        **PERSON,
        lead_forms.SERVED: lead_forms.public_form(session, token=form.token, now=old).served,
    }
    with pytest.raises(Invalid, match="open for too long"):
        lead_forms.submit(session, token=form.token, form=stale, client="192.0.2.11")
    # Another form's signature does not pass for this one.
    other = _form(session, provider, routing="partner", partner_org_id=partner.org_id)
    borrowed = paced(session, other.token, PERSON)
    assert lead_forms.submit(session, token=form.token, form=borrowed, client="192.0.2.12") is None
