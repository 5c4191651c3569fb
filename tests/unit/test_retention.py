"""retention: expired deliveries, mail and bot submissions go; everything still of use stays."""

from contextlib import contextmanager
from datetime import timedelta

import pytest
from argon2 import PasswordHasher
from sqlmodel import Session, select

from prm_app import jobs
from prm_app.models import (
    FormSubmission,
    OrgKind,
    OutboundEmail,
    WebhookDelivery,
    WebhookEndpoint,
    utcnow,
)
from prm_app.services.identity import auth
from prm_app.services.integrations import retention
from prm_app.services.leads import forms as lead_forms
from prm_app.settings import InvalidSettings
from tests.unit.factories import org_admin, paced, partner_form

PERSON = {"first_name": "Ada", "last_name": "Webb", "email": "ada@webb.example", "company": "Webb"}


@pytest.fixture(autouse=True)
def _cheap_password_hashing(monkeypatch):
    monkeypatch.setattr(auth, "_hasher", PasswordHasher(time_cost=1, memory_cost=8, parallelism=1))


def _kept(session, model, ids) -> set[int]:
    return set(session.exec(select(model.id).where(model.id.in_(ids))).all())


def test_expired_records_go_and_the_rest_stay(session):
    now = utcnow()
    old, recent = now - timedelta(days=31), now - timedelta(days=29)
    provider = org_admin(session, kind=OrgKind.PROVIDER)
    endpoint = WebhookEndpoint(
        org_id=provider.org_id, created_by_id=provider.user_id, url="https://h.example", secret="s"
    )
    session.add(endpoint)
    session.flush()

    def delivery(status, created):
        row = WebhookDelivery(
            endpoint_id=endpoint.id, org_id=provider.org_id, event="e", body="{}", status=status
        )
        row.created_at = created
        return row

    def mail(status, created):
        row = OutboundEmail(to_address="a@b.example", subject="s", body="b", status=status)
        row.created_at = created
        return row

    deliveries = {
        "old sent": delivery("sent", old),
        "old failed": delivery("failed", old),
        "old queued": delivery("queued", old),  # still being retried
        "recent sent": delivery("sent", recent),
    }
    mails = {
        "old sent": mail("sent", old),
        "old failed": mail("failed", old),
        "old queued": mail("queued", old),
        "recent sent": mail("sent", recent),
    }
    session.add_all([*deliveries.values(), *mails.values()])

    form = partner_form(session, provider)[0]
    form_id, token = form.id, form.token
    bot = {**PERSON, lead_forms.HONEYPOT: "http://spam.example"}
    outside = now - lead_forms.WINDOW - timedelta(minutes=1)
    inside = now - lead_forms.WINDOW + timedelta(minutes=1)
    for form_values, client, at in (
        (bot, "198.51.100.1", outside),
        (bot, "198.51.100.2", inside),
        (PERSON, "198.51.100.3", outside),
    ):
        values = paced(session, token, form_values, now=at)
        lead_forms.submit(session, token=token, form=values, client=client, now=at)
    session.flush()
    submissions = {  # (made a referral, outside the window): id
        (lead_id is not None, created.replace(tzinfo=None) < inside.replace(tzinfo=None)): sid
        for sid, lead_id, created in session.exec(
            select(FormSubmission.id, FormSubmission.lead_id, FormSubmission.created_at).where(
                FormSubmission.form_id == form_id
            )
        ).all()
    }
    assert len(submissions) == 3

    assert retention.prune_batch(session, now=now) >= 5
    kept = _kept(session, WebhookDelivery, [d.id for d in deliveries.values()])
    assert kept == {deliveries["old queued"].id, deliveries["recent sent"].id}
    kept = _kept(session, OutboundEmail, [m.id for m in mails.values()])
    assert kept == {mails["old queued"].id, mails["recent sent"].id}
    kept = _kept(session, FormSubmission, list(submissions.values()))
    assert kept == {
        submissions[(False, False)],
        submissions[(True, True)],
    }  # in the window; a referral
    assert lead_forms.forms(session, actor=provider)[0].submissions == 1


def test_the_sweep_deletes_in_batches_until_done(engine, monkeypatch):
    @contextmanager
    def committed():
        with Session(engine) as session:
            yield session
            session.commit()

    monkeypatch.setattr(retention, "BATCH", 3)
    monkeypatch.setattr(jobs, "unit_of_work", committed)
    old = utcnow() - timedelta(days=40)
    marker = f"retention-{id(old)}@b.example"
    with Session(engine) as session:
        rows = [
            OutboundEmail(to_address=marker, subject="s", body="b", status="sent") for _ in range(7)
        ]
        for row in rows:
            row.created_at = old
        session.add_all(rows)
        session.commit()
    assert jobs.prune_old_records() >= 7
    with Session(engine) as session:
        assert (
            session.exec(select(OutboundEmail).where(OutboundEmail.to_address == marker)).all()
            == []
        )


def test_the_retention_setting(monkeypatch):
    monkeypatch.setenv("PRM_RETENTION_DAYS", "7")
    assert retention.retention_days() == 7
    for bad in ("0", "-3", "soon"):
        monkeypatch.setenv("PRM_RETENTION_DAYS", bad)
        with pytest.raises(InvalidSettings, match=f"PRM_RETENTION_DAYS='{bad}'"):
            retention.retention_days()
