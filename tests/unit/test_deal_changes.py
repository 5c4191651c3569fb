"""Deal changes: registration, edits, approval, rejection, owners, stage rules, Closed Won
finality and the optimistic lock; the board; the timeline."""

import threading
from datetime import date, timedelta
from decimal import Decimal

import pytest
from argon2 import PasswordHasher
from sqlmodel import Session, SQLModel, select

from prm_app.models import (
    ActivityEvent,
    Deal,
    DealProduct,
    Notification,
    OrgKind,
    Role,
    TaxonomyTerm,
    TermKind,
    utcnow,
)
from prm_app.services import deals, leads, partnerships
from prm_app.services.core import changes
from prm_app.services.core.errors import Conflict, Invalid, NotAllowed, NotFound
from prm_app.services.deals import board as deal_board
from prm_app.services.deals import lifecycle as deal_changes
from prm_app.services.deals import timeline as deal_timeline
from prm_app.services.identity import auth
from prm_app.services.leads import LeadInput
from tests.unit.factories import colleague, deal_stage, org_admin, partners, statements

HUGE = "x" * 100_000


@pytest.fixture(autouse=True)
def _cheap_password_hashing(monkeypatch):
    monkeypatch.setattr(auth, "_hasher", PasswordHasher(time_cost=1, memory_cost=8, parallelism=1))


def _setup(session):
    provider = org_admin(session, kind=OrgKind.PROVIDER, org_name="Northwind", name="Pia Provider")
    consultant = org_admin(
        session, kind=OrgKind.CONSULTANT, org_name="Fabrikam", name="Carl Consultant"
    )
    partners(session, provider, consultant)
    return provider, consultant


def _form(**values) -> dict:
    return {
        "name": "Contoso ERP rollout",
        "company": "Contoso Ltd",
        "contact_name": "Jane Doe",
        "contact_email": "jane@contoso.com",
        "amount": "12,500.00",
        "close_date": "2027-03-31",
        "product_ids": [],
        **values,
    }


def _registered(session, consultant, provider, **values) -> Deal:
    found = deal_changes.register(
        session, actor=consultant, other_org_id=provider.org_id, form=_form(**values)
    )
    return session.get(Deal, found.deal_id)


def _approved(session, consultant, provider, **values) -> Deal:
    deal = _registered(session, consultant, provider, **values)
    deal_changes.approve(session, actor=provider, deal_id=deal.id, version=deal.version)
    return deal


def _move(session, actor, deal, stage_name, org=None, **extra) -> None:
    deal_changes.move_stage(
        session,
        actor=actor,
        deal_id=deal.id,
        version=deal.version,
        stage_id=deal_stage(session, org or actor, stage_name),
        **extra,
    )


def _product(session, provider, name="Payroll") -> int:
    term = TaxonomyTerm(org_id=provider.org_id, kind=TermKind.PRODUCT, name=name)
    session.add(term)
    session.flush()
    return term.id


# registration ------------------------------------------------------------------------------


def test_a_consultant_registers_a_pending_deal_in_the_first_stage(session):
    provider, consultant = _setup(session)
    payroll = _product(session, provider)
    deal = _registered(session, consultant, provider, product_ids=[payroll, str(payroll)])

    assert (deal.approval, deal.outcome, deal.version) == ("pending", "open", 1)
    assert deal.stage_id == deal_stage(session, provider, "Qualification")
    assert (deal.amount, deal.close_date) == (Decimal("12500.00"), date(2027, 3, 31))
    assert (deal.company_norm, deal.email_domain) == ("contoso", "contoso.com")
    assert deal.protected_until is None  # protection starts with approval
    assert (deal.partner_owner_id, deal.registered_by_id) == (consultant.user_id,) * 2
    products = session.exec(select(DealProduct.product_id).where(DealProduct.deal_id == deal.id))
    assert list(products) == [payroll]
    seen = deals.detail(session, actor=provider, deal_id=deal.id)
    assert (seen.registered_by, seen.products, seen.partner_name) == (
        "Fabrikam",
        ["Payroll"],
        "Fabrikam",
    )
    assert deals.detail(session, actor=consultant, deal_id=deal.id).registered_by == (
        "Carl Consultant"
    )


