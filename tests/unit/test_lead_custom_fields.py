"""Custom fields on leads and referrals: the Submit form, drafts, submission and sending on,
the lead's page (either side) and its timeline, for each partner access."""

from dataclasses import dataclass

import pytest
from argon2 import PasswordHasher
from sqlmodel import select

from prm_app.models import ActivityEvent, Lead, OrgKind, Role
from prm_app.services import custom_fields as cf
from prm_app.services import leads
from prm_app.services.core.errors import Invalid, NotAllowed, NotFound
from prm_app.services.identity import auth
from prm_app.services.leads import LeadInput
from prm_app.services.leads import custom as lead_custom
from prm_app.services.leads import timeline as lead_timeline
from tests.unit.factories import colleague, org_admin, partners


@pytest.fixture(autouse=True)
def _cheap_password_hashing(monkeypatch):
    monkeypatch.setattr(auth, "_hasher", PasswordHasher(time_cost=1, memory_cost=8, parallelism=1))


@pytest.fixture
def world(session):
    """Two providers a consultant firm submits to, and a third it is not partnered with."""
    north = org_admin(session, kind=OrgKind.PROVIDER, org_name="Northwind")
    south = org_admin(session, kind=OrgKind.PROVIDER, org_name="Southwind")
    stranger = org_admin(session, kind=OrgKind.PROVIDER, org_name="Elsewhere")
    consultant = org_admin(session, kind=OrgKind.CONSULTANT, org_name="Fabrikam")
    partners(session, north, consultant)
    partners(session, south, consultant)
    return north, south, stranger, consultant


DATA = LeadInput("Jane", "Doe", "jane@contoso.com", "Contoso Ltd")


@dataclass(frozen=True)
class Made:
    id: int

    @property
    def name(self) -> str:  # how a record's custom and a form name it
        return str(self.id)

    @property
    def form_name(self) -> str:
        return f"custom_{self.id}"


def _field(session, actor, label, kind="text", entity="lead", **extra) -> Made:
    made = cf.add_field(session, actor=actor, entity=entity, label=label, type=kind, **extra)
    return Made(made.id)


def _draft(session, actor, to, custom=None, lead_id=None):
    return leads.save_draft(
        session,
        actor=actor,
        lead_id=lead_id,
        data=DATA,
        owner_id=actor.user_id,
        recipient_org_ids=[o.org_id for o in to],
        custom=custom,
    )


def _lead(session, lead_id) -> Lead:
    session.flush()
    return session.exec(select(Lead).where(Lead.id == lead_id)).one()


def _names(fields):
    return [f.label for f in fields]


# --- the Submit form --------------------------------------------------------------------------


def test_the_form_shows_own_fields_and_each_ticked_providers_not_hidden_ones(session, world):
    north, south, stranger, consultant = world
    for access in ("hidden", "visible", "editable", "required"):
        _field(session, north, f"N {access}", partner_access=access)
    _field(session, south, "S visible", partner_access="visible")
    _field(session, stranger, "Stranger's", partner_access="required")
    _field(session, consultant, "My note")
    _field(session, north, "A referral field", entity="referral", partner_access="visible")

    seen = lead_custom.form_fields(
        session, actor=consultant, org_ids=[north.org_id, stranger.org_id]
    )
    assert _names(seen) == ["My note", "N visible", "N editable", "N required"]
    by_label = {f.label: f for f in seen}
    assert [(by_label[n].editable, by_label[n].required) for n in _names(seen)[1:]] == [
        (False, False),
        (True, False),
        (True, True),
    ]
    assert _names(lead_custom.form_fields(session, actor=consultant, org_ids="x")) == ["My note"]
    # the provider sending a referral: its referral fields, never a consultant's
    assert _names(lead_custom.form_fields(session, actor=north, org_ids=[consultant.org_id])) == [
        "A referral field"
    ]


