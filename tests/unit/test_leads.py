"""leads: drafts, submission, both sides' decisions, conversion, conflicts, lists and detail."""

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest
from argon2 import PasswordHasher
from sqlalchemy import insert, text, update
from sqlmodel import select

from prm_app.models import (
    Deal,
    Lead,
    LeadRecipient,
    OrgKind,
    OrgSettings,
    Partnership,
    Pipeline,
    Role,
    Stage,
    TaxonomyTerm,
    TermKind,
    utcnow,
)
from prm_app.services import leads, partnerships
from prm_app.services.core.errors import Invalid, NotAllowed, NotFound
from prm_app.services.identity import auth, team
from prm_app.services.leads import LeadInput
from prm_app.services.leads import timeline as lead_timeline
from tests.unit.factories import colleague, events, in_the_past, org_admin, statements

HOSTILE_IDS = [None, "", "abc", "1; DROP", -1, "-1", 0, True, False, {"id": 1}, [1], 1.5, 2**70]
HUGE = "x" * 100_000


@pytest.fixture(autouse=True)
def _cheap_password_hashing(monkeypatch):
    """Accounts are only scaffolding here: hash their passwords cheaply."""
    monkeypatch.setattr(auth, "_hasher", PasswordHasher(time_cost=1, memory_cost=8, parallelism=1))


# builders ------------------------------------------------------------------------------------


def _provider(session, **overrides):
    return org_admin(session, kind=OrgKind.PROVIDER, **overrides)


def _consultant(session, **overrides):
    return org_admin(session, kind=OrgKind.CONSULTANT, **overrides)


def _partners(session, provider, consultant, *, categorize=True) -> int:
    """An active partnership, categorized by the consultant unless told otherwise."""
    partnership_id = partnerships.invite(
        session, actor=provider, email=consultant.email
    ).partnership_id
    partnerships.accept(session, actor=consultant, partnership_id=partnership_id)
    if categorize:
        terms = {
            kind: _term_id(session, consultant, kind)
            for kind in (TermKind.PROVIDER_TYPE, TermKind.PROFICIENCY)
        }
        partnerships.categorize_provider(
            session,
            actor=consultant,
            partnership_id=partnership_id,
            provider_type_id=terms[TermKind.PROVIDER_TYPE],
            proficiency_id=terms[TermKind.PROFICIENCY],
            assigned_user_id=consultant.user_id,
        )
    return partnership_id


def _term_id(session, actor, kind):
    return session.exec(
        select(TaxonomyTerm.id).where(
            TaxonomyTerm.org_id == actor.org_id, TaxonomyTerm.kind == kind
        )
    ).first()


def _data(**overrides) -> LeadInput:
    values = {
        "first_name": "Jane",
        "last_name": "Doe",
        "email": "jane@contoso.com",
        "company": "Contoso Ltd",
        "phone": "+1 555 0100",
        "title": "CTO",
        "notes": "Wants a demo",
    }
    values.update(overrides)
    return LeadInput(**values)


def _sent(session, actor, org_ids, **data):
    """A submitted lead (or referral) of the actor: (lead id, recipient ids)."""
    return leads.create_and_submit(
        session,
        actor=actor,
        data=_data(**data),
        owner_id=actor.user_id,
        recipient_org_ids=[o.org_id for o in org_ids],
    )


def _received_ids(session, sender, receiver, count):
    """The recipient ids of `count` leads (or referrals) sent by `sender` to `receiver`."""
    return [_sent(session, sender, [receiver])[1][0] for _ in range(count)]


def _setup(session):
    """A provider and a consultant firm, active partners."""
    provider = _provider(session, org_name="Northwind")
    consultant = _consultant(session, org_name="Fabrikam")
    _partners(session, provider, consultant)
    return provider, consultant


def _recipient(session, recipient_id) -> LeadRecipient:
    session.flush()
    return session.exec(select(LeadRecipient).where(LeadRecipient.id == recipient_id)).one()


def _lead(session, lead_id) -> Lead | None:
    session.flush()
    return session.exec(select(Lead).where(Lead.id == lead_id)).first()


def _deal(session, deal_id) -> Deal:
    session.flush()
    return session.exec(select(Deal).where(Deal.id == deal_id)).one()


def _stage(session, org, pipeline, name) -> int:
    return session.exec(
        select(Stage.id).where(
            Stage.org_id == org.org_id, Stage.pipeline == pipeline, Stage.name == name
        )
    ).one()


def _settings(session, org, **values):
    settings = session.get(OrgSettings, org.org_id)
    for key, value in values.items():
        setattr(settings, key, value)
    session.add(settings)
    session.flush()


def _trail(session, org, entity_type):
    return [
        (e.action, e.entity_id) for e in events(session, org_id=org.org_id, entity_type=entity_type)
    ]


def _last(session, org, entity_type):
    return events(session, org_id=org.org_id, entity_type=entity_type)[-1]


def _protected_deal(
    session, provider, partner, *, company="Contoso", domain="contoso.com", **extra
):
    """An approved deal protected for `partner` at `provider`."""
    values = {
        "approval": "approved",
        "outcome": "open",
        "protected_until": utcnow() + timedelta(days=30),
    }
    values.update(extra)
    company_norm = company.lower()
    deal = Deal(
        provider_org_id=provider.org_id,
        partner_org_id=partner.org_id,
        registered_by_id=partner.user_id,
        name=f"{company} deal",
        company=company,
        company_norm=company_norm,
        email_domain=domain,
        **values,
    )
    session.add(deal)
    session.flush()
    return deal


# lead_input ----------------------------------------------------------------------------------


def test_lead_input_trims_and_lowercases_the_email():
    data = leads.lead_input(
        {"first_name": " Jane ", "last_name": "Doe", "email": " JANE@X.COM ", "company": "X"}
    )
    assert data == LeadInput("Jane", "Doe", "jane@x.com", "X", "", "", "")


@pytest.mark.parametrize(
    ("form", "field"),
    [
        ({"last_name": "D", "email": "a@b.co", "company": "C"}, "first_name"),
        ({"first_name": "J", "email": "a@b.co", "company": "C"}, "last_name"),
        ({"first_name": "J", "last_name": "D", "company": "C"}, "email"),
        ({"first_name": "J", "last_name": "D", "email": "nope", "company": "C"}, "email"),
        ({"first_name": "J", "last_name": "D", "email": "a@b.co"}, "company"),
        (
            {"first_name": {"$ne": 1}, "last_name": "D", "email": "a@b.co", "company": "C"},
            "first_name",
        ),
        ({"first_name": "J", "last_name": HUGE, "email": "a@b.co", "company": "C"}, "last_name"),
        ({"first_name": "J", "last_name": "D", "email": "a@b.co", "company": "C\x00"}, "company"),
        (
            {
                "first_name": "J",
                "last_name": "D",
                "email": "a@b.co",
                "company": "C",
                "phone": "1" * 51,
            },
            "phone",
        ),
        (
            {
                "first_name": "J",
                "last_name": "D",
                "email": "a@b.co",
                "company": "C",
                "title": "t" * 151,
            },
            "title",
        ),
        (
            {
                "first_name": "J",
                "last_name": "D",
                "email": "a@b.co",
                "company": "C",
                "notes": "n" * 5001,
            },
            "notes",
        ),
        (
            {
                "first_name": "J",
                "last_name": "D",
                "email": "a@b.co",
                "company": "C",
                "notes": ["x"],
            },
            "notes",
        ),
    ],
)
def test_lead_input_refuses_bad_fields(form, field):
    with pytest.raises(Invalid) as error:
        leads.lead_input(form)
    assert error.value.field == field


@pytest.mark.parametrize("form", [None, "first_name=J", ["J"], 42])
def test_lead_input_refuses_anything_but_a_dict(form):
    with pytest.raises(Invalid, match="could not be read"):
        leads.lead_input(form)


# save_draft / delete_draft -------------------------------------------------------------------


