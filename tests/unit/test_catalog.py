"""catalog: taxonomy terms, pipeline stages and a provider's program rules."""

from decimal import Decimal

import pytest
from sqlmodel import col, select

from prm_app.models import (
    Deal,
    DealProduct,
    Lead,
    LeadDirection,
    LeadRecipient,
    OrgKind,
    OrgSettings,
    Partnership,
    Role,
    Stage,
    TaxonomyTerm,
)
from prm_app.services import catalog
from prm_app.services.catalog import RulesView, StageView, TermView
from prm_app.services.core.errors import Invalid, NotAllowed, NotFound
from tests.unit.factories import colleague, events, org_admin

ADMIN_ONLY = "Only an administrator of your organization can do that."
PROVIDER_ONLY = "Only a provider organization can do that."
HOSTILE_IDS = [True, False, None, 0, -1, "-1", "abc", "1; DROP", {"id": 1}, [1], 1.0, 2**70, ""]
HOSTILE_NAMES = [None, "", "   ", 5, True, {"name": "x"}, ["x"], "x" * 101, "bad\x00name", "\ud800"]


# helpers -------------------------------------------------------------------------------------


def _ids(session, actor, kind) -> dict[str, int]:
    return {t.name: t.id for t in catalog.terms(session, actor=actor, kind=kind)}


def _stage_ids(session, actor, pipeline) -> dict[str, int]:
    return {s.name: s.id for s in catalog.stages(session, actor=actor, pipeline=pipeline)}


def _listing(session, actor, kind) -> list[tuple[str, int, bool]]:
    return [
        (t.name, t.position, t.archived) for t in catalog.terms(session, actor=actor, kind=kind)
    ]


def _stage_listing(session, actor, pipeline) -> list[tuple[str, int, bool]]:
    return [
        (s.name, s.position, s.archived)
        for s in catalog.stages(session, actor=actor, pipeline=pipeline)
    ]


def _term_rows(session, org_id) -> list[tuple]:
    session.flush()
    rows = session.exec(select(TaxonomyTerm).where(TaxonomyTerm.org_id == org_id))
    return sorted((t.id, t.kind, t.name, t.position, t.archived_at) for t in rows)


def _stage_rows(session, org_id) -> list[tuple]:
    session.flush()
    rows = session.exec(select(Stage).where(Stage.org_id == org_id))
    return sorted(
        (s.id, s.pipeline, s.name, s.position, s.probability, s.is_won, s.is_lost, s.archived_at)
        for s in rows
    )


def _partnership(session, *, provider_org_id, consultant_org_id=None, **term_ids) -> Partnership:
    partnership = Partnership(
        provider_org_id=provider_org_id, consultant_org_id=consultant_org_id, **term_ids
    )
    session.add(partnership)
    session.flush()
    return partnership


def _deal(session, provider, *, stage_id=None) -> Deal:
    deal = Deal(
        provider_org_id=provider.org_id,
        partner_org_id=provider.org_id,
        registered_by_id=provider.user_id,
        name="Rollout",
        company="Acme",
        stage_id=stage_id,
    )
    session.add(deal)
    session.flush()
    return deal


def _recipient(session, provider, *, stage_id) -> LeadRecipient:
    lead = Lead(
        direction=LeadDirection.PROVIDER_TO_PARTNER,
        origin_org_id=provider.org_id,
        owner_id=provider.user_id,
        created_by_id=provider.user_id,
        first_name="Pat",
        last_name="Lee",
        email="pat@acme.test",
        company="Acme",
    )
    session.add(lead)
    session.flush()
    recipient = LeadRecipient(lead_id=lead.id, org_id=provider.org_id, stage_id=stage_id)
    session.add(recipient)
    session.flush()
    return recipient


def _actions(session, actor, entity_type) -> list[tuple[int, str]]:
    return [
        (e.entity_id, e.action)
        for e in events(session, org_id=actor.org_id, entity_type=entity_type)
    ]


# terms / active_terms ------------------------------------------------------------------------


def test_terms_lists_a_providers_default_terms_in_order(session):
    admin = org_admin(session)
    listed = catalog.terms(session, actor=admin, kind="partner_tier")
    assert [(t.kind, t.name, t.position, t.archived, t.in_use) for t in listed] == [
        ("partner_tier", "Gold", 0, False, 0),
        ("partner_tier", "Silver", 1, False, 0),
        ("partner_tier", "Bronze", 2, False, 0),
    ]
    assert all(isinstance(t, TermView) and type(t.kind) is str for t in listed)
    assert catalog.terms(session, actor=admin, kind="product") == []


def test_terms_lists_a_consultants_default_terms(session):
    admin = org_admin(session, kind=OrgKind.CONSULTANT)
    assert [t.name for t in catalog.terms(session, actor=admin, kind="provider_type")] == [
        "ERP",
        "HRM",
        "Accounting",
        "CRM",
    ]
    assert [t.name for t in catalog.active_terms(session, actor=admin, kind="proficiency")] == [
        "Beginner",
        "Intermediate",
        "Expert",
    ]


def test_term_kinds_per_org_kind():
    assert set(catalog.PROVIDER_TERM_KINDS) == {
        "partner_status",
        "partner_type",
        "partner_tier",
        "partner_group",
        "product",
        "lost_reason",
        "certification",
    }
    assert set(catalog.CONSULTANT_TERM_KINDS) == {"provider_type", "proficiency"}


@pytest.mark.parametrize("role", [Role.MANAGER, Role.MEMBER])
def test_any_member_reads_terms(session, role):
    admin = org_admin(session)
    reader = colleague(session, admin, role=role)
    assert _listing(session, reader, "partner_type") == _listing(session, admin, "partner_type")
    assert [t.name for t in catalog.active_terms(session, actor=reader, kind="partner_tier")] == [
        "Gold",
        "Silver",
        "Bronze",
    ]


def test_terms_are_per_organization(session):
    ours = org_admin(session)
    theirs = org_admin(session)
    catalog.add_term(session, actor=theirs, kind="partner_tier", name="Platinum")
    assert "Platinum" not in _ids(session, ours, "partner_tier")
    assert "Platinum" in _ids(session, theirs, "partner_tier")
    assert set(_ids(session, ours, "partner_tier").values()).isdisjoint(
        _ids(session, theirs, "partner_tier").values()
    )


def test_terms_list_archived_last_by_name_and_count_use(session):
    admin = org_admin(session)
    catalog.add_term(session, actor=admin, kind="partner_tier", name="Aluminium")
    ids = _ids(session, admin, "partner_tier")
    for name in ("Gold", "Gold", "Silver", "Bronze", "Aluminium"):
        _partnership(session, provider_org_id=admin.org_id, partner_tier_id=ids[name])
    assert catalog.remove_term(session, actor=admin, term_id=ids["Silver"]) == "archived"
    assert catalog.remove_term(session, actor=admin, term_id=ids["Aluminium"]) == "archived"

    listed = catalog.terms(session, actor=admin, kind="partner_tier")
    assert [(t.name, t.position, t.archived, t.in_use) for t in listed] == [
        ("Gold", 0, False, 2),
        ("Bronze", 1, False, 1),
        ("Aluminium", listed[2].position, True, 1),
        ("Silver", listed[3].position, True, 1),
    ]
    active = catalog.active_terms(session, actor=admin, kind="partner_tier")
    assert [(t.name, t.position, t.in_use) for t in active] == [("Gold", 0, 2), ("Bronze", 1, 1)]


