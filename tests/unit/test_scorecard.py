"""The two-sided scorecard: each figure against hand-computed records with a frozen clock, the
90-day window's edges, and who sees which records behind a figure."""

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from argon2 import PasswordHasher
from sqlmodel import select

from prm_app import demo
from prm_app.demo.specs import PASSWORD
from prm_app.models import (
    ActivityEvent,
    Approval,
    Deal,
    Lead,
    LeadDirection,
    LeadRecipient,
    LeadStatus,
    LedgerKind,
    LedgerStatus,
    LedgerTransaction,
    OrgKind,
    Outcome,
    Partnership,
    PayoutRequest,
    PayoutStatus,
    RecipientStatus,
    Role,
)
from prm_app.services import leads, scorecard
from prm_app.services.core.errors import NotAllowed, NotFound
from prm_app.services.deals import lifecycle as deal_changes
from prm_app.services.identity import auth
from prm_app.services.leads import LeadInput
from tests.unit.factories import colleague, org_admin, partners

NOW = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)
H = timedelta(hours=1)
D = timedelta(days=1)


@pytest.fixture(autouse=True)
def _cheap_password_hashing(monkeypatch):
    monkeypatch.setattr(auth, "_hasher", PasswordHasher(time_cost=1, memory_cost=8, parallelism=1))


class World:
    """Northwind (provider) with partners Fabrikam and Tailspin, and records at known times."""

    def __init__(self, session):
        self.session = session
        self.provider = org_admin(session, kind=OrgKind.PROVIDER, org_name="Northwind")
        self.fabrikam = org_admin(session, kind=OrgKind.CONSULTANT, org_name="Fabrikam")
        self.tailspin = org_admin(session, kind=OrgKind.CONSULTANT, org_name="Tailspin")
        partners(session, self.provider, self.fabrikam)
        partners(session, self.provider, self.tailspin)
        self._joined(self.fabrikam, NOW - 30 * D)
        self._joined(self.tailspin, NOW - 200 * D)

    def _joined(self, partner, when) -> None:
        row = self.session.exec(
            select(Partnership).where(Partnership.consultant_org_id == partner.org_id)
        ).one()
        row.responded_at = when
        self.session.add(row)

    def lead(self, partner, *, received, took=None, status=RecipientStatus.ACCEPTED, owner=None):
        lead = Lead(
            direction=LeadDirection.PARTNER_TO_PROVIDER,
            origin_org_id=partner.org_id,
            owner_id=partner.user_id,
            created_by_id=partner.user_id,
            status=LeadStatus.SUBMITTED,
            first_name="Ann",
            last_name="Lee",
            email="ann@contoso.com",
            company=f"Contoso {received:%j%H}",
            created_at=received,
            submitted_at=received,
        )
        self.session.add(lead)
        self.session.flush()
        recipient = LeadRecipient(
            lead_id=lead.id,
            org_id=self.provider.org_id,
            status=status if took is not None else RecipientStatus.PENDING,
            owner_id=owner,
            created_at=received,
            responded_at=received + took if took is not None else None,
        )
        self.session.add(recipient)
        self.session.flush()
        return lead

    def deal(self, partner, *, created, decisions=(), won=None, amount="1000"):
        """A registration with its decision events ((action, after) pairs) and, if `won`, its
        Closed Won moment."""
        deal = Deal(
            provider_org_id=self.provider.org_id,
            partner_org_id=partner.org_id,
            registered_by_id=partner.user_id,
            name=f"Deal {created:%j}",
            company="Contoso",
            amount=Decimal(amount),
            approval=Approval.APPROVED if decisions or won else Approval.PENDING,
            outcome=Outcome.WON if won else Outcome.OPEN,
            closed_at=won,
            created_at=created,
        )
        self.session.add(deal)
        self.session.flush()
        for action, after in decisions:
            self.event(deal, action, created + after)
        return deal

    def event(self, deal, action, when) -> None:
        self.session.add(
            ActivityEvent(
                org_id=self.provider.org_id,
                actor_id=self.provider.user_id,
                entity_type="deal",
                entity_id=deal.id,
                action=action,
                created_at=when,
            )
        )
        self.session.flush()

    def commission_approved(self, deal, when) -> None:
        self.session.add(
            LedgerTransaction(
                kind=LedgerKind.COMMISSION_APPROVAL,
                status=LedgerStatus.APPROVED,
                provider_org_id=deal.provider_org_id,
                partner_org_id=deal.partner_org_id,
                deal_id=deal.id,
                created_at=when,
            )
        )
        self.session.flush()

    def payout(self, partner, *, requested, took=None):
        self.session.add(
            PayoutRequest(
                provider_org_id=self.provider.org_id,
                partner_org_id=partner.org_id,
                kind="cash",
                amount=Decimal("500"),
                status=PayoutStatus.PAID if took else PayoutStatus.APPROVED,
                requested_by_id=partner.user_id,
                created_at=requested,
                paid_at=requested + took if took else None,
            )
        )
        self.session.flush()


