"""services.program: the program's settings and applications (submit, confirm, queue with
duplicate flags, approve into an invitation, reject with a reason)."""

import re
from datetime import timedelta

import pytest
from argon2 import PasswordHasher
from sqlmodel import col, select

from prm_app.models import (
    ActivityEvent,
    ApplicationStatus,
    FieldEntity,
    Notification,
    OrgKind,
    OutboundEmail,
    PartnerAccess,
    PartnerApplication,
    Partnership,
    PartnershipStatus,
    Role,
    TaxonomyTerm,
    TermKind,
    utcnow,
)
from prm_app.services import custom_fields as cf
from prm_app.services import program
from prm_app.services.core import public_forms
from prm_app.services.core.errors import Invalid, NotAllowed, NotFound
from prm_app.services.identity import auth
from prm_app.services.identity.rate_limits import TooMany
from prm_app.services.program import applications
from tests.unit.factories import colleague, org_admin, partners

ANSWERS = {
    "firm": "Fabrikam Consulting Ltd",
    "name": "Fay Brik",
    "email": "fay@fabrikam.example",
    "web_address": "https://fabrikam.example",
    "country": "Ireland",
    "message": "We implement Northwind for banks.",
}


@pytest.fixture(autouse=True)
def _cheap_password_hashing(monkeypatch):
    monkeypatch.setattr(auth, "_hasher", PasswordHasher(time_cost=1, memory_cost=8, parallelism=1))


@pytest.fixture
def provider(session):
    admin = org_admin(session, kind=OrgKind.PROVIDER, org_name="Northwind")
    program.set_program(
        session, actor=admin, slug="northwind", applications_open=True, locator_published=False
    )
    return admin


def _paced(session, slug="northwind", now=None):
    served_at = (now or utcnow()) - public_forms.MIN_FILL - timedelta(seconds=5)
    return program.apply_page(session, slug=slug, now=served_at).served


def _apply(session, values=None, *, client="203.0.113.7", slug="northwind"):
    form = {**ANSWERS, **(values or {}), public_forms.SERVED: _paced(session, slug)}
    return program.submit(session, slug=slug, form=form, client=client)


def _confirm_link(session, email):
    body = session.exec(
        select(OutboundEmail.body)
        .where(OutboundEmail.to_address == email)
        .order_by(col(OutboundEmail.id).desc())
    ).first()
    return re.search(r"token=([A-Za-z0-9_-]+)", body).group(1)


def _applied_and_confirmed(session, values=None, **kwargs):
    application_id = _apply(session, values, **kwargs)
    email = (values or {}).get("email", ANSWERS["email"])
    program.confirm(session, slug="northwind", token=_confirm_link(session, email))
    return application_id


# settings --------------------------------------------------------------------------------------


def test_the_slug_is_lower_case_validated_and_unique(session, provider):
    other = org_admin(session, kind=OrgKind.PROVIDER)
    for bad in ("-x", "a", "a b", "ünï", "x" * 41, "a_b"):
        with pytest.raises(Invalid) as refused:
            program.set_program(
                session, actor=other, slug=bad, applications_open=False, locator_published=False
            )
        assert refused.value.field == "slug"
    with pytest.raises(Invalid, match="Another organization uses that address"):
        program.set_program(
            session, actor=other, slug="NorthWind", applications_open=True, locator_published=False
        )
    with pytest.raises(Invalid, match="Choose your program's address first"):
        program.set_program(
            session, actor=other, slug="", applications_open=True, locator_published=False
        )
    saved = program.set_program(
        session, actor=other, slug=" Contoso-Labs ", applications_open=True, locator_published=True
    )
    assert saved == program.ProgramSettings("contoso-labs", True, True)
    assert program.program_settings(session, actor=other) == saved


def test_only_a_providers_admins_change_the_program(session, provider):
    manager = colleague(session, provider, role=Role.MANAGER)
    with pytest.raises(NotAllowed):
        program.set_program(
            session, actor=manager, slug="x1", applications_open=False, locator_published=False
        )
    consultant = org_admin(session, kind=OrgKind.CONSULTANT)
    with pytest.raises(NotAllowed):
        program.set_program(
            session, actor=consultant, slug="x2", applications_open=False, locator_published=False
        )


def test_a_closed_program_or_an_unknown_slug_has_no_page(session, provider):
    with pytest.raises(NotFound):
        program.apply_page(session, slug="nobody-here")
    with pytest.raises(NotFound):
        program.apply_page(session, slug="../etc")
    program.set_program(
        session, actor=provider, slug="northwind", applications_open=False, locator_published=True
    )
    with pytest.raises(NotFound):
        program.apply_page(session, slug="northwind")
    with pytest.raises(NotFound):
        program.submit(session, slug="northwind", form=ANSWERS, client="x")


