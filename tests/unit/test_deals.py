"""deals: the paged list each side sees: scope, filters, sort, paging, hostile arguments."""

from dataclasses import replace
from datetime import date, timedelta
from decimal import Decimal

import pytest
from argon2 import PasswordHasher

from prm_app.models import (
    Deal,
    OrgKind,
    OrgSettings,
    Role,
    utcnow,
)
from prm_app.services import deals, leads
from prm_app.services.core.errors import Invalid, NotAllowed
from prm_app.services.identity import auth
from prm_app.services.leads import LeadInput
from tests.unit.factories import colleague, deal_stage, org_admin, partners, statements

HUGE = "x" * 100_000


@pytest.fixture(autouse=True)
def _cheap_password_hashing(monkeypatch):
    """Accounts are only scaffolding here: hash their passwords cheaply."""
    monkeypatch.setattr(auth, "_hasher", PasswordHasher(time_cost=1, memory_cost=8, parallelism=1))


# builders ------------------------------------------------------------------------------------


def _setup(session):
    """Northwind (a provider, admin Pia) and Fabrikam (a consultant firm, admin Carl), partners."""
    provider = org_admin(session, kind=OrgKind.PROVIDER, org_name="Northwind", name="Pia Provider")
    consultant = org_admin(
        session, kind=OrgKind.CONSULTANT, org_name="Fabrikam", name="Carl Consultant"
    )
    partners(session, provider, consultant)
    return provider, consultant


def _converted(
    session, consultant, provider, *, company="Contoso Ltd", amount="1000", accept_owner=None
) -> int:
    """A consultant's lead, submitted, accepted by the provider and converted: the deal id."""
    data = LeadInput(
        first_name="Jane",
        last_name="Doe",
        email=f"jane@{''.join(c for c in company.lower() if c.isalnum())}.com",
        company=company,
    )
    _, [recipient_id] = leads.create_and_submit(
        session,
        actor=consultant,
        data=data,
        owner_id=consultant.user_id,
        recipient_org_ids=[provider.org_id],
    )
    leads.accept(session, actor=provider, recipient_id=recipient_id, owner_id=accept_owner)
    return leads.convert(session, actor=consultant, recipient_id=recipient_id, amount=amount)


def _deal(session, provider, consultant, *, company="Acme", days_ago=0, **values) -> int:
    """A deal inserted directly (created `days_ago` days ago): its id."""
    deal = Deal(
        provider_org_id=provider.org_id,
        partner_org_id=consultant.org_id,
        registered_by_id=consultant.user_id,
        name=f"{company} deal",
        company=company,
        created_at=utcnow() - timedelta(days=days_ago),
        **values,
    )
    session.add(deal)
    session.flush()
    return deal.id


def _ids(page) -> list[int]:
    return [row.id for row in page.rows]


# scope ---------------------------------------------------------------------------------------


def test_each_side_sees_the_deal_with_the_other_org_and_its_own_owner(session):
    provider, consultant = _setup(session)
    settings = session.get(OrgSettings, provider.org_id)
    settings.currency = "EUR"
    session.add(settings)
    deal_id = _converted(session, consultant, provider, amount="1234.50")

    seen = deals.list_deals(session, actor=provider)
    assert (seen.total, seen.page, seen.page_size) == (1, 1, 25)
    row = seen.rows[0]
    assert row.id == deal_id
    assert (row.name, row.company) == ("Contoso Ltd \u2013 Jane Doe", "Contoso Ltd")
    assert (row.other_org_id, row.other_org_name) == (consultant.org_id, "Fabrikam")
    assert (row.amount, row.currency) == (Decimal("1234.50"), "EUR")
    assert (row.stage_name, row.approval, row.outcome) == ("Qualification", "pending", "open")
    assert (row.close_date, row.protected_until) == (None, None)
    assert (row.owner_id, row.owner_name) == (provider.user_id, "Pia Provider")
    assert row.created_at is not None

    row = deals.list_deals(session, actor=consultant).rows[0]
    assert row.id == deal_id
    assert (row.other_org_id, row.other_org_name) == (provider.org_id, "Northwind")
    assert (row.owner_id, row.owner_name) == (consultant.user_id, "Carl Consultant")