def test_a_provider_records_an_approved_protected_deal_for_a_partner(session):
    provider, consultant = _setup(session)
    found = deal_changes.register(
        session, actor=provider, other_org_id=consultant.org_id, form=_form(amount="")
    )
    deal = session.get(Deal, found.deal_id)
    assert (deal.approval, deal.amount) == ("approved", Decimal("0.00"))
    assert deal.protected_until > utcnow() + timedelta(days=89)
    assert (deal.provider_owner_id, deal.partner_owner_id) == (
        provider.user_id,
        consultant.user_id,  # the consultant's user assigned to this provider
    )


def test_registration_needs_an_active_categorized_partnership(session):
    _, consultant = _setup(session)
    stranger = org_admin(session, kind=OrgKind.PROVIDER)
    with pytest.raises(NotFound):
        _registered(session, consultant, stranger)
    invited = org_admin(session, kind=OrgKind.PROVIDER)
    pid = partnerships.invite(session, actor=invited, email=consultant.email).partnership_id
    with pytest.raises(Invalid, match="not active"):
        _registered(session, consultant, invited)
    partnerships.accept(session, actor=consultant, partnership_id=pid)
    with pytest.raises(Invalid, match="Categorize"):
        _registered(session, consultant, invited)
    assert session.exec(select(Deal)).all() == []


def test_the_consultant_learns_only_until_when_a_customer_is_protected(session):
    provider, consultant = _setup(session)
    rival = org_admin(session, kind=OrgKind.CONSULTANT, org_name="Rival")
    partners(session, provider, rival)
    held = _approved(session, rival, provider)
    found = deal_changes.register(
        session,
        actor=consultant,
        other_org_id=provider.org_id,
        form=_form(company="CONTOSO, Inc.", contact_email="x@gmail.com"),
    )
    assert found.protected_until == held.protected_until
    conflicts = deals.conflicts_for(session, actor=provider, deal_id=found.deal_id)
    assert [(c.deal_id, c.partner_name) for c in conflicts] == [(held.id, "Rival")]
    assert deals.conflicts_for(session, actor=consultant, deal_id=found.deal_id) == []


@pytest.mark.parametrize(
    ("values", "field"),
    [
        ({"name": ""}, "name"),
        ({"name": HUGE}, "name"),
        ({"company": {"$gt": ""}}, "company"),
        ({"contact_email": "not-an-email"}, "contact_email"),
        ({"amount": "-5"}, "amount"),
        ({"amount": "1e400"}, "amount"),
        ({"amount": 0.001}, "amount"),
        ({"close_date": "31/03/2027"}, "close_date"),
        ({"product_ids": "1"}, "product_ids"),
        ({"product_ids": [-1]}, "product_ids"),
        ({"product_ids": list(range(1, 50))}, "product_ids"),
    ],
)
def test_bad_deal_fields_are_refused_with_the_field_named(session, values, field):
    provider, consultant = _setup(session)
    with pytest.raises(Invalid) as refused:
        _registered(session, consultant, provider, **values)
    assert refused.value.field == field
    assert session.exec(select(Deal)).all() == []


def test_products_must_be_the_providers_own(session):
    provider, consultant = _setup(session)
    other = org_admin(session, kind=OrgKind.PROVIDER)
    with pytest.raises(Invalid, match="provider's list"):
        _registered(session, consultant, provider, product_ids=[_product(session, other)])


# edits, approval, rejection, owners ----------------------------------------------------------


