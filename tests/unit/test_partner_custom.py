"""The partner card: each side of a partnership reads and edits its custom values per the
fields' access, and the partner timeline tells each side only the changes it may see."""

import pytest
from argon2 import PasswordHasher
from sqlmodel import select

from prm_app.models import OrgKind, Partnership, Role
from prm_app.services import custom_fields as cf
from prm_app.services import partnerships
from prm_app.services.core import changes
from prm_app.services.core.errors import Invalid, NotAllowed, NotFound
from prm_app.services.identity import auth
from prm_app.services.partnerships import timeline as partner_timeline
from tests.unit.factories import colleague, events, org_admin, partners


@pytest.fixture(autouse=True)
def _cheap_password_hashing(monkeypatch):
    monkeypatch.setattr(auth, "_hasher", PasswordHasher(time_cost=1, memory_cost=8, parallelism=1))


@pytest.fixture
def world(session):
    """A provider with a partner field of each partner access, a consultant firm with a private
    field on its view of providers, and their active partnership."""
    provider = org_admin(session, org_name="Northwind", name="Pia")
    consultant = org_admin(session, kind=OrgKind.CONSULTANT, org_name="Fabrikam", name="Carl")
    partners(session, provider, consultant)
    partnership = session.exec(
        select(Partnership).where(Partnership.provider_org_id == provider.org_id)
    ).one()

    def field(actor, label, kind, access="hidden", **extra):
        return cf.add_field(
            session,
            actor=actor,
            entity="partner",
            label=label,
            type=kind,
            partner_access=access,
            **extra,
        )

    made = {
        "secret": field(provider, "Risk", "select", options="Low\nHigh"),
        "visible": field(provider, "Tier", "select", "visible", options="Gold\nSilver"),
        "editable": field(provider, "Website", "url", "editable"),
        "required": field(provider, "Certified", "checkbox", "required"),
        "private": field(consultant, "Rapport", "number"),
    }
    return provider, consultant, partnership, {k: str(v.id) for k, v in made.items()}


def _card(session, actor, partnership):
    seen = partnerships.partner_custom(session, actor=actor, partnership_id=partnership.id)
    return {f.label: (f.editable, f.required) for f in seen.fields}, seen


def test_each_side_sees_and_may_edit_the_fields_its_access_gives(session, world):
    provider, consultant, partnership, _ = world
    fields, card = _card(session, provider, partnership)
    assert fields == {
        "Risk": (True, False),
        "Tier": (True, False),
        "Website": (True, False),
        "Certified": (True, False),
    }
    assert card.can_edit and card.org_names == {consultant.org_id: "Fabrikam"}
    fields, card = _card(session, consultant, partnership)
    assert fields == {  # the hidden Risk is not there; the firm's own Rapport is
        "Rapport": (True, False),
        "Tier": (False, False),
        "Website": (True, False),
        "Certified": (True, True),
    }
    assert card.org_names == {provider.org_id: "Northwind"}


def test_values_written_by_one_side_reach_the_other_only_through_its_fields(session, world):
    provider, consultant, partnership, ids = world
    partnerships.set_custom(
        session,
        actor=provider,
        partnership_id=partnership.id,
        values={ids["secret"]: "High", ids["visible"]: "Gold", ids["editable"]: ""},
    )
    session.flush()
    assert changes.noted(session).of(changes.Topic.PARTNERS) == {
        provider.org_id,
        consultant.org_id,
    }
    _, card = _card(session, consultant, partnership)
    assert card.values == {ids["visible"]: 1}  # the hidden Risk never leaves the server
    partnerships.set_custom(
        session,
        actor=consultant,
        partnership_id=partnership.id,
        values={
            ids["editable"]: "https://fabrikam.example",
            ids["required"]: True,
            ids["private"]: "4",
        },
    )
    session.flush()
    _, card = _card(session, provider, partnership)
    assert card.values == {
        ids["secret"]: 2,
        ids["visible"]: 1,
        ids["editable"]: "https://fabrikam.example",
        ids["required"]: True,
    }
    session.refresh(partnership)
    assert partnership.custom[ids["private"]] == 4  # kept, but only for the firm


def test_refusals_name_the_field(session, world):
    provider, consultant, partnership, ids = world
    with pytest.raises(Invalid) as refused:
        partnerships.set_custom(
            session,
            actor=consultant,
            partnership_id=partnership.id,
            values={ids["required"]: False, ids["visible"]: "Silver", ids["secret"]: "Low"},
        )
    assert refused.value.problems == {
        f"custom_{ids['required']}": "Certified is required.",
        f"custom_{ids['visible']}": "Tier cannot be changed by your organization.",
        f"custom_{ids['secret']}": f"There is no field \u201c{ids['secret']}\u201d you can fill in.",
    }
    with pytest.raises(Invalid) as refused:
        partnerships.set_custom(
            session,
            actor=consultant,
            partnership_id=partnership.id,
            values={ids["required"]: True, ids["editable"]: "ftp://x"},
        )
    assert refused.value.field == f"custom_{ids['editable']}"
    with pytest.raises(Invalid):
        partnerships.set_custom(
            session, actor=provider, partnership_id=partnership.id, values="Tier=Gold"
        )
    session.refresh(partnership)
    assert partnership.custom == {}


