"""The lead form as the person meets it (issue 23): every field's message at once, and a draft
that keeps the organizations ticked when it was saved."""

import pytest

from prm_app.models import Lead, LeadStatus
from prm_app.services import leads
from prm_app.services.core.errors import Invalid
from tests.unit.test_leads import _cheap_password_hashing, _data, _provider, _setup  # noqa: F401


def test_every_wrong_field_is_told_at_once_recipients_first():
    with pytest.raises(Invalid) as caught:
        leads.checked_form(
            {"first_name": "", "last_name": "Doe", "email": "nope", "company": ""},
            [],
            submitting=True,
        )
    assert list(caught.value.problems) == ["recipient_org_ids", "first_name", "email", "company"]
    assert caught.value.problems["first_name"] == "First name is required."
    assert caught.value.field == "recipient_org_ids"
    assert str(caught.value) == caught.value.problems["recipient_org_ids"]


def test_a_draft_needs_no_recipient_and_a_fixed_field_has_no_problem():
    form = {"first_name": "Jane", "last_name": "Doe", "email": "björn@example.com", "company": "X"}
    assert leads.checked_form(form, [], submitting=False).email == "björn@example.com"
    assert leads.field_problem("first_name", "") == "First name is required."
    assert leads.field_problem("first_name", "Jane") == ""
    assert leads.field_problem("not_a_field", "") == ""


def test_a_draft_keeps_its_recipients_until_submitted(session):
    provider, consultant = _setup(session)
    lead_id = leads.save_draft(
        session,
        actor=consultant,
        data=_data(),
        owner_id=consultant.user_id,
        recipient_org_ids=[str(provider.org_id)],
    )
    shown = leads.detail(session, actor=consultant, lead_id=lead_id)
    assert shown.draft_recipient_ids == [provider.org_id]

    # Saved again with nothing ticked: nothing ticked when edited next.
    leads.save_draft(
        session, actor=consultant, data=_data(), owner_id=consultant.user_id, lead_id=lead_id
    )
    assert leads.detail(session, actor=consultant, lead_id=lead_id).draft_recipient_ids == []

    leads.save_draft(
        session,
        actor=consultant,
        data=_data(),
        owner_id=consultant.user_id,
        lead_id=lead_id,
        recipient_org_ids=[provider.org_id],
    )
    leads.submit(session, actor=consultant, lead_id=lead_id, recipient_org_ids=[provider.org_id])
    lead = session.get(Lead, lead_id)
    assert (lead.status, lead.draft_recipient_ids) == (LeadStatus.SUBMITTED, [])


def test_a_draft_refuses_a_recipient_list_no_submission_would_take(session):
    _, consultant = _setup(session)
    with pytest.raises(Invalid):
        leads.save_draft(
            session,
            actor=consultant,
            data=_data(),
            owner_id=consultant.user_id,
            recipient_org_ids=list(range(1, 30)),
        )