def test_edits_replace_fields_and_products_but_not_an_approved_customer(session):
    provider, consultant = _setup(session)
    first, second = _product(session, provider, "Payroll"), _product(session, provider, "HR")
    deal = _registered(session, consultant, provider, product_ids=[first])
    deal_changes.edit(
        session,
        actor=consultant,
        deal_id=deal.id,
        version=1,
        form=_form(name="Bigger", amount="20000", product_ids=[second], company="Contoso GmbH"),
    )
    assert (deal.name, deal.amount, deal.company_norm, deal.version) == (
        "Bigger",
        Decimal("20000.00"),
        "contoso",
        2,
    )
    assert deals.detail(session, actor=provider, deal_id=deal.id).products == ["HR"]
    deal_changes.approve(session, actor=provider, deal_id=deal.id, version=2)
    with pytest.raises(Invalid, match="customer of an approved deal"):
        deal_changes.edit(
            session, actor=provider, deal_id=deal.id, version=3, form=_form(company="Other")
        )
    deal_changes.edit(
        session,
        actor=provider,
        deal_id=deal.id,
        version=3,
        form=_form(company="Contoso GmbH", amount="21000"),
    )
    assert deal.amount == Decimal("21000.00")


def test_only_the_provider_approves_and_protection_starts_then(session):
    provider, consultant = _setup(session)
    deal = _registered(session, consultant, provider)
    with pytest.raises(NotAllowed):
        deal_changes.approve(session, actor=consultant, deal_id=deal.id, version=1)
    deal_changes.approve(session, actor=provider, deal_id=deal.id, version=1)
    assert deal.approval == "approved"
    assert deal.protected_until - deal.approved_at == timedelta(days=90)
    with pytest.raises(Invalid, match="already approved"):
        deal_changes.approve(session, actor=provider, deal_id=deal.id, version=2)


def test_rejection_needs_a_reason_ends_protection_and_stops_the_deal(session):
    provider, consultant = _setup(session)
    deal = _approved(session, consultant, provider)
    with pytest.raises(Invalid, match="Reason"):
        deal_changes.reject(session, actor=provider, deal_id=deal.id, version=2, reason=" ")
    with pytest.raises(NotAllowed):
        deal_changes.reject(session, actor=consultant, deal_id=deal.id, version=2, reason="no")
    deal_changes.reject(
        session, actor=provider, deal_id=deal.id, version=2, reason="Already our customer"
    )
    assert (deal.approval, deal.rejection_reason, deal.protected_until) == (
        "rejected",
        "Already our customer",
        None,
    )
    for change in (
        lambda: _move(session, provider, deal, "Proposal"),
        lambda: _move(session, consultant, deal, "Proposal", org=provider),
        lambda: deal_changes.edit(
            session, actor=consultant, deal_id=deal.id, version=deal.version, form=_form()
        ),
        lambda: deal_changes.reject(
            session, actor=provider, deal_id=deal.id, version=deal.version, reason="again"
        ),
    ):
        with pytest.raises(Invalid, match="rejected"):
            change()


def test_owners_are_assigned_by_managers_within_their_own_organization(session):
    provider, consultant = _setup(session)
    deal = _registered(session, consultant, provider)
    seller = colleague(session, provider, name="Sam Seller")
    manager = colleague(session, provider, role=Role.MANAGER)
    outsider = org_admin(session, kind=OrgKind.PROVIDER)
    with pytest.raises(NotFound):  # a member sees only the deals they own
        deal_changes.assign_owner(
            session, actor=seller, deal_id=deal.id, version=1, owner_id=seller.user_id
        )
    with pytest.raises(NotFound, match="not in your organization"):
        deal_changes.assign_owner(
            session, actor=manager, deal_id=deal.id, version=1, owner_id=consultant.user_id
        )
    with pytest.raises(NotFound):
        deal_changes.assign_owner(
            session, actor=outsider, deal_id=deal.id, version=1, owner_id=outsider.user_id
        )
    deal_changes.assign_owner(
        session, actor=manager, deal_id=deal.id, version=1, owner_id=seller.user_id
    )
    assert (deal.provider_owner_id, deal.partner_owner_id) == (seller.user_id, consultant.user_id)
    # Now the seller owns it: they may work it, not give it away.
    _move(session, seller, deal, "Discovery", org=provider)
    with pytest.raises(NotAllowed, match="manager"):
        deal_changes.assign_owner(
            session, actor=seller, deal_id=deal.id, version=deal.version, owner_id=seller.user_id
        )
    rep = colleague(session, consultant, name="Rae Rep")
    deal_changes.assign_owner(
        session, actor=consultant, deal_id=deal.id, version=deal.version, owner_id=rep.user_id
    )
    assert (deal.provider_owner_id, deal.partner_owner_id) == (seller.user_id, rep.user_id)


