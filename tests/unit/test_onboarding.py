"""Onboarding: agreement versions and their signatures, the hold of referrals and registrations
until signed (forms, services and the REST API), and the checklist's steps of each kind."""

import hashlib
import io

import pytest
from argon2 import PasswordHasher
from sqlmodel import select

from prm_app.models import (
    AgreementAcceptance,
    LeadRecipient,
    OrgKind,
    Partnership,
    Role,
    TaxonomyTerm,
    TermKind,
)
from prm_app.services import custom_fields as cf
from prm_app.services import deals, imports, leads, onboarding, partnerships
from prm_app.services.core import changes, upload_store
from prm_app.services.core.errors import Invalid, NotAllowed, NotFound
from prm_app.services.identity import auth
from prm_app.services.leads import LeadInput
from prm_app.services.leads import forms as lead_forms
from prm_app.services.partnerships import timeline as partner_timeline
from tests.unit.api_support import client_over, key_for
from tests.unit.factories import colleague, org_admin, paced, partners

TEXT = "Partner agreement\n\n1. Be nice to customers.\n"
HELD = "Northwind's Partner agreement v1 must be signed by Fabrikam's admin first."


@pytest.fixture(autouse=True)
def _cheap_password_hashing(monkeypatch):
    monkeypatch.setattr(auth, "_hasher", PasswordHasher(time_cost=1, memory_cost=8, parallelism=1))


@pytest.fixture
def world(session):
    provider = org_admin(session, org_name="Northwind", name="Pia Provider")
    consultant = org_admin(
        session, kind=OrgKind.CONSULTANT, org_name="Fabrikam", name="Carl Consultant"
    )
    partners(session, provider, consultant)
    partnership = session.exec(
        select(Partnership).where(Partnership.provider_org_id == provider.org_id)
    ).one()
    return provider, consultant, partnership


def _term(session, actor, kind, name):
    """The provider's term of this kind and name (a default one, or a new one)."""
    found = session.exec(
        select(TaxonomyTerm.id).where(
            TaxonomyTerm.org_id == actor.org_id,
            TaxonomyTerm.kind == kind,
            TaxonomyTerm.name == name,
        )
    ).first()
    if found:
        return found
    term = TaxonomyTerm(org_id=actor.org_id, kind=kind, name=name)
    session.add(term)
    session.flush()
    return term.id


def _asked(session, actor, partnership):
    return onboarding.asked_of(session, actor=actor, partnership_id=partnership.id)


def _sign(session, consultant, partnership, name="Carl Consultant"):
    [asked] = [a for a in _asked(session, consultant, partnership) if a.signature is None]
    return onboarding.accept(
        session,
        actor=consultant,
        partnership_id=partnership.id,
        version_id=asked.version_id,
        typed_name=name,
    )


# agreements ------------------------------------------------------------------------------------


def test_a_written_agreement_is_signed_with_the_account_name_and_its_hash(session, world):
    provider, consultant, partnership = world
    onboarding.create(session, actor=provider, title="Partner agreement", text=TEXT)
    [asked] = _asked(session, consultant, partnership)
    assert (asked.number, asked.media_type, asked.signature) == (1, "text/plain", None)
    assert (
        asked.text == TEXT.strip()
        and asked.sha256 == hashlib.sha256(TEXT.strip().encode()).hexdigest()
    )

    with pytest.raises(Invalid, match=r"as your account spells it \(Carl Consultant\)") as error:
        onboarding.accept(
            session, actor=consultant, partnership_id=partnership.id,
            version_id=asked.version_id, typed_name="Carl",
        )  # fmt: skip
    assert error.value.field == "typed_name"
    acceptance_id = _sign(session, consultant, partnership, name="  carl   CONSULTANT ")
    row = session.get(AgreementAcceptance, acceptance_id)
    assert (row.user_id, row.typed_name, row.sha256) == (
        consultant.user_id, "carl   CONSULTANT", asked.sha256,
    )  # fmt: skip
    [asked] = _asked(session, provider, partnership)
    assert asked.signature.typed_name == "carl   CONSULTANT" and asked.signature.current
    [row] = onboarding.provider_agreements(session, actor=provider)
    assert (row.title, row.asked_of, row.number, row.signed) == (
        "Partner agreement",
        "All partners",
        1,
        1,
    )
    with pytest.raises(Invalid, match="already signed"):
        onboarding.accept(
            session, actor=consultant, partnership_id=partnership.id,
            version_id=asked.version_id, typed_name="Carl Consultant",
        )  # fmt: skip