@pytest.mark.parametrize(
    ("org_kind", "kind"),
    [
        (OrgKind.PROVIDER, "provider_type"),
        (OrgKind.PROVIDER, "proficiency"),
        (OrgKind.CONSULTANT, "partner_type"),
        (OrgKind.CONSULTANT, "product"),
        (OrgKind.PROVIDER, "PARTNER_TYPE"),
        (OrgKind.PROVIDER, "partner type"),
        (OrgKind.PROVIDER, ""),
        (OrgKind.PROVIDER, None),
        (OrgKind.PROVIDER, 1),
        (OrgKind.PROVIDER, {"kind": "partner_type"}),
        (OrgKind.PROVIDER, ["partner_type"]),
    ],
)
def test_a_kind_the_org_does_not_have_is_invalid(session, org_kind, kind):
    admin = org_admin(session, kind=org_kind)
    before = _term_rows(session, admin.org_id)
    for call in (catalog.terms, catalog.active_terms):
        with pytest.raises(Invalid, match="no such list") as caught:
            call(session, actor=admin, kind=kind)
        assert caught.value.field == "kind"
    with pytest.raises(Invalid, match="no such list") as caught:
        catalog.add_term(session, actor=admin, kind=kind, name="Anything")
    assert caught.value.field == "kind"
    assert _term_rows(session, admin.org_id) == before


# add_term ------------------------------------------------------------------------------------


def test_add_term_appends_last_and_records_an_event(session):
    admin = org_admin(session)
    added = catalog.add_term(session, actor=admin, kind="partner_tier", name="  Platinum ")
    assert (added.kind, added.name, added.position, added.archived, added.in_use) == (
        "partner_tier",
        "Platinum",
        3,
        False,
        0,
    )
    assert _listing(session, admin, "partner_tier")[-1] == ("Platinum", 3, False)
    row = session.get(TaxonomyTerm, added.id)
    assert (row.org_id, row.kind, row.name, row.position) == (
        admin.org_id,
        "partner_tier",
        "Platinum",
        3,
    )
    (event,) = events(session, org_id=admin.org_id, entity_type="taxonomy_term")
    assert (event.actor_id, event.entity_id, event.action, event.after) == (
        admin.user_id,
        added.id,
        "created",
        {"kind": "partner_tier", "name": "Platinum", "position": 3},
    )


def test_add_term_to_an_empty_list_and_a_consultants_list(session):
    provider = org_admin(session)
    first = catalog.add_term(session, actor=provider, kind="product", name="Payroll")
    second = catalog.add_term(session, actor=provider, kind="product", name="Ledger")
    assert [(first.name, first.position), (second.name, second.position)] == [
        ("Payroll", 0),
        ("Ledger", 1),
    ]
    consultant = org_admin(session, kind=OrgKind.CONSULTANT)
    added = catalog.add_term(session, actor=consultant, kind="proficiency", name="Master")
    assert (added.kind, added.position) == ("proficiency", 3)


def test_add_term_after_an_archived_one_stays_compact(session):
    admin = org_admin(session)
    ids = _ids(session, admin, "partner_tier")
    _partnership(session, provider_org_id=admin.org_id, partner_tier_id=ids["Gold"])
    catalog.remove_term(session, actor=admin, term_id=ids["Gold"])
    added = catalog.add_term(session, actor=admin, kind="partner_tier", name="Platinum")
    assert added.position == 2
    assert _listing(session, admin, "partner_tier") == [
        ("Silver", 0, False),
        ("Bronze", 1, False),
        ("Platinum", 2, False),
        ("Gold", _listing(session, admin, "partner_tier")[3][1], True),
    ]


def test_add_term_accepts_100_characters(session):
    admin = org_admin(session)
    added = catalog.add_term(session, actor=admin, kind="partner_group", name="n" * 100)
    assert added.name == "n" * 100


@pytest.mark.parametrize("name", ["gold", "GOLD", " Gold ", "Retired"])
def test_add_term_refuses_a_duplicate_name_whatever_the_case_archived_included(session, name):
    admin = org_admin(session)
    retired = catalog.add_term(session, actor=admin, kind="partner_tier", name="Retired")
    assert catalog.remove_term(session, actor=admin, term_id=retired.id) == "deleted"
    retired = catalog.add_term(session, actor=admin, kind="partner_tier", name="Retired")
    _partnership(session, provider_org_id=admin.org_id, partner_tier_id=retired.id)
    assert catalog.remove_term(session, actor=admin, term_id=retired.id) == "archived"
    before = _term_rows(session, admin.org_id)
    with pytest.raises(Invalid, match="already in this list") as caught:
        catalog.add_term(session, actor=admin, kind="partner_tier", name=name)
    assert caught.value.field == "name"
    assert _term_rows(session, admin.org_id) == before


def test_the_same_name_is_fine_in_another_kind_or_org(session):
    admin = org_admin(session)
    other = org_admin(session)
    assert catalog.add_term(session, actor=admin, kind="partner_group", name="Gold").name == "Gold"
    assert catalog.add_term(session, actor=other, kind="partner_group", name="Gold").name == "Gold"


@pytest.mark.parametrize("name", HOSTILE_NAMES)
def test_add_term_refuses_bad_names(session, name):
    admin = org_admin(session)
    before = _term_rows(session, admin.org_id)
    with pytest.raises(Invalid) as caught:
        catalog.add_term(session, actor=admin, kind="partner_tier", name=name)
    assert caught.value.field == "name"
    assert _term_rows(session, admin.org_id) == before


# rename_term ---------------------------------------------------------------------------------


def test_rename_term_keeps_position_and_records_an_event(session):
    admin = org_admin(session)
    silver = _ids(session, admin, "partner_tier")["Silver"]
    renamed = catalog.rename_term(session, actor=admin, term_id=str(silver), name=" Argent ")
    assert (renamed.id, renamed.name, renamed.position) == (silver, "Argent", 1)
    assert session.get(TaxonomyTerm, silver).name == "Argent"
    (event,) = events(session, org_id=admin.org_id, entity_type="taxonomy_term")
    assert (event.entity_id, event.action, event.before, event.after) == (
        silver,
        "renamed",
        {"name": "Silver"},
        {"name": "Argent"},
    )


def test_rename_term_to_its_own_name_changes_nothing(session):
    admin = org_admin(session)
    gold = _ids(session, admin, "partner_tier")["Gold"]
    assert catalog.rename_term(session, actor=admin, term_id=gold, name="Gold").name == "Gold"
    assert events(session, org_id=admin.org_id, entity_type="taxonomy_term") == []


def test_rename_term_may_change_only_the_case(session):
    admin = org_admin(session)
    gold = _ids(session, admin, "partner_tier")["Gold"]
    assert catalog.rename_term(session, actor=admin, term_id=gold, name="GOLD").name == "GOLD"
    assert _actions(session, admin, "taxonomy_term") == [(gold, "renamed")]


@pytest.mark.parametrize("name", ["silver", "BRONZE", "Old"])
def test_rename_term_refuses_a_duplicate_name(session, name):
    admin = org_admin(session)
    old = catalog.add_term(session, actor=admin, kind="partner_tier", name="Old")
    _partnership(session, provider_org_id=admin.org_id, partner_tier_id=old.id)
    catalog.remove_term(session, actor=admin, term_id=old.id)
    gold = _ids(session, admin, "partner_tier")["Gold"]
    with pytest.raises(Invalid, match="already in this list") as caught:
        catalog.rename_term(session, actor=admin, term_id=gold, name=name)
    assert caught.value.field == "name"
    assert session.get(TaxonomyTerm, gold).name == "Gold"