# stage rules -----------------------------------------------------------------------------------


def test_either_side_moves_an_open_deal_through_the_providers_stages(session):
    provider, consultant = _setup(session)
    deal = _registered(session, consultant, provider)
    _move(session, consultant, deal, "Discovery", org=provider)  # pending deals move too
    _move(session, provider, deal, "Proposal")
    assert (deal.stage_id, deal.version) == (deal_stage(session, provider, "Proposal"), 3)
    _move(session, provider, deal, "Proposal")  # already there: nothing changes
    assert deal.version == 3
    other = org_admin(session, kind=OrgKind.PROVIDER)
    with pytest.raises(NotFound, match="stage"):
        _move(session, provider, deal, "Proposal", org=other)


def test_closed_lost_needs_a_reason_from_the_providers_list_and_can_be_reopened(session):
    provider, consultant = _setup(session)
    deal = _approved(session, consultant, provider)
    for reason in (None, "", "Made up", {"x": 1}):
        with pytest.raises(Invalid, match="lost reason"):
            _move(session, consultant, deal, "Closed Lost", org=provider, reason=reason)
    assert deal.outcome == "open"
    _move(session, consultant, deal, "Closed Lost", org=provider, reason="No budget", note="2028")
    assert (deal.outcome, deal.lost_reason) == ("lost", "No budget: 2028")
    assert deal.closed_at is not None
    _move(session, provider, deal, "Negotiation")
    assert (deal.outcome, deal.lost_reason, deal.closed_at) == ("open", "", None)


def test_closed_won_needs_the_provider_an_approval_and_an_amount(session):
    provider, consultant = _setup(session)
    deal = _registered(session, consultant, provider, amount="")
    with pytest.raises(Invalid, match="Approve"):
        _move(session, provider, deal, "Closed Won")
    deal_changes.approve(session, actor=provider, deal_id=deal.id, version=deal.version)
    with pytest.raises(Invalid, match="amount"):
        _move(session, provider, deal, "Closed Won")
    deal_changes.edit(
        session, actor=consultant, deal_id=deal.id, version=deal.version, form=_form(amount="900")
    )
    with pytest.raises(NotAllowed, match="provider"):
        _move(session, consultant, deal, "Closed Won", org=provider)
    assert deal.outcome == "open"
    _move(session, provider, deal, "Closed Won")
    assert (deal.outcome, deal.stage_id) == ("won", deal_stage(session, provider, "Closed Won"))


def test_closed_won_is_final_and_notifies_every_member_of_both_organizations(session):
    provider, consultant = _setup(session)
    seller = colleague(session, provider)
    rep = colleague(session, consultant)
    gone = colleague(session, consultant)
    from prm_app.services.identity import team

    team.set_active(session, actor=consultant, user_id=gone.user_id, active=False)
    deal = _approved(session, consultant, provider)
    _move(session, provider, deal, "Closed Won")

    notified = session.exec(
        select(Notification.user_id, Notification.link).where(Notification.kind == "deal_won")
    ).all()
    assert sorted(notified) == sorted(
        [
            (provider.user_id, f"/p/deals/{deal.id}"),
            (seller.user_id, f"/p/deals/{deal.id}"),
            (consultant.user_id, f"/c/deals/{deal.id}"),
            (rep.user_id, f"/c/deals/{deal.id}"),
        ]
    )
    assert deals.detail(session, actor=consultant, deal_id=deal.id).allowed == frozenset()
    v = deal.version
    for change in (
        lambda: _move(session, provider, deal, "Proposal"),
        lambda: _move(session, provider, deal, "Closed Lost", reason="No budget"),
        lambda: deal_changes.edit(
            session, actor=provider, deal_id=deal.id, version=v, form=_form()
        ),
        lambda: deal_changes.reject(
            session, actor=provider, deal_id=deal.id, version=v, reason="late"
        ),
        lambda: deal_changes.assign_owner(
            session, actor=provider, deal_id=deal.id, version=v, owner_id=seller.user_id
        ),
    ):
        with pytest.raises(Invalid, match="Closed Won"):
            change()
    assert (deal.version, deal.outcome) == (v, "won")