@pytest.fixture
def world(session):
    w = World(session)
    fab, tail = w.fabrikam, w.tailspin
    # Lead decisions in the window: Fabrikam 2 h, 4 h (rejected), 9 h; Tailspin 1 h.
    w.lead(fab, received=NOW - 10 * D, took=2 * H)
    w.lead(fab, received=NOW - 5 * D, took=4 * H, status=RecipientStatus.REJECTED)
    w.lead(fab, received=NOW - 3 * D, took=9 * H, status=RecipientStatus.CONVERTED)
    w.lead(fab, received=NOW - 1 * D)  # not decided yet
    w.lead(tail, received=NOW - 20 * D, took=1 * H)
    # Decided exactly 90 days ago, and earlier: outside the window.
    w.lead(tail, received=NOW - 91 * D, took=D, status=RecipientStatus.REJECTED)
    w.lead(tail, received=NOW - 100 * D, took=5 * D, status=RecipientStatus.REJECTED)
    # Registrations: Fabrikam 24 h, 48 h (rejected), 6 h (re-approved later: the first
    # decision counts); Tailspin 12 h; a deal the provider recorded itself is never decided.
    w.deal(fab, created=NOW - 10 * D, decisions=[("approved", 24 * H)])
    w.deal(fab, created=NOW - 8 * D, decisions=[("rejected", 48 * H)])
    w.deal(fab, created=NOW - 30 * D, decisions=[("approved", 6 * H), ("approved", 100 * H)])
    w.deal(tail, created=NOW - 4 * D, decisions=[("approved", 12 * H)])
    w.deal(tail, created=NOW - 4 * D, won=None, decisions=())
    # Commissions approved 72 h (Fabrikam) and 24 h (Tailspin) after Closed Won.
    won_fab = w.deal(fab, created=NOW - 60 * D, won=NOW - 7 * D, amount="20000")
    won_tail = w.deal(tail, created=NOW - 60 * D, won=NOW - 6 * D, amount="5000")
    w.commission_approved(won_fab, NOW - 7 * D + 72 * H)
    w.commission_approved(won_tail, NOW - 6 * D + 24 * H)
    w.deal(fab, created=NOW - 300 * D, won=NOW - 200 * D, amount="99999")  # won too long ago
    # Payouts paid after 120 h (Fabrikam) and 48 h (Tailspin); one not paid yet.
    w.payout(fab, requested=NOW - 15 * D, took=120 * H)
    w.payout(fab, requested=NOW - 2 * D)
    w.payout(tail, requested=NOW - 9 * D, took=48 * H)
    return w


def _figures(found: list) -> dict:
    return {f.key: (None if f.value is None else round(f.value, 4), f.count) for f in found}


def test_service_figures_overall_and_per_partner(world):
    card = scorecard.service_figures(world.session, actor=world.provider, now=NOW)
    assert card.provider_name == "Northwind" and card.partner == []
    assert _figures(card.overall) == {
        "lead_decision": (3.0, 4),  # median of 1, 2, 4, 9 hours
        "registration_decision": (18.0, 4),  # of 6, 12, 24, 48
        "commission_approval": (48.0, 2),  # of 24, 72
        "payout_time": (84.0, 2),  # of 48, 120
        "leads_rejected": (0.25, 4),  # 1 of 4 decided
    }
    texts = {f.key: f.text for f in card.overall}
    assert texts["lead_decision"] == "3.0 hours"
    assert texts["commission_approval"] == "2.0 days"
    assert texts["leads_rejected"] == "25%"

    card = scorecard.service_figures(
        world.session, actor=world.provider, partner_org_id=str(world.fabrikam.org_id), now=NOW
    )
    assert _figures(card.partner) == {
        "lead_decision": (4.0, 3),
        "registration_decision": (24.0, 3),
        "commission_approval": (72.0, 1),
        "payout_time": (120.0, 1),
        "leads_rejected": (round(1 / 3, 4), 3),
    }