@pytest.mark.parametrize("name", HOSTILE_NAMES)
def test_rename_term_refuses_bad_names(session, name):
    admin = org_admin(session)
    gold = _ids(session, admin, "partner_tier")["Gold"]
    with pytest.raises(Invalid) as caught:
        catalog.rename_term(session, actor=admin, term_id=gold, name=name)
    assert caught.value.field == "name"
    assert session.get(TaxonomyTerm, gold).name == "Gold"


# move_term -----------------------------------------------------------------------------------


def test_move_term_up_and_down_renumbers_and_records_events(session):
    admin = org_admin(session)
    ids = _ids(session, admin, "partner_tier")
    catalog.move_term(session, actor=admin, term_id=ids["Bronze"], direction="up")
    assert _listing(session, admin, "partner_tier") == [
        ("Gold", 0, False),
        ("Bronze", 1, False),
        ("Silver", 2, False),
    ]
    catalog.move_term(session, actor=admin, term_id=str(ids["Gold"]), direction="down")
    assert [name for name, *_ in _listing(session, admin, "partner_tier")] == [
        "Bronze",
        "Gold",
        "Silver",
    ]
    moved = events(session, org_id=admin.org_id, entity_type="taxonomy_term")
    assert [(e.entity_id, e.action, e.before, e.after) for e in moved] == [
        (ids["Bronze"], "moved", {"position": 2}, {"position": 1}),
        (ids["Gold"], "moved", {"position": 0}, {"position": 1}),
    ]


def test_move_term_at_either_end_does_nothing(session):
    admin = org_admin(session)
    ids = _ids(session, admin, "partner_tier")
    before = _term_rows(session, admin.org_id)
    catalog.move_term(session, actor=admin, term_id=ids["Gold"], direction="up")
    catalog.move_term(session, actor=admin, term_id=ids["Bronze"], direction="down")
    assert _term_rows(session, admin.org_id) == before
    assert events(session, org_id=admin.org_id, entity_type="taxonomy_term") == []


def test_move_term_skips_archived_neighbours(session):
    admin = org_admin(session)
    ids = _ids(session, admin, "partner_tier")
    _partnership(session, provider_org_id=admin.org_id, partner_tier_id=ids["Silver"])
    catalog.remove_term(session, actor=admin, term_id=ids["Silver"])
    catalog.move_term(session, actor=admin, term_id=ids["Bronze"], direction="up")
    assert _listing(session, admin, "partner_tier")[:2] == [
        ("Bronze", 0, False),
        ("Gold", 1, False),
    ]


@pytest.mark.parametrize("direction", ["left", "UP", "", None, 1, -1, {"d": "up"}, ["up"]])
def test_move_term_refuses_a_bad_direction(session, direction):
    admin = org_admin(session)
    silver = _ids(session, admin, "partner_tier")["Silver"]
    before = _term_rows(session, admin.org_id)
    with pytest.raises(Invalid, match="up or down") as caught:
        catalog.move_term(session, actor=admin, term_id=silver, direction=direction)
    assert caught.value.field == "direction"
    assert _term_rows(session, admin.org_id) == before


def test_move_term_refuses_an_archived_term(session):
    admin = org_admin(session)
    gold = _ids(session, admin, "partner_tier")["Gold"]
    _partnership(session, provider_org_id=admin.org_id, partner_tier_id=gold)
    catalog.remove_term(session, actor=admin, term_id=gold)
    before = _term_rows(session, admin.org_id)
    with pytest.raises(Invalid, match="Restore it"):
        catalog.move_term(session, actor=admin, term_id=gold, direction="down")
    assert _term_rows(session, admin.org_id) == before


# remove_term / restore_term ------------------------------------------------------------------


def test_remove_an_unused_term_deletes_it_and_closes_the_gap(session):
    admin = org_admin(session)
    gold = _ids(session, admin, "partner_tier")["Gold"]
    assert catalog.remove_term(session, actor=admin, term_id=str(gold)) == "deleted"
    session.flush()
    assert session.get(TaxonomyTerm, gold) is None
    assert _listing(session, admin, "partner_tier") == [("Silver", 0, False), ("Bronze", 1, False)]
    (event,) = events(session, org_id=admin.org_id, entity_type="taxonomy_term")
    assert (event.entity_id, event.action, event.before) == (gold, "deleted", {"name": "Gold"})


@pytest.mark.parametrize(
    ("org_kind", "kind", "column"),
    [
        (OrgKind.PROVIDER, "partner_type", "partner_type_id"),
        (OrgKind.PROVIDER, "partner_status", "partner_status_id"),
        (OrgKind.PROVIDER, "partner_tier", "partner_tier_id"),
        (OrgKind.PROVIDER, "partner_group", "partner_group_id"),
        (OrgKind.CONSULTANT, "provider_type", "provider_type_id"),
        (OrgKind.CONSULTANT, "proficiency", "proficiency_id"),
    ],
)
def test_remove_a_term_used_by_a_partnership_archives_it(session, org_kind, kind, column):
    admin = org_admin(session, kind=org_kind)
    provider = admin if org_kind == OrgKind.PROVIDER else org_admin(session)
    term = catalog.add_term(session, actor=admin, kind=kind, name="Used")
    spare = catalog.add_term(session, actor=admin, kind=kind, name="Spare")
    _partnership(
        session,
        provider_org_id=provider.org_id,
        consultant_org_id=None if admin is provider else admin.org_id,
        **{column: term.id},
    )
    assert [t.in_use for t in catalog.terms(session, actor=admin, kind=kind)][-2:] == [1, 0]
    assert catalog.remove_term(session, actor=admin, term_id=term.id) == "archived"
    session.flush()
    assert session.get(TaxonomyTerm, term.id).archived_at is not None
    listed = catalog.terms(session, actor=admin, kind=kind)
    assert [(t.name, t.archived, t.in_use) for t in listed][-2:] == [
        ("Spare", False, 0),
        ("Used", True, 1),
    ]
    assert [t.position for t in listed if not t.archived] == list(range(len(listed) - 1))
    assert "Used" not in [t.name for t in catalog.active_terms(session, actor=admin, kind=kind)]
    assert _actions(session, admin, "taxonomy_term")[-1] == (term.id, "archived")
    assert spare.id in [t.id for t in listed]


def test_remove_a_product_on_a_deal_archives_it(session):
    admin = org_admin(session)
    product = catalog.add_term(session, actor=admin, kind="product", name="Payroll")
    deal = _deal(session, admin)
    session.add(DealProduct(deal_id=deal.id, product_id=product.id))
    session.flush()
    assert catalog.terms(session, actor=admin, kind="product")[0].in_use == 1
    assert catalog.remove_term(session, actor=admin, term_id=product.id) == "archived"
    assert catalog.terms(session, actor=admin, kind="product")[0].archived is True


def test_removing_an_archived_term_again_keeps_it_while_in_use(session):
    admin = org_admin(session)
    gold = _ids(session, admin, "partner_tier")["Gold"]
    partnership = _partnership(session, provider_org_id=admin.org_id, partner_tier_id=gold)
    assert catalog.remove_term(session, actor=admin, term_id=gold) == "archived"
    assert catalog.remove_term(session, actor=admin, term_id=gold) == "archived"
    assert _actions(session, admin, "taxonomy_term") == [(gold, "archived")]

    partnership.partner_tier_id = None
    session.add(partnership)
    session.flush()
    assert catalog.remove_term(session, actor=admin, term_id=gold) == "deleted"
    session.flush()
    assert session.get(TaxonomyTerm, gold) is None