# optimistic locking ----------------------------------------------------------------------------


def test_a_stale_version_is_refused_and_changes_nothing(session):
    provider, consultant = _setup(session)
    deal = _registered(session, consultant, provider)
    _move(session, provider, deal, "Proposal")  # version 2
    for stale in (1, 3):
        with pytest.raises(Conflict, match="not applied"):
            deal_changes.move_stage(
                session,
                actor=consultant,
                deal_id=deal.id,
                version=stale,
                stage_id=deal_stage(session, provider, "Negotiation"),
            )
    assert (deal.stage_id, deal.version) == (deal_stage(session, provider, "Proposal"), 2)
    for bad in (None, "2", True, -1, 2.0, {"v": 2}):
        with pytest.raises(Invalid, match="version"):
            deal_changes.approve(session, actor=provider, deal_id=deal.id, version=bad)


def test_two_people_moving_the_same_card_at_once_end_in_one_state(engine):
    """Two sessions, two threads, the same version: exactly one move lands."""
    with Session(engine) as setup:
        provider, consultant = _setup(setup)
        deal = _approved(setup, consultant, provider)
        targets = {
            "provider": (provider, deal_stage(setup, provider, "Proposal")),
            "consultant": (consultant, deal_stage(setup, provider, "Negotiation")),
        }
        deal_id, version = deal.id, deal.version
        setup.commit()
    start, outcomes = threading.Barrier(2), {}

    def move(who):
        actor, stage_id = targets[who]
        with Session(engine) as session:
            start.wait()
            try:
                deal_changes.move_stage(
                    session, actor=actor, deal_id=deal_id, version=version, stage_id=stage_id
                )
                session.commit()
                outcomes[who] = "moved"
            except Conflict:
                session.rollback()
                outcomes[who] = "conflict"

    threads = [threading.Thread(target=move, args=(who,)) for who in targets]
    try:
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=30)
        assert sorted(outcomes.values()) == ["conflict", "moved"]
        winner = next(who for who, outcome in outcomes.items() if outcome == "moved")
        with Session(engine) as session:
            final = session.get(Deal, deal_id)
            assert (final.stage_id, final.version) == (targets[winner][1], version + 1)
            moves = session.exec(
                select(ActivityEvent).where(
                    ActivityEvent.entity_id == deal_id, ActivityEvent.action == "stage_moved"
                )
            ).all()
            assert len(moves) == 1
    finally:
        _wipe(engine)


def _wipe(engine) -> None:
    """This test commits: remove everything it made."""
    with Session(engine) as session:
        for table in reversed(SQLModel.metadata.sorted_tables):
            if table.name != "alembic_version":
                session.execute(table.delete())
        session.commit()


# hostile arguments and outsiders ---------------------------------------------------------------


@pytest.mark.parametrize("deal_id", [None, -1, 0, "1; drop table deals", {"id": 1}, 2**70, True])
def test_bad_deal_ids_are_not_found(session, deal_id):
    provider, _ = _setup(session)
    with pytest.raises(NotFound):
        deal_changes.approve(session, actor=provider, deal_id=deal_id, version=1)


def test_another_organizations_deal_does_not_exist_for_the_caller(session):
    provider, consultant = _setup(session)
    deal = _registered(session, consultant, provider)
    for outsider in (
        org_admin(session, kind=OrgKind.PROVIDER),
        org_admin(session, kind=OrgKind.CONSULTANT),
    ):
        for call in (
            lambda a: deals.detail(session, actor=a, deal_id=deal.id),
            lambda a: deal_timeline.timeline(session, actor=a, deal_id=deal.id),
            lambda a: deal_changes.edit(session, actor=a, deal_id=deal.id, version=1, form=_form()),
            lambda a: deal_changes.move_stage(
                session,
                actor=a,
                deal_id=deal.id,
                version=1,
                stage_id=deal_stage(session, provider, "Proposal"),
            ),
        ):
            with pytest.raises(NotFound):
                call(outsider)
    assert deal.version == 1


