"""Personal-data requests, consent and retention (issue 29): find, export and erase a person;
the other organization's copy erased or the refusal logged; a referral without the contact's
permission refused when the provider requires it; closed leads' contacts stripped after N
months."""

import json
from datetime import timedelta

import pytest
import sqlalchemy as sa
from argon2 import PasswordHasher
from sqlmodel import SQLModel, col, func, select

from prm_app.models import (
    ActivityEvent,
    Deal,
    ErasureRequest,
    ImportBatch,
    Lead,
    LeadRecipient,
    LedgerEntry,
    OrgKind,
    OrgSettings,
    Role,
    WebhookEndpoint,
    utcnow,
)
from prm_app.services import leads, privacy
from prm_app.services.core.errors import Invalid, NotAllowed, NotFound
from prm_app.services.deals import lifecycle as deal_changes
from prm_app.services.identity import auth
from prm_app.services.integrations import retention
from prm_app.services.leads import LeadInput, consent
from prm_app.services.leads import forms as lead_forms
from tests.unit.factories import colleague, deal_stage, org_admin, paced, partner_form, partners

EMAIL = "jane.doe@tailwind.example"
NAME = "Jane Doe"


@pytest.fixture(autouse=True)
def _cheap_password_hashing(monkeypatch):
    monkeypatch.setattr(auth, "_hasher", PasswordHasher(time_cost=1, memory_cost=8, parallelism=1))


def _setup(session):
    provider = org_admin(session, kind=OrgKind.PROVIDER, org_name="Northwind", name="Pia")
    consultant = org_admin(session, kind=OrgKind.CONSULTANT, org_name="Fabrikam", name="Carl")
    partners(session, provider, consultant)
    for actor in (provider, consultant):  # both keep webhook payloads of the lead's events
        session.add(
            WebhookEndpoint(
                org_id=actor.org_id,
                created_by_id=actor.user_id,
                url="https://hooks.example/in",
                secret="s",
                events=["lead.submitted", "lead.accepted", "lead.converted", "deal.won"],
            )
        )
    session.flush()
    return provider, consultant


def _shared_person(session, provider, consultant) -> Deal:
    """Jane, a referral the partner accepted, converted and won: a lead, a deal, ledger entries,
    trail entries, notifications and webhook payloads on both sides."""
    data = LeadInput("Jane", "Doe", EMAIL, "Tailwind", "+1 555 0199", "CTO", "Met Jane Doe")
    _, (recipient_id,) = leads.create_and_submit(
        session,
        actor=provider,
        data=data,
        owner_id=provider.user_id,
        recipient_org_ids=[consultant.org_id],
    )
    leads.accept(session, actor=consultant, recipient_id=recipient_id)
    deal_id = leads.convert(session, actor=provider, recipient_id=recipient_id, amount="20000")
    deal = session.get(Deal, deal_id)
    deal_changes.move_stage(
        session,
        actor=provider,
        deal_id=deal.id,
        version=deal.version,
        stage_id=deal_stage(session, provider, "Closed Won"),
    )
    session.flush()
    return deal


def _as_dict(data: LeadInput) -> dict:
    return {name: getattr(data, name) for name in LeadInput.__dataclass_fields__}


def _text_columns():
    """Every text and JSON column of every table."""
    for table in SQLModel.metadata.sorted_tables:
        for column in table.columns:
            kind = column.type
            if isinstance(kind, sa.types.TypeDecorator):
                kind = kind.impl_instance
            if isinstance(kind, sa.String | sa.Text | sa.JSON):
                yield table, column


def _holding(session, needle: str) -> list[str]:
    """Where `needle` is, in any text or JSON column of any table (table.column: rows)."""
    found = []
    for table, column in _text_columns():
        count = session.execute(
            select(func.count())
            .select_from(table)
            .where(func.lower(sa.cast(column, sa.Text)).contains(needle.lower()))
        ).scalar_one()
        if count:
            found.append(f"{table.name}.{column.name}: {count}")
    return found


def _ledger(session) -> list[tuple]:
    return [
        (e.id, e.account, e.amount)
        for e in session.exec(select(LedgerEntry).order_by(col(LedgerEntry.id))).all()
    ]