def test_save_draft_creates_a_consultants_lead_with_customer_keys(session):
    consultant = _consultant(session)
    lead_id = leads.save_draft(
        session, actor=consultant, data=_data(email="Jane@Contoso.COM"), owner_id=consultant.user_id
    )
    lead = _lead(session, lead_id)
    assert (lead.direction, lead.status, lead.origin_org_id, lead.owner_id) == (
        "partner_to_provider",
        "draft",
        consultant.org_id,
        consultant.user_id,
    )
    assert (lead.company_norm, lead.email_domain, lead.email) == (
        "contoso",
        "contoso.com",
        "jane@contoso.com",
    )
    assert _trail(session, consultant, "lead") == [("created", lead_id)]


def test_a_providers_draft_is_a_referral(session):
    provider = _provider(session)
    lead_id = leads.save_draft(session, actor=provider, data=_data(), owner_id=provider.user_id)
    assert _lead(session, lead_id).direction == "provider_to_partner"


def test_save_draft_updates_only_changes_and_records_them(session):
    consultant = _consultant(session)
    manager = colleague(session, consultant, role=Role.MANAGER)
    lead_id = leads.save_draft(session, actor=consultant, data=_data(), owner_id=consultant.user_id)
    same = leads.save_draft(
        session, actor=consultant, data=_data(), owner_id=consultant.user_id, lead_id=lead_id
    )
    assert same == lead_id
    assert _trail(session, consultant, "lead") == [("created", lead_id)]
    leads.save_draft(
        session,
        actor=manager,
        data=_data(company="Fabrikam Inc", email="j@fabrikam.com"),
        owner_id=manager.user_id,
        lead_id=str(lead_id),
    )
    lead = _lead(session, lead_id)
    assert (lead.company, lead.company_norm, lead.email_domain, lead.owner_id) == (
        "Fabrikam Inc",
        "fabrikam",
        "fabrikam.com",
        manager.user_id,
    )
    last = _last(session, consultant, "lead")
    assert (last.action, last.actor_id) == ("updated", manager.user_id)
    assert last.before["company"] == "Contoso Ltd"
    assert last.after["owner_id"] == manager.user_id
    assert "first_name" not in last.after


def test_save_draft_refuses_bad_owners(session):
    consultant = _consultant(session)
    member = colleague(session, consultant)
    gone = colleague(session, consultant, name="Gone Person")
    team.set_active(session, actor=consultant, user_id=gone.user_id, active=False)
    stranger = _consultant(session)
    with pytest.raises(NotFound):
        leads.save_draft(session, actor=consultant, data=_data(), owner_id=stranger.user_id)
    with pytest.raises(Invalid, match="Gone Person is deactivated"):
        leads.save_draft(session, actor=consultant, data=_data(), owner_id=gone.user_id)
    with pytest.raises(NotAllowed, match="Only a manager"):
        leads.save_draft(session, actor=member, data=_data(), owner_id=consultant.user_id)
    for owner in HOSTILE_IDS:
        with pytest.raises(NotFound):
            leads.save_draft(session, actor=consultant, data=_data(), owner_id=owner)
    assert leads.save_draft(session, actor=member, data=_data(), owner_id=member.user_id)


def test_save_draft_refuses_a_hand_made_bad_input(session):
    consultant = _consultant(session)
    for data in (_data(email="not-an-email"), _data(company=HUGE), {"first_name": "J"}, None):
        with pytest.raises(Invalid):
            leads.save_draft(session, actor=consultant, data=data, owner_id=consultant.user_id)
    assert _trail(session, consultant, "lead") == []


def test_drafts_are_changed_only_by_their_owner_or_a_manager_of_the_org(session):
    consultant = _consultant(session)
    owner = colleague(session, consultant)
    other_member = colleague(session, consultant)
    lead_id = leads.save_draft(session, actor=owner, data=_data(), owner_id=owner.user_id)
    with pytest.raises(NotAllowed):
        leads.save_draft(
            session,
            actor=other_member,
            data=_data(),
            owner_id=other_member.user_id,
            lead_id=lead_id,
        )
    with pytest.raises(NotAllowed):
        leads.delete_draft(session, actor=other_member, lead_id=lead_id)
    with pytest.raises(NotFound):
        leads.delete_draft(session, actor=_consultant(session), lead_id=lead_id)
    with pytest.raises(NotFound):
        leads.save_draft(
            session, actor=_provider(session), data=_data(), owner_id=1, lead_id=lead_id
        )
    leads.delete_draft(session, actor=owner, lead_id=lead_id)
    assert _lead(session, lead_id) is None
    assert _trail(session, consultant, "lead") == [("created", lead_id), ("deleted", lead_id)]


def test_a_submitted_lead_can_no_longer_be_edited_or_deleted(session):
    provider, consultant = _setup(session)
    lead_id, _ = _sent(session, consultant, [provider])
    with pytest.raises(Invalid, match="already submitted"):
        leads.save_draft(
            session, actor=consultant, data=_data(), owner_id=consultant.user_id, lead_id=lead_id
        )
    with pytest.raises(Invalid, match="already submitted"):
        leads.delete_draft(session, actor=consultant, lead_id=lead_id)
    with pytest.raises(Invalid, match="already sent to"):
        leads.submit(
            session, actor=consultant, lead_id=lead_id, recipient_org_ids=[provider.org_id]
        )


def test_a_returned_referral_is_sent_on_to_another_partner(session):
    provider, first = _setup(session)
    second = _consultant(session)
    _partners(session, provider, second)
    lead_id, [returned] = _sent(session, provider, [first])
    row = _recipient(session, returned)
    row.deadline_at = in_the_past()
    session.add(row)
    assert leads.return_overdue(session) == 1
    with pytest.raises(Invalid, match="already sent to"):
        leads.submit(
            session,
            actor=provider,
            lead_id=lead_id,
            recipient_org_ids=[second.org_id, first.org_id],
        )
    [again] = leads.submit(
        session, actor=provider, lead_id=str(lead_id), recipient_org_ids=[str(second.org_id)]
    )
    assert _recipient(session, again).org_id == second.org_id
    assert _recipient(session, again).deadline_at is not None
    assert _lead(session, lead_id).status == "submitted"
    assert _last(session, provider, "lead").action == "sent_to_more"
    leads.accept(session, actor=second, recipient_id=again)
    assert _recipient(session, again).status == "accepted"


@pytest.mark.parametrize("lead_id", HOSTILE_IDS[1:])
def test_hostile_lead_ids_are_not_found(session, lead_id):
    consultant = _consultant(session)
    with pytest.raises(NotFound):
        leads.delete_draft(session, actor=consultant, lead_id=lead_id)
    with pytest.raises(NotFound):
        leads.detail(session, actor=consultant, lead_id=lead_id)


# submit --------------------------------------------------------------------------------------


def test_submit_a_lead_to_two_providers_makes_two_pending_decisions(session):
    provider, consultant = _setup(session)
    second = _provider(session, org_name="Second")
    _partners(session, second, consultant)
    lead_id, recipient_ids = _sent(session, consultant, [provider, second])
    lead = _lead(session, lead_id)
    assert (lead.status, lead.submitted_at is not None) == ("submitted", True)
    rows = [_recipient(session, r) for r in recipient_ids]
    assert [(r.org_id, r.status, r.deadline_at) for r in rows] == [
        (provider.org_id, "pending", None),
        (second.org_id, "pending", None),
    ]
    assert _trail(session, consultant, "lead") == [("created", lead_id), ("submitted", lead_id)]
    assert _trail(session, provider, "lead_recipient") == [("received", recipient_ids[0])]
    assert _trail(session, second, "lead_recipient") == [("received", recipient_ids[1])]
    assert "Jane" not in str(_last(session, provider, "lead_recipient").after)


def test_a_referral_gets_the_providers_acceptance_deadline(session):
    provider, consultant = _setup(session)
    _settings(session, provider, lead_accept_hours=5)
    before = utcnow()
    _, [recipient_id] = _sent(session, provider, [consultant])
    deadline = _recipient(session, recipient_id).deadline_at
    assert before + timedelta(hours=5) <= deadline <= utcnow() + timedelta(hours=5)


def test_a_provider_may_send_referrals_to_an_uncategorized_partner(session):
    provider = _provider(session)
    consultant = _consultant(session)
    _partners(session, provider, consultant, categorize=False)
    _, recipient_ids = _sent(session, provider, [consultant])
    assert len(recipient_ids) == 1