def test_restore_term_places_it_last_and_records_an_event(session):
    admin = org_admin(session)
    gold = _ids(session, admin, "partner_tier")["Gold"]
    _partnership(session, provider_org_id=admin.org_id, partner_tier_id=gold)
    catalog.remove_term(session, actor=admin, term_id=gold)
    catalog.restore_term(session, actor=admin, term_id=str(gold))
    assert _listing(session, admin, "partner_tier") == [
        ("Silver", 0, False),
        ("Bronze", 1, False),
        ("Gold", 2, False),
    ]
    session.flush()
    assert session.get(TaxonomyTerm, gold).archived_at is None
    restored = events(session, org_id=admin.org_id, entity_type="taxonomy_term")[-1]
    assert (restored.entity_id, restored.action, restored.after) == (
        gold,
        "restored",
        {"position": 2},
    )


def test_restore_an_active_term_does_nothing(session):
    admin = org_admin(session)
    gold = _ids(session, admin, "partner_tier")["Gold"]
    before = _term_rows(session, admin.org_id)
    catalog.restore_term(session, actor=admin, term_id=gold)
    assert _term_rows(session, admin.org_id) == before
    assert events(session, org_id=admin.org_id, entity_type="taxonomy_term") == []


# terms: who may change them ------------------------------------------------------------------

TERM_CHANGES = {
    "add": lambda s, a, ids: catalog.add_term(s, actor=a, kind="partner_tier", name="New"),
    "rename": lambda s, a, ids: catalog.rename_term(s, actor=a, term_id=ids["Silver"], name="N"),
    "move": lambda s, a, ids: catalog.move_term(s, actor=a, term_id=ids["Silver"], direction="up"),
    "remove": lambda s, a, ids: catalog.remove_term(s, actor=a, term_id=ids["Silver"]),
    "restore": lambda s, a, ids: catalog.restore_term(s, actor=a, term_id=ids["Gold"]),
}
TERM_ID_CHANGES = {name: change for name, change in TERM_CHANGES.items() if name != "add"}


def _tiers_with_gold_archived(session, admin) -> dict[str, int]:
    ids = _ids(session, admin, "partner_tier")
    _partnership(session, provider_org_id=admin.org_id, partner_tier_id=ids["Gold"])
    assert catalog.remove_term(session, actor=admin, term_id=ids["Gold"]) == "archived"
    return ids


@pytest.mark.parametrize("change", TERM_CHANGES.values(), ids=TERM_CHANGES.keys())
@pytest.mark.parametrize("role", [Role.MANAGER, Role.MEMBER])
def test_only_admins_change_terms(session, change, role):
    admin = org_admin(session)
    someone = colleague(session, admin, role=role)
    ids = _tiers_with_gold_archived(session, admin)
    before = _term_rows(session, admin.org_id), len(events(session, org_id=admin.org_id))
    with pytest.raises(NotAllowed, match=ADMIN_ONLY):
        change(session, someone, ids)
    assert (_term_rows(session, admin.org_id), len(events(session, org_id=admin.org_id))) == before


@pytest.mark.parametrize("change", TERM_ID_CHANGES.values(), ids=TERM_ID_CHANGES.keys())
def test_another_orgs_terms_are_not_found(session, change):
    theirs = org_admin(session)
    ids = _tiers_with_gold_archived(session, theirs)
    ours = org_admin(session)
    consultant = org_admin(session, kind=OrgKind.CONSULTANT)
    before = _term_rows(session, theirs.org_id)
    for intruder in (ours, consultant):
        with pytest.raises(NotFound, match="term does not exist"):
            change(session, intruder, ids)
    assert _term_rows(session, theirs.org_id) == before
    assert events(session, org_id=ours.org_id, entity_type="taxonomy_term") == []


@pytest.mark.parametrize("term_id", HOSTILE_IDS)
def test_hostile_term_ids_are_not_found(session, term_id):
    admin = org_admin(session)
    before = _term_rows(session, admin.org_id)
    for name, change in TERM_ID_CHANGES.items():
        with pytest.raises(NotFound, match="term does not exist"):
            change(session, admin, {"Silver": term_id, "Gold": term_id})
        assert _term_rows(session, admin.org_id) == before, name


# stages --------------------------------------------------------------------------------------


def test_stages_lists_the_default_pipelines(session):
    admin = org_admin(session)
    deal = catalog.stages(session, actor=admin, pipeline="deal")
    assert [(s.name, s.position, s.probability, s.outcome, s.archived, s.in_use) for s in deal] == [
        ("Qualification", 0, 10, "open", False, 0),
        ("Discovery", 1, 25, "open", False, 0),
        ("Proposal", 2, 50, "open", False, 0),
        ("Negotiation", 3, 75, "open", False, 0),
        ("Closed Won", 4, 100, "won", False, 0),
        ("Closed Lost", 5, 0, "lost", False, 0),
    ]
    assert all(isinstance(s, StageView) and s.pipeline == "deal" for s in deal)
    assert all(type(s.pipeline) is str and type(s.outcome) is str for s in deal)
    lead = catalog.stages(session, actor=admin, pipeline="lead")
    assert [(s.pipeline, s.name, s.outcome) for s in lead] == [
        ("lead", "New", "open"),
        ("lead", "Contacted", "open"),
        ("lead", "Qualified", "open"),
    ]


@pytest.mark.parametrize("role", [Role.MANAGER, Role.MEMBER])
def test_any_member_reads_stages(session, role):
    admin = org_admin(session)
    reader = colleague(session, admin, role=role)
    assert catalog.stages(session, actor=reader, pipeline="deal") == catalog.stages(
        session, actor=admin, pipeline="deal"
    )


def test_stages_count_use_and_list_archived_last_by_name(session):
    admin = org_admin(session)
    ids = _stage_ids(session, admin, "lead")
    _recipient(session, admin, stage_id=ids["Contacted"])
    _recipient(session, admin, stage_id=ids["Contacted"])
    _recipient(session, admin, stage_id=ids["New"])
    _deal(session, admin, stage_id=ids["New"])
    assert catalog.remove_stage(session, actor=admin, stage_id=ids["New"]) == "archived"
    assert catalog.remove_stage(session, actor=admin, stage_id=ids["Contacted"]) == "archived"
    listed = catalog.stages(session, actor=admin, pipeline="lead")
    assert [(s.name, s.archived, s.in_use) for s in listed] == [
        ("Qualified", False, 0),
        ("Contacted", True, 2),
        ("New", True, 2),
    ]
    assert listed[0].position == 0


@pytest.mark.parametrize("pipeline", ["Deal", "sales", "", None, 1, {"p": "deal"}, ["deal"]])
def test_a_bad_pipeline_is_invalid(session, pipeline):
    admin = org_admin(session)
    before = _stage_rows(session, admin.org_id)
    with pytest.raises(Invalid, match="lead or the deal pipeline") as caught:
        catalog.stages(session, actor=admin, pipeline=pipeline)
    assert caught.value.field == "pipeline"
    with pytest.raises(Invalid, match="lead or the deal pipeline"):
        catalog.add_stage(session, actor=admin, pipeline=pipeline, name="X", probability=5)
    assert _stage_rows(session, admin.org_id) == before


