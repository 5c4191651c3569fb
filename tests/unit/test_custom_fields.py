"""custom_fields: definitions, each type's rules, access per audience, values and SQL filters."""

from datetime import date

import pytest
from sqlmodel import select

from prm_app.models import (
    Lead,
    LeadDirection,
    OrgKind,
    PartnerAccess,
    Partnership,
    Role,
)
from prm_app.services import custom_fields as cf
from prm_app.services.core.errors import Invalid, NotAllowed, NotFound
from tests.unit.factories import colleague, events, org_admin, partners


@pytest.fixture
def world(session):
    provider = org_admin(session)
    other_provider = org_admin(session)
    consultant = org_admin(session, kind=OrgKind.CONSULTANT)
    partners(session, provider, consultant)
    partners(session, other_provider, consultant)
    return provider, other_provider, consultant


def _field(session, actor, label, kind, **extra):
    return cf.add_field(
        session, actor=actor, entity=extra.pop("entity", "lead"), label=label, type=kind, **extra
    )


def _lead(session, origin, custom=None):
    lead = Lead(
        direction=LeadDirection.PARTNER_TO_PROVIDER,
        origin_org_id=origin.org_id,
        owner_id=origin.user_id,
        created_by_id=origin.user_id,
        first_name="A",
        last_name="B",
        email="a@b.example",
        company="C",
        custom=custom or {},
    )
    session.add(lead)
    session.flush()
    return lead


# --- each type ---------------------------------------------------------------------------------

OPTIONS = [
    {"id": 1, "label": "Gold", "archived": False},
    {"id": 2, "label": "Old", "archived": True},
]


@pytest.mark.parametrize(
    ("kind", "raw", "stored"),
    [
        ("text", "  hello ", "hello"),
        ("long_text", "x" * 5000, "x" * 5000),
        ("number", "1,250", 1250),
        ("number", -2.5, -2.5),
        ("money", "1200.50", 1200.5),
        ("money", 99, 99),
        ("date", "2026-12-05", "2026-12-05"),
        ("date", date(2026, 1, 2), "2026-01-02"),
        ("select", "gold", 1),
        ("select", 1, 1),
        ("select", "1", 1),
        ("multi_select", "Gold; gold", [1]),
        ("multi_select", [1], [1]),
        ("checkbox", "yes", True),
        ("checkbox", False, False),
        ("checkbox", "", None),
        ("url", "https://example.com/a", "https://example.com/a"),
        ("email", " Ann@Example.com ", "ann@example.com"),
        ("text", "", None),
        ("number", None, None),
    ],
)
def test_each_type_parses_its_values(kind, raw, stored):
    assert cf.parse(kind, raw, label="F", options=OPTIONS) == stored


@pytest.mark.parametrize(
    ("kind", "raw", "message"),
    [
        ("text", "x" * 256, "F must be at most 255 characters."),
        ("text", 5, "F must be text."),
        ("number", "abc", "F must be a number between -1,000,000,000,000 and 1,000,000,000,000."),
        ("number", True, "F must be a number between -1,000,000,000,000 and 1,000,000,000,000."),
        ("number", "NaN", "F must be a number between -1,000,000,000,000 and 1,000,000,000,000."),
        (
            "money",
            "-1",
            "F must be an amount from 0 to 9,999,999,999.99 with at most two decimals.",
        ),
        (
            "money",
            "1.234",
            "F must be an amount from 0 to 9,999,999,999.99 with at most two decimals.",
        ),
        ("date", "05/12/2026", "F: enter a date as YYYY-MM-DD."),
        ("date", "2026-02-30", "F: enter a date as YYYY-MM-DD."),
        ("select", "Old", "F: choose one of Gold."),
        ("select", 2, "F: choose one of Gold."),
        ("select", {"id": 1}, "F: choose one of Gold."),
        ("multi_select", "Gold; Silver", "F: choose one of Gold."),
        ("checkbox", "maybe", "F: answer yes or no."),
        (
            "url",
            "javascript:alert(1)",
            "F must be a web address starting with http:// or https://.",
        ),
        ("url", "https://", "F must be a web address starting with http:// or https://."),
        ("email", "not-an-email", "F: 'not-an-email' is not a valid email address."),
    ],
)
def test_each_type_refuses_bad_values_with_one_message(kind, raw, message):
    with pytest.raises(Invalid) as refused:
        cf.parse(kind, raw, label="F", options=OPTIONS)
    assert str(refused.value) == message


