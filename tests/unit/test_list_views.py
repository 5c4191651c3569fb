"""Lists on custom fields (columns, filters, sorts per type and audience) and saved views."""

import pytest
from sqlmodel import select

from prm_app.models import (
    Deal,
    Lead,
    LeadDirection,
    LeadRecipient,
    LeadStatus,
    OrgKind,
    Partnership,
    Role,
)
from prm_app.services import custom_fields as cf
from prm_app.services import deals, leads, partnerships, views
from prm_app.services.core.errors import Invalid, NotAllowed, NotFound
from prm_app.services.deals import board as deal_board
from tests.unit.factories import colleague, events, org_admin, partners


@pytest.fixture
def world(session):
    provider = org_admin(session)
    other_provider = org_admin(session)
    consultant = org_admin(session, kind=OrgKind.CONSULTANT)
    partners(session, provider, consultant)
    partners(session, other_provider, consultant)
    return provider, other_provider, consultant


def _field(session, actor, label, kind, entity="lead", **extra):
    return cf.add_field(session, actor=actor, entity=entity, label=label, type=kind, **extra)


def _lead(session, consultant, provider_ids, custom, company="Acme", direction=None):
    lead = Lead(
        direction=direction or LeadDirection.PARTNER_TO_PROVIDER,
        origin_org_id=consultant.org_id,
        owner_id=consultant.user_id,
        created_by_id=consultant.user_id,
        status=LeadStatus.SUBMITTED,
        first_name="A",
        last_name="B",
        email="a@b.example",
        company=company,
        custom=custom,
    )
    session.add(lead)
    session.flush()
    for org_id in provider_ids:
        session.add(LeadRecipient(lead_id=lead.id, org_id=org_id))
    session.flush()
    return lead.id


@pytest.fixture
def fields(session, world):
    """The provider's lead fields of every filterable type, and five leads holding values."""
    provider, _, consultant = world
    made = {
        "tier": _field(session, provider, "Tier", "select", options=["Gold", "Silver"]),
        "tags": _field(session, provider, "Tags", "multi_select", options=["Cloud", "Edge"]),
        "seats": _field(session, provider, "Seats", "number"),
        "budget": _field(session, provider, "Budget", "money"),
        "due": _field(session, provider, "Due", "date"),
        "vip": _field(session, provider, "VIP", "checkbox"),
        "note": _field(session, provider, "Note", "text"),
    }
    ids = {k: str(f.id) for k, f in made.items()}
    gold, silver = (o["id"] for o in made["tier"].options)
    cloud, edge = (o["id"] for o in made["tags"].options)
    rows = {
        "one": {"tier": gold, "tags": [cloud], "seats": 5, "budget": 100.5, "due": "2026-01-10",
                "vip": True, "note": "Needs a demo"},
        "two": {"tier": silver, "tags": [cloud, edge], "seats": 50, "budget": 2000,
                "due": "2026-03-01", "vip": False, "note": "cold"},
        "three": {"tier": gold, "tags": [edge], "seats": 12, "due": "2026-02-15"},
        "four": {"seats": 1},
        "five": {},
    }  # fmt: skip
    leads_by = {
        name: _lead(
            session,
            consultant,
            [provider.org_id],
            {ids[k]: v for k, v in values.items()},
            company=name.title(),
        )
        for name, values in rows.items()
    }
    return made, ids, leads_by, (gold, silver, cloud, edge)


def _received(session, actor, **kw):
    return leads.list_received(session, actor=actor, page_size=100, **kw)


def _companies(page):
    return [r.company for r in page.rows]


def _filter(field, op, value):
    return [{"field": str(field.id), "op": op, "value": value}]


# --- filters and sorts per type -----------------------------------------------------------------