def test_a_new_version_asks_again_and_the_old_signature_stays(session, world):
    provider, consultant, partnership = world
    agreement_id = onboarding.create(session, actor=provider, title="Partner agreement", text=TEXT)
    _sign(session, consultant, partnership)
    assert (
        onboarding.publish(session, actor=provider, agreement_id=agreement_id, text=TEXT + "2.")
        == 2
    )
    [asked] = _asked(session, consultant, partnership)
    assert (asked.number, asked.signature, asked.signed_before) == (2, None, True)
    _sign(session, consultant, partnership)
    history = onboarding.signatures(session, actor=provider, agreement_id=agreement_id)
    assert [(s.number, s.current, s.partner_name) for s in history] == [
        (2, True, "Fabrikam"), (1, False, "Fabrikam"),
    ]  # fmt: skip


def test_only_the_partners_admin_signs_and_only_provider_admins_publish(session, world):
    provider, consultant, partnership = world
    member = colleague(session, provider, role=Role.MANAGER)
    with pytest.raises(NotAllowed):
        onboarding.create(session, actor=member, title="Terms", text=TEXT)
    with pytest.raises(NotAllowed):
        onboarding.create(session, actor=consultant, title="Terms", text=TEXT)
    onboarding.create(session, actor=provider, title="Terms", text=TEXT)
    manager = colleague(session, consultant, role=Role.MANAGER, name="Mia Manager")
    [asked] = _asked(session, manager, partnership)
    with pytest.raises(NotAllowed, match="administrator"):
        onboarding.accept(
            session, actor=manager, partnership_id=partnership.id,
            version_id=asked.version_id, typed_name="Mia Manager",
        )  # fmt: skip
    stranger = org_admin(session, kind=OrgKind.CONSULTANT, name="Sam")
    for call in (
        lambda: _asked(session, stranger, partnership),
        lambda: onboarding.accept(
            session, actor=stranger, partnership_id=partnership.id,
            version_id=asked.version_id, typed_name="Sam",
        ),
        lambda: onboarding.version_file(session, actor=stranger, version_id=asked.version_id),
    ):  # fmt: skip
        with pytest.raises(NotFound):
            call()


def test_agreements_are_asked_by_partner_type_and_tier(session, world):
    provider, consultant, partnership = world
    reseller = _term(session, provider, TermKind.PARTNER_TYPE, "Reseller")
    gold = _term(session, provider, TermKind.PARTNER_TIER, "Gold")
    onboarding.create(session, actor=provider, title="All", text=TEXT)
    onboarding.create(
        session, actor=provider, title="Resellers", text=TEXT, partner_type_id=reseller
    )
    onboarding.create(
        session, actor=provider, title="Gold resellers", text=TEXT,
        partner_type_id=str(reseller), partner_tier_id=gold,
    )  # fmt: skip
    assert [a.title for a in _asked(session, consultant, partnership)] == ["All"]
    partnership.partner_type_id = reseller
    assert [a.title for a in _asked(session, consultant, partnership)] == ["All", "Resellers"]
    partnership.partner_tier_id = gold
    assert len(_asked(session, consultant, partnership)) == 3
    asked_of = {
        r.title: r.asked_of for r in onboarding.provider_agreements(session, actor=provider)
    }
    assert asked_of == {
        "All": "All partners",
        "Resellers": "Reseller",
        "Gold resellers": "Reseller, Gold",
    }
    other = org_admin(session)
    with pytest.raises(NotFound):
        onboarding.create(session, actor=other, title="X", text=TEXT, partner_type_id=reseller)