def test_values_read_as_people_read_them():
    assert cf.display("money", 1200.5, []) == "1,200.50"
    assert cf.display("number", 1250, []) == "1,250"
    assert cf.display("select", 2, OPTIONS) == "Old"  # an archived option still reads
    assert cf.display("multi_select", [1, 2], OPTIONS) == "Gold; Old"
    assert cf.display("checkbox", False, []) == "No"
    assert cf.plain("multi_select", [1], OPTIONS) == ["Gold"]


# --- definitions -----------------------------------------------------------------------------


def test_only_admins_define_fields_and_consultants_fields_stay_private(session, world):
    provider, _, consultant = world
    member = colleague(session, provider, role=Role.MEMBER)
    with pytest.raises(NotAllowed):
        _field(session, member, "Industry", "text")
    with pytest.raises(Invalid) as private:
        _field(session, consultant, "Budget", "money", partner_access="visible")
    assert str(private.value) == "Your fields are private to your organization."
    with pytest.raises(Invalid):
        _field(session, consultant, "Budget", "money", entity="deal")
    made = _field(session, provider, "Industry sector!", "select", options="Retail\nBanking")
    assert (made.key, [o["label"] for o in made.options]) == (
        "industry_sector",
        ["Retail", "Banking"],
    )
    with pytest.raises(Invalid) as taken:
        _field(session, provider, "Industry Sector", "text")
    assert "already has the key" in str(taken.value)
    assert events(session, org_id=provider.org_id, entity_type="custom_field")


def test_a_type_change_is_refused_with_the_count_of_values_that_would_not_convert(session, world):
    provider, _, consultant = world
    size = _field(session, provider, "Size", "text")
    _lead(session, consultant, {str(size.id): "12"})
    _lead(session, consultant, {str(size.id): "big"})
    _lead(session, consultant, {str(size.id): "huge"})
    with pytest.raises(Invalid) as refused:
        cf.change_type(session, actor=provider, field_id=size.id, type="number")
    assert str(refused.value) == "2 values would not convert to Number: change or clear them first."
    for lead in session.exec(select(Lead)).all():
        if lead.custom.get(str(size.id)) in ("big", "huge"):
            lead.custom = {str(size.id): "7"}
            session.add(lead)
    cf.change_type(session, actor=provider, field_id=size.id, type="number")
    values = sorted(lead.custom[str(size.id)] for lead in session.exec(select(Lead)).all())
    assert values == [7, 7, 12]


def test_options_are_renamed_and_archived_without_touching_values(session, world):
    provider, _, consultant = world
    tier = _field(session, provider, "Tier", "select", options=["Gold", "Silver"])
    lead = _lead(session, consultant, {str(tier.id): 1})
    cf.rename_option(session, actor=provider, field_id=tier.id, option_id=1, label="Platinum")
    cf.set_option_archived(session, actor=provider, field_id=tier.id, option_id=1, archived=True)
    (seen,) = cf.for_viewer(session, viewer_org_id=provider.org_id, entity="lead")
    assert cf.texts([seen], lead.custom) == {str(tier.id): "Platinum"}
    with pytest.raises(Invalid):  # no longer offered
        cf.write([seen], {}, {seen.name: "Platinum"})
    with pytest.raises(Invalid):
        cf.set_option_archived(
            session, actor=provider, field_id=tier.id, option_id=2, archived=True
        )
    with pytest.raises(NotFound):
        cf.rename_option(session, actor=provider, field_id=tier.id, option_id=9, label="X")


def test_archived_fields_are_hidden_everywhere_and_keep_their_values(session, world):
    provider, _, consultant = world
    size = _field(session, provider, "Size", "number", partner_access="visible")
    lead = _lead(session, consultant, {str(size.id): 5})
    cf.archive_field(session, actor=provider, field_id=size.id)
    assert cf.for_viewer(session, viewer_org_id=provider.org_id, entity="lead") == []
    assert lead.custom == {str(size.id): 5}
    cf.restore_field(session, actor=provider, field_id=size.id)
    (back,) = cf.for_viewer(session, viewer_org_id=provider.org_id, entity="lead")
    assert cf.texts([back], lead.custom) == {back.name: "5"}