def test_only_managers_of_either_side_edit_and_strangers_see_nothing(session, world):
    provider, _, partnership, ids = world
    member = colleague(session, provider, role=Role.MEMBER)
    with pytest.raises(NotAllowed):
        partnerships.set_custom(
            session, actor=member, partnership_id=partnership.id, values={ids["visible"]: "Gold"}
        )
    _, card = _card(session, member, partnership)
    assert not card.can_edit  # a member reads the card
    manager = colleague(session, provider, role=Role.MANAGER)
    partnerships.set_custom(
        session, actor=manager, partnership_id=partnership.id, values={ids["visible"]: "Gold"}
    )
    stranger = org_admin(session)
    stranger_firm = org_admin(session, kind=OrgKind.CONSULTANT)
    for outsider in (stranger, stranger_firm):
        with pytest.raises(NotFound):
            partnerships.partner_custom(session, actor=outsider, partnership_id=partnership.id)
        with pytest.raises(NotFound):
            partnerships.set_custom(
                session, actor=outsider, partnership_id=partnership.id, values={}
            )
    with pytest.raises(NotFound):
        partnerships.partner_custom(session, actor=provider, partnership_id="x")


def test_an_ended_partnership_keeps_its_values_read_only(session, world):
    provider, _, partnership, ids = world
    partnerships.set_custom(
        session, actor=provider, partnership_id=partnership.id, values={ids["visible"]: "Gold"}
    )
    partnerships.end(session, actor=provider, partnership_id=partnership.id)
    _, card = _card(session, provider, partnership)
    assert card.values == {ids["visible"]: 1} and not card.can_edit
    with pytest.raises(Invalid):
        partnerships.set_custom(
            session, actor=provider, partnership_id=partnership.id, values={ids["visible"]: ""}
        )


def test_the_timeline_tells_each_side_the_changes_it_may_see(session, world):
    provider, consultant, partnership, ids = world
    partnerships.set_custom(
        session,
        actor=provider,
        partnership_id=partnership.id,
        values={ids["secret"]: "High", ids["visible"]: "Gold"},
    )
    partnerships.set_custom(  # the API's way: by key, only what is given
        session,
        actor=provider,
        partnership_id=partnership.id,
        values={"tier": "Silver"},
        named_by="key",
        complete=False,
    )
    partnerships.set_custom(
        session,
        actor=consultant,
        partnership_id=partnership.id,
        values={ids["required"]: True, ids["private"]: "3"},
    )
    partnerships.set_custom(  # only the provider's hidden field: the firm reads nothing
        session,
        actor=provider,
        partnership_id=partnership.id,
        values={ids["secret"]: "", ids["visible"]: "2", ids["required"]: True},
    )
    session.flush()
    assert len(events(session, org_id=provider.org_id, entity_type="partnership")) >= 3

    def custom_lines(actor):
        page = partner_timeline.partner_page(session, actor=actor, partnership_id=partnership.id)
        words = ("Changed ", "Set ", "Cleared ")
        told = [(e.who, e.text) for e in page.entries if e.text.startswith(words)]
        return [line for line in told if line[1] != "Changed the categorization"]

    assert custom_lines(provider) == [
        ("Pia", "Cleared Risk (was High)"),
        ("Fabrikam", "Set Certified to Yes"),
        ("Pia", "Changed Tier from Gold to Silver"),
        ("Pia", "Set Risk to High; set Tier to Gold"),
    ]
    assert custom_lines(consultant) == [
        ("Carl", "Set Rapport to 3; set Certified to Yes"),
        ("Northwind", "Changed Tier from Gold to Silver"),
        ("Northwind", "Set Tier to Gold"),
    ]


def test_the_pages_rows_show_each_side_its_fields_and_the_settings_offer_the_sides_kinds(
    session, world
):
    from prm_app.services.custom_fields.definitions import ENTITIES
    from prm_app.state import custom_field_settings as settings_rows
    from prm_app.state.custom_inputs import rows

    provider, consultant, partnership, ids = world
    partnerships.set_custom(
        session, actor=provider, partnership_id=partnership.id, values={ids["visible"]: "Gold"}
    )
    card = partnerships.partner_custom(session, actor=consultant, partnership_id=partnership.id)
    shown = {r["label"]: (r["group"], r["editable"], r["text"]) for r in rows(
        card.fields, card.values, card.org_names
    )}  # fmt: skip
    assert shown == {
        "Rapport": ("", True, ""),
        "Tier": ("Northwind", False, "Gold"),
        "Website": ("Northwind", True, ""),
        "Certified": ("Northwind", True, ""),
    }
    for kind, offered in settings_rows.ENTITY_CHOICES.items():
        assert [o["id"] for o in offered] == list(ENTITIES[kind])
    tier = next(
        f for f in cf.fields(session, actor=provider, entity="partner") if f.label == "Tier"
    )
    cf.set_option_archived(session, actor=provider, field_id=tier.id, option_id=2, archived=True)
    (tier,) = [f for f in cf.fields(session, actor=provider, entity="partner") if f.id == tier.id]
    row = settings_rows._row(tier, 1, provider=True)
    assert (row["access"], row["in_use"], row["options_text"]) == (
        "Optional; partners see it",
        "1",
        "Gold (archived: Silver)",
    )