def test_the_received_list_filters_on_each_type(session, world, fields):
    provider = world[0]
    made, _, _, (gold, _, _, edge) = fields

    def names(field, op, value):
        page = _received(session, provider, custom_filters=_filter(made[field], op, value))
        assert page.total == len(page.rows)
        return sorted(_companies(page))

    assert names("tier", "is", str(gold)) == ["One", "Three"]
    assert names("tier", "is", "silver") == ["Two"]  # by label too, whatever its case
    assert names("tags", "has", str(edge)) == ["Three", "Two"]
    assert names("seats", "from", "10") == ["Three", "Two"]
    assert names("seats", "to", "5") == ["Four", "One"]
    assert names("budget", "from", "1000") == ["Two"]
    assert names("due", "from", "2026-02-01") == ["Three", "Two"]
    assert names("due", "to", "2026-02-01") == ["One"]
    assert names("vip", "is", "yes") == ["One"]
    assert names("vip", "is", "no") == ["Five", "Four", "Three", "Two"]  # no value: not ticked
    assert names("note", "contains", "DEMO") == ["One"]
    both = [*_filter(made["seats"], "from", "5"), *_filter(made["seats"], "to", "12")]
    page = _received(session, provider, custom_filters=both)
    assert sorted(_companies(page)) == ["One", "Three"]


def test_a_bad_filter_value_is_told_by_the_fields_name(session, world, fields):
    provider = world[0]
    made = fields[0]
    with pytest.raises(Invalid, match="Seats must be a number"):
        _received(session, provider, custom_filters=_filter(made["seats"], "from", "many"))
    with pytest.raises(Invalid, match="Tier: choose one of Gold, Silver"):
        _received(session, provider, custom_filters=_filter(made["tier"], "is", "Bronze"))
    with pytest.raises(Invalid, match="cannot be filtered that way"):
        _received(session, provider, custom_filters=_filter(made["tier"], "contains", "G"))
    with pytest.raises(Invalid):
        _received(session, provider, custom_filters="tier=gold")


def test_the_received_list_sorts_on_a_custom_field_with_no_value_last(session, world, fields):
    provider = world[0]
    seats = fields[0]["seats"]
    up = _received(session, provider, sort=views.sort_name(seats))
    assert _companies(up) == ["Four", "One", "Three", "Two", "Five"]
    down = _received(session, provider, sort=views.sort_name(seats, descending=True))
    assert _companies(down) == ["Two", "Three", "One", "Four", "Five"]
    assert down.total == 5
    paged = leads.list_received(
        session, actor=provider, page=2, page_size=2, sort=views.sort_name(seats)
    )
    assert _companies(paged) == ["Three", "Two"] and paged.total == 5
    with pytest.raises(Invalid, match="Sort by"):
        _received(session, provider, sort="custom")


def test_columns_are_read_for_the_pages_rows_as_people_read_them(session, world, fields):
    provider = world[0]
    made, ids, _, _ = fields
    page = _received(
        session,
        provider,
        columns=[ids["tier"], ids["budget"], ids["tags"]],
        custom_filters=_filter(made["tier"], "is", "Silver"),
    )
    (row,) = page.rows
    assert row.custom == {
        ids["tier"]: "Silver",
        ids["budget"]: "2,000.00",
        ids["tags"]: "Cloud; Edge",
    }
    plain = _received(session, provider)
    assert all(r.custom == {} for r in plain.rows)  # no column chosen: nothing read


# --- per audience -----------------------------------------------------------------------------


def test_a_hidden_field_is_refused_as_a_column_a_filter_or_a_sort(session, world):
    provider, other_provider, consultant = world
    hidden = _field(session, provider, "Margin", "number")
    shown = _field(session, provider, "Region", "text", partner_access="visible")
    other = _field(session, other_provider, "Other", "text", partner_access="visible")
    mine = _field(session, consultant, "Private", "text")
    _lead(session, consultant, [provider.org_id], {
        str(hidden.id): 30, str(shown.id): "EMEA", str(mine.id): "ours"})  # fmt: skip
    usable = {f.label for f in views.fields_of(session, actor=consultant, list_name="sent")}
    assert usable == {"Region", "Other", "Private"}
    for attempt in (
        {"columns": [str(hidden.id)]},
        {"custom_filters": _filter(hidden, "from", "1")},
        {"sort": views.sort_name(hidden)},
        {"columns": ["999999"]},
    ):
        with pytest.raises(Invalid, match="not visible to you"):
            leads.list_sent(session, actor=consultant, **attempt)
    page = leads.list_sent(
        session, actor=consultant, columns=[str(shown.id), str(mine.id), str(other.id)]
    )
    assert page.rows[0].custom == {str(shown.id): "EMEA", str(mine.id): "ours", str(other.id): ""}
    # The provider never sees the consultant's private field.
    with pytest.raises(Invalid, match="not visible to you"):
        _received(session, provider, columns=[str(mine.id)])
    assert _received(session, provider, columns=[str(hidden.id)]).rows[0].custom == {
        str(hidden.id): "30"
    }