def test_submit_refuses_uncategorized_and_inactive_partnerships_naming_the_org(session):
    provider = _provider(session, org_name="Uncategorized Co")
    consultant = _consultant(session)
    partnership_id = _partners(session, provider, consultant, categorize=False)
    with pytest.raises(Invalid, match="Uncategorized Co cannot receive your leads yet"):
        _sent(session, consultant, [provider])
    invited = _provider(session, org_name="Invited Co")
    partnerships.invite(session, actor=invited, email=consultant.email)
    with pytest.raises(Invalid, match="Invited Co is not an active partner"):
        _sent(session, consultant, [invited])
    partnerships.end(session, actor=provider, partnership_id=partnership_id)
    with pytest.raises(Invalid, match="Uncategorized Co is not an active partner"):
        _sent(session, consultant, [provider])
    ended_partner = _consultant(session, org_name="Ended Partner")
    ended = _partners(session, provider, ended_partner)
    partnerships.end(session, actor=provider, partnership_id=ended)
    with pytest.raises(Invalid, match="Ended Partner is not an active partner"):
        _sent(session, provider, [ended_partner])
    assert (
        session.exec(select(LeadRecipient).where(LeadRecipient.org_id == provider.org_id)).all()
        == []
    )


def test_submit_refuses_strangers_and_providers_as_not_found(session):
    provider, consultant = _setup(session)
    stranger = _provider(session, org_name="Stranger")
    with pytest.raises(NotFound) as error:
        _sent(session, consultant, [provider, stranger])
    assert "Stranger" not in str(error.value)
    with pytest.raises(NotFound):
        _sent(session, provider, [_provider(session)])  # providers do not send to providers
    with pytest.raises(NotFound):
        _sent(session, consultant, [consultant])


@pytest.mark.parametrize(
    "recipients",
    [[], None, "1", {"id": 1}, 7, list(range(1, 22))],
)
def test_submit_refuses_bad_recipient_lists(session, recipients):
    consultant = _consultant(session)
    lead_id = leads.save_draft(session, actor=consultant, data=_data(), owner_id=consultant.user_id)
    with pytest.raises(Invalid) as error:
        leads.submit(session, actor=consultant, lead_id=lead_id, recipient_org_ids=recipients)
    assert error.value.field == "recipient_org_ids"
    assert _lead(session, lead_id).status == "draft"


def test_submit_refuses_duplicates_and_hostile_ids(session):
    provider, consultant = _setup(session)
    lead_id = leads.save_draft(session, actor=consultant, data=_data(), owner_id=consultant.user_id)
    with pytest.raises(Invalid, match="only once"):
        leads.submit(
            session,
            actor=consultant,
            lead_id=lead_id,
            recipient_org_ids=[provider.org_id, str(provider.org_id)],
        )
    for bad in HOSTILE_IDS:
        with pytest.raises(NotFound):
            leads.submit(session, actor=consultant, lead_id=lead_id, recipient_org_ids=[bad])
    assert _lead(session, lead_id).status == "draft"


def test_a_member_submits_only_their_own_drafts(session):
    provider, consultant = _setup(session)
    member = colleague(session, consultant)
    lead_id = leads.save_draft(session, actor=consultant, data=_data(), owner_id=consultant.user_id)
    with pytest.raises(NotAllowed):
        leads.submit(session, actor=member, lead_id=lead_id, recipient_org_ids=[provider.org_id])
    assert len(_sent(session, member, [provider])[1]) == 1


# open_referral ------------------------------------------------------------------------------


def test_open_referral_is_idempotent_and_only_for_the_receiving_partner(session):
    provider, consultant = _setup(session)
    _, [recipient_id] = _sent(session, provider, [consultant])
    with pytest.raises(NotFound):
        leads.open_referral(session, actor=provider, recipient_id=recipient_id)
    with pytest.raises(NotFound):
        leads.open_referral(session, actor=_consultant(session), recipient_id=recipient_id)
    leads.open_referral(session, actor=consultant, recipient_id=recipient_id)
    opened_at = _recipient(session, recipient_id).opened_at
    leads.open_referral(session, actor=consultant, recipient_id=str(recipient_id))
    row = _recipient(session, recipient_id)
    assert (row.status, row.opened_at) == ("opened", opened_at)
    assert _trail(session, consultant, "lead_recipient") == [
        ("received", recipient_id),
        ("opened", recipient_id),
    ]


def test_a_lead_is_not_opened_but_accepted(session):
    provider, consultant = _setup(session)
    _, [recipient_id] = _sent(session, consultant, [provider])
    with pytest.raises(Invalid, match="Only referrals"):
        leads.open_referral(session, actor=provider, recipient_id=recipient_id)


# accept / reject -----------------------------------------------------------------------------


def test_a_provider_accepts_a_lead_into_its_first_lead_stage(session):
    provider, consultant = _setup(session)
    manager = colleague(session, provider, role=Role.MANAGER)
    _, [recipient_id] = _sent(session, consultant, [provider])
    leads.accept(session, actor=provider, recipient_id=recipient_id, owner_id=manager.user_id)
    row = _recipient(session, recipient_id)
    assert (row.status, row.stage_id, row.owner_id) == (
        "accepted",
        _stage(session, provider, Pipeline.LEAD, "New"),
        manager.user_id,
    )
    assert row.responded_at is not None
    assert _last(session, provider, "lead_recipient").action == "accepted"


def test_a_partner_accepts_a_referral_into_the_providers_first_lead_stage(session):
    provider, consultant = _setup(session)
    new = session.get(Stage, _stage(session, provider, Pipeline.LEAD, "New"))
    new.archived_at = in_the_past()
    session.add(new)
    _, [recipient_id] = _sent(session, provider, [consultant])
    leads.accept(session, actor=consultant, recipient_id=recipient_id)
    row = _recipient(session, recipient_id)
    assert (row.status, row.stage_id, row.owner_id) == (
        "accepted",
        _stage(session, provider, Pipeline.LEAD, "Contacted"),
        consultant.user_id,
    )
    assert row.opened_at is not None  # accepting shows the contact


def test_nobody_accepts_from_the_wrong_side_or_org(session):
    provider, consultant = _setup(session)
    _, [referral] = _sent(session, provider, [consultant])
    _, [lead] = _sent(session, consultant, [provider])
    outsider = _provider(session)
    for actor, recipient_id in ((provider, referral), (consultant, lead), (outsider, lead)):
        with pytest.raises(NotFound):
            leads.accept(session, actor=actor, recipient_id=recipient_id)
        with pytest.raises(NotFound):
            leads.reject(session, actor=actor, recipient_id=recipient_id, reason="No")
    assert {_recipient(session, r).status for r in (referral, lead)} == {"pending"}


def test_members_act_only_on_what_they_are_assigned(session):
    provider, consultant = _setup(session)
    member = colleague(session, provider)
    first, second = _received_ids(session, consultant, provider, 2)
    with pytest.raises(NotAllowed):
        leads.accept(session, actor=member, recipient_id=first)
    row = _recipient(session, first)
    row.owner_id = member.user_id
    session.add(row)
    with pytest.raises(NotAllowed):
        leads.accept(session, actor=member, recipient_id=first, owner_id=provider.user_id)
    leads.accept(session, actor=member, recipient_id=first)
    assert _recipient(session, first).status == "accepted"
    leads.accept(
        session, actor=colleague(session, provider, role=Role.MANAGER), recipient_id=second
    )
    assert _recipient(session, second).owner_id != member.user_id


def test_accept_refuses_owners_outside_the_org(session):
    provider, consultant = _setup(session)
    _, [recipient_id] = _sent(session, consultant, [provider])
    for owner in (consultant.user_id, -1, {"x": 1}, True):
        with pytest.raises(NotFound):
            leads.accept(session, actor=provider, recipient_id=recipient_id, owner_id=owner)
    assert _recipient(session, recipient_id).status == "pending"