def test_uploads_are_recognized_by_content_and_kept_with_their_hash(
    session, world, tmp_path, monkeypatch
):
    monkeypatch.setenv("PRM_UPLOAD_DIR", str(tmp_path))
    provider, consultant, partnership = world

    def upload(content: bytes) -> str:
        key, file = upload_store.create()
        with file:
            file.write(content)
        return key

    pdf = b"%PDF-1.4\n1 0 obj\n<<>>\nendobj\n%%EOF\n"
    agreement_id = onboarding.create(
        session, actor=provider, title="Signed terms", upload_key=upload(pdf), file_name="terms.pdf"
    )
    [asked] = _asked(session, consultant, partnership)
    assert (asked.media_type, asked.sha256, asked.text) == (
        "application/pdf",
        hashlib.sha256(pdf).hexdigest(),
        "",
    )
    for bad in (b"\x89PNG\r\n\x1a\n\x00\x00", b"MZ\x90\x00\xff\xfe", b"   "):
        with pytest.raises(Invalid, match="PDF or a plain text"):
            onboarding.publish(
                session, actor=provider, agreement_id=agreement_id, upload_key=upload(bad)
            )
    key = upload(b"x" * (onboarding.documents.MAX_FILE + 1))
    with pytest.raises(Invalid, match="at most 5 MB"):
        onboarding.publish(session, actor=provider, agreement_id=agreement_id, upload_key=key)
    assert list(tmp_path.iterdir()) == []  # every upload discarded once read
    acceptance_id = _sign(session, consultant, partnership)
    signed = onboarding.signed_file(session, actor=provider, acceptance_id=acceptance_id)
    assert (signed.media_type, signed.content, signed.name) == (
        "application/pdf",
        pdf,
        "signed-terms-v1-signed.pdf",
    )


def test_the_signed_text_carries_its_acceptance_record_for_both_sides_only(session, world):
    provider, consultant, partnership = world
    onboarding.create(session, actor=provider, title="Partner agreement", text=TEXT)
    acceptance_id = _sign(session, consultant, partnership)
    for actor in (provider, consultant):
        signed = onboarding.signed_file(session, actor=actor, acceptance_id=acceptance_id)
        body = signed.content.decode()
        assert body.startswith(TEXT.strip()) and signed.media_type == "text/plain"
        assert f"By: Carl Consultant <{consultant.email}>, administrator of Fabrikam" in body
        assert hashlib.sha256(TEXT.strip().encode()).hexdigest() in body
    for stranger in (org_admin(session), org_admin(session, kind=OrgKind.CONSULTANT)):
        with pytest.raises(NotFound):
            onboarding.signed_file(session, actor=stranger, acceptance_id=acceptance_id)
    with pytest.raises(NotFound):
        onboarding.signed_file(session, actor=provider, acceptance_id="1 OR 1=1")


def test_signing_is_noted_for_both_sides_live_views(session, world):
    provider, consultant, partnership = world
    onboarding.create(session, actor=provider, title="Partner agreement", text=TEXT)
    session.info.pop("prm_topics_touched", None)
    _sign(session, consultant, partnership)
    assert changes.noted(session).of(changes.Topic.PARTNERS) == {provider.org_id, consultant.org_id}


# holds -----------------------------------------------------------------------------------------


def _referral(session, provider, consultant):
    data = LeadInput(
        first_name="Jo", last_name="Doe", email="jo@contoso.example", company="Contoso"
    )
    return leads.create_and_submit(
        session, actor=provider, data=data, owner_id=provider.user_id,
        recipient_org_ids=[consultant.org_id],
    )  # fmt: skip


def _registration(session, consultant, provider):
    form = {"name": "Rollout", "company": "Contoso", "amount": "5000"}
    return deals.lifecycle.register(
        session, actor=consultant, other_org_id=provider.org_id, form=form
    )


def test_the_hold_stops_referrals_and_registrations_until_signed(session, world):
    provider, consultant, partnership = world
    onboarding.create(session, actor=provider, title="Partner agreement", text=TEXT)
    _referral(session, provider, consultant)  # no hold yet
    with pytest.raises(NotAllowed):
        onboarding.set_holding(
            session, actor=colleague(session, provider, role=Role.MANAGER), hold=True
        )
    onboarding.set_holding(session, actor=provider, hold=True)
    assert onboarding.holding(session, actor=provider)
    with pytest.raises(Invalid) as refused:
        _referral(session, provider, consultant)
    assert (str(refused.value), refused.value.field) == (HELD, "recipient_org_ids")
    with pytest.raises(Invalid) as refused:
        _registration(session, consultant, provider)
    assert (str(refused.value), refused.value.field) == (HELD, "other_org_id")
    _sign(session, consultant, partnership)
    _referral(session, provider, consultant)
    assert _registration(session, consultant, provider).deal_id