def test_an_archived_field_leaves_the_lists(session, world, fields):
    provider = world[0]
    made = fields[0]
    cf.archive_field(session, actor=provider, field_id=made["note"].id)
    with pytest.raises(Invalid, match="not visible to you"):
        _received(session, provider, columns=[str(made["note"].id)])


def test_received_referrals_offer_the_providers_visible_referral_fields(session, world):
    provider, _, consultant = world
    visible = _field(session, provider, "Product", "text", entity="referral",
                     partner_access="visible")  # fmt: skip
    hidden = _field(session, provider, "Cost", "number", entity="referral")
    lead = Lead(
        direction=LeadDirection.PROVIDER_TO_PARTNER,
        origin_org_id=provider.org_id,
        owner_id=provider.user_id,
        created_by_id=provider.user_id,
        status=LeadStatus.SUBMITTED,
        first_name="A",
        last_name="B",
        email="a@b.example",
        company="Ref",
        custom={str(visible.id): "Widgets", str(hidden.id): 9},
    )
    session.add(lead)
    session.flush()
    session.add(LeadRecipient(lead_id=lead.id, org_id=consultant.org_id))
    session.flush()
    page = leads.list_received(
        session,
        actor=consultant,
        columns=[str(visible.id)],
        custom_filters=_filter(visible, "contains", "widg"),
    )
    assert [r.custom for r in page.rows] == [{str(visible.id): "Widgets"}]
    with pytest.raises(Invalid, match="not visible to you"):
        leads.list_received(session, actor=consultant, columns=[str(hidden.id)])
    sent = leads.list_sent(session, actor=provider, columns=[str(hidden.id)])
    assert sent.rows[0].custom == {str(hidden.id): "9"}


# --- deals, the board, partners -------------------------------------------------------------


def test_deals_list_and_board_filter_sort_and_show_custom_fields(session, world):
    provider, _, consultant = world
    size = _field(session, provider, "Size", "select", entity="deal", options=["S", "L"],
                  partner_access="visible")  # fmt: skip
    secret = _field(session, provider, "Secret", "text", entity="deal")
    small, large = (o["id"] for o in size.options)
    for name, option in (("Alpha", small), ("Beta", large), ("Gamma", large)):
        session.add(
            Deal(
                provider_org_id=provider.org_id,
                partner_org_id=consultant.org_id,
                registered_by_id=consultant.user_id,
                name=name,
                company=name,
                custom={str(size.id): option, str(secret.id): "x"},
            )
        )
    session.flush()
    page = deals.list_deals(
        session,
        actor=provider,
        columns=[str(size.id)],
        custom_filters=_filter(size, "is", "L"),
        sort=views.sort_name(size),
    )
    assert sorted(r.name for r in page.rows) == ["Beta", "Gamma"] and page.total == 2
    assert {r.custom[str(size.id)] for r in page.rows} == {"L"}
    seen = deals.list_deals(session, actor=consultant, columns=[str(size.id)])
    assert {r.custom[str(size.id)] for r in seen.rows} == {"S", "L"}
    with pytest.raises(Invalid, match="not visible to you"):
        deals.list_deals(session, actor=consultant, custom_filters=_filter(secret, "contains", "x"))
    columns = deal_board.board(
        session, actor=provider, columns=[str(size.id)], custom_filters=_filter(size, "is", "S")
    )
    cards = [c for column in columns for c in column.cards]
    assert [(c.name, c.custom) for c in cards] == [("Alpha", {str(size.id): "S"})]
    assert sum(column.count for column in columns) == 1
    shared = deal_board.shared_board(
        session, actor=provider, version=1, custom_filters=((str(size.id), "is", "L"),)
    )
    assert sum(column.count for column in shared) == 2
    with pytest.raises(Invalid, match="not visible to you"):
        deal_board.board(
            session, actor=consultant, provider_org_id=provider.org_id, columns=[str(secret.id)]
        )