def test_a_draft_keeps_what_was_entered_and_requires_nothing(session, world):
    north, south, _, consultant = world
    needed = _field(session, north, "Budget", "money", partner_access="required")
    tier = _field(
        session, north, "Tier", "select", options="Gold\nSilver", partner_access="editable"
    )
    lead_id = _draft(session, consultant, [north], {needed.name: "", tier.name: "Gold"})
    assert _lead(session, lead_id).custom == {tier.name: 1}
    with pytest.raises(Invalid) as wrong:
        _draft(session, consultant, [north], {tier.name: "Bronze"})
    assert wrong.value.problems == {tier.form_name: "Tier: choose one of Gold, Silver."}
    assert wrong.value.field == tier.form_name
    # a value for a provider's field it does not go to is refused by name, never stored
    south_field = _field(session, south, "South only", partner_access="editable")
    with pytest.raises(Invalid) as other:
        _draft(session, consultant, [north], {south_field.name: "x"})
    assert south_field.form_name in other.value.problems


def test_submitting_requires_the_chosen_providers_required_fields_and_only_theirs(session, world):
    north, south, _, consultant = world
    budget = _field(session, north, "Budget", "money", partner_access="required")
    _field(session, south, "Region", partner_access="required")
    mine = _field(session, consultant, "Source", internal_access="required")
    lead_id = _draft(session, consultant, [north, south])

    with pytest.raises(Invalid) as refused:
        leads.submit(session, actor=consultant, lead_id=lead_id, recipient_org_ids=[north.org_id])
    assert refused.value.problems == {
        budget.form_name: "Budget is required.",
        mine.form_name: "Source is required.",
    }
    # to Southwind alone only its field (and the consultant's own) is asked
    problems = lead_custom.problems(
        session,
        actor=consultant,
        lead_id=lead_id,
        recipient_org_ids=[south.org_id],
        custom={mine.name: "Fair"},
        submitting=True,
    )
    assert list(problems.values()) == ["Region is required."]
    # the form's other messages come together with these
    with pytest.raises(Invalid) as together:
        leads.checked_form(
            {"first_name": ""}, [north.org_id], submitting=True, custom_problems=problems
        )
    assert "first_name" in together.value.problems
    assert set(problems) <= set(together.value.problems)

    _draft(session, consultant, [north], {budget.name: "1200", mine.name: "Fair"}, lead_id)
    session.flush()
    leads.submit(session, actor=consultant, lead_id=lead_id, recipient_org_ids=[north.org_id])
    assert _lead(session, lead_id).custom == {budget.name: 1200, mine.name: "Fair"}


def test_submitting_forgets_what_was_typed_for_a_provider_left_out(session, world):
    north, south, _, consultant = world
    budget = _field(session, north, "Budget", "money", partner_access="editable")
    region = _field(session, south, "Region", partner_access="editable")
    mine = _field(session, consultant, "Source")
    values = {budget.name: "10", region.name: "West", mine.name: "Fair"}
    lead_id = _draft(session, consultant, [north, south], values)
    leads.submit(session, actor=consultant, lead_id=lead_id, recipient_org_ids=[north.org_id])
    assert _lead(session, lead_id).custom == {budget.name: 10, mine.name: "Fair"}


def test_a_draft_may_not_bring_a_strangers_fields(session, world):
    _, _, stranger, consultant = world
    secret = _field(session, stranger, "Theirs", partner_access="editable")
    lead_id = leads.save_draft(
        session,
        actor=consultant,
        data=DATA,
        owner_id=consultant.user_id,
        recipient_org_ids=[stranger.org_id],
    )
    seen = leads.detail(session, actor=consultant, lead_id=lead_id)
    assert seen.custom_fields == []
    with pytest.raises(Invalid):
        _draft(session, consultant, [stranger], {secret.name: "x"})


def test_sending_on_asks_the_new_providers_required_fields(session, world):
    north, south, _, consultant = world
    region = _field(session, south, "Region", "select", options="EU\nUS", partner_access="required")
    lead_id, _ = leads.create_and_submit(
        session,
        actor=consultant,
        data=DATA,
        owner_id=consultant.user_id,
        recipient_org_ids=[north.org_id],
    )
    with pytest.raises(Invalid) as refused:
        leads.submit(session, actor=consultant, lead_id=lead_id, recipient_org_ids=[south.org_id])
    assert refused.value.problems == {region.form_name: "Region is required."}
    leads.submit(
        session,
        actor=consultant,
        lead_id=lead_id,
        recipient_org_ids=[south.org_id],
        custom={region.name: "EU"},
    )
    assert _lead(session, lead_id).custom == {region.name: 1}
    assert [e.action for e in _events(session, lead_id)][-2:] == [cf.ACTION, "sent_to_more"]