def test_the_consultant_sees_the_provider_overall_and_over_its_own_records(world):
    card = scorecard.service_figures(
        world.session,
        actor=world.tailspin,
        provider_org_id=world.provider.org_id,
        partner_org_id=world.fabrikam.org_id,  # ignored: a consultant is scored as itself
        now=NOW,
    )
    assert card.partner_org_id == world.tailspin.org_id
    assert _figures(card.overall)["lead_decision"] == (3.0, 4)
    assert _figures(card.partner) == {
        "lead_decision": (1.0, 1),
        "registration_decision": (12.0, 1),
        "commission_approval": (24.0, 1),
        "payout_time": (48.0, 1),
        "leads_rejected": (0.0, 1),
    }


def test_the_window_moves_with_the_clock(world):
    """90 days later only what ended after then counts; nothing yet: no figure."""
    later = scorecard.service_figures(world.session, actor=world.provider, now=NOW + 75 * D)
    assert _figures(later.overall)["lead_decision"] == (4.0, 3)  # the 1 h one (day -20) left
    empty = scorecard.service_figures(world.session, actor=world.provider, now=NOW + 200 * D)
    assert all(f.value is None and f.count == 0 for f in empty.overall)
    assert {f.text for f in empty.overall} == {"No records yet"}
    # One second after exactly 90 days: the lead decided at NOW - 90 days now counts.
    edge = scorecard.service_figures(
        world.session, actor=world.provider, now=NOW - timedelta(seconds=1)
    )
    assert _figures(edge.overall)["leads_rejected"] == (0.4, 5)


def test_partner_figures(world):
    rows = scorecard.partner_figures(world.session, actor=world.provider, now=NOW)
    assert [(r.name, r.leads_submitted, r.leads_accepted, r.accepted_share) for r in rows] == [
        ("Fabrikam", 4, 2, 0.5),
        ("Tailspin", 1, 1, 1.0),
    ]
    assert [(r.registrations_approved, r.deals_won, r.won_revenue) for r in rows] == [
        (2, 1, Decimal("20000")),
        (1, 1, Decimal("5000")),
    ]
    assert [r.days_to_first_lead for r in rows] == [20.0, 100.0]
    (own,) = scorecard.partner_figures(
        world.session, actor=world.fabrikam, provider_org_id=world.provider.org_id, now=NOW
    )
    assert own == rows[0]


def test_drills_list_the_records_counted(world):
    drill = scorecard.records(world.session, actor=world.provider, figure="lead_decision", now=NOW)
    assert [(r.partner, round(r.hours, 2), r.status) for r in drill.rows] == [
        ("Fabrikam", 9.0, "converted"),
        ("Fabrikam", 4.0, "rejected"),
        ("Fabrikam", 2.0, "accepted"),
        ("Tailspin", 1.0, "accepted"),
    ]
    assert all(r.link.startswith("/p/leads/") for r in drill.rows)
    assert drill.note == "" and not drill.more
    registrations = scorecard.records(
        world.session, actor=world.provider, figure="registrations_approved", now=NOW
    )
    assert sorted(round(r.hours) for r in registrations.rows) == [6, 12, 24]
    won = scorecard.records(
        world.session,
        actor=world.provider,
        figure="deals_won",
        partner_org_id=world.tailspin.org_id,
        now=NOW,
    )
    (row,) = won.rows
    assert (row.partner, row.title, row.link) == (
        "Tailspin",
        f"Deal {NOW - 60 * D:%j} (USD 5,000.00)",
        f"/p/deals/{row.record_id}",
    )
    paid = scorecard.records(world.session, actor=world.provider, figure="payout_time", now=NOW)
    assert sorted(round(r.hours) for r in paid.rows) == [48, 120]
    (first,) = scorecard.records(
        world.session,
        actor=world.provider,
        figure="first_lead",
        partner_org_id=world.tailspin.org_id,
        now=NOW,
    ).rows
    assert first.started == NOW - 100 * D