# add_stage -----------------------------------------------------------------------------------


@pytest.mark.parametrize(("given", "stored"), [(35, 35), ("35", 35), (" 0 ", 0), ("100", 100)])
def test_add_stage_appends_an_open_stage_and_records_an_event(session, given, stored):
    admin = org_admin(session)
    added = catalog.add_stage(
        session, actor=admin, pipeline="lead", name=" Nurturing ", probability=given
    )
    assert (added.pipeline, added.name, added.position, added.probability, added.outcome) == (
        "lead",
        "Nurturing",
        3,
        stored,
        "open",
    )
    assert (added.archived, added.in_use) == (False, 0)
    row = session.get(Stage, added.id)
    assert (row.org_id, row.position, row.probability, row.is_won, row.is_lost) == (
        admin.org_id,
        3,
        stored,
        False,
        False,
    )
    (event,) = events(session, org_id=admin.org_id, entity_type="stage")
    assert (event.actor_id, event.entity_id, event.action, event.after) == (
        admin.user_id,
        added.id,
        "created",
        {"pipeline": "lead", "name": "Nurturing", "probability": stored, "outcome": "open"},
    )


def test_add_stage_to_the_deal_pipeline_goes_before_the_closing_stages(session):
    admin = org_admin(session)
    added = catalog.add_stage(session, actor=admin, pipeline="deal", name="Legal", probability=90)
    names = [stage.name for stage in catalog.stages(session, actor=admin, pipeline="deal")]
    assert names[-3:] == ["Legal", "Closed Won", "Closed Lost"]
    assert added.position == 4


@pytest.mark.parametrize(
    "probability",
    ["abc", "", None, -1, "-1", 101, "101", 1.5, 50.0, "50.0", "5%", True, False, {"p": 5}, [5],
     "9" * 5000, 2**70, "\u0665"],
)  # fmt: skip
def test_add_stage_refuses_bad_probabilities(session, probability):
    admin = org_admin(session)
    before = _stage_rows(session, admin.org_id)
    with pytest.raises(Invalid, match="Probability must be a whole number from 0 to 100") as caught:
        catalog.add_stage(session, actor=admin, pipeline="deal", name="X", probability=probability)
    assert caught.value.field == "probability"
    assert _stage_rows(session, admin.org_id) == before


@pytest.mark.parametrize("name", HOSTILE_NAMES)
def test_add_stage_refuses_bad_names(session, name):
    admin = org_admin(session)
    before = _stage_rows(session, admin.org_id)
    with pytest.raises(Invalid) as caught:
        catalog.add_stage(session, actor=admin, pipeline="deal", name=name, probability=5)
    assert caught.value.field == "name"
    assert _stage_rows(session, admin.org_id) == before


@pytest.mark.parametrize("name", ["closed won", "PROPOSAL", " Discovery "])
def test_add_stage_refuses_a_duplicate_name(session, name):
    admin = org_admin(session)
    before = _stage_rows(session, admin.org_id)
    with pytest.raises(Invalid, match="already in this list") as caught:
        catalog.add_stage(session, actor=admin, pipeline="deal", name=name, probability=5)
    assert caught.value.field == "name"
    assert _stage_rows(session, admin.org_id) == before


def test_a_deal_stage_name_may_repeat_in_the_lead_pipeline(session):
    admin = org_admin(session)
    added = catalog.add_stage(session, actor=admin, pipeline="lead", name="Proposal", probability=5)
    assert added.pipeline == "lead"


# update_stage --------------------------------------------------------------------------------


def test_update_stage_renames_and_sets_probability_and_records_the_change(session):
    admin = org_admin(session)
    proposal = _stage_ids(session, admin, "deal")["Proposal"]
    updated = catalog.update_stage(
        session, actor=admin, stage_id=str(proposal), name="Quote", probability="60", outcome="open"
    )
    assert (updated.name, updated.probability, updated.outcome, updated.position) == (
        "Quote",
        60,
        "open",
        2,
    )
    row = session.get(Stage, proposal)
    assert (row.name, row.probability) == ("Quote", 60)
    (event,) = events(session, org_id=admin.org_id, entity_type="stage")
    assert (event.entity_id, event.action, event.before, event.after) == (
        proposal,
        "updated",
        {"name": "Proposal", "probability": 50},
        {"name": "Quote", "probability": 60},
    )


def test_update_stage_without_a_change_records_nothing(session):
    admin = org_admin(session)
    proposal = _stage_ids(session, admin, "deal")["Proposal"]
    catalog.update_stage(
        session, actor=admin, stage_id=proposal, name="Proposal", probability=50, outcome="open"
    )
    won = _stage_ids(session, admin, "deal")["Closed Won"]
    catalog.update_stage(
        session, actor=admin, stage_id=won, name="Closed Won", probability=3, outcome="won"
    )
    assert events(session, org_id=admin.org_id, entity_type="stage") == []
    assert session.get(Stage, won).probability == 100


@pytest.mark.parametrize(
    ("outcome", "holder", "probability"), [("won", "Closed Won", 100), ("lost", "Closed Lost", 0)]
)
def test_marking_a_stage_won_or_lost_takes_the_flag_from_the_previous_one(
    session, outcome, holder, probability
):
    admin = org_admin(session)
    ids = _stage_ids(session, admin, "deal")
    updated = catalog.update_stage(
        session,
        actor=admin,
        stage_id=ids["Negotiation"],
        name="Signed",
        probability="abc",  # ignored: the outcome forces it
        outcome=outcome,
    )
    assert (updated.name, updated.outcome, updated.probability) == ("Signed", outcome, probability)
    by_name = {s.name: s for s in catalog.stages(session, actor=admin, pipeline="deal")}
    assert by_name[holder].outcome == "open"
    other, other_outcome = ("Closed Lost", "lost") if outcome == "won" else ("Closed Won", "won")
    closing = {s.name: s.outcome for s in by_name.values() if s.outcome != "open"}
    assert closing == {"Signed": outcome, other: other_outcome}
    assert (by_name[holder].probability, by_name["Signed"].position) == (probability, 3)
    recorded = events(session, org_id=admin.org_id, entity_type="stage")
    assert [(e.entity_id, e.action, e.before, e.after) for e in recorded] == [
        (ids[holder], "updated", {"outcome": outcome}, {"outcome": "open"}),
        (
            ids["Negotiation"],
            "updated",
            {"name": "Negotiation", "probability": 75, "outcome": "open"},
            {"name": "Signed", "probability": probability, "outcome": outcome},
        ),
    ]


def test_a_stage_that_lost_the_won_flag_can_be_removed(session):
    admin = org_admin(session)
    ids = _stage_ids(session, admin, "deal")
    catalog.update_stage(
        session, actor=admin, stage_id=ids["Negotiation"], name="Won", probability=0, outcome="won"
    )
    assert catalog.remove_stage(session, actor=admin, stage_id=ids["Closed Won"]) == "deleted"