def test_the_api_names_fields_by_key_and_a_web_form_requires_nothing(session, world):
    north, _, _, consultant = world
    _field(session, north, "Budget", "money", partner_access="required")
    with pytest.raises(Invalid):
        leads.create_and_submit(
            session,
            actor=consultant,
            data=DATA,
            owner_id=consultant.user_id,
            recipient_org_ids=[north.org_id],
        )
    lead_id, _ = leads.create_and_submit(
        session,
        actor=consultant,
        data=DATA,
        owner_id=consultant.user_id,
        recipient_org_ids=[north.org_id],
        custom={"budget": 10},
        named_by="key",
    )
    seen = leads.detail(session, actor=north, lead_id=lead_id)
    assert cf.plain_values(seen.custom_fields, seen.custom) == {"budget": 10}
    # a provider's own required referral field does not stop a referral no person filled in
    _field(session, north, "Campaign", entity="referral", internal_access="required")
    assert leads.create_and_submit(
        session,
        actor=north,
        data=DATA,
        owner_id=north.user_id,
        recipient_org_ids=[consultant.org_id],
        check_required=False,
    )


# --- the lead's page, per side and per access --------------------------------------------------


@pytest.mark.parametrize("access", ["hidden", "visible", "editable", "required"])
def test_detail_and_timeline_per_partner_access(session, world, access):
    north, south, _, consultant = world
    field = _field(session, north, "Budget", "money", partner_access=access)
    internal = _field(session, north, "Internal score", "number")
    private = _field(session, consultant, "My note")
    south_field = _field(session, south, "South's", partner_access="visible")
    custom = {private.name: "hot"}
    if access in ("editable", "required"):
        custom[field.name] = "100"
    lead_id, _ = leads.create_and_submit(
        session,
        actor=consultant,
        data=DATA,
        owner_id=consultant.user_id,
        recipient_org_ids=[north.org_id],
        custom=custom,
    )
    leads.set_custom(
        session, actor=north, lead_id=lead_id, values={field.name: "250", internal.name: "7"}
    )
    session.flush()

    mine = leads.detail(session, actor=north, lead_id=lead_id)
    assert _names(mine.custom_fields) == ["Budget", "Internal score"]  # never the consultant's
    assert cf.texts(mine.custom_fields, mine.custom) == {field.name: "250.00", internal.name: "7"}
    north_lines = [e.text for e in lead_timeline.timeline(session, actor=north, lead_id=lead_id)]
    if access in ("editable", "required"):
        assert "Changed Budget from 100.00 to 250.00; set Internal score to 7" in north_lines
    else:
        assert "Set Budget to 250.00; set Internal score to 7" in north_lines
    assert not any("My note" in line or "hot" in line for line in north_lines)

    theirs = leads.detail(session, actor=consultant, lead_id=lead_id)
    labels = _names(theirs.custom_fields)
    assert "Internal score" not in labels and "South's" not in labels
    assert internal.name not in theirs.custom and south_field.name not in theirs.custom
    lines = [e.text for e in lead_timeline.timeline(session, actor=consultant, lead_id=lead_id)]
    assert not any("Internal score" in line for line in lines)
    if access == "hidden":
        assert labels == ["My note"]
        assert field.name not in theirs.custom
        assert not any("Budget" in line for line in lines)
        with pytest.raises(Invalid):
            leads.set_custom(
                session,
                actor=consultant,
                lead_id=lead_id,
                values={field.name: "1"},
                partial=True,
            )
        return
    assert labels == ["My note", "Budget"]
    assert cf.texts(theirs.custom_fields, theirs.custom)[field.name] == "250.00"
    assert any("Budget" in line and "250.00" in line for line in lines)
    change = {field.name: "300"}
    if access == "visible":
        with pytest.raises(Invalid) as refused:
            leads.set_custom(
                session, actor=consultant, lead_id=lead_id, values=change, partial=True
            )
        assert refused.value.problems == {
            field.form_name: "Budget cannot be changed by your organization."
        }
        return
    leads.set_custom(session, actor=consultant, lead_id=lead_id, values=change, partial=True)
    assert _lead(session, lead_id).custom[field.name] == 300
    if access == "required":
        with pytest.raises(Invalid) as emptied:
            leads.set_custom(
                session,
                actor=consultant,
                lead_id=lead_id,
                values={private.name: "hot", field.name: ""},
            )
        assert emptied.value.problems == {field.form_name: "Budget is required."}