def test_accept_refuses_a_closed_decision_a_passed_deadline_and_an_ended_partnership(session):
    provider, consultant = _setup(session)
    _, [accepted] = _sent(session, consultant, [provider])
    leads.accept(session, actor=provider, recipient_id=accepted)
    with pytest.raises(Invalid, match="already accepted"):
        leads.accept(session, actor=provider, recipient_id=accepted)
    with pytest.raises(Invalid, match="already accepted"):
        leads.reject(session, actor=provider, recipient_id=accepted, reason="No")
    _, [late] = _sent(session, provider, [consultant])
    row = _recipient(session, late)
    row.deadline_at = in_the_past()
    session.add(row)
    with pytest.raises(Invalid, match="time to accept"):
        leads.accept(session, actor=consultant, recipient_id=late)
    _, [orphan] = _sent(session, consultant, [provider])
    partnership = session.exec(
        select(Partnership).where(Partnership.provider_org_id == provider.org_id)
    ).one()
    partnerships.end(session, actor=provider, partnership_id=partnership.id)
    with pytest.raises(Invalid, match="partnership has ended"):
        leads.accept(session, actor=provider, recipient_id=orphan)
    with pytest.raises(Invalid, match="partnership has ended"):
        leads.convert(session, actor=consultant, recipient_id=accepted, amount=1)
    assert _recipient(session, orphan).status == "pending"


def test_reject_records_the_reason_and_closes_the_decision(session):
    provider, consultant = _setup(session)
    _, [recipient_id] = _sent(session, provider, [consultant])
    leads.open_referral(session, actor=consultant, recipient_id=recipient_id)
    leads.reject(session, actor=consultant, recipient_id=recipient_id, reason="  Not our region ")
    row = _recipient(session, recipient_id)
    assert (row.status, row.reason, row.responded_at is not None) == (
        "rejected",
        "Not our region",
        True,
    )
    last = _last(session, consultant, "lead_recipient")
    assert (last.action, last.after["reason"]) == ("rejected", "Not our region")
    with pytest.raises(Invalid, match="was rejected"):
        leads.accept(session, actor=consultant, recipient_id=recipient_id)


@pytest.mark.parametrize("reason", [None, "", "   ", {"r": 1}, ["no"], 5, "r" * 1001, "bad\x00"])
def test_reject_and_mark_lost_require_a_reason(session, reason):
    provider, consultant = _setup(session)
    pending, accepted = _received_ids(session, consultant, provider, 2)
    leads.accept(session, actor=provider, recipient_id=accepted)
    with pytest.raises(Invalid) as error:
        leads.reject(session, actor=provider, recipient_id=pending, reason=reason)
    assert error.value.field == "reason"
    with pytest.raises(Invalid):
        leads.mark_lost(session, actor=provider, recipient_id=accepted, reason=reason, note=reason)
    assert (_recipient(session, pending).status, _recipient(session, accepted).status) == (
        "pending",
        "accepted",
    )


# move_stage / mark_lost ----------------------------------------------------------------------


def test_move_stage_within_the_providers_active_lead_stages(session):
    provider, consultant = _setup(session)
    _, [recipient_id] = _sent(session, provider, [consultant])
    qualified = _stage(session, provider, Pipeline.LEAD, "Qualified")
    with pytest.raises(Invalid, match="not been accepted"):
        leads.move_stage(session, actor=consultant, recipient_id=recipient_id, stage_id=qualified)
    leads.accept(session, actor=consultant, recipient_id=recipient_id)
    first = _recipient(session, recipient_id).stage_id
    leads.move_stage(session, actor=consultant, recipient_id=recipient_id, stage_id=str(qualified))
    assert _recipient(session, recipient_id).stage_id == qualified
    last = _last(session, consultant, "lead_recipient")
    assert (last.action, last.before, last.after) == (
        "stage_moved",
        {"stage_id": first},
        {"stage_id": qualified},
    )
    other_provider = _provider(session)
    for stage_id in (
        _stage(session, provider, Pipeline.DEAL, "Proposal"),
        _stage(session, other_provider, Pipeline.LEAD, "New"),
        *HOSTILE_IDS,
    ):
        with pytest.raises(NotFound):
            leads.move_stage(
                session, actor=consultant, recipient_id=recipient_id, stage_id=stage_id
            )
    contacted = session.get(Stage, _stage(session, provider, Pipeline.LEAD, "Contacted"))
    contacted.archived_at = in_the_past()
    session.add(contacted)
    with pytest.raises(Invalid, match="archived"):
        leads.move_stage(
            session, actor=consultant, recipient_id=recipient_id, stage_id=contacted.id
        )
    with pytest.raises(NotFound):  # the origin side does not work the recipient's stages
        leads.move_stage(session, actor=provider, recipient_id=recipient_id, stage_id=qualified)
    assert _recipient(session, recipient_id).stage_id == qualified


def test_mark_lost_closes_an_accepted_lead_with_a_reason_from_the_providers_list(session):
    provider, consultant = _setup(session)
    _, [recipient_id] = _sent(session, consultant, [provider])
    with pytest.raises(Invalid, match="not been accepted"):
        leads.mark_lost(session, actor=provider, recipient_id=recipient_id, reason="No budget")
    leads.accept(session, actor=provider, recipient_id=recipient_id)
    for reason in ("Budget", "no budget", "Outbid", None, ["No budget"]):
        with pytest.raises(Invalid, match="from the list") as error:
            leads.mark_lost(session, actor=provider, recipient_id=recipient_id, reason=reason)
        assert error.value.field == "reason"
    with pytest.raises(Invalid) as error:
        leads.mark_lost(
            session, actor=provider, recipient_id=recipient_id, reason="No budget", note="n" * 901
        )
    assert error.value.field == "note"
    leads.mark_lost(
        session, actor=provider, recipient_id=recipient_id, reason="No budget", note=" Q3 freeze "
    )
    row = _recipient(session, recipient_id)
    assert (row.status, row.reason) == ("lost", "No budget: Q3 freeze")
    last = _last(session, provider, "lead_recipient")
    assert (last.action, last.after["reason"]) == ("lost", "No budget: Q3 freeze")
    with pytest.raises(Invalid, match="closed as lost"):
        leads.convert(session, actor=provider, recipient_id=recipient_id, amount="10")


def test_a_partner_closes_a_referral_with_the_providers_reasons_not_its_own(session):
    provider, consultant = _setup(session)
    _, [recipient_id] = _sent(session, provider, [consultant])
    leads.accept(session, actor=consultant, recipient_id=recipient_id)
    term = session.exec(
        select(TaxonomyTerm).where(
            TaxonomyTerm.org_id == provider.org_id, TaxonomyTerm.name == "Bad timing"
        )
    ).one()
    other = _provider(session)
    assert leads.lost_reason_choices(
        session, provider_org_ids=[provider.org_id, other.org_id, 10**9]
    ) == {
        provider.org_id: [
            "No budget",
            "Chose a competitor",
            "No response",
            "Not a fit",
            "Bad timing",
        ],
        other.org_id: ["No budget", "Chose a competitor", "No response", "Not a fit", "Bad timing"],
        10**9: [],
    }
    assert leads.lost_reason_choices(session, provider_org_ids="1") == {}
    term.archived_at = in_the_past()
    session.add(term)
    with pytest.raises(Invalid, match="from the list"):  # archived by the provider
        leads.mark_lost(session, actor=consultant, recipient_id=recipient_id, reason="Bad timing")
    leads.mark_lost(session, actor=consultant, recipient_id=recipient_id, reason="Not a fit")
    assert _recipient(session, recipient_id).reason == "Not a fit"


# return_overdue ------------------------------------------------------------------------------


def test_return_overdue_returns_only_unanswered_referrals_past_their_deadline(session):
    provider, consultant = _setup(session)
    pending, opened, accepted, fresh = _received_ids(session, provider, consultant, 4)
    _, [lead] = _sent(session, consultant, [provider])
    leads.open_referral(session, actor=consultant, recipient_id=opened)
    leads.accept(session, actor=consultant, recipient_id=accepted)
    for recipient_id in (pending, opened, accepted, lead):
        row = _recipient(session, recipient_id)
        row.deadline_at = in_the_past(5)
        session.add(row)
    session.flush()

    assert leads.return_overdue(session) == 2

    statuses = [_recipient(session, r).status for r in (pending, opened, accepted, fresh, lead)]
    assert statuses == ["returned", "returned", "accepted", "pending", "pending"]
    last = _last(session, consultant, "lead_recipient")
    assert (last.action, last.actor_id, last.before["status"]) == ("returned", None, "opened")
    assert leads.return_overdue(session) == 0
    assert leads.return_overdue(session, now=utcnow() + timedelta(days=30)) == 1
    with pytest.raises(Invalid, match="returned"):
        leads.accept(session, actor=consultant, recipient_id=pending)
    with pytest.raises(Invalid, match="returned"):
        leads.open_referral(session, actor=consultant, recipient_id=pending)


