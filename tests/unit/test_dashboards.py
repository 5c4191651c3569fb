"""The dashboards: every chart aggregated in the database, scoped to the caller."""

from datetime import timedelta
from decimal import Decimal

import pytest
from argon2 import PasswordHasher
from sqlmodel import select

from prm_app.models import LeadRecipient, OrgKind, utcnow
from prm_app.services import leads, ledger
from prm_app.services.core.errors import Invalid
from prm_app.services.deals import dashboards
from prm_app.services.identity import auth
from prm_app.services.leads import LeadInput
from tests.unit.factories import colleague, org_admin, partners, statements
from tests.unit.test_ledger import _deal, _program, _referral_deal, _setup, _win


@pytest.fixture(autouse=True)
def _cheap_password_hashing(monkeypatch):
    monkeypatch.setattr(auth, "_hasher", PasswordHasher(time_cost=1, memory_cost=8, parallelism=1))


def _board(session, actor, **chosen):
    return dashboards.dashboard(session, actor=actor, chosen=dashboards.filters(**chosen))


def _world(session):
    provider, consultant = _setup(session, referral_credit_amount=Decimal("100"))
    won = _referral_deal(session, provider, consultant, amount="20000")
    _win(session, provider, won)
    _deal(session, provider, consultant, amount="5000")  # open, first stage
    data = LeadInput("Ann", "Lee", "ann@proseware.com", "Proseware", "", "", "")
    _, (_pending_id,) = leads.create_and_submit(
        session,
        actor=consultant,
        data=data,
        owner_id=consultant.user_id,
        recipient_org_ids=[provider.org_id],
    )
    return provider, consultant, won


def test_each_chart_of_both_sides(session):
    provider, consultant, _won = _world(session)
    month = utcnow().strftime("%Y-%m")
    for actor, other_name in ((provider, "Fabrikam"), (consultant, "Northwind")):
        board = _board(session, actor)
        assert board.pipeline == [{"stage": "Qualification", "value": 5000.0, "deals": 1}]
        assert board.won_by_month == [{"month": month, "won": 1, "value": 20000.0}]
        assert board.funnel == [
            {"step": "Submitted", "count": 2},
            {"step": "Accepted", "count": 1},
            {"step": "Converted", "count": 1},
            {"step": "Closed Won", "count": 1},
        ]
        assert [(p["month"], p["leads"]) for p in board.acceptance] == [(month, 1)]
        assert board.acceptance[0]["hours"] >= 0
        assert board.top == [{"name": other_name, "value": 20000.0, "deals": 1}]
        assert board.commissions == [{"month": month, "earned": 0.0, "pending": 2000.0}]
        assert board.currency == "USD"
    (accrual_id,) = [
        line.id
        for line in ledger.statement(session, actor=provider).rows
        if line.kind == "commission_accrual"
    ]
    ledger.approve_commission(session, actor=provider, transaction_id=accrual_id)
    assert _board(session, consultant).commissions == [
        {"month": month, "earned": 2000.0, "pending": 0.0}
    ]


def test_filters_by_date_and_organization(session):
    provider, consultant, _ = _world(session)
    other_consultant = org_admin(session, kind=OrgKind.CONSULTANT, org_name="Tailspin")
    partners(session, provider, other_consultant)
    today = utcnow().date()
    past = _board(session, provider, start="2001-01-01", end="2001-12-31")
    assert (past.pipeline, past.won_by_month, past.top, past.commissions) == ([], [], [], [])
    assert [s["count"] for s in past.funnel] == [0, 0, 0, 0]
    current = _board(session, provider, start=str(today - timedelta(days=1)), end=str(today))
    assert current.won_by_month[0]["won"] == 1
    elsewhere = _board(session, provider, other_org_id=other_consultant.org_id)
    assert (elsewhere.pipeline, elsewhere.top) == ([], [])
    assert [s["count"] for s in elsewhere.funnel] == [0, 0, 0, 0]
    mine = _board(session, provider, other_org_id=str(consultant.org_id))
    assert mine.top[0]["name"] == "Fabrikam"
    for bad in (
        {"start": "2024-13-01"},
        {"start": "2024-02-01", "end": "2024-01-01"},
        {"end": {"x": 1}},
        {"other_org_id": "1 OR 1=1"},
        {"other_org_id": -3},
        {"other_org_id": ["1"]},
    ):
        with pytest.raises(Invalid):
            dashboards.filters(**bad)


def test_another_organization_sees_none_of_it(session):
    _world(session)
    other_provider, other_consultant = _setup(session)
    for outsider in (other_provider, other_consultant):
        board = _board(session, outsider)
        assert (board.pipeline, board.won_by_month, board.acceptance) == ([], [], [])
        assert (board.top, board.commissions) == ([], [])
        assert [s["count"] for s in board.funnel] == [0, 0, 0, 0]


def test_a_member_sees_only_their_own_and_no_commissions(session):
    provider, consultant, _ = _world(session)
    member = colleague(session, provider)
    board = _board(session, member)
    assert (board.pipeline, board.won_by_month, board.top, board.commissions) == ([], [], [], [])
    assert [s["count"] for s in board.funnel] == [0, 0, 0, 0]
    # The consultant's own lead, now owned by its member: only that one is theirs.
    c_member = colleague(session, consultant)
    recipient = session.exec(
        select(LeadRecipient).where(LeadRecipient.org_id == consultant.org_id)
    ).one()
    recipient.owner_id = c_member.user_id
    session.add(recipient)
    assert _board(session, c_member).funnel[0] == {"step": "Submitted", "count": 1}


def test_each_chart_is_one_aggregate_query(session):
    provider, consultant, _ = _world(session)
    for i in range(5):
        _win(session, provider, _deal(session, provider, consultant, amount=str(1000 + i)))
    _program(session, provider)
    chosen = dashboards.filters()
    with statements(session) as seen:
        board = dashboards.dashboard(session, actor=provider, chosen=chosen)
    assert board.won_by_month[0]["won"] == 6
    assert len(seen) <= 8  # six charts and the currency, whatever the number of deals