def test_a_consultant_never_sees_another_partners_records(world):
    for figure in scorecard.DRILLS:
        drill = scorecard.records(
            world.session,
            actor=world.tailspin,
            figure=figure,
            provider_org_id=str(world.provider.org_id),
            partner_org_id=world.fabrikam.org_id,
            now=NOW,
        )
        assert {r.partner for r in drill.rows} <= {"Tailspin"}, figure
        assert drill.note.startswith("Only your firm's records")
    leads_drill = scorecard.records(
        world.session,
        actor=world.tailspin,
        figure="lead_decision",
        provider_org_id=world.provider.org_id,
        now=NOW,
    )
    assert [r.link[:9] for r in leads_drill.rows] == ["/c/leads/"]
    stranger = org_admin(world.session, kind=OrgKind.PROVIDER, org_name="Contoso")
    for bad in (stranger.org_id, world.fabrikam.org_id, "x", None, {"id": 1}, True):
        with pytest.raises(NotFound):
            scorecard.service_figures(world.session, actor=world.tailspin, provider_org_id=bad)
        with pytest.raises(NotFound):
            scorecard.records(
                world.session, actor=world.tailspin, figure="lead_decision", provider_org_id=bad
            )


def test_the_provider_side_scopes(world):
    stranger = org_admin(world.session, kind=OrgKind.CONSULTANT, org_name="Litware")
    with pytest.raises(NotFound):
        scorecard.service_figures(
            world.session, actor=world.provider, partner_org_id=stranger.org_id
        )
    for figure in ("nope", None, ["lead_decision"]):
        with pytest.raises(NotFound):
            scorecard.records(world.session, actor=world.provider, figure=figure)
    member = colleague(world.session, world.provider, role=Role.MEMBER)
    world.lead(world.tailspin, received=NOW - 2 * D, took=3 * H, owner=member.user_id)
    own = scorecard.records(world.session, actor=member, figure="lead_decision", now=NOW)
    assert [round(r.hours) for r in own.rows] == [3]
    assert own.note.startswith("Only your own records")
    # The figure itself still counts every lead.
    card = scorecard.service_figures(world.session, actor=member, now=NOW)
    assert _figures(card.overall)["lead_decision"] == (3.0, 5)
    for figure in ("commission_approval", "payout_time"):
        with pytest.raises(NotAllowed):
            scorecard.records(world.session, actor=member, figure=figure, now=NOW)
    partner_member = colleague(world.session, world.fabrikam, role=Role.MEMBER)
    with pytest.raises(NotAllowed):
        scorecard.records(
            world.session,
            actor=partner_member,
            figure="payout_time",
            provider_org_id=world.provider.org_id,
        )


def test_decisions_through_the_services_are_counted(session):
    """The moments match what the lead and deal services record (the real clock)."""
    provider = org_admin(session, kind=OrgKind.PROVIDER, org_name="Northwind")
    consultant = org_admin(session, kind=OrgKind.CONSULTANT, org_name="Fabrikam")
    partners(session, provider, consultant)
    data = LeadInput("Ann", "Lee", "ann@proseware.com", "Proseware", "", "", "")
    _, (recipient_id,) = leads.create_and_submit(
        session,
        actor=consultant,
        data=data,
        owner_id=consultant.user_id,
        recipient_org_ids=[provider.org_id],
    )
    leads.accept(session, actor=provider, recipient_id=recipient_id)
    form = {
        "name": "Contoso ERP",
        "company": "Contoso Ltd",
        "contact_name": "",
        "contact_email": "",
        "amount": "1000",
        "close_date": "",
        "product_ids": [],
    }
    submitted = deal_changes.register(
        session, actor=consultant, other_org_id=provider.org_id, form=form
    )
    deal = session.get(Deal, submitted.deal_id)
    deal_changes.reject(
        session, actor=provider, deal_id=deal.id, version=deal.version, reason="Duplicate"
    )
    deal_changes.register(  # recorded by the provider: approved at once, never decided
        session, actor=provider, other_org_id=consultant.org_id, form={**form, "name": "Other"}
    )
    card = scorecard.service_figures(session, actor=consultant, provider_org_id=provider.org_id)
    counted = {f.key: f.count for f in card.partner}
    assert counted["lead_decision"] == counted["registration_decision"] == 1
    (row,) = scorecard.records(
        session,
        actor=consultant,
        figure="registration_decision",
        provider_org_id=provider.org_id,
    ).rows
    assert (row.record_id, row.status) == (deal.id, "rejected")


def test_the_demo_shows_every_service_figure_of_northwind(session):
    assert demo.load(session) is True
    session.flush()
    northwind = auth.authenticate(session, email="admin@northwind.example", password=PASSWORD)
    card = scorecard.service_figures(session, actor=northwind)
    assert {f.key for f in card.overall if f.count} >= {
        "lead_decision",
        "registration_decision",
        "commission_approval",
        "leads_rejected",
    }