def test_an_admin_finds_every_record_of_the_person_and_exports_them(session):
    provider, consultant = _setup(session)
    deal = _shared_person(session, provider, consultant)

    found = privacy.find(session, actor=provider, email=EMAIL.upper(), name="")
    kinds = {r.kind for r in found.records}
    assert {"referral", "deal", "activity_event"} <= kinds
    assert any(r.kind == "deal" and r.id == deal.id for r in found.records)
    assert found.counts["webhook_payloads"] >= 1
    assert found.other_orgs == ["Fabrikam"]
    by_name = privacy.find(session, actor=consultant, email="", name="jane  DOE")
    assert {"referral", "deal"} <= {r.kind for r in by_name.records}
    assert by_name.other_orgs == ["Northwind"]

    name, text = privacy.export(session, actor=provider, email=EMAIL, name="", fmt="json")
    assert name == "personal-data.json"
    body = json.loads(text)
    assert body["email"] == EMAIL
    assert any(r["fields"].get("email") == EMAIL for r in body["records"])
    name, text = privacy.export(session, actor=provider, email=EMAIL, name="", fmt="csv")
    assert name == "personal-data.csv" and text.startswith("kind,id,field,value")
    assert f"referral,{found.records[0].id},email,{EMAIL}" in text
    logged = session.exec(
        select(ActivityEvent).where(
            ActivityEvent.org_id == provider.org_id,
            ActivityEvent.action == "personal_data_exported",
        )
    ).all()
    assert len(logged) == 2
    assert EMAIL not in json.dumps([e.after for e in logged])  # the log says how many, not who


def test_only_admins_search_and_a_search_needs_an_email_or_a_name(session):
    provider, _ = _setup(session)
    member = colleague(session, provider, role=Role.MEMBER)
    with pytest.raises(NotAllowed):
        privacy.find(session, actor=member, email=EMAIL, name="")
    with pytest.raises(NotAllowed):
        privacy.erase(session, actor=member, email=EMAIL, name="")
    with pytest.raises(Invalid):
        privacy.find(session, actor=provider, email="", name="  ")
    with pytest.raises(Invalid):
        privacy.find(session, actor=provider, email="not an email", name="")
    with pytest.raises(Invalid):
        privacy.find(session, actor=provider, email={"$ne": 1}, name="")


def test_erasure_leaves_no_copy_in_any_table_and_keeps_the_ledger(session):
    provider, consultant = _setup(session)
    deal = _shared_person(session, provider, consultant)
    ledger_before = _ledger(session)
    assert ledger_before, "the won deal accrued a commission"
    assert _holding(session, EMAIL)  # the walk finds it before

    done = privacy.erase(session, actor=provider, email=EMAIL, name="")
    assert done.asked_org_ids == [consultant.org_id]
    lead = session.exec(select(Lead).where(Lead.origin_org_id == provider.org_id)).one()
    assert lead.erased_at is not None and lead.email == "" and lead.company == "Tailwind"
    session.refresh(deal)
    assert deal.erased_at is not None and deal.amount == 20000 and deal.outcome == "won"

    (request,) = privacy.requests_of(session, actor=consultant)
    assert request.direction == "received" and request.status == "pending"
    assert request.other_org == "Northwind"
    with pytest.raises(NotFound):  # not the provider's to decide
        privacy.decide(session, actor=provider, request_id=request.id, erase=True)
    assert privacy.decide(session, actor=consultant, request_id=request.id, erase=True) == (
        "erased"
    )
    session.flush()

    for needle in (EMAIL, NAME, "+1 555 0199"):
        assert _holding(session, needle) == [], (needle, _holding(session, needle))
    assert _ledger(session) == ledger_before
    erased = session.exec(
        select(ActivityEvent.org_id, ActivityEvent.action).where(
            col(ActivityEvent.action).in_(["personal_data_erased", "erasure_decided"])
        )
    ).all()
    assert (provider.org_id, "personal_data_erased") in erased
    assert (provider.org_id, "erasure_decided") in erased
    assert (consultant.org_id, "erasure_decided") in erased
    with pytest.raises(Invalid):  # decided once
        privacy.decide(session, actor=consultant, request_id=request.id, erase=True)