def test_other_organizations_deals_are_never_listed(session):
    provider, consultant = _setup(session)
    second = org_admin(session, kind=OrgKind.PROVIDER, org_name="Contoso HR")
    partners(session, second, consultant)
    firm = org_admin(session, kind=OrgKind.CONSULTANT, org_name="Tailspin")
    partners(session, provider, firm)
    ours = _converted(session, consultant, provider)
    with_second = _converted(session, consultant, second)
    with_firm = _converted(session, firm, provider)

    assert set(_ids(deals.list_deals(session, actor=provider))) == {ours, with_firm}
    assert _ids(deals.list_deals(session, actor=second)) == [with_second]
    assert set(_ids(deals.list_deals(session, actor=consultant))) == {ours, with_second}
    assert _ids(deals.list_deals(session, actor=firm)) == [with_firm]
    for stranger in (
        org_admin(session, kind=OrgKind.PROVIDER),
        org_admin(session, kind=OrgKind.CONSULTANT),
    ):
        assert deals.list_deals(session, actor=stranger).total == 0
    # A filter naming another organization's records only narrows: it never widens the scope.
    assert deals.list_deals(session, actor=second, other_org_id=firm.org_id).total == 0
    assert deals.list_deals(session, actor=firm, other_org_id=second.org_id).total == 0


def test_members_see_only_the_deals_they_own_on_their_side(session):
    provider, consultant = _setup(session)
    seller = colleague(session, provider, name="Sam Seller")
    idle = colleague(session, provider, name="Ida Idle")
    manager = colleague(session, provider, role=Role.MANAGER, name="Max Manager")
    rep = colleague(session, consultant, name="Rae Rep")
    by_admin = _converted(session, consultant, provider, company="Alpha")
    assigned = _converted(
        session, consultant, provider, company="Beta", accept_owner=seller.user_id
    )
    by_rep = _converted(session, rep, provider, company="Gamma")

    assert _ids(deals.list_deals(session, actor=seller)) == [assigned]
    assert deals.list_deals(session, actor=idle).total == 0
    assert set(_ids(deals.list_deals(session, actor=manager))) == {by_admin, assigned, by_rep}
    assert _ids(deals.list_deals(session, actor=rep)) == [by_rep]
    assert set(_ids(deals.list_deals(session, actor=consultant))) == {by_admin, assigned, by_rep}
    # A member's owner filter cannot reach a colleague's deals.
    assert deals.list_deals(session, actor=seller, owner_id=provider.user_id).total == 0
    row = deals.list_deals(session, actor=seller).rows[0]
    assert (row.owner_id, row.owner_name) == (seller.user_id, "Sam Seller")


def test_an_organization_of_no_known_kind_is_refused(session):
    provider, _ = _setup(session)
    with pytest.raises(NotAllowed):
        deals.list_deals(session, actor=replace(provider, org_kind="broker"))


# filters, sort and paging --------------------------------------------------------------------


def test_filters_narrow_by_approval_outcome_stage_org_owner_and_search(session):
    provider, consultant = _setup(session)
    firm = org_admin(session, kind=OrgKind.CONSULTANT, org_name="Tailspin")
    partners(session, provider, firm)
    seller = colleague(session, provider, name="Sam Seller")
    proposal = deal_stage(session, provider, "Proposal")
    pending = _deal(session, provider, consultant, company="Pending 100% Co", contact_name="Zoe")
    approved = _deal(
        session,
        provider,
        consultant,
        company="Approved_Co",
        approval="approved",
        stage_id=proposal,
        provider_owner_id=seller.user_id,
        contact_email="buyer@approved.example",
    )
    rejected = _deal(session, provider, firm, company="Rejected", approval="rejected")
    won = _deal(session, provider, firm, company="Won", approval="approved", outcome="won")

    def ids(**filters):
        return set(_ids(deals.list_deals(session, actor=provider, **filters)))

    assert ids() == {pending, approved, rejected, won}
    assert ids(approval="pending") == {pending}
    assert ids(approval="approved") == {approved, won}
    assert ids(approval="rejected", outcome="") == {rejected}
    assert ids(outcome="won") == {won}
    assert ids(outcome="open", approval=None) == {pending, approved, rejected}
    assert ids(stage_id=proposal) == {approved}
    assert ids(stage_id=str(proposal)) == {approved}
    assert ids(other_org_id=firm.org_id) == {rejected, won}
    assert ids(other_org_id=str(consultant.org_id)) == {pending, approved}
    assert ids(owner_id=seller.user_id) == {approved}
    # Search: deal name, company and contact, case-insensitive, wildcards taken literally.
    assert ids(search="100%") == {pending}
    assert ids(search="_co") == {approved}
    assert ids(search="  PENDING  ") == {pending}
    assert ids(search="zoe") == {pending}
    assert ids(search="@APPROVED.example") == {approved}
    assert ids(search="won deal") == {won}
    assert ids(search="nothing like it") == set()
    assert ids(search="%") == {pending}
    assert ids(approval="approved", search="won", other_org_id=firm.org_id) == {won}
    row = deals.list_deals(session, actor=provider, stage_id=proposal).rows[0]
    assert (row.stage_name, row.owner_name) == ("Proposal", "Sam Seller")
    assert deals.list_deals(session, actor=provider, search="Rejected").rows[0].stage_name == ""