# submissions -----------------------------------------------------------------------------------


def test_a_submission_is_pending_and_mails_a_confirmation_link(session, provider):
    application_id = _apply(session)
    application = session.get(PartnerApplication, application_id)
    assert application.status == ApplicationStatus.PENDING
    assert application.confirmed_at is None
    assert (application.firm_norm, application.email_domain) == (
        "fabrikam consulting",
        "fabrikam.example",
    )
    link = _confirm_link(session, "fay@fabrikam.example")
    assert application.confirm_token_hash == auth.hash_token(link)  # only the hash is kept
    assert program.queue(session, actor=provider) == []  # not reviewable before confirming


def test_bad_answers_are_all_told_at_once(session, provider):
    with pytest.raises(Invalid) as refused:
        _apply(session, {"firm": "", "email": "nope", "partner_type_id": "999999"})
    assert set(refused.value.problems) == {"firm", "email", "partner_type_id"}
    assert session.exec(select(PartnerApplication)).all() == []


def test_bots_create_nothing(session, provider):
    assert _apply(session, {public_forms.HONEYPOT: "http://spam.example"}) is None
    form = {**ANSWERS, public_forms.SERVED: program.apply_page(session, slug="northwind").served}
    assert program.submit(session, slug="northwind", form=form, client="x") is None  # too fast
    assert session.exec(select(PartnerApplication)).all() == []


def test_a_client_is_limited(session, provider):
    for n in range(applications.PER_CLIENT.count):
        _apply(session, {"email": f"p{n}@example.org"})
    with pytest.raises(TooMany):
        _apply(session, {"email": "p9@example.org"})
    assert _apply(session, {"email": "p9@example.org"}, client="198.51.100.1")


def test_the_providers_partner_fields_partners_may_edit_are_asked_and_checked(session, provider):
    def field(label, access, **kw):
        return cf.add_field(
            session,
            actor=provider,
            entity=FieldEntity.PARTNER,
            label=label,
            partner_access=access,
            **kw,
        )

    size = field("Team size", PartnerAccess.REQUIRED, type="number")
    regions = field("Regions", PartnerAccess.EDITABLE, type="multi_select", options=["EU", "US"])
    field("Internal score", PartnerAccess.HIDDEN, type="number")
    field("Shown only", PartnerAccess.VISIBLE, type="text")
    asked = applications.applicant_fields(session, provider.org_id)
    assert [f.label for f in asked] == ["Team size", "Regions"]
    with pytest.raises(Invalid) as refused:
        _apply(session, {f"custom_{size.id}": "many"})
    assert f"custom_{size.id}" in refused.value.problems
    eu, us = (o["id"] for o in regions.options)
    form = [
        *ANSWERS.items(),
        (f"custom_{size.id}", "12"),
        (f"custom_{regions.id}", str(eu)),
        (f"custom_{regions.id}", str(us)),
        (public_forms.SERVED, _paced(session)),
    ]
    application_id = program.submit(session, slug="northwind", form=form, client="c")
    assert session.get(PartnerApplication, application_id).custom == {
        str(size.id): 12,
        str(regions.id): sorted([eu, us]),
    }


# confirming ------------------------------------------------------------------------------------


def test_confirming_makes_it_reviewable_and_tells_the_managers(session, provider):
    manager = colleague(session, provider, role=Role.MANAGER)
    member = colleague(session, provider, role=Role.MEMBER)
    _applied_and_confirmed(session)
    (view,) = program.queue(session, actor=member)  # members read
    assert (view.firm, view.email, view.status) == (
        "Fabrikam Consulting Ltd",
        "fay@fabrikam.example",
        "pending",
    )
    told = session.exec(
        select(Notification.user_id).where(Notification.kind == "application_received")
    ).all()
    assert set(told) == {provider.user_id, manager.user_id}


def test_a_forged_expired_or_other_programs_link_confirms_nothing(session, provider):
    application_id = _apply(session)
    token = _confirm_link(session, ANSWERS["email"])
    other = org_admin(session, kind=OrgKind.PROVIDER)
    program.set_program(
        session, actor=other, slug="other", applications_open=True, locator_published=False
    )
    for slug, link in (("northwind", "x" * 30), ("northwind", None), ("other", token)):
        with pytest.raises(NotFound):
            program.confirm(session, slug=slug, token=link)
    late = utcnow() + applications.CONFIRM_TTL + timedelta(minutes=1)
    with pytest.raises(NotFound):
        program.confirm(session, slug="northwind", token=token, now=late)
    assert session.get(PartnerApplication, application_id).confirmed_at is None