# convert -------------------------------------------------------------------------------------


def test_converting_a_lead_makes_a_pending_registration(session):
    provider, consultant = _setup(session)
    _settings(session, provider, currency="EUR")
    lead_id, [recipient_id] = _sent(session, consultant, [provider])
    leads.accept(session, actor=provider, recipient_id=recipient_id)
    deal_id = leads.convert(
        session,
        actor=consultant,
        recipient_id=recipient_id,
        amount="1234.50",
        close_date="2030-01-31",
    )
    deal = _deal(session, deal_id)
    assert (deal.provider_org_id, deal.partner_org_id, deal.source_recipient_id) == (
        provider.org_id,
        consultant.org_id,
        recipient_id,
    )
    assert deal.name == "Contoso Ltd \u2013 Jane Doe"
    assert (deal.company_norm, deal.email_domain, deal.contact_name, deal.contact_email) == (
        "contoso",
        "contoso.com",
        "Jane Doe",
        "jane@contoso.com",
    )
    assert (deal.amount, deal.currency, deal.close_date) == (
        Decimal("1234.50"),
        "EUR",
        date(2030, 1, 31),
    )
    assert deal.stage_id == _stage(session, provider, Pipeline.DEAL, "Qualification")
    assert (deal.approval, deal.approved_at, deal.protected_until) == ("pending", None, None)
    assert (deal.partner_owner_id, deal.provider_owner_id) == (consultant.user_id, provider.user_id)
    row = _recipient(session, recipient_id)
    assert (row.status, row.converted_at is not None) == ("converted", True)
    assert _last(session, provider, "lead_recipient").after["deal_id"] == deal_id
    assert _trail(session, consultant, "lead")[-1] == ("converted", lead_id)


def test_a_referral_converted_by_its_provider_is_approved_and_protected(session):
    provider, consultant = _setup(session)
    _settings(session, provider, protection_days=10)
    by_provider, by_partner = _received_ids(session, provider, consultant, 2)
    for recipient_id in (by_provider, by_partner):
        leads.accept(session, actor=consultant, recipient_id=recipient_id)
    deal = _deal(
        session, leads.convert(session, actor=provider, recipient_id=by_provider, amount=500)
    )
    assert deal.approval == "approved"
    assert deal.approved_at is not None
    assert deal.protected_until - deal.approved_at == timedelta(days=10)
    assert (deal.provider_org_id, deal.partner_org_id, deal.close_date) == (
        provider.org_id,
        consultant.org_id,
        None,
    )
    other = _deal(
        session, leads.convert(session, actor=consultant, recipient_id=by_partner, amount=1)
    )
    assert (other.approval, other.protected_until) == ("pending", None)


def test_convert_refuses_rejected_pending_and_converted_leads(session):
    provider, consultant = _setup(session)
    rejected, pending, accepted = _received_ids(session, consultant, provider, 3)
    leads.reject(session, actor=provider, recipient_id=rejected, reason="No")
    leads.accept(session, actor=provider, recipient_id=accepted)
    with pytest.raises(Invalid, match="was rejected"):
        leads.convert(session, actor=consultant, recipient_id=rejected, amount=1)
    with pytest.raises(Invalid, match="not been accepted"):
        leads.convert(session, actor=provider, recipient_id=pending, amount=1)
    leads.convert(session, actor=provider, recipient_id=accepted, amount=1)
    with pytest.raises(Invalid, match="already converted"):
        leads.convert(session, actor=consultant, recipient_id=accepted, amount=1)
    assert len(session.exec(select(Deal).where(Deal.provider_org_id == provider.org_id)).all()) == 1


def test_convert_refuses_strangers_and_members_without_ownership(session):
    provider, consultant = _setup(session)
    _, [recipient_id] = _sent(session, consultant, [provider])
    leads.accept(session, actor=provider, recipient_id=recipient_id)
    for outsider in (_provider(session), _consultant(session)):
        with pytest.raises(NotFound):
            leads.convert(session, actor=outsider, recipient_id=recipient_id, amount=1)
    for member in (colleague(session, provider), colleague(session, consultant)):
        with pytest.raises(NotAllowed):
            leads.convert(session, actor=member, recipient_id=recipient_id, amount=1)
    assert _recipient(session, recipient_id).status == "accepted"


@pytest.mark.parametrize(
    "amount",
    [0, "0", -5, "-1", "1.234", "abc", "", None, True, {"a": 1}, [1], "NaN", "Infinity",
     float("nan"), "1000000000000", 10**12, "1e400", "9" * 40],
)  # fmt: skip
def test_convert_refuses_bad_amounts(session, amount):
    provider, consultant = _setup(session)
    _, [recipient_id] = _sent(session, consultant, [provider])
    leads.accept(session, actor=provider, recipient_id=recipient_id)
    with pytest.raises(Invalid) as error:
        leads.convert(session, actor=provider, recipient_id=recipient_id, amount=amount)
    assert error.value.field == "amount"
    assert _recipient(session, recipient_id).status == "accepted"


@pytest.mark.parametrize(
    "close_date",
    [
        "2030-02-30",
        "tomorrow",
        "20300101",
        "2030-1-1",
        20300101,
        {"d": 1},
        datetime(2030, 1, 1),
        HUGE,
    ],
)
def test_convert_refuses_bad_close_dates(session, close_date):
    provider, consultant = _setup(session)
    _, [recipient_id] = _sent(session, consultant, [provider])
    leads.accept(session, actor=provider, recipient_id=recipient_id)
    with pytest.raises(Invalid) as error:
        leads.convert(
            session, actor=provider, recipient_id=recipient_id, amount=1, close_date=close_date
        )
    assert error.value.field == "close_date"


def test_convert_takes_the_largest_amount_and_a_date(session):
    provider, consultant = _setup(session)
    _, [recipient_id] = _sent(session, consultant, [provider])
    leads.accept(session, actor=provider, recipient_id=recipient_id)
    deal_id = leads.convert(
        session,
        actor=provider,
        recipient_id=recipient_id,
        amount=" 999999999999.99 ",
        close_date=date(2031, 5, 6),
    )
    session.expire_all()
    deal = _deal(session, deal_id)
    assert (deal.amount, deal.close_date) == (Decimal("999999999999.99"), date(2031, 5, 6))


# conflicts and the protection notice ---------------------------------------------------------


def test_conflicts_find_another_partners_protected_customer_by_company_or_domain(session):
    provider, consultant = _setup(session)
    holder = _consultant(session, org_name="Holder Firm")
    by_company = _protected_deal(session, provider, holder, company="contoso", domain="other.com")
    by_domain = _protected_deal(session, provider, holder, company="Other", domain="contoso.com")
    _protected_deal(session, provider, consultant, company="contoso")  # the partner's own
    _protected_deal(session, _provider(session), holder, company="contoso")  # another provider
    # A registration awaiting its first approval protects nothing yet (one sent back for
    # re-approval keeps its protection: test_deal_revisions).
    _protected_deal(
        session, provider, holder, company="contoso", approval="pending", protected_until=None
    )
    _protected_deal(session, provider, holder, company="contoso", outcome="lost")
    _protected_deal(session, provider, holder, company="contoso", protected_until=in_the_past())
    found = leads.conflicts(
        session,
        provider_org_id=provider.org_id,
        company_norm="contoso",
        email_domain="contoso.com",
        exclude_partner_org_id=consultant.org_id,
    )
    assert sorted(c.deal_id for c in found) == sorted([by_company.id, by_domain.id])
    assert {(c.partner_org_id, c.partner_name) for c in found} == {(holder.org_id, "Holder Firm")}
    won = _protected_deal(session, provider, holder, company="Won Co", domain="", outcome="won")
    assert [c.deal_id for c in leads.conflicts(
        session,
        provider_org_id=provider.org_id,
        company_norm="won co",
        email_domain="",
        exclude_partner_org_id=consultant.org_id,
    )] == [won.id]  # fmt: skip