def test_the_partner_directory_filters_sorts_and_shows_custom_fields(session, world):
    provider, _, _ = world
    second = org_admin(session, kind=OrgKind.CONSULTANT)
    partners(session, provider, second)
    level = _field(session, provider, "Level", "number", entity="partner")
    rows = session.exec(
        select(Partnership).where(Partnership.provider_org_id == provider.org_id)
    ).all()
    for level_value, partnership in zip((3, 7), rows, strict=True):
        partnership.custom = {str(level.id): level_value}
        session.add(partnership)
    session.flush()
    page = partnerships.partner_directory_page(
        session,
        actor=provider,
        columns=[str(level.id)],
        sort=views.sort_name(level, descending=True),
    )
    assert [r.custom[str(level.id)] for r in page.rows] == ["7", "3"]
    found = partnerships.partner_directory(
        session, actor=provider, custom_filters=_filter(level, "from", "5")
    )
    assert [r.id for r in found] == [rows[1].id]


# --- saved views ----------------------------------------------------------------------------

STATE = {"columns": [], "filters": {"status": "accepted"}, "custom_filters": [], "sort": "oldest"}


def test_a_personal_view_is_its_owners_alone(session, world, fields):
    provider = world[0]
    made, ids, _, _ = fields
    member = colleague(session, provider, role=Role.MEMBER)
    state = {
        **STATE,
        "columns": [ids["tier"]],
        "custom_filters": _filter(made["tier"], "is", "Gold"),
    }
    mine = views.save_view(
        session, actor=member, list_name="received", name="Gold leads", state=state
    )
    assert mine.mine and mine.changeable and not mine.shared
    stored = views.open_view(session, actor=member, view_id=mine.id).state
    gold = str(made["tier"].options[0]["id"])
    assert stored["custom_filters"] == [{"field": ids["tier"], "op": "is", "value": "Gold"}]
    assert stored["columns"] == [ids["tier"]] and stored["filters"] == {"status": "accepted"}
    with pytest.raises(NotFound):  # the link sent to a colleague shows nothing
        views.open_view(session, actor=provider, view_id=mine.id)
    with pytest.raises(NotFound):
        views.delete_view(session, actor=provider, view_id=mine.id)
    assert views.views(session, actor=provider, list_name="received") == []
    page = _received(session, provider, **_arguments(stored))
    assert sorted(_companies(page)) == ["One", "Three"] and gold


def _arguments(state):
    return {"columns": state["columns"], "custom_filters": state["custom_filters"]}


def test_shared_views_are_changed_by_managers_only(session, world):
    provider = world[0]
    member = colleague(session, provider, role=Role.MEMBER)
    with pytest.raises(NotAllowed):
        views.save_view(session, actor=member, list_name="deals", name="All", state={}, shared=True)
    own = views.save_view(session, actor=member, list_name="deals", name="Mine", state={})
    with pytest.raises(NotAllowed):
        views.update_view(session, actor=member, view_id=own.id, shared=True)
    shared = views.save_view(
        session, actor=provider, list_name="deals", name="Team", state={}, shared=True
    )
    seen = views.views(session, actor=member, list_name="deals")
    assert [(v.name, v.changeable) for v in seen] == [("Mine", True), ("Team", False)]
    with pytest.raises(NotAllowed):
        views.update_view(session, actor=member, view_id=shared.id, name="Renamed")
    with pytest.raises(NotAllowed):
        views.delete_view(session, actor=member, view_id=shared.id)
    views.update_view(session, actor=provider, view_id=shared.id, name="Everyone")
    assert views.open_view(session, actor=member, view_id=shared.id).name == "Everyone"
    with pytest.raises(Invalid, match="already exists"):
        views.save_view(session, actor=member, list_name="deals", name="everyone", state={})
    views.delete_view(session, actor=provider, view_id=shared.id)
    with pytest.raises(NotFound):
        views.open_view(session, actor=member, view_id=shared.id)
    actions = [e.action for e in events(session, org_id=provider.org_id, entity_type="saved_view")]
    assert actions.count("created") == 2 and "updated" in actions and "deleted" in actions