# reviewing -------------------------------------------------------------------------------------


def test_duplicates_are_flagged(session, provider):
    fabrikam = org_admin(
        session,
        kind=OrgKind.CONSULTANT,
        org_name="Fabrikam Consulting",
        email="it@fabrikam.example",
    )
    partners(session, provider, fabrikam)
    _applied_and_confirmed(session)  # same firm and domain as the partner
    _applied_and_confirmed(session, {"firm": "Litware", "email": "li@gmail.com"})
    _applied_and_confirmed(
        session, {"firm": "Litware, Inc.", "email": "ops@litware.example"}, client="198.51.100.2"
    )
    flags = {v.email: v.duplicates for v in program.queue(session, actor=provider)}
    assert "Same email domain as partner Fabrikam Consulting." in flags["fay@fabrikam.example"]
    assert "Same firm name as partner Fabrikam Consulting." not in flags["fay@fabrikam.example"]
    assert flags["li@gmail.com"] == ["Same firm name as the application of Litware, Inc.."]
    assert flags["ops@litware.example"] == ["Same firm name as the application of Litware."]


def test_approving_invites_the_confirmed_address_with_the_type_and_answers(session, provider):
    size = cf.add_field(
        session,
        actor=provider,
        entity=FieldEntity.PARTNER,
        label="Team size",
        type="number",
        partner_access=PartnerAccess.EDITABLE,
    )
    reseller = session.exec(
        select(TaxonomyTerm.id).where(
            TaxonomyTerm.org_id == provider.org_id,
            TaxonomyTerm.kind == TermKind.PARTNER_TYPE,
            TaxonomyTerm.name == "Reseller",
        )
    ).one()
    application_id = _applied_and_confirmed(
        session, {"partner_type_id": str(reseller), f"custom_{size.id}": "7"}
    )
    manager = colleague(session, provider, role=Role.MANAGER)
    partnership_id = program.approve(session, actor=manager, application_id=application_id)
    partnership = session.get(Partnership, partnership_id)
    assert partnership.status == PartnershipStatus.INVITED
    assert partnership.invite_email == "fay@fabrikam.example"
    assert partnership.partner_type_id == reseller
    assert partnership.custom == {str(size.id): 7}
    application = session.get(PartnerApplication, application_id)
    assert (application.status, application.partnership_id) == ("approved", partnership_id)
    invitation = session.exec(
        select(OutboundEmail).where(OutboundEmail.to_address == "fay@fabrikam.example")
    ).all()[-1]
    assert "signup?invite=" in invitation.body
    with pytest.raises(Invalid, match="already decided"):
        program.approve(session, actor=manager, application_id=application_id)
    assert session.exec(
        select(ActivityEvent.action).where(ActivityEvent.entity_type == "partner_application")
    ).all() == ["applied", "confirmed", "approved"]


def test_rejecting_needs_a_reason_and_mails_it(session, provider):
    application_id = _applied_and_confirmed(session)
    with pytest.raises(Invalid, match="Reason is required"):
        program.reject(session, actor=provider, application_id=application_id, reason=" ")
    program.reject(
        session, actor=provider, application_id=application_id, reason="We cover Ireland already."
    )
    application = session.get(PartnerApplication, application_id)
    assert (application.status, application.reason) == ("rejected", "We cover Ireland already.")
    assert (
        "We cover Ireland already."
        in session.exec(select(OutboundEmail.body).order_by(col(OutboundEmail.id).desc())).first()
    )
    assert program.queue(session, actor=provider)[0].status == "rejected"


def test_members_other_organizations_and_unconfirmed_applications_cannot_be_decided(
    session, provider
):
    confirmed = _applied_and_confirmed(session)
    unconfirmed = _apply(session, {"email": "late@example.org"})
    member = colleague(session, provider, role=Role.MEMBER)
    with pytest.raises(NotAllowed):
        program.approve(session, actor=member, application_id=confirmed)
    stranger = org_admin(session, kind=OrgKind.PROVIDER)
    for actor, target in ((stranger, confirmed), (provider, unconfirmed), (provider, "1; drop")):
        with pytest.raises(NotFound):
            program.reject(session, actor=actor, application_id=target, reason="no")
    assert program.queue(session, actor=stranger) == []