# the board -------------------------------------------------------------------------------------


def test_the_board_has_the_providers_stages_with_counts_totals_and_cards(session):
    provider, consultant = _setup(session)
    first = _registered(session, consultant, provider, amount="100", close_date="2027-01-02")
    second = _registered(session, consultant, provider, amount="50.50", close_date="2027-01-01")
    third = _approved(session, consultant, provider, amount="7")
    _move(session, provider, third, "Closed Won")
    rejected = _registered(session, consultant, provider)
    deal_changes.reject(session, actor=provider, deal_id=rejected.id, version=1, reason="no")

    columns = deal_board.board(session, actor=provider)
    assert [c.name for c in columns] == [
        "Qualification",
        "Discovery",
        "Proposal",
        "Negotiation",
        "Closed Won",
        "Closed Lost",
    ]
    qualification, won = columns[0], columns[4]
    assert (qualification.count, qualification.totals) == (2, {"USD": Decimal("150.50")})
    assert [c.id for c in qualification.cards] == [second.id, first.id]  # by close date
    assert [c.id for c in won.cards] == [third.id]
    card = qualification.cards[0]
    assert (card.other_org_name, card.owner_name, card.version) == ("Fabrikam", "", 1)
    assert consultant_view(session, consultant)[0].cards[0].owner_name == "Carl Consultant"


def consultant_view(session, consultant):
    return deal_board.board(session, actor=consultant)


def test_big_columns_show_a_bounded_slice_and_load_more(session):
    provider, consultant = _setup(session)
    stage = deal_stage(session, provider, "Discovery")
    session.add_all(
        Deal(
            provider_org_id=provider.org_id,
            partner_org_id=consultant.org_id,
            registered_by_id=consultant.user_id,
            name=f"Deal {i}",
            company=f"Company {i}",
            stage_id=stage,
            amount=Decimal(10),
        )
        for i in range(45)
    )
    key = str(stage)
    column = next(c for c in deal_board.board(session, actor=provider) if c.key == key)
    assert (column.count, len(column.cards), column.more) == (45, 20, 25)
    assert column.totals == {"USD": Decimal(450)}
    more = deal_board.board(session, actor=provider, limits={key: 40, "nonsense": 10**9})
    column = next(c for c in more if c.key == key)
    assert (len(column.cards), column.more) == (40, 5)
    with statements(session) as seen:
        deal_board.board(session, actor=provider, limits={key: 10**9})
    assert len(seen) <= 3
    with pytest.raises(Invalid):
        deal_board.board(session, actor=provider, limits=["x"])


def test_a_shared_board_is_read_once_per_scope_filters_and_version(session):
    provider, consultant = _setup(session)
    _registered(session, consultant, provider)
    member = colleague(session, provider, role=Role.MEMBER)
    deal_board._SHARED.clear()
    with statements(session) as seen:
        first = deal_board.shared_board(session, actor=provider, version=7)
        assert deal_board.shared_board(session, actor=provider, version=7) is first
    reads = len(seen)
    assert reads and reads <= 3  # one read for both calls
    # Another version, search, scope (a member sees only their own deals) or side: another read.
    assert deal_board.shared_board(session, actor=provider, version=8) is not first
    assert deal_board.shared_board(session, actor=provider, version=7, search="x") is not first
    mine = deal_board.shared_board(session, actor=member, version=7)
    assert sum(c.count for c in mine) == 0 and sum(c.count for c in first) == 1
    assert deal_board.shared_board(session, actor=consultant, version=7) is not first
    for version in range(deal_board.SHARED_BOARDS + 5):  # bounded
        deal_board.shared_board(session, actor=provider, version=100 + version)
    assert len(deal_board._SHARED) == deal_board.SHARED_BOARDS