@pytest.mark.parametrize(
    ("holder", "outcome", "needs"),
    [
        ("Closed Won", "open", "won"),
        ("Closed Won", "lost", "won"),
        ("Closed Lost", "open", "lost"),
        ("Closed Lost", "won", "lost"),
    ],
)
def test_the_only_won_or_lost_stage_keeps_its_outcome(session, holder, outcome, needs):
    admin = org_admin(session)
    stage_id = _stage_ids(session, admin, "deal")[holder]
    before = _stage_rows(session, admin.org_id)
    with pytest.raises(Invalid, match=f"needs a {needs} stage") as caught:
        catalog.update_stage(
            session, actor=admin, stage_id=stage_id, name=holder, probability=50, outcome=outcome
        )
    assert caught.value.field == "outcome"
    assert _stage_rows(session, admin.org_id) == before
    assert events(session, org_id=admin.org_id, entity_type="stage") == []


@pytest.mark.parametrize("outcome", ["won", "lost"])
def test_lead_stages_cannot_be_won_or_lost(session, outcome):
    admin = org_admin(session)
    qualified = _stage_ids(session, admin, "lead")["Qualified"]
    before = _stage_rows(session, admin.org_id)
    with pytest.raises(Invalid, match="Only deal stages") as caught:
        catalog.update_stage(
            session,
            actor=admin,
            stage_id=qualified,
            name="Qualified",
            probability=40,
            outcome=outcome,
        )
    assert caught.value.field == "outcome"
    assert _stage_rows(session, admin.org_id) == before


def test_an_archived_stage_cannot_be_marked_won(session):
    admin = org_admin(session)
    proposal = _stage_ids(session, admin, "deal")["Proposal"]
    _deal(session, admin, stage_id=proposal)
    catalog.remove_stage(session, actor=admin, stage_id=proposal)
    before = _stage_rows(session, admin.org_id)
    with pytest.raises(Invalid, match="Restore this stage") as caught:
        catalog.update_stage(
            session, actor=admin, stage_id=proposal, name="Proposal", probability=1, outcome="won"
        )
    assert caught.value.field == "outcome"
    assert _stage_rows(session, admin.org_id) == before


def test_an_archived_stage_can_be_renamed(session):
    admin = org_admin(session)
    proposal = _stage_ids(session, admin, "deal")["Proposal"]
    _deal(session, admin, stage_id=proposal)
    catalog.remove_stage(session, actor=admin, stage_id=proposal)
    updated = catalog.update_stage(
        session, actor=admin, stage_id=proposal, name="Old quote", probability=5, outcome="open"
    )
    assert (updated.name, updated.archived, updated.in_use) == ("Old quote", True, 1)


@pytest.mark.parametrize("outcome", ["WON", "closed", "", None, 1, True, {"o": "won"}, ["won"]])
def test_update_stage_refuses_a_bad_outcome(session, outcome):
    admin = org_admin(session)
    proposal = _stage_ids(session, admin, "deal")["Proposal"]
    before = _stage_rows(session, admin.org_id)
    with pytest.raises(Invalid, match="open, won or lost") as caught:
        catalog.update_stage(
            session, actor=admin, stage_id=proposal, name="Proposal", probability=5, outcome=outcome
        )
    assert caught.value.field == "outcome"
    assert _stage_rows(session, admin.org_id) == before


@pytest.mark.parametrize("probability", ["abc", -1, 101, None, 2.5, True, {"p": 1}])
def test_update_stage_refuses_a_bad_probability_for_an_open_stage(session, probability):
    admin = org_admin(session)
    proposal = _stage_ids(session, admin, "deal")["Proposal"]
    before = _stage_rows(session, admin.org_id)
    with pytest.raises(Invalid) as caught:
        catalog.update_stage(
            session,
            actor=admin,
            stage_id=proposal,
            name="P",
            probability=probability,
            outcome="open",
        )
    assert caught.value.field == "probability"
    assert _stage_rows(session, admin.org_id) == before


@pytest.mark.parametrize("name", [*HOSTILE_NAMES, "discovery", "CLOSED LOST"])
def test_update_stage_refuses_bad_or_duplicate_names(session, name):
    admin = org_admin(session)
    proposal = _stage_ids(session, admin, "deal")["Proposal"]
    before = _stage_rows(session, admin.org_id)
    with pytest.raises(Invalid) as caught:
        catalog.update_stage(
            session, actor=admin, stage_id=proposal, name=name, probability=5, outcome="open"
        )
    assert caught.value.field == "name"
    assert _stage_rows(session, admin.org_id) == before


# move_stage / remove_stage / restore_stage ---------------------------------------------------


def test_move_stage_up_and_down(session):
    admin = org_admin(session)
    ids = _stage_ids(session, admin, "lead")
    catalog.move_stage(session, actor=admin, stage_id=ids["Qualified"], direction="up")
    catalog.move_stage(session, actor=admin, stage_id=str(ids["New"]), direction="down")
    assert _stage_listing(session, admin, "lead") == [
        ("Qualified", 0, False),
        ("New", 1, False),
        ("Contacted", 2, False),
    ]
    assert [(e.entity_id, e.action) for e in events(session, org_id=admin.org_id)][-2:] == [
        (ids["Qualified"], "moved"),
        (ids["New"], "moved"),
    ]


def test_move_stage_at_either_end_does_nothing(session):
    admin = org_admin(session)
    ids = _stage_ids(session, admin, "deal")
    before = _stage_rows(session, admin.org_id)
    catalog.move_stage(session, actor=admin, stage_id=ids["Qualification"], direction="up")
    catalog.move_stage(session, actor=admin, stage_id=ids["Closed Lost"], direction="down")
    assert _stage_rows(session, admin.org_id) == before
    assert events(session, org_id=admin.org_id, entity_type="stage") == []


@pytest.mark.parametrize("direction", ["sideways", None, 0, {"d": "up"}])
def test_move_stage_refuses_a_bad_direction(session, direction):
    admin = org_admin(session)
    new = _stage_ids(session, admin, "lead")["Contacted"]
    before = _stage_rows(session, admin.org_id)
    with pytest.raises(Invalid, match="up or down") as caught:
        catalog.move_stage(session, actor=admin, stage_id=new, direction=direction)
    assert caught.value.field == "direction"
    assert _stage_rows(session, admin.org_id) == before


def test_remove_an_unused_stage_deletes_it_and_closes_the_gap(session):
    admin = org_admin(session)
    discovery = _stage_ids(session, admin, "deal")["Discovery"]
    assert catalog.remove_stage(session, actor=admin, stage_id=discovery) == "deleted"
    session.flush()
    assert session.get(Stage, discovery) is None
    assert [p for _, p, _ in _stage_listing(session, admin, "deal")] == [0, 1, 2, 3, 4]
    (event,) = events(session, org_id=admin.org_id, entity_type="stage")
    assert (event.entity_id, event.action, event.before) == (
        discovery,
        "deleted",
        {"name": "Discovery"},
    )


@pytest.mark.parametrize("reference", ["deal", "lead_recipient"])
def test_remove_a_stage_in_use_archives_it(session, reference):
    admin = org_admin(session)
    pipeline = "deal" if reference == "deal" else "lead"
    ids = _stage_ids(session, admin, pipeline)
    stage_id = ids["Discovery" if reference == "deal" else "Contacted"]
    if reference == "deal":
        _deal(session, admin, stage_id=stage_id)
    else:
        _recipient(session, admin, stage_id=stage_id)
    assert catalog.remove_stage(session, actor=admin, stage_id=stage_id) == "archived"
    session.flush()
    assert session.get(Stage, stage_id).archived_at is not None
    listed = catalog.stages(session, actor=admin, pipeline=pipeline)
    assert [(s.id, s.archived, s.in_use) for s in listed][-1] == (stage_id, True, 1)
    assert [s.position for s in listed if not s.archived] == list(range(len(listed) - 1))
    assert _actions(session, admin, "stage") == [(stage_id, "archived")]