def test_free_mail_domains_and_empty_keys_never_conflict(session):
    provider, consultant = _setup(session)
    holder = _consultant(session)
    _protected_deal(session, provider, holder, company="Acme", domain="gmail.com")
    _protected_deal(session, provider, holder, company="", domain="")
    for company_norm, domain in (
        ("", "gmail.com"),
        ("", "Outlook.com"),
        ("", ""),
        ("zzz", "yahoo.com"),
    ):
        assert (
            leads.conflicts(
                session,
                provider_org_id=provider.org_id,
                company_norm=company_norm,
                email_domain=domain,
                exclude_partner_org_id=consultant.org_id,
            )
            == []
        )


def test_submitting_a_protected_customer_tells_the_provider_who_and_the_consultant_only_when(
    session,
):
    provider, consultant = _setup(session)
    free = _provider(session, org_name="Free Provider")
    _partners(session, free, consultant)
    holder = _consultant(session, org_name="Secret Holder")
    deal = _protected_deal(session, provider, holder, company="Different", domain="contoso.com")
    lead_id, [at_provider, _] = _sent(session, consultant, [provider, free])

    received = _last(session, provider, "lead_recipient")
    assert received.entity_id == at_provider
    assert received.after["conflicts"][0]["deal_id"] == deal.id
    assert received.after["conflicts"][0]["partner_org_id"] == holder.org_id
    submitted = _last(session, consultant, "lead")
    assert submitted.after["protected_at"] == [provider.org_id]
    assert str(holder.org_id) not in str(submitted.after.get("conflicts", ""))
    assert "conflicts" not in _last(session, free, "lead_recipient").after

    notice = leads.protection_notice(session, actor=consultant, lead_id=lead_id)
    assert notice == [("Northwind", deal.protected_until)]
    assert "Secret Holder" not in repr(notice)
    assert leads.protection_notice(
        session, actor=consultant, lead_id=_sent(session, consultant, [provider], email="a@gmail.com", company="New")[0]
    ) == []  # fmt: skip
    with pytest.raises(NotAllowed):
        leads.protection_notice(session, actor=provider, lead_id=lead_id)
    with pytest.raises(NotFound):
        leads.protection_notice(session, actor=_consultant(session), lead_id=lead_id)
    with pytest.raises(NotAllowed):
        leads.protection_notice(session, actor=colleague(session, consultant), lead_id=lead_id)


def test_the_provider_sees_the_protected_deal_beside_the_lead_and_flagged_in_its_list(session):
    provider, consultant = _setup(session)
    holder = _consultant(session, org_name="Secret Holder")
    _partners(session, provider, holder)
    deal = _protected_deal(session, provider, holder, company="Contoso", domain="other.com")
    lead_id, [flagged] = _sent(session, consultant, [provider])  # company "Contoso"
    _, [clean] = _sent(session, consultant, [provider], company="Fresh", email="a@fresh.io")
    _, [own] = _sent(session, holder, [provider])  # the holder's own customer: no conflict
    _, [by_domain] = _sent(session, consultant, [provider], company="Renamed", email="y@other.com")
    _protected_deal(session, provider, holder, company="Unrelated", domain="gmail.com")
    _, [free] = _sent(session, consultant, [provider], company="Solo", email="x@gmail.com")

    rows = {r.recipient_id: r for r in leads.list_received(session, actor=provider).rows}
    assert {i: rows[i].protected_elsewhere for i in (flagged, by_domain, clean, own, free)} == {
        flagged: True,
        by_domain: True,
        clean: False,
        own: False,
        free: False,
    }
    [conflict] = leads.conflicts_for(session, actor=provider, lead_id=lead_id)
    assert (conflict.deal_id, conflict.partner_name) == (deal.id, "Secret Holder")
    assert leads.conflicts_for(session, actor=consultant, lead_id=lead_id) == []
    assert not any(
        r.protected_elsewhere for r in leads.list_received(session, actor=consultant).rows
    )
    with pytest.raises(NotFound):
        leads.conflicts_for(session, actor=_provider(session), lead_id=lead_id)
    deal.protected_until = in_the_past()  # protection expires on its own
    session.add(deal)
    session.flush()
    assert leads.conflicts_for(session, actor=provider, lead_id=lead_id) == []
    assert not any(r.protected_elsewhere for r in leads.list_received(session, actor=provider).rows)


def test_a_referral_records_customers_protected_for_other_partners_in_the_providers_trail(session):
    provider, consultant = _setup(session)
    holder = _consultant(session)
    deal = _protected_deal(session, provider, holder, company="contoso")
    _, [recipient_id] = _sent(session, provider, [consultant])
    submitted = _last(session, provider, "lead")
    assert submitted.after["conflicts"][str(consultant.org_id)][0]["deal_id"] == deal.id
    assert "conflicts" not in _last(session, consultant, "lead_recipient").after
    assert _last(session, consultant, "lead_recipient").entity_id == recipient_id


# lists ---------------------------------------------------------------------------------------


def test_list_received_hides_the_contact_of_unopened_referrals(session):
    provider, consultant = _setup(session)
    _, [referral] = _sent(session, provider, [consultant], first_name="Hidden", company="Secretco")
    _, [lead] = _sent(session, consultant, [provider], first_name="Visible")

    page = leads.list_received(session, actor=consultant)
    [row] = page.rows
    assert (row.recipient_id, row.company, row.origin_org_name) == (
        referral,
        "Secretco",
        "Northwind",
    )
    assert (row.first_name, row.last_name, row.email, row.phone, row.contact_hidden) == (
        "",
        "",
        "",
        "",
        True,
    )
    assert leads.list_received(session, actor=consultant, search="hidden").total == 0
    assert leads.list_received(session, actor=consultant, search="jane@").total == 0
    assert leads.list_received(session, actor=consultant, search="secret").total == 1
    detail = leads.detail(session, actor=consultant, lead_id=row.lead_id)
    assert (detail.first_name, detail.email, detail.phone, detail.notes, detail.contact_hidden) == (
        "",
        "",
        "",
        "",
        True,
    )

    leads.open_referral(session, actor=consultant, recipient_id=referral)
    [row] = leads.list_received(session, actor=consultant, search="HIDDEN").rows
    assert (row.first_name, row.email, row.contact_hidden) == ("Hidden", "jane@contoso.com", False)
    assert leads.detail(session, actor=consultant, lead_id=row.lead_id).first_name == "Hidden"
    [seen] = leads.list_received(session, actor=provider).rows
    assert (seen.recipient_id, seen.first_name, seen.contact_hidden) == (lead, "Visible", False)


def test_list_received_filters_pages_and_scopes_members(session):
    provider, consultant = _setup(session)
    member = colleague(session, provider, name="Mia Member")
    ids = [_sent(session, consultant, [provider], company=f"Co {n}")[1][0] for n in range(5)]
    elsewhere, firm = _provider(session), _consultant(session)
    _partners(session, elsewhere, firm)
    _sent(session, firm, [elsewhere])  # another provider's
    leads.accept(session, actor=provider, recipient_id=ids[0], owner_id=member.user_id)
    leads.accept(session, actor=provider, recipient_id=ids[1])
    qualified = _stage(session, provider, Pipeline.LEAD, "Qualified")
    leads.move_stage(session, actor=provider, recipient_id=ids[1], stage_id=qualified)

    page = leads.list_received(session, actor=provider, page=2, page_size=2, sort="oldest")
    assert ([r.recipient_id for r in page.rows], page.total, page.page) == (ids[2:4], 5, 2)
    assert leads.list_received(session, actor=provider, page=9, page_size=2).total == 5
    accepted = leads.list_received(session, actor=provider, status="accepted", sort="company")
    assert [r.recipient_id for r in accepted.rows] == ids[:2]
    assert [r.stage_name for r in accepted.rows] == ["New", "Qualified"]
    assert [
        r.recipient_id
        for r in leads.list_received(session, actor=provider, stage_id=qualified).rows
    ] == [ids[1]]
    by_owner = leads.list_received(session, actor=provider, owner_id=str(member.user_id))
    assert [(r.recipient_id, r.owner_name) for r in by_owner.rows] == [(ids[0], "Mia Member")]
    assert [r.recipient_id for r in leads.list_received(session, actor=member).rows] == [ids[0]]