def test_the_partner_erasing_asks_the_provider_who_may_decline_with_a_logged_reason(session):
    provider, consultant = _setup(session)
    _shared_person(session, provider, consultant)

    done = privacy.erase(session, actor=consultant, email="", name=NAME)
    assert done.asked_org_ids == [provider.org_id]
    lead = session.exec(select(Lead)).one()
    assert lead.email == EMAIL  # the referral is the provider's record: only it erases it
    (request,) = privacy.requests_of(session, actor=provider)
    assert (
        request.email == EMAIL and request.name == NAME
    )  # the search named one, the records the other
    with pytest.raises(Invalid):  # a refusal says why
        privacy.decide(session, actor=provider, request_id=request.id, erase=False, reason="")
    status = privacy.decide(
        session, actor=provider, request_id=request.id, erase=False, reason="Legal hold: audit"
    )
    assert status == "declined"
    row = session.get(ErasureRequest, request.id)
    assert row.reason == "Legal hold: audit" and row.name == "" and row.email == ""
    logged = session.exec(
        select(ActivityEvent).where(ActivityEvent.action == "erasure_decided")
    ).all()
    assert {e.org_id for e in logged} == {provider.org_id, consultant.org_id}
    assert all(e.after["reason"] == "Legal hold: audit" for e in logged)
    # The partner's own copies are gone; the provider's remain, as it decided.
    partner_events = session.exec(
        select(ActivityEvent).where(ActivityEvent.org_id == consultant.org_id)
    ).all()
    assert NAME.lower() not in json.dumps([[e.before, e.after] for e in partner_events]).lower()


def test_a_referral_without_permission_cannot_be_sent_when_the_provider_requires_it(session):
    provider, consultant = _setup(session)
    privacy.set_privacy(session, actor=provider, require_share_consent=True, retention_months="")
    data = LeadInput("Jane", "Doe", EMAIL, "Tailwind")
    with pytest.raises(Invalid) as refused:
        leads.create_and_submit(
            session,
            actor=provider,
            data=data,
            owner_id=provider.user_id,
            recipient_org_ids=[consultant.org_id],
        )
    assert str(refused.value) == consent.REQUIRED
    given = leads.lead_input({**_as_dict(data), "share_consent": "on"})
    _, sent = leads.create_and_submit(
        session,
        actor=provider,
        data=given,
        owner_id=provider.user_id,
        recipient_org_ids=[consultant.org_id],
    )
    assert len(sent) == 1
    # A consultant's lead to the provider needs nothing of the kind.
    leads.create_and_submit(
        session,
        actor=consultant,
        data=LeadInput("Max", "Roe", "max@roe.example", "Roe"),
        owner_id=consultant.user_id,
        recipient_org_ids=[provider.org_id],
    )


def test_the_public_form_asks_the_person_for_permission_when_required(session):
    provider = org_admin(session, kind=OrgKind.PROVIDER, org_name="Northwind", name="Pia")
    form, _ = partner_form(session, provider)
    token = form.token
    privacy.set_privacy(session, actor=provider, require_share_consent=True, retention_months=None)
    values = {"first_name": "Jane", "last_name": "Doe", "email": EMAIL, "company": "Tailwind"}
    with pytest.raises(Invalid) as refused:
        lead_forms.submit(
            session, token=token, form=paced(session, token, values), client="1.2.3.4"
        )
    assert str(refused.value) == consent.REQUIRED
    ticked = paced(session, token, {**values, "share_consent": "yes"})
    lead_id = lead_forms.submit(session, token=token, form=ticked, client="1.2.3.4")
    assert session.get(Lead, lead_id).share_consent is True


def test_privacy_settings_are_a_provider_admins_and_checked(session):
    provider, consultant = _setup(session)
    with pytest.raises(NotAllowed):
        privacy.set_privacy(
            session, actor=consultant, require_share_consent=True, retention_months=None
        )
    for bad in ("0", "abc", 121, True, {"x": 1}):
        with pytest.raises(Invalid):
            privacy.set_privacy(
                session, actor=provider, require_share_consent=False, retention_months=bad
            )
    with pytest.raises(Invalid):
        privacy.set_privacy(
            session, actor=provider, require_share_consent="yes", retention_months=None
        )
    done = privacy.set_privacy(
        session, actor=provider, require_share_consent=True, retention_months="18"
    )
    assert done == privacy.PrivacySettings(True, 18)
    assert privacy.privacy_settings(session, actor=provider) == done