def test_the_rest_api_deal_registration_is_held_with_the_same_message(session, world):
    provider, consultant, partnership = world
    onboarding.create(session, actor=provider, title="Partner agreement", text=TEXT)
    onboarding.set_holding(session, actor=provider, hold=True)
    api, headers = client_over(session), key_for(session, consultant)
    body = {
        "other_org_id": provider.org_id,
        "name": "Rollout",
        "company": "Contoso",
        "amount": "5000",
    }
    refused = api.post("/deals", json=body, headers=headers)
    assert refused.status_code == 422 and refused.json()["detail"] == HELD
    _sign(session, consultant, partnership)
    assert api.post("/deals", json=body, headers=headers).status_code == 201


def test_a_consultants_leads_are_never_held(session, world):
    provider, consultant, _ = world
    onboarding.create(session, actor=provider, title="Partner agreement", text=TEXT)
    onboarding.set_holding(session, actor=provider, hold=True)
    data = LeadInput(first_name="Al", last_name="Lee", email="al@lee.example", company="Lee Co")
    leads.create_and_submit(
        session, actor=consultant, data=data, owner_id=consultant.user_id,
        recipient_org_ids=[provider.org_id],
    )  # fmt: skip


# checklist -------------------------------------------------------------------------------------


def _steps(session, actor, partnership):
    return {
        s.kind: s.done
        for s in onboarding.checklist(session, actor=actor, partnership_id=partnership.id)
    }


def _progress(session, partnership):
    return onboarding.progress(session, [partnership])[partnership.id].label


def test_each_step_kind_follows_the_records(session, world):
    provider, consultant, partnership = world
    for kind in ("agreement", "profile", "first_lead", "first_deal", "manual"):
        onboarding.add_step(session, actor=provider, kind=kind, title="")
    link = onboarding.add_step(
        session,
        actor=provider,
        kind="link",
        title="Watch the intro",
        url="https://learn.example/intro",
    )
    assert _progress(session, partnership) == "2 of 6"  # categorized; nothing to sign yet
    assert _steps(session, consultant, partnership) == {
        "agreement": True, "profile": True, "first_lead": False,
        "first_deal": False, "manual": False, "link": False,
    }  # fmt: skip

    onboarding.create(session, actor=provider, title="Partner agreement", text=TEXT)
    required = cf.add_field(
        session, actor=provider, entity="partner", label="Certified", type="checkbox",
        partner_access="required",
    )  # fmt: skip
    assert _progress(session, partnership) == "0 of 6"
    _sign(session, consultant, partnership)
    partnerships.set_custom(
        session, actor=consultant, partnership_id=partnership.id, values={str(required.id): True}
    )
    assert _progress(session, partnership) == "2 of 6"
    data = LeadInput(first_name="Al", last_name="Lee", email="al@lee.example", company="Lee Co")
    leads.create_and_submit(
        session, actor=consultant, data=data, owner_id=consultant.user_id,
        recipient_org_ids=[provider.org_id],
    )  # fmt: skip
    _registration(session, consultant, provider)
    assert _progress(session, partnership) == "4 of 6"

    manual = next(
        s.id
        for s in onboarding.checklist(session, actor=consultant, partnership_id=partnership.id)
        if s.kind == "manual"
    )
    onboarding.tick(
        session, actor=consultant, partnership_id=partnership.id, step_id=manual, done=True
    )
    with pytest.raises(Invalid, match="ticked by hand"):
        onboarding.tick(
            session, actor=consultant, partnership_id=partnership.id, step_id=link, done=True
        )
    url = onboarding.open_link(
        session, actor=consultant, partnership_id=partnership.id, step_id=link
    )
    assert url == "https://learn.example/intro"
    assert _progress(session, partnership) == "6 of 6"
    assert all(_steps(session, provider, partnership).values())
    onboarding.tick(
        session, actor=consultant, partnership_id=partnership.id, step_id=manual, done=False
    )
    assert _progress(session, partnership) == "5 of 6"