@pytest.mark.parametrize(
    "arguments",
    [
        {"status": "bogus"},
        {"status": {"$ne": 1}},
        {"sort": "name"},  # would order by hidden names
        {"sort": None},
        {"search": HUGE},
        {"search": {"x": 1}},
        {"stage_id": "abc"},
        {"owner_id": -1},
        {"page": 0},
        {"page": True},
        {"page": "1e9"},
        {"page_size": 101},
        {"page_size": -1},
        {"page_size": [25]},
    ],
)
def test_list_received_refuses_hostile_arguments(session, arguments):
    provider, _ = _setup(session)
    with pytest.raises(Invalid):
        leads.list_received(session, actor=provider, **arguments)


def test_list_sent_shows_the_orgs_leads_with_recipient_counts(session):
    provider, consultant = _setup(session)
    second = _provider(session)
    _partners(session, second, consultant)
    member = colleague(session, consultant)
    draft = leads.save_draft(
        session, actor=consultant, data=_data(company="Alpha 100%"), owner_id=consultant.user_id
    )
    sent_id, [first, _] = _sent(session, consultant, [provider, second], company="Beta_Co")
    leads.accept(session, actor=provider, recipient_id=first)
    mine, _ = _sent(session, member, [provider], company="Gamma", last_name="Zed")
    _sent(session, provider, [consultant])  # a referral: the provider's, not the consultant's

    page = leads.list_sent(session, actor=consultant)
    assert [r.id for r in page.rows] == [mine, sent_id, draft]
    assert page.total == 3
    row = page.rows[1]
    assert (row.status, row.recipients, row.accepted, row.owner_name) == (
        "submitted",
        2,
        1,
        "Ada Admin",
    )
    assert [r.id for r in leads.list_sent(session, actor=consultant, status="draft").rows] == [
        draft
    ]
    assert [r.id for r in leads.list_sent(session, actor=consultant, search="100%").rows] == [draft]
    assert [r.id for r in leads.list_sent(session, actor=consultant, search="_co").rows] == [
        sent_id
    ]
    assert [r.id for r in leads.list_sent(session, actor=consultant, sort="company").rows] == [
        draft,
        sent_id,
        mine,
    ]
    assert [r.id for r in leads.list_sent(session, actor=consultant, sort="name").rows][-1] == mine
    assert leads.list_sent(session, actor=consultant, direction="provider_to_partner").total == 0
    assert [r.id for r in leads.list_sent(session, actor=member).rows] == [mine]
    assert [
        r.id for r in leads.list_sent(session, actor=consultant, owner_id=member.user_id).rows
    ] == [mine]
    assert [
        r.id
        for r in leads.list_sent(session, actor=consultant, recipient_org_id=second.org_id).rows
    ] == [sent_id]
    with pytest.raises(Invalid):
        leads.list_sent(session, actor=consultant, direction="sideways")
    with pytest.raises(Invalid):
        leads.list_sent(session, actor=consultant, status="accepted")
    with pytest.raises(Invalid):
        leads.list_sent(session, actor=consultant, page_size=10**6)


def test_lists_filter_by_the_other_organization_and_by_day(session):
    provider, consultant = _setup(session)
    other = _consultant(session)
    _partners(session, provider, other)
    old, [old_recipient] = _sent(session, consultant, [provider])
    new, [new_recipient] = _sent(session, other, [provider])
    for lead_id, recipient_id, moment in (
        (old, old_recipient, datetime(2026, 3, 1, 23, 59, tzinfo=UTC)),
        (new, new_recipient, datetime(2026, 3, 2, 0, 0, tzinfo=UTC)),
    ):
        lead, row = _lead(session, lead_id), _recipient(session, recipient_id)
        lead.created_at = row.created_at = moment
        session.add_all([lead, row])
    session.flush()

    def received(**filters):
        return [
            r.recipient_id for r in leads.list_received(session, actor=provider, **filters).rows
        ]

    assert received(origin_org_id=other.org_id) == [new_recipient]
    assert received(created_from="2026-03-02") == [new_recipient]
    assert received(created_to="2026-03-01") == [old_recipient]
    assert received(created_from="2026-03-01", created_to="2026-03-01") == [old_recipient]
    assert received(created_to="9999-12-31") == [new_recipient, old_recipient]
    assert [
        r.id for r in leads.list_sent(session, actor=consultant, created_from="2026-03-01").rows
    ] == [old]
    assert leads.list_sent(session, actor=consultant, created_from="2026-03-02").total == 0
    for bad in ({"created_from": "03/01/2026"}, {"created_to": "2026-02-30"}, {"created_to": 7}):
        with pytest.raises(Invalid, match="YYYY-MM-DD"):
            leads.list_received(session, actor=provider, **bad)
    with pytest.raises(Invalid, match="after the end") as error:
        leads.list_sent(
            session, actor=consultant, created_from="2026-03-02", created_to="2026-03-01"
        )
    assert error.value.field == "created_from"
    with pytest.raises(Invalid):
        leads.list_received(session, actor=provider, origin_org_id="x")


def test_lists_run_one_statement_per_page(session):
    provider, consultant = _setup(session)
    for _ in range(4):
        _sent(session, consultant, [provider])
    with statements(session) as ran:
        assert len(leads.list_sent(session, actor=consultant, page_size=2).rows) == 2
        assert len(leads.list_received(session, actor=provider, page_size=3).rows) == 3
    # the provider's page adds one query flagging customers protected for other partners
    assert len(ran) == 3
    assert all("LIMIT" in s.upper() for s in ran[:2])


# The search's index (trigram, FTS5 on SQLite) only proposes candidates: results must be those
# of the plain condition, a case-insensitive substring of one column, whatever the text.
SEARCHED_PEOPLE = [
    {"first_name": "Ada", "last_name": "Archer", "email": "ada@quill.example", "company": "Quill"},
    {
        "first_name": "Bea",
        "last_name": "O'Brien",
        "email": "bea@acme.example",
        "company": "100% Co",
    },
    {"first_name": "Carl", "last_name": 'Say "Hi"', "email": "c_d@x.example", "company": "A_C"},
    {"first_name": "Dana", "last_name": "Quillon", "email": "dana@n.example", "company": "Café"},
    {"first_name": "Eli", "last_name": "Fox", "email": "eli@fox.example", "company": "Fox%Labs"},
    {
        "first_name": "Fay",
        "last_name": "Gray",
        "email": "fay@g.example",
        "company": "R&D (Core) *Plus* - NEAR AND",
    },
]
SEARCH_TERMS = [
    *("quill", "QUILL", "uil", "ui", "q", "a", "%", "_", "100%", "0%", "a_c", "c_d", "x%l"),
    *("o'brien", "'", '"hi"', 'say "', "ada archer", "a arc", "@quill.", "café", "é", "zzz"),
    *("(core)", "*plus*", "- near and", "near", "r&d", "e) *", "^", ":"),
]


def _plain_match(term: str, values: list[str]) -> bool:
    return any(term.lower() in value.lower() for value in values)


def test_search_finds_what_a_plain_substring_match_finds(session):
    provider, consultant = _setup(session)
    sent = {
        _sent(session, consultant, [provider], **person)[0]: person for person in SEARCHED_PEOPLE
    }
    referral, [referral_recipient] = _sent(session, provider, [consultant], **SEARCHED_PEOPLE[0])
    for term in SEARCH_TERMS:
        expected = {
            lead_id
            for lead_id, person in sent.items()
            if _plain_match(
                term, [person[k] for k in ("first_name", "last_name", "email", "company")]
            )
        }
        found = leads.list_sent(session, actor=consultant, search=term, page_size=100)
        assert ({r.id for r in found.rows}, found.total) == (expected, len(expected)), term
        past = leads.list_sent(session, actor=consultant, search=term, page=2, page_size=100)
        assert (past.rows, past.total) == ([], len(expected)), term
        found = leads.list_received(session, actor=provider, search=term, page_size=100)
        assert {r.lead_id for r in found.rows} == expected, term
        assert found.total == len(expected), term
        # an unopened referral: only its company is searched
        expected = {referral} if _plain_match(term, ["Quill"]) else set()
        found = leads.list_received(session, actor=consultant, search=term)
        assert ({r.lead_id for r in found.rows}, found.total) == (expected, len(expected)), term
    leads.open_referral(session, actor=consultant, recipient_id=referral_recipient)
    assert leads.list_received(session, actor=consultant, search="archer").total == 1