def test_a_consultant_picks_a_providers_board_or_sees_them_combined(session):
    provider, consultant = _setup(session)
    second = org_admin(session, kind=OrgKind.PROVIDER, org_name="Southwind")
    partners(session, second, consultant)
    ours = _registered(session, consultant, provider)
    theirs = _approved(session, consultant, second)
    _move(session, consultant, theirs, "Proposal", org=second)

    only_second = deal_board.board(session, actor=consultant, provider_org_id=second.org_id)
    assert only_second[0].stage_ids == {second.org_id: deal_stage(session, second, "Qualification")}
    assert [card.id for c in only_second for card in c.cards] == [theirs.id]

    combined = deal_board.board(session, actor=consultant)
    assert [c.name for c in combined] == [
        "Qualification",
        "Discovery",
        "Proposal",
        "Negotiation",
        "Closed Won",  # as each provider's own board says it (issue 23)
        "Closed Lost",
    ]
    assert [c.name for c in only_second][-2:] == ["Closed Won", "Closed Lost"]
    assert combined[0].stage_ids == {
        provider.org_id: deal_stage(session, provider, "Qualification"),
        second.org_id: deal_stage(session, second, "Qualification"),
    }
    assert [card.id for card in combined[0].cards] == [ours.id]
    assert [card.id for card in combined[2].cards] == [theirs.id]
    # A provider's board is its own, whatever provider the arguments name.
    elsewhere = deal_board.board(session, actor=second, provider_org_id=provider.org_id)
    assert [card.id for c in elsewhere for card in c.cards] == [theirs.id]


def test_members_see_only_their_own_cards(session):
    provider, consultant = _setup(session)
    seller = colleague(session, provider)
    mine = _registered(session, consultant, provider)
    _registered(session, consultant, provider)
    deal_changes.assign_owner(
        session, actor=provider, deal_id=mine.id, version=1, owner_id=seller.user_id
    )
    cards = [card.id for c in deal_board.board(session, actor=seller) for card in c.cards]
    assert cards == [mine.id]


# the timeline ----------------------------------------------------------------------------------


def test_the_timeline_names_people_only_to_their_own_organization(session):
    provider, consultant = _setup(session)
    seller = colleague(session, provider, name="Sam Seller")
    deal = _registered(session, consultant, provider)
    deal_changes.approve(session, actor=provider, deal_id=deal.id, version=1)
    deal_changes.assign_owner(
        session, actor=provider, deal_id=deal.id, version=2, owner_id=seller.user_id
    )
    _move(session, seller, deal, "Closed Lost", org=provider, reason="No budget")

    def read(actor):
        return [
            (e.who, e.text) for e in deal_timeline.timeline(session, actor=actor, deal_id=deal.id)
        ]

    assert read(provider) == [
        ("Sam Seller", "Closed it as lost: No budget"),
        ("Pia Provider", "Gave it to Sam Seller"),
        ("Pia Provider", "Approved the registration"),
        ("Fabrikam", "Registered the deal"),
    ]
    assert read(consultant) == [
        ("Northwind", "Closed it as lost: No budget"),
        ("Northwind", "Changed its owner"),
        ("Northwind", "Approved the registration"),
        ("Carl Consultant", "Registered the deal"),
    ]


def test_a_converted_lead_starts_the_deals_timeline_and_changes_both_boards(session):
    provider, consultant = _setup(session)
    _, [recipient_id] = leads.create_and_submit(
        session,
        actor=consultant,
        data=LeadInput(first_name="Jo", last_name="Ray", email="jo@ray.example", company="Ray"),
        owner_id=consultant.user_id,
        recipient_org_ids=[provider.org_id],
    )
    leads.accept(session, actor=provider, recipient_id=recipient_id)
    session.info.clear()
    deal_id = leads.convert(session, actor=provider, recipient_id=recipient_id, amount="10")
    assert changes.noted(session).deal_orgs == {provider.org_id, consultant.org_id}
    entries = deal_timeline.timeline(session, actor=consultant, deal_id=deal_id)
    assert [(e.who, e.text) for e in entries] == [("Northwind", "Created it from a lead")]