def test_sorts(session):
    provider, consultant = _setup(session)
    old = _deal(
        session,
        provider,
        consultant,
        company="beta",
        days_ago=3,
        amount=Decimal("50"),
        close_date=date(2030, 5, 1),
    )
    middle = _deal(
        session, provider, consultant, company="Alpha", days_ago=2, amount=Decimal("900")
    )
    new = _deal(
        session,
        provider,
        consultant,
        company="Gamma",
        days_ago=1,
        amount=Decimal("300"),
        close_date=date(2030, 1, 1),
    )

    def order(sort):
        return _ids(deals.list_deals(session, actor=provider, sort=sort))

    assert order("newest") == [new, middle, old]
    assert order("oldest") == [old, middle, new]
    assert order("amount") == [middle, new, old]
    assert order("close_date") == [new, old, middle]  # no close date last
    assert order("company") == [middle, old, new]  # case-insensitive


def test_pages_and_counts(session):
    provider, consultant = _setup(session)
    ids = [
        _deal(session, provider, consultant, company=f"Co {n}", days_ago=10 - n) for n in range(5)
    ]
    page = deals.list_deals(session, actor=provider, page=2, page_size=2, sort="oldest")
    assert (_ids(page), page.total, page.page, page.page_size) == (ids[2:4], 5, 2, 2)
    last = deals.list_deals(session, actor=provider, page="3", page_size="2", sort="oldest")
    assert (_ids(last), last.total) == (ids[4:], 5)
    past = deals.list_deals(session, actor=provider, page=9, page_size=2)
    assert (past.rows, past.total, past.page) == ([], 5, 9)
    assert deals.list_deals(session, actor=consultant, page_size=100).total == 5
    empty = deals.list_deals(session, actor=provider, search="none")
    assert (empty.rows, empty.total) == ([], 0)


def test_one_statement_per_page(session):
    provider, consultant = _setup(session)
    for n in range(4):
        _deal(session, provider, consultant, company=f"Co {n}")
    with statements(session) as ran:
        assert len(deals.list_deals(session, actor=provider, page_size=3).rows) == 3
        assert len(deals.list_deals(session, actor=consultant, page=2, page_size=3).rows) == 1
        assert deals.list_deals(session, actor=consultant, search="Co 2").total == 1
    assert len(ran) == 3
    assert all("LIMIT" in s.upper() for s in ran)


# hostile arguments ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "arguments",
    [
        {"approval": "bogus"},
        {"approval": "PENDING"},
        {"approval": {"$ne": 1}},
        {"approval": ["pending"]},
        {"approval": 1},
        {"outcome": "closed"},
        {"outcome": {"x": 1}},
        {"outcome": True},
        {"sort": "name"},
        {"sort": "amount; DROP TABLE deals"},
        {"sort": None},
        {"sort": ["newest"]},
        {"search": HUGE},
        {"search": {"x": 1}},
        {"search": ["a"]},
        {"search": 5},
        {"search": "bad\x00"},
        {"search": "\ud800"},
        {"stage_id": "abc"},
        {"stage_id": -1},
        {"stage_id": 2**70},
        {"stage_id": True},
        {"other_org_id": "1; DROP"},
        {"other_org_id": [1]},
        {"other_org_id": 1.5},
        {"owner_id": -1},
        {"owner_id": {"id": 1}},
        {"owner_id": "0"},
        {"page": 0},
        {"page": True},
        {"page": "1e9"},
        {"page": 100_001},
        {"page": None},
        {"page": 1.5},
        {"page_size": 101},
        {"page_size": -1},
        {"page_size": 0},
        {"page_size": [25]},
        {"page_size": "9" * 40},
    ],
)
def test_hostile_arguments_are_refused(session, arguments):
    provider, consultant = _setup(session)
    _deal(session, provider, consultant)
    for actor in (provider, consultant):
        with pytest.raises(Invalid):
            deals.list_deals(session, actor=actor, **arguments)