def test_a_checklist_per_partner_type_and_one_for_all(session, world):
    provider, _, partnership = world
    reseller = _term(session, provider, TermKind.PARTNER_TYPE, "Reseller")
    onboarding.add_step(session, actor=provider, kind="manual", title="Kick-off call")
    onboarding.add_step(
        session, actor=provider, kind="manual", title="Reseller training", partner_type_id=reseller
    )
    steps = onboarding.provider_steps(session, actor=provider)
    assert [(s.title, s.partner_type) for s in steps] == [
        ("Kick-off call", ""),
        ("Reseller training", "Reseller"),
    ]
    assert _progress(session, partnership) == "0 of 1"
    partnership.partner_type_id = reseller
    assert _progress(session, partnership) == "0 of 2"
    onboarding.remove_step(session, actor=provider, step_id=steps[0].id)
    assert _progress(session, partnership) == "0 of 1"


def test_checklist_changes_are_checked(session, world):
    provider, consultant, partnership = world
    with pytest.raises(Invalid, match="web address"):
        onboarding.add_step(
            session, actor=provider, kind="link", title="x", url="javascript:alert(1)"
        )
    with pytest.raises(Invalid, match="Choose what the step asks"):
        onboarding.add_step(session, actor=provider, kind="bogus", title="x")
    with pytest.raises(NotAllowed):
        onboarding.add_step(session, actor=consultant, kind="manual", title="x")
    step = onboarding.add_step(session, actor=provider, kind="manual", title="x")
    member = colleague(session, consultant, role=Role.MEMBER)
    with pytest.raises(NotAllowed):
        onboarding.tick(
            session, actor=member, partnership_id=partnership.id, step_id=step, done=True
        )
    with pytest.raises(Invalid):
        onboarding.tick(
            session, actor=consultant, partnership_id=partnership.id, step_id=step, done="yes"
        )
    other_provider = org_admin(session)
    foreign = onboarding.add_step(session, actor=other_provider, kind="manual", title="x")
    with pytest.raises(NotFound):
        onboarding.tick(
            session, actor=consultant, partnership_id=partnership.id, step_id=foreign, done=True
        )
    with pytest.raises(NotFound):
        onboarding.remove_step(session, actor=other_provider, step_id=step)
    with pytest.raises(NotFound):
        onboarding.checklist(
            session,
            actor=org_admin(session, kind=OrgKind.CONSULTANT),
            partnership_id=partnership.id,
        )


def test_progress_labels_cover_the_callers_partnerships_only(session, world):
    provider, consultant, partnership = world
    onboarding.add_step(session, actor=provider, kind="manual", title="Kick-off call")
    ids = [partnership.id, 10**6]
    assert onboarding.progress_labels(session, actor=provider, partnership_ids=ids) == {
        partnership.id: "0 of 1"
    }
    assert onboarding.progress_labels(session, actor=consultant, partnership_ids=ids) == {
        partnership.id: "0 of 1"
    }
    stranger = org_admin(session, kind=OrgKind.CONSULTANT)
    assert onboarding.progress_labels(session, actor=stranger, partnership_ids=ids) == {}


def test_signatures_and_steps_show_on_both_sides_timeline(session, world):
    provider, consultant, partnership = world
    onboarding.create(session, actor=provider, title="Partner agreement", text=TEXT)
    step = onboarding.add_step(session, actor=provider, kind="manual", title="Kick-off call")
    _sign(session, consultant, partnership)
    onboarding.tick(
        session, actor=consultant, partnership_id=partnership.id, step_id=step, done=True
    )
    for actor in (provider, consultant):
        page = partner_timeline.partner_page(session, actor=actor, partnership_id=partnership.id)
        texts = [e.text for e in page.entries]
        assert texts[:2] == [
            "Completed the onboarding step Kick-off call",
            "Signed Partner agreement v1",
        ]