def test_retention_strips_contacts_of_leads_closed_longer_than_the_setting(session):
    provider, consultant = _setup(session)
    privacy.set_privacy(session, actor=provider, require_share_consent=False, retention_months=6)

    def referral(email: str, status: str | None, closed_days_ago: int) -> Lead:
        lead_id, (recipient_id,) = leads.create_and_submit(
            session,
            actor=provider,
            data=LeadInput("Jo", "Old", email, "Acme"),
            owner_id=provider.user_id,
            recipient_org_ids=[consultant.org_id],
        )
        if status:
            recipient = session.get(LeadRecipient, recipient_id)
            recipient.status = status
            recipient.responded_at = utcnow() - timedelta(days=closed_days_ago)
            recipient.updated_at = recipient.responded_at
            session.add(recipient)
        session.flush()
        return session.get(Lead, lead_id)

    old_rejected = referral("old@acme.example", "rejected", 200)
    recent_rejected = referral("recent@acme.example", "rejected", 100)
    still_open = referral("open@acme.example", None, 0)
    session.exec(  # the open one was sent long ago, but is still open
        sa.update(LeadRecipient)
        .where(LeadRecipient.lead_id == still_open.id)
        .values(created_at=utcnow() - timedelta(days=400))
    )
    assert retention.prune_batch(session) >= 1
    for lead in (old_rejected, recent_rejected, still_open):
        session.refresh(lead)
    assert old_rejected.email == "" and old_rejected.erased_at is not None
    assert old_rejected.company == "Acme" and old_rejected.status == "submitted"
    assert recent_rejected.email == "recent@acme.example"
    assert still_open.email == "open@acme.example"
    assert session.exec(
        select(ActivityEvent).where(
            ActivityEvent.entity_id == old_rejected.id,
            ActivityEvent.action == "contact_stripped",
        )
    ).first()
    # Off by default: another provider's closed leads are kept.
    assert session.get(OrgSettings, consultant.org_id).contact_retention_months is None


def test_months_before_keeps_the_day_or_takes_the_months_last():
    from datetime import UTC, datetime

    from prm_app.services.privacy.retention import months_before

    assert months_before(datetime(2026, 3, 31, tzinfo=UTC), 1) == datetime(2026, 2, 28, tzinfo=UTC)
    assert months_before(datetime(2026, 1, 15, tzinfo=UTC), 13) == datetime(
        2024, 12, 15, tzinfo=UTC
    )


def test_imported_referrals_need_the_permission_column_when_required(session):
    import io

    from prm_app.services import imports

    provider, _ = _setup(session)
    privacy.set_privacy(session, actor=provider, require_share_consent=True, retention_months=None)
    text = (
        "First name,Last name,Email,Company,Partner,Consent\n"
        "Jane,Doe,jane@contoso.example,Contoso,Fabrikam,yes\n"
        "Max,Roe,max@roe.example,Roe,Fabrikam,no\n"
        "Ida,Poe,ida@poe.example,Poe,Fabrikam,perhaps\n"
    )
    mapping = {
        "first_name": "First name",
        "last_name": "Last name",
        "email": "Email",
        "company": "Company",
        "partner": "Partner",
        "share_consent": "Consent",
    }
    batch = imports.run(
        session,
        actor=provider,
        kind="referrals",
        file=io.BytesIO(text.encode()),
        file_name="referrals.csv",
        mapping=mapping,
        submit=True,
    )
    assert (batch.rows_imported, batch.rows_failed) == (1, 2), batch
    errors = session.get(ImportBatch, batch.id).error_report
    assert "Max,Roe,max@roe.example,Roe,Fabrikam,no,Consent: This referral cannot" in errors
    assert "Ida,Poe,ida@poe.example,Roe" not in errors and 'Write ""yes"" or ""no""' in errors
    sent = session.exec(select(Lead).where(Lead.email == "jane@contoso.example")).one()
    assert sent.share_consent is True


def test_the_rest_api_carries_the_permission_and_refuses_without_it_when_required(session):
    from tests.unit.api_support import client_over, key_for

    provider, consultant = _setup(session)
    privacy.set_privacy(session, actor=provider, require_share_consent=True, retention_months=None)
    api, key = client_over(session), key_for(session, provider)
    body = {
        "first_name": "Grace",
        "last_name": "Hopper",
        "email": "grace@navy.example",
        "company": "Navy Labs",
        "recipient_org_ids": [consultant.org_id],
    }
    refused = api.post("/leads", json=body, headers=key)
    assert refused.status_code == 422, refused.text
    assert refused.json()["field"] == consent.FIELD
    assert refused.json()["detail"] == consent.REQUIRED
    sent = api.post("/leads", json={**body, "share_consent": True}, headers=key)
    assert sent.status_code == 201, sent.text
    assert session.get(Lead, sent.json()["lead_id"]).share_consent is True