def test_search_follows_every_change_of_a_leads_searched_fields(session):
    _, consultant = _setup(session)

    def found(term):
        return [r.id for r in leads.list_sent(session, actor=consultant, search=term).rows]

    lead_id = leads.save_draft(
        session, actor=consultant, data=_data(company="Zephyrine"), owner_id=consultant.user_id
    )
    assert found("zephyr") == [lead_id]
    changed = {}
    for field, value, term, was in (
        ("company", "Borealis", "boreal", "zephyr"),
        ("email", "mq@tundra.example", "tundra", "contoso"),
        ("first_name", "Mirabel", "irabe", "jane"),
        ("last_name", "Quintero", "ntero", "doe"),
    ):
        changed[field] = value
        leads.save_draft(
            session,
            actor=consultant,
            data=_data(**changed),
            owner_id=consultant.user_id,
            lead_id=lead_id,
        )
        assert (found(term), found(was)) == ([lead_id], []), field
    leads.delete_draft(session, actor=consultant, lead_id=lead_id)
    assert found("boreal") == []
    if session.get_bind().dialect.name == "sqlite":  # nothing left behind in the FTS index
        left = session.execute(
            text("SELECT count(*) FROM leads_search WHERE rowid = :id"), {"id": lead_id}
        ).scalar()
        assert left == 0


def test_recipients_copy_their_leads_company_key_and_origin(session):
    provider, consultant = _setup(session)
    second = _provider(session)
    _partners(session, second, consultant)
    lead_id, recipient_ids = _sent(session, consultant, [provider, second], company="Zeta, Inc.")

    def copies():
        session.flush()
        session.expire_all()
        rows = [_recipient(session, r) for r in recipient_ids]
        return [(r.company_norm, r.origin_org_id) for r in rows]

    assert _lead(session, lead_id).company_norm == "zeta"
    assert copies() == [("zeta", consultant.org_id)] * 2
    session.execute(update(Lead).where(Lead.id == lead_id).values(company_norm="alpha"))
    assert copies() == [("alpha", consultant.org_id)] * 2
    # written by hand, a copy is put right; inserted without them (bulk paths), they are set
    session.execute(
        update(LeadRecipient)
        .where(LeadRecipient.id == recipient_ids[0])
        .values(company_norm="x", origin_org_id=provider.org_id)
    )
    assert copies() == [("alpha", consultant.org_id)] * 2
    other, _ = _sent(session, consultant, [provider], company="Omega")
    third = _provider(session)
    _partners(session, third, consultant)
    session.execute(insert(LeadRecipient).values(lead_id=other, org_id=third.org_id))
    [row] = session.exec(select(LeadRecipient).where(LeadRecipient.org_id == third.org_id)).all()
    assert (row.company_norm, row.origin_org_id) == ("omega", consultant.org_id)


def test_received_by_company_is_in_the_order_of_the_leads_company_key(session):
    provider, consultant = _setup(session)
    companies = ["Delta", "alpha", "Charlie", "Bravo", "alpha", "Echo", "Bravo"]
    sent = [_sent(session, consultant, [provider], company=c)[0] for c in companies]
    # a company changed after the fact (a data fix): the list follows it
    session.execute(update(Lead).where(Lead.id == sent[-1]).values(company_norm="aaa"))
    session.expire_all()
    keys = {lead_id: _lead(session, lead_id).company_norm for lead_id in sent}
    expected = sorted(sent, key=lambda lead_id: (keys[lead_id], lead_id))
    pages = [
        leads.list_received(session, actor=provider, sort="company", page=n, page_size=3)
        for n in (1, 2, 3)
    ]
    assert [r.lead_id for p in pages for r in p.rows] == expected
    assert [p.total for p in pages] == [7, 7, 7]


# detail --------------------------------------------------------------------------------------


def test_detail_shows_the_origin_every_recipient_and_a_recipient_only_its_own(session):
    provider, consultant = _setup(session)
    second = _provider(session, org_name="Second")
    _partners(session, second, consultant)
    lead_id, [first, other] = _sent(session, consultant, [provider, second])
    leads.reject(session, actor=second, recipient_id=other, reason="Busy")

    origin = leads.detail(session, actor=consultant, lead_id=lead_id)
    assert origin.side == "origin"
    assert [(r.org_name, r.status, r.reason) for r in origin.recipients] == [
        ("Northwind", "pending", ""),
        ("Second", "rejected", "Busy"),
    ]
    assert (origin.first_name, origin.notes, origin.origin_org_name) == (
        "Jane",
        "Wants a demo",
        "Fabrikam",
    )
    seen = leads.detail(session, actor=provider, lead_id=str(lead_id))
    assert (seen.side, [r.id for r in seen.recipients]) == ("recipient", [first])
    assert seen.email == "jane@contoso.com"  # a lead's contact is never hidden
    for outsider in (_provider(session), _consultant(session), colleague(session, provider)):
        with pytest.raises(NotFound):
            leads.detail(session, actor=outsider, lead_id=lead_id)
    with pytest.raises(NotFound):
        leads.detail(session, actor=colleague(session, consultant), lead_id=lead_id)


# timeline ------------------------------------------------------------------------------------


def test_timeline_tells_each_side_its_own_story(session):
    provider, consultant = _setup(session)
    second = _provider(session, org_name="Second")
    _partners(session, second, consultant)
    rep = colleague(session, provider, name="Rita Rep", role=Role.MANAGER)
    lead_id = leads.save_draft(session, actor=consultant, data=_data(), owner_id=consultant.user_id)
    leads.save_draft(
        session,
        actor=consultant,
        data=_data(notes="Call after 3"),
        owner_id=consultant.user_id,
        lead_id=lead_id,
    )
    first, other = leads.submit(
        session,
        actor=consultant,
        lead_id=lead_id,
        recipient_org_ids=[provider.org_id, second.org_id],
    )
    leads.reject(session, actor=second, recipient_id=other, reason="Busy")
    leads.accept(session, actor=rep, recipient_id=first, owner_id=rep.user_id)
    leads.move_stage(
        session,
        actor=rep,
        recipient_id=first,
        stage_id=_stage(session, provider, Pipeline.LEAD, "Qualified"),
    )
    leads.convert(session, actor=consultant, recipient_id=first, amount="1500")
    session.flush()

    def story(actor):  # told here oldest first: the timeline is newest first
        return [
            (e.who, e.text) for e in lead_timeline.timeline(session, actor=actor, lead_id=lead_id)
        ][::-1]

    assert story(consultant) == [
        ("Ada Admin", "Created it as a draft"),
        ("Ada Admin", "Edited the draft"),
        ("Ada Admin", "Submitted it to Northwind, Second"),
        ("Second", "Rejected it: Busy"),
        ("Northwind", "Accepted it"),
        ("Northwind", "Moved it to Qualified"),
        ("Ada Admin", "Converted it into a deal of USD 1,500.00"),
    ]
    assert story(provider) == [  # its own row only; the other side by organization name
        ("Fabrikam", "Received from Fabrikam"),
        ("Rita Rep", "Accepted it"),
        ("Rita Rep", "Moved it to Qualified"),
        ("Fabrikam", "Converted it into a deal of USD 1,500.00"),
    ]
    assert story(second) == [
        ("Fabrikam", "Received from Fabrikam"),
        ("Ada Admin", "Rejected it: Busy"),
    ]
    for outsider in (_provider(session), _consultant(session)):
        with pytest.raises(NotFound):
            lead_timeline.timeline(session, actor=outsider, lead_id=lead_id)
    for hostile in HOSTILE_IDS:
        with pytest.raises(NotFound):
            lead_timeline.timeline(session, actor=consultant, lead_id=hostile)


def test_timeline_of_a_returned_referral_says_it_happened_automatically(session):
    provider, consultant = _setup(session)
    lead_id, [recipient_id] = _sent(session, provider, [consultant])
    row = _recipient(session, recipient_id)
    row.deadline_at = in_the_past()
    session.add(row)
    leads.return_overdue(session)
    newest = lead_timeline.timeline(session, actor=provider, lead_id=lead_id)[0]
    assert (newest.who, newest.text) == ("Automatically", "Returned it: not accepted in time")