def test_a_web_form_routes_around_a_held_partner_and_tells_its_visitor_nothing(session, world):
    provider, consultant, partnership = world
    onboarding.create(session, actor=provider, title="Partner agreement", text=TEXT)
    onboarding.set_holding(session, actor=provider, hold=True)
    gold = _term(session, provider, TermKind.PARTNER_TIER, "Gold")
    partnership.partner_tier_id = gold
    signer = org_admin(session, kind=OrgKind.CONSULTANT, name="Sia Signer")
    partners(session, provider, signer)
    signer_partnership = session.exec(
        select(Partnership).where(Partnership.consultant_org_id == signer.org_id)
    ).one()
    signer_partnership.partner_tier_id = gold
    _sign(session, signer, signer_partnership, name="Sia Signer")

    def submit(form_id, n):
        token = next(f.token for f in lead_forms.forms(session, actor=provider) if f.id == form_id)
        person = {"first_name": "Lin", "last_name": "Webb", "email": f"lin{n}@webb.example"}
        return lead_forms.submit(
            session,
            token=token,
            form=paced(session, token, {**person, "company": f"Webb {n}"}),
            client=f"10.0.0.{n}",
        )

    fixed = lead_forms.create(
        session, actor=provider, name="Fabrikam", fields=[], routing="partner",
        partner_org_id=consultant.org_id,
    )  # fmt: skip
    with pytest.raises(Invalid) as closed:
        submit(fixed, 1)
    assert str(closed.value) == lead_forms.CLOSED and "Fabrikam" not in str(closed.value)
    robin = lead_forms.create(
        session, actor=provider, name="Gold", fields=[], routing="round_robin", tier_id=gold
    )
    for n in range(2, 5):
        lead_id = submit(robin, n)
        recipient = session.exec(
            select(LeadRecipient.org_id).where(LeadRecipient.lead_id == lead_id)
        ).one()
        assert recipient == signer.org_id
    _sign(session, consultant, partnership)
    assert submit(fixed, 5)


def test_an_imported_registration_is_held_with_the_same_message(session, world):
    provider, consultant, partnership = world
    onboarding.create(session, actor=provider, title="Partner agreement", text=TEXT)
    onboarding.set_holding(session, actor=provider, hold=True)
    mapping = {"name": "Opportunity Name", "company": "Account Name", "provider": "Provider"}

    def file():
        return io.BytesIO(b"Opportunity Name,Account Name,Provider\nRollout,Contoso,Northwind\n")

    checked = imports.dry_run(session, actor=consultant, kind="deals", file=file(), mapping=mapping)
    assert [(p.row, p.column, p.message) for p in checked.problems] == [(2, "Provider", HELD)]
    with pytest.raises(Invalid, match="No row can be imported"):
        imports.run(
            session, actor=consultant, kind="deals", file=file(), file_name="deals.csv",
            mapping=mapping,
        )  # fmt: skip
    _sign(session, consultant, partnership)
    batch = imports.run(
        session, actor=consultant, kind="deals", file=file(), file_name="deals.csv", mapping=mapping
    )
    assert batch.rows_imported == 1


def test_an_imported_referral_is_held_with_the_same_message(session, world):
    provider, consultant, partnership = world
    onboarding.create(session, actor=provider, title="Partner agreement", text=TEXT)
    onboarding.set_holding(session, actor=provider, hold=True)
    mapping = {
        "first_name": "First", "last_name": "Last", "email": "Email", "company": "Company",
        "partner": "Partner",
    }  # fmt: skip
    csv = b"First,Last,Email,Company,Partner\nPat,Kim,pat@kim.example,Kim Co,Fabrikam\n"

    def problems():
        checked = imports.dry_run(
            session, actor=provider, kind="referrals", file=io.BytesIO(csv), mapping=mapping,
            submit=True,
        )  # fmt: skip
        return [(p.column, p.message) for p in checked.problems]

    assert problems() == [("Partner", HELD)]
    _sign(session, consultant, partnership)
    assert problems() == []


def test_a_referral_import_sent_to_a_chosen_held_partner_is_refused_with_the_same_message(
    session, world
):
    """ "Send every row to" (no Partner column) reaches the same hold as a column does."""
    provider, consultant, partnership = world
    onboarding.create(session, actor=provider, title="Partner agreement", text=TEXT)
    onboarding.set_holding(session, actor=provider, hold=True)
    mapping = {"first_name": "First", "last_name": "Last", "email": "Email", "company": "Company"}
    csv = b"First,Last,Email,Company\nPat,Kim,pat@kim.example,Kim Co\n"

    def dry_run():
        return imports.dry_run(
            session, actor=provider, kind="referrals", file=io.BytesIO(csv), mapping=mapping,
            submit=True, send_to=[consultant.org_id],
        )  # fmt: skip

    with pytest.raises(Invalid) as held:
        dry_run()
    assert str(held.value) == HELD
    _sign(session, consultant, partnership)
    assert dry_run().problems == []