def test_a_referrals_fields_reach_the_partner_per_access(session, world):
    north, _, _, consultant = world
    seen_field = _field(session, north, "Campaign", entity="referral", partner_access="editable")
    kept = _field(session, north, "Margin", "number", entity="referral")
    _field(session, north, "A lead field", partner_access="visible")
    campaign = _field(
        session, north, "Campaign code", entity="referral", internal_access="required"
    )
    with pytest.raises(Invalid) as refused:  # its own required field, asked of its own people
        leads.create_and_submit(
            session,
            actor=north,
            data=DATA,
            owner_id=north.user_id,
            recipient_org_ids=[consultant.org_id],
            custom={seen_field.name: "Spring"},
        )
    assert refused.value.problems == {campaign.form_name: "Campaign code is required."}
    lead_id, (recipient_id,) = leads.create_and_submit(
        session,
        actor=north,
        data=DATA,
        owner_id=north.user_id,
        recipient_org_ids=[consultant.org_id],
        custom={seen_field.name: "Spring", kept.name: "12", campaign.name: "S1"},
    )
    theirs = leads.detail(session, actor=consultant, lead_id=lead_id)
    assert _names(theirs.custom_fields) == ["Campaign"]
    assert theirs.custom == {seen_field.name: "Spring"}
    leads.set_custom(session, actor=consultant, lead_id=lead_id, values={seen_field.name: "Autumn"})
    assert _lead(session, lead_id).custom == {
        seen_field.name: "Autumn",
        kept.name: 12,
        campaign.name: "S1",
    }
    lines = [e.text for e in lead_timeline.timeline(session, actor=north, lead_id=lead_id)]
    assert "Changed Campaign from Spring to Autumn" in lines
    who = [e.who for e in lead_timeline.timeline(session, actor=north, lead_id=lead_id)]
    assert "Fabrikam" in who  # the other side's people are named by their organization
    assert recipient_id


def test_who_may_edit_a_leads_values(session, world):
    north, south, _, consultant = world
    field = _field(session, north, "Budget", "money", partner_access="editable")
    lead_id, _ = leads.create_and_submit(
        session,
        actor=consultant,
        data=DATA,
        owner_id=consultant.user_id,
        recipient_org_ids=[north.org_id],
    )
    with pytest.raises(NotFound):  # a provider it was not sent to
        leads.set_custom(session, actor=south, lead_id=lead_id, values={})
    member = colleague(session, consultant, role=Role.MEMBER)
    with pytest.raises(NotAllowed):  # a member, on a lead someone else owns
        leads.set_custom(session, actor=member, lead_id=lead_id, values={field.name: "5"})
    north_member = colleague(session, north, role=Role.MEMBER)
    with pytest.raises(NotAllowed):
        leads.set_custom(session, actor=north_member, lead_id=lead_id, values={field.name: "5"})
    for hostile in (None, "x", -1, {"id": lead_id}):
        with pytest.raises((NotFound, Invalid)):
            leads.set_custom(session, actor=consultant, lead_id=hostile, values={})
    for bad in ("budget=5", ["5"], {1: "5"}):
        with pytest.raises(Invalid):
            leads.set_custom(session, actor=consultant, lead_id=lead_id, values=bad)
    with pytest.raises(Invalid):
        leads.set_custom(session, actor=consultant, lead_id=lead_id, values={}, named_by="sql")
    before = len(_events(session, lead_id))
    leads.set_custom(session, actor=consultant, lead_id=lead_id, values={field.name: ""})
    assert len(_events(session, lead_id)) == before  # nothing changed: nothing recorded


def _events(session, lead_id):
    session.flush()
    return session.exec(
        select(ActivityEvent)
        .where(ActivityEvent.entity_type == "lead", ActivityEvent.entity_id == lead_id)
        .order_by(ActivityEvent.id)
    ).all()