def test_one_default_view_per_person_and_list(session, world):
    provider = world[0]
    manager = colleague(session, provider, role=Role.MANAGER)
    first = views.save_view(session, actor=provider, list_name="sent", name="A", state={})
    second = views.save_view(
        session, actor=provider, list_name="sent", name="B", state={}, shared=True
    )
    views.set_default(session, actor=provider, list_name="sent", view_id=first.id)
    views.set_default(session, actor=provider, list_name="sent", view_id=second.id)
    assert views.default_view(session, actor=provider, list_name="sent").id == second.id
    assert [v.default for v in views.views(session, actor=provider, list_name="sent")] == [
        False,
        True,
    ]
    assert views.default_view(session, actor=manager, list_name="sent") is None
    views.set_default(session, actor=manager, list_name="sent", view_id=second.id)
    with pytest.raises(NotFound):  # another's personal view
        views.set_default(session, actor=manager, list_name="sent", view_id=first.id)
    with pytest.raises(NotFound):  # a view of another list
        views.set_default(session, actor=provider, list_name="deals", view_id=first.id)
    views.delete_view(session, actor=provider, view_id=second.id)
    assert views.default_view(session, actor=manager, list_name="sent") is None
    views.set_default(session, actor=provider, list_name="sent", view_id=None)
    assert views.default_view(session, actor=provider, list_name="sent") is None


def test_a_views_state_is_checked(session, world):
    provider, _, consultant = world
    hidden = _field(session, provider, "Margin", "number")
    for state in (
        {"columns": [str(hidden.id)]},
        {"custom_filters": _filter(hidden, "from", "1")},
        {"sort": views.sort_name(hidden)},
    ):
        with pytest.raises(Invalid, match="not visible to you"):
            views.save_view(session, actor=consultant, list_name="sent", name="X", state=state)
    for state in (
        {"filters": {"secret": "1"}},
        {"sort": "price"},
        {"unknown": 1},
        "columns=1",
        {"filters": {"status": {"$ne": 1}}},
    ):
        with pytest.raises(Invalid):
            views.save_view(session, actor=provider, list_name="sent", name="X", state=state)
    with pytest.raises(Invalid, match="Choose a list"):
        views.save_view(session, actor=provider, list_name="secrets", name="X", state={})
    with pytest.raises(Invalid, match="Name"):
        views.save_view(session, actor=provider, list_name="sent", name="  ", state={})


def test_a_field_archived_since_is_dropped_when_the_view_opens(session, world, fields):
    provider = world[0]
    made, ids, _, _ = fields
    state = {
        "columns": [ids["note"], ids["tier"]],
        "custom_filters": _filter(made["note"], "contains", "demo"),
        "sort": views.sort_name(made["note"]),
    }
    saved = views.save_view(session, actor=provider, list_name="received", name="N", state=state)
    cf.archive_field(session, actor=provider, field_id=made["note"].id)
    opened = views.open_view(session, actor=provider, view_id=saved.id).state
    assert opened == {"columns": [ids["tier"]], "filters": {}, "custom_filters": [], "sort": ""}


# --- the index of values (custom_values), kept by the database's triggers -----------------------


def test_the_index_of_values_follows_every_write_of_a_records_values(session, world, fields):
    from prm_app.models import CustomValue

    provider = world[0]
    made, ids, leads_by, (gold, silver, _, _) = fields

    def indexed(lead_id):
        rows = session.exec(
            select(CustomValue.field_id, CustomValue.num, CustomValue.txt).where(
                CustomValue.record_type == "lead", CustomValue.record_id == lead_id
            )
        ).all()
        return sorted((str(f), n, t) for f, n, t in rows)

    one = leads_by["one"]
    assert (ids["due"], 20260110.0, "2026-01-10") in indexed(one)
    assert (ids["vip"], 1.0, None) in indexed(one)
    assert (ids["budget"], 100.5, None) in indexed(one)
    assert [r for r in indexed(leads_by["two"]) if r[0] == ids["tags"]] == [
        (ids["tags"], float(o), None) for o in sorted(o["id"] for o in made["tags"].options)
    ]
    lead = session.get(Lead, one)
    lead.custom = {**lead.custom, ids["tier"]: silver, ids["note"]: "warm"}
    session.add(lead)
    session.flush()
    assert (ids["tier"], float(silver), None) in indexed(one)
    assert (ids["tier"], float(gold), None) not in indexed(one)
    names = sorted(_companies(_received(session, provider, custom_filters=_filter(
        made["tier"], "is", "Silver"))))  # fmt: skip
    assert names == ["One", "Two"]
    session.delete(session.exec(select(LeadRecipient).where(LeadRecipient.lead_id == one)).one())
    session.delete(lead)
    session.flush()
    assert indexed(one) == []
    assert indexed(leads_by["five"]) == []