# --- access per audience ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("access", "partner_sees", "partner_edits", "partner_required"),
    [
        (PartnerAccess.HIDDEN, False, False, False),
        (PartnerAccess.VISIBLE, True, False, False),
        (PartnerAccess.EDITABLE, True, True, False),
        (PartnerAccess.REQUIRED, True, True, True),
    ],
)
def test_partner_access(session, world, access, partner_sees, partner_edits, partner_required):
    provider, other_provider, consultant = world
    field = _field(session, provider, "Budget", "money", partner_access=access)
    _field(session, other_provider, "Secret", "text", partner_access="editable")
    mine = _field(session, consultant, "My note", "text")
    lead = _lead(session, consultant)
    lead.draft_recipient_ids = [provider.org_id]
    seen = cf.for_lead(session, lead, consultant.org_id)
    names = {f.label: f for f in seen}
    assert ("Budget" in names) == partner_sees
    assert "Secret" not in names  # a provider the lead does not go to
    assert names["My note"].own and names["My note"].id == mine.id
    if partner_sees:
        assert (names["Budget"].editable, names["Budget"].required) == (
            partner_edits,
            partner_required,
        )
    provider_seen = cf.for_viewer(
        session,
        viewer_org_id=provider.org_id,
        entity="lead",
        counterpart_org_ids=[consultant.org_id],
    )
    assert [f.id for f in provider_seen] == [field.id]  # never the consultant's private field
    assert provider_seen[0].editable


def test_writes_go_through_the_viewers_fields_only(session, world):
    provider, other_provider, consultant = world
    budget = _field(session, provider, "Budget", "money", partner_access="required")
    shown_only = _field(session, provider, "Score", "number", partner_access="visible")
    hidden = _field(session, provider, "Internal", "text")
    seen = cf.for_viewer(
        session,
        viewer_org_id=consultant.org_id,
        entity="lead",
        counterpart_org_ids=[provider.org_id],
    )
    with pytest.raises(Invalid) as missing:
        cf.write(seen, {}, {})
    assert missing.value.problems == {budget_form(budget): "Budget is required."}
    with pytest.raises(Invalid) as refused:
        cf.write(seen, {}, {str(hidden.id): "x", str(shown_only.id): "3", str(budget.id): "10"})
    assert set(refused.value.problems) == {f"custom_{hidden.id}", f"custom_{shown_only.id}"}
    written = cf.write(seen, {str(hidden.id): "kept"}, {str(budget.id): "10"})
    assert written.custom == {str(hidden.id): "kept", str(budget.id): 10}
    assert written.after == {str(budget.id): "10.00"}
    # the other provider's required field is not this lead's business
    assert cf.write(seen, {}, {str(budget.id): "1"}, required_of=[other_provider.org_id]).custom
    by_api = cf.write(seen, {}, {"budget": 5}, named_by="key", complete=False)
    assert by_api.custom == {str(budget.id): 5}
    assert cf.plain_values(seen, by_api.custom) == {"budget": 5, "score": None}
    provider_seen = cf.for_viewer(session, viewer_org_id=provider.org_id, entity="lead")
    changes = cf.changes_seen(provider_seen, {}, {str(hidden.id): "x", "999": "y"})
    assert changes == "Set Internal to x"
    assert cf.changes_seen(seen, {}, {str(hidden.id): "x"}) == ""  # hidden from the partner


def budget_form(field):
    return f"custom_{field.id}"


def test_a_partnerships_fields_per_side(session, world):
    provider, _, consultant = world
    pf = _field(
        session, provider, "Certified", "checkbox", entity="partner", partner_access="visible"
    )
    cfid = _field(session, consultant, "Rating", "number", entity="partner")
    partnership = session.exec(
        select(Partnership).where(Partnership.provider_org_id == provider.org_id)
    ).one()
    assert [f.id for f in cf.for_partnership(session, partnership, provider.org_id)] == [pf.id]
    assert [f.id for f in cf.for_partnership(session, partnership, consultant.org_id)] == [
        cfid.id,
        pf.id,
    ]


def test_a_box_left_unticked_on_a_record_without_a_value_stays_without_one(session, world):
    provider, _, _ = world
    _field(session, provider, "Signed", "checkbox")
    _field(session, provider, "Agreed", "checkbox", internal_access="required")
    signed, agreed = cf.for_viewer(session, viewer_org_id=provider.org_id, entity="lead")
    assert cf.write([signed], {}, {signed.name: False}).after == {}
    assert cf.write([signed], {signed.name: True}, {signed.name: False}).custom == {
        signed.name: False
    }
    with pytest.raises(Invalid) as refused:
        cf.write([agreed], {}, {agreed.name: False})
    assert str(refused.value) == "Agreed is required."
