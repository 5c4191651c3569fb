"""Which open views a change concerns: the services note (topic, organization) for each side,
and nothing for organizations the change does not concern."""

import pytest
from argon2 import PasswordHasher

from prm_app.services import leads, partnerships
from prm_app.services.core import changes
from prm_app.services.core.changes import Topic
from prm_app.services.identity import auth
from prm_app.services.leads import LeadInput
from tests.unit.test_leads import _consultant, _partners, _provider


@pytest.fixture(autouse=True)
def _cheap_password_hashing(monkeypatch):
    monkeypatch.setattr(auth, "_hasher", PasswordHasher(time_cost=1, memory_cost=8, parallelism=1))


def _told(session, topic: Topic) -> frozenset[int]:
    """The organizations noted for `topic` since the last call."""
    noted = changes.noted(session).of(topic)
    session.info.clear()
    return noted


def test_partnership_changes_reach_both_sides_only(session):
    provider, consultant, bystander = _provider(session), _consultant(session), _provider(session)
    invitation = partnerships.invite(session, actor=provider, email=consultant.email)
    assert _told(session, Topic.PARTNERS) == {provider.org_id, consultant.org_id}
    partnerships.accept(session, actor=consultant, partnership_id=invitation.partnership_id)
    assert _told(session, Topic.PARTNERS) == {provider.org_id, consultant.org_id}
    partnerships.end(session, actor=provider, partnership_id=invitation.partnership_id)
    assert _told(session, Topic.PARTNERS) == {provider.org_id, consultant.org_id}
    assert bystander.org_id  # another provider of the same program: never told
    assert not changes.noted(session).of(Topic.LEADS)


def test_an_invitation_to_an_address_without_a_firm_reaches_the_provider(session):
    provider = _provider(session)
    partnerships.invite(session, actor=provider, email="nobody-yet@example.com")
    assert _told(session, Topic.PARTNERS) == {provider.org_id}


def test_lead_changes_reach_the_origin_and_that_recipient_only(session):
    consultant = _consultant(session)
    provider, other = _provider(session), _provider(session)
    _partners(session, provider, consultant)
    _partners(session, other, consultant)
    session.info.clear()
    _, [first, second] = leads.create_and_submit(
        session,
        actor=consultant,
        data=LeadInput("Lena", "Live", "lena@live.example", "Live Corp"),
        owner_id=consultant.user_id,
        recipient_org_ids=[provider.org_id, other.org_id],
    )
    assert _told(session, Topic.LEADS) == {consultant.org_id, provider.org_id, other.org_id}
    leads.accept(session, actor=provider, recipient_id=first)
    assert _told(session, Topic.LEADS) == {consultant.org_id, provider.org_id}
    leads.reject(session, actor=other, recipient_id=second, reason="Not for us")
    assert _told(session, Topic.LEADS) == {consultant.org_id, other.org_id}
    assert not changes.noted(session).of(Topic.DEALS)  # the deals views are not told