@pytest.mark.parametrize(("name", "needs"), [("Closed Won", "won"), ("Closed Lost", "lost")])
def test_the_only_won_or_lost_stage_cannot_be_removed(session, name, needs):
    admin = org_admin(session)
    stage_id = _stage_ids(session, admin, "deal")[name]
    before = _stage_rows(session, admin.org_id)
    with pytest.raises(Invalid, match=f"needs a {needs} stage"):
        catalog.remove_stage(session, actor=admin, stage_id=stage_id)
    assert _stage_rows(session, admin.org_id) == before


def test_restore_stage_places_it_last(session):
    admin = org_admin(session)
    ids = _stage_ids(session, admin, "lead")
    _recipient(session, admin, stage_id=ids["New"])
    catalog.remove_stage(session, actor=admin, stage_id=ids["New"])
    catalog.restore_stage(session, actor=admin, stage_id=ids["New"])
    assert _stage_listing(session, admin, "lead") == [
        ("Contacted", 0, False),
        ("Qualified", 1, False),
        ("New", 2, False),
    ]
    assert _actions(session, admin, "stage") == [(ids["New"], "archived"), (ids["New"], "restored")]
    catalog.restore_stage(session, actor=admin, stage_id=ids["New"])
    assert len(events(session, org_id=admin.org_id, entity_type="stage")) == 2


# stages: who may see and change them ---------------------------------------------------------

STAGE_CHANGES = {
    "add": lambda s, a, ids: catalog.add_stage(
        s, actor=a, pipeline="deal", name="Legal", probability=80
    ),
    "update": lambda s, a, ids: catalog.update_stage(
        s, actor=a, stage_id=ids["Proposal"], name="Quote", probability=5, outcome="won"
    ),
    "move": lambda s, a, ids: catalog.move_stage(
        s, actor=a, stage_id=ids["Proposal"], direction="up"
    ),
    "remove": lambda s, a, ids: catalog.remove_stage(s, actor=a, stage_id=ids["Proposal"]),
    "restore": lambda s, a, ids: catalog.restore_stage(s, actor=a, stage_id=ids["Discovery"]),
}
STAGE_ID_CHANGES = {name: change for name, change in STAGE_CHANGES.items() if name != "add"}


def _deal_stages_with_discovery_archived(session, admin) -> dict[str, int]:
    ids = _stage_ids(session, admin, "deal")
    _deal(session, admin, stage_id=ids["Discovery"])
    assert catalog.remove_stage(session, actor=admin, stage_id=ids["Discovery"]) == "archived"
    return ids


@pytest.mark.parametrize("change", STAGE_CHANGES.values(), ids=STAGE_CHANGES.keys())
@pytest.mark.parametrize("role", [Role.MANAGER, Role.MEMBER])
def test_only_admins_change_stages(session, change, role):
    admin = org_admin(session)
    someone = colleague(session, admin, role=role)
    ids = _deal_stages_with_discovery_archived(session, admin)
    before = _stage_rows(session, admin.org_id), len(events(session, org_id=admin.org_id))
    with pytest.raises(NotAllowed, match=ADMIN_ONLY):
        change(session, someone, ids)
    assert (_stage_rows(session, admin.org_id), len(events(session, org_id=admin.org_id))) == before


@pytest.mark.parametrize("change", STAGE_CHANGES.values(), ids=STAGE_CHANGES.keys())
def test_consultants_have_no_stages(session, change):
    provider = org_admin(session)
    ids = _deal_stages_with_discovery_archived(session, provider)
    consultant = org_admin(session, kind=OrgKind.CONSULTANT)
    before = _stage_rows(session, provider.org_id)
    with pytest.raises(NotAllowed, match=PROVIDER_ONLY):
        change(session, consultant, ids)
    for pipeline in ("lead", "deal"):
        with pytest.raises(NotAllowed, match=PROVIDER_ONLY):
            catalog.stages(session, actor=consultant, pipeline=pipeline)
    assert _stage_rows(session, provider.org_id) == before
    assert _stage_rows(session, consultant.org_id) == []


@pytest.mark.parametrize("change", STAGE_ID_CHANGES.values(), ids=STAGE_ID_CHANGES.keys())
def test_another_providers_stages_are_not_found(session, change):
    theirs = org_admin(session)
    ids = _deal_stages_with_discovery_archived(session, theirs)
    ours = org_admin(session)
    before = _stage_rows(session, theirs.org_id)
    with pytest.raises(NotFound, match="stage does not exist"):
        change(session, ours, ids)
    assert _stage_rows(session, theirs.org_id) == before
    assert events(session, org_id=ours.org_id, entity_type="stage") == []


@pytest.mark.parametrize("stage_id", HOSTILE_IDS)
def test_hostile_stage_ids_are_not_found(session, stage_id):
    admin = org_admin(session)
    before = _stage_rows(session, admin.org_id)
    for name, change in STAGE_ID_CHANGES.items():
        with pytest.raises(NotFound, match="stage does not exist"):
            change(session, admin, {"Proposal": stage_id, "Discovery": stage_id})
        assert _stage_rows(session, admin.org_id) == before, name


# rules / update_rules ------------------------------------------------------------------------

GOOD_RULES = {
    "protection_days": "120",
    "lead_accept_hours": " 48 ",
    "default_commission_pct": "12.5",
    "referral_credit_amount": "250",
    "payout_threshold": "1000.00",
    "currency": " eur ",
    "auto_apply_credits": "on",
}


def _update(session, actor, **changes) -> RulesView:
    return catalog.update_rules(session, actor=actor, **{**GOOD_RULES, **changes})


def _stored_rules(session, org_id) -> tuple:
    session.flush()
    session.expire_all()
    s = session.get(OrgSettings, org_id)
    return (
        s.protection_days,
        s.lead_accept_hours,
        s.default_commission_pct,
        s.referral_credit_amount,
        s.payout_threshold,
        s.currency,
        s.auto_apply_credits,
    )


@pytest.mark.parametrize("role", [Role.ADMIN, Role.MANAGER, Role.MEMBER])
def test_rules_shows_the_defaults_to_anyone_in_the_provider(session, role):
    admin = org_admin(session)
    reader = admin if role == Role.ADMIN else colleague(session, admin, role=role)
    assert catalog.rules(session, actor=reader) == RulesView(
        protection_days=90,
        lead_accept_hours=72,
        default_commission_pct=Decimal("10.00"),
        referral_credit_amount=Decimal("0.00"),
        payout_threshold=Decimal("100.00"),
        currency="USD",
        auto_apply_credits=False,
    )
    assert str(catalog.rules(session, actor=reader).payout_threshold) == "100.00"


def test_update_rules_stores_form_values_and_records_the_change(session):
    admin = org_admin(session)
    updated = _update(session, admin)
    expected = RulesView(
        protection_days=120,
        lead_accept_hours=48,
        default_commission_pct=Decimal("12.50"),
        referral_credit_amount=Decimal("250.00"),
        payout_threshold=Decimal("1000.00"),
        currency="EUR",
        auto_apply_credits=True,
    )
    assert updated == expected
    assert str(updated.default_commission_pct) == "12.50"
    assert _stored_rules(session, admin.org_id) == (
        120,
        48,
        Decimal("12.50"),
        Decimal("250.00"),
        Decimal("1000.00"),
        "EUR",
        True,
    )
    assert catalog.rules(session, actor=admin) == expected
    (event,) = events(session, org_id=admin.org_id, entity_type="org_settings")
    assert (event.actor_id, event.entity_id, event.action) == (
        admin.user_id,
        admin.org_id,
        "updated",
    )
    assert event.before == {
        "protection_days": 90,
        "lead_accept_hours": 72,
        "default_commission_pct": "10.00",
        "referral_credit_amount": "0.00",
        "payout_threshold": "100.00",
        "currency": "USD",
        "auto_apply_credits": False,
    }
    assert event.after == {
        "protection_days": 120,
        "lead_accept_hours": 48,
        "default_commission_pct": "12.50",
        "referral_credit_amount": "250.00",
        "payout_threshold": "1000.00",
        "currency": "EUR",
        "auto_apply_credits": True,
    }


def test_update_rules_records_only_what_changed(session):
    admin = org_admin(session)
    catalog.update_rules(
        session,
        actor=admin,
        protection_days=90,
        lead_accept_hours="72",
        default_commission_pct="10",
        referral_credit_amount=Decimal("0"),
        payout_threshold="100.0",
        currency="USD",
        auto_apply_credits=False,
    )
    assert events(session, org_id=admin.org_id, entity_type="org_settings") == []
    catalog.update_rules(
        session,
        actor=admin,
        protection_days=30,
        lead_accept_hours=72,
        default_commission_pct=10,
        referral_credit_amount=0,
        payout_threshold=100,
        currency="usd",
        auto_apply_credits="",
    )
    (event,) = events(session, org_id=admin.org_id, entity_type="org_settings")
    assert (event.before, event.after) == ({"protection_days": 90}, {"protection_days": 30})


@pytest.mark.parametrize(
    ("field", "value", "stored"),
    [
        ("protection_days", 1, 1),
        ("protection_days", "3650", 3650),
        ("lead_accept_hours", 8760, 8760),
        ("lead_accept_hours", "1", 1),
        ("default_commission_pct", "0", Decimal("0.00")),
        ("default_commission_pct", "100", Decimal("100.00")),
        ("default_commission_pct", 7.25, Decimal("7.25")),
        ("default_commission_pct", "-0", Decimal("0.00")),
        ("referral_credit_amount", "10000000", Decimal("10000000.00")),
        ("payout_threshold", Decimal("0.10"), Decimal("0.10")),
        ("payout_threshold", " 99.9 ", Decimal("99.90")),
        ("currency", "gbp", "GBP"),
        ("currency", "SGD", "SGD"),
        ("auto_apply_credits", True, True),
        ("auto_apply_credits", "TRUE", True),
        ("auto_apply_credits", "1", True),
        ("auto_apply_credits", " on ", True),
        ("auto_apply_credits", "", False),
        ("auto_apply_credits", "off", False),
        ("auto_apply_credits", "false", False),
        ("auto_apply_credits", "0", False),
        ("auto_apply_credits", None, False),
        ("auto_apply_credits", False, False),
    ],
)
def test_update_rules_accepts_values_at_the_limits(session, field, value, stored):
    admin = org_admin(session)
    updated = _update(session, admin, **{field: value})
    assert getattr(updated, field) == stored
    assert str(getattr(updated, field)) == str(stored)
    assert getattr(catalog.rules(session, actor=admin), field) == stored


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("protection_days", 0),
        ("protection_days", "3651"),
        ("protection_days", -5),
        ("protection_days", "abc"),
        ("protection_days", 30.5),
        ("protection_days", True),
        ("protection_days", None),
        ("protection_days", {"days": 1}),
        ("protection_days", "9" * 10000),
        ("lead_accept_hours", 0),
        ("lead_accept_hours", 8761),
        ("lead_accept_hours", ""),
        ("lead_accept_hours", [72]),
        ("default_commission_pct", "100.01"),
        ("default_commission_pct", "-1"),
        ("default_commission_pct", "12.345"),
        ("default_commission_pct", "abc"),
        ("default_commission_pct", "NaN"),
        ("default_commission_pct", "Infinity"),
        ("default_commission_pct", "1e999999999"),
        ("default_commission_pct", float("nan")),
        ("default_commission_pct", ""),
        ("default_commission_pct", None),
        ("default_commission_pct", True),
        ("default_commission_pct", {"pct": 5}),
        ("referral_credit_amount", "10000000.01"),
        ("referral_credit_amount", "1" * 31),
        ("referral_credit_amount", "1,000"),
        ("referral_credit_amount", -0.01),
        ("payout_threshold", "$100"),
        ("payout_threshold", 2**70),
        ("currency", "XXX"),
        ("currency", "usd1"),
        ("currency", "US"),
        ("currency", ""),
        ("currency", None),
        ("currency", 840),
        ("currency", {"code": "USD"}),
        ("currency", ["USD"]),
        ("auto_apply_credits", "yes"),
        ("auto_apply_credits", 1),
        ("auto_apply_credits", {"on": True}),
        ("auto_apply_credits", ["on"]),
    ],
)
def test_update_rules_refuses_bad_values(session, field, value):
    admin = org_admin(session)
    before = _stored_rules(session, admin.org_id)
    with pytest.raises(Invalid) as caught:
        _update(session, admin, **{field: value})
    assert caught.value.field == field
    assert str(caught.value)
    assert _stored_rules(session, admin.org_id) == before
    assert events(session, org_id=admin.org_id, entity_type="org_settings") == []


@pytest.mark.parametrize("role", [Role.MANAGER, Role.MEMBER])
def test_only_admins_update_rules(session, role):
    admin = org_admin(session)
    someone = colleague(session, admin, role=role)
    before = _stored_rules(session, admin.org_id)
    with pytest.raises(NotAllowed, match=ADMIN_ONLY):
        _update(session, someone)
    assert _stored_rules(session, admin.org_id) == before


def test_consultants_have_no_rules(session):
    consultant = org_admin(session, kind=OrgKind.CONSULTANT)
    before = _stored_rules(session, consultant.org_id)
    with pytest.raises(NotAllowed, match=PROVIDER_ONLY):
        catalog.rules(session, actor=consultant)
    with pytest.raises(NotAllowed, match=PROVIDER_ONLY):
        _update(session, consultant)
    assert _stored_rules(session, consultant.org_id) == before


def test_update_rules_changes_only_the_callers_org(session):
    ours = org_admin(session)
    theirs = org_admin(session)
    before = _stored_rules(session, theirs.org_id)
    _update(session, ours)
    assert _stored_rules(session, theirs.org_id) == before
    assert events(session, org_id=theirs.org_id, entity_type="org_settings") == []


def test_archived_terms_keep_their_name_reserved_after_restore(session):
    admin = org_admin(session)
    gold = _ids(session, admin, "partner_tier")["Gold"]
    _partnership(session, provider_org_id=admin.org_id, partner_tier_id=gold)
    catalog.remove_term(session, actor=admin, term_id=gold)
    catalog.restore_term(session, actor=admin, term_id=gold)
    with pytest.raises(Invalid, match="already in this list"):
        catalog.add_term(session, actor=admin, kind="partner_tier", name="gold")
    rows = session.exec(
        select(TaxonomyTerm).where(
            TaxonomyTerm.org_id == admin.org_id, col(TaxonomyTerm.archived_at).is_(None)
        )
    ).all()
    assert sorted(t.name for t in rows if t.kind == "partner_tier") == ["Bronze", "Gold", "Silver"]
