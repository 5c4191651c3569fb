"""A property-based test (Hypothesis) of the lead and deal state machines.

Any sequence of allowed and refused operations, by either side, on leads (submit, accept,
reject, move, convert) and deals (approve, reject, move to any stage, Closed Won, Closed
Lost, refund) keeps the invariants checked after every step:
- each deal has one outcome, and it matches its stage (won <=> the won stage, lost <=> a lost one);
- a Closed Won deal never changes again (stage, outcome, version, amount): only reading;
- a deal has ledger transactions only once won; every transaction sums to zero; a won deal
  accrued its commission exactly once;
- a recipient is converted at most once, into exactly one deal; a converted or rejected recipient
  never changes status again.
A refused operation changes nothing (it runs in a savepoint that is rolled back).
"""

import itertools

import pytest
from argon2 import PasswordHasher
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    Bundle,
    RuleBasedStateMachine,
    invariant,
    rule,
    run_state_machine_as_test,
)
from sqlmodel import Session, col, func, select

from prm_app.models import (
    Deal,
    LeadRecipient,
    LedgerEntry,
    LedgerKind,
    LedgerTransaction,
    OrgKind,
    Pipeline,
    Stage,
)
from prm_app.services import leads, ledger
from prm_app.services.core.errors import DomainError
from prm_app.services.deals import lifecycle as deal_changes
from prm_app.services.identity import auth
from tests.support import report
from tests.unit.factories import org_admin, partners

COUNTS = {"examples": 0, "steps": 0, "refused": 0, "won": 0, "refunded": 0}
_serial = itertools.count(1)


class PipelineMachine(RuleBasedStateMachine):
    recipients = Bundle("recipients")
    deals = Bundle("deals")

    def __init__(self, engine):
        super().__init__()
        COUNTS["examples"] += 1
        self.connection = engine.connect()
        self.transaction = self.connection.begin()
        self.session = Session(
            bind=self.connection, join_transaction_mode="create_savepoint", expire_on_commit=False
        )
        self.provider = org_admin(self.session, kind=OrgKind.PROVIDER)
        self.consultant = org_admin(self.session, kind=OrgKind.CONSULTANT)
        partners(self.session, self.provider, self.consultant)
        stages = self.session.exec(
            select(Stage).where(Stage.org_id == self.provider.org_id).order_by(col(Stage.position))
        ).all()
        self.lead_stages = [s.id for s in stages if s.pipeline == Pipeline.LEAD]
        self.deal_stages = [s for s in stages if s.pipeline == Pipeline.DEAL]
        self.lost_reasons = leads.lost_reason_choices(
            self.session, provider_org_ids=[self.provider.org_id]
        )[self.provider.org_id]
        self.won_snapshot: dict[int, tuple] = {}  # deal id -> what it was when won
        self.final_status: dict[int, str] = {}  # recipient id -> converted / rejected

    def teardown(self):
        self.session.close()
        self.transaction.rollback()
        self.connection.close()

    def side(self, provider_side: bool):
        return self.provider if provider_side else self.consultant

    def attempt(self, operation, **arguments) -> object:
        """Run one operation in a savepoint: its result (True for none), or None if refused
        (then rolled back)."""
        COUNTS["steps"] += 1
        savepoint = self.session.begin_nested()
        try:
            result = operation(self.session, **arguments)
        except DomainError:
            savepoint.rollback()
            COUNTS["refused"] += 1
            return None
        savepoint.commit()
        return True if result is None else result

    def deal(self, deal_id: int) -> Deal:
        deal = self.session.get(Deal, deal_id)
        self.session.refresh(deal)
        return deal

    # leads ---------------------------------------------------------------------------------

    @rule(target=recipients)
    def submit_lead(self):
        serial = next(_serial)
        data = leads.lead_input(
            {
                "first_name": "Pat",
                "last_name": f"Lead{serial}",
                "email": f"pat{serial}@customer{serial}.example",
                "company": f"Customer {serial}",
            }
        )
        _, recipient_ids = leads.create_and_submit(
            self.session,
            actor=self.consultant,
            data=data,
            owner_id=self.consultant.user_id,
            recipient_org_ids=[str(self.provider.org_id)],
        )
        return recipient_ids[0]

    @rule(recipient=recipients, provider_side=st.booleans())
    def accept(self, recipient, provider_side):
        self.attempt(leads.accept, actor=self.side(provider_side), recipient_id=recipient)

    @rule(recipient=recipients)
    def reject_lead(self, recipient):
        self.attempt(leads.reject, actor=self.provider, recipient_id=recipient, reason="Not a fit")

    @rule(recipient=recipients, index=st.integers(0, 10))
    def move_lead(self, recipient, index):
        stage = self.lead_stages[index % len(self.lead_stages)]
        self.attempt(leads.move_stage, actor=self.provider, recipient_id=recipient, stage_id=stage)

    @rule(
        target=deals,
        recipient=recipients,
        provider_side=st.booleans(),
        amount=st.sampled_from(["1", "2500.50", "120000", "0", "-5", "abc"]),
    )
    def convert(self, recipient, provider_side, amount):
        deal_id = self.attempt(
            leads.convert, actor=self.side(provider_side), recipient_id=recipient, amount=amount
        )
        return deal_id or 0  # 0: no deal (refused); later rules on it must be refused

    @rule(target=deals, recipient=recipients)
    def straight_to_won(self, recipient):
        """Accept, convert, approve and close as won in a row (each may still be refused),
        so that sequences reach Closed Won and what follows it often."""
        self.attempt(leads.accept, actor=self.provider, recipient_id=recipient)
        deal = self.attempt(
            leads.convert, actor=self.provider, recipient_id=recipient, amount="1000"
        )
        if not deal:
            return 0
        self.attempt(
            deal_changes.approve, actor=self.provider, deal_id=deal, version=self._version(deal)
        )
        won = next(s for s in self.deal_stages if s.is_won)
        self.move_to(deal, won.id, self.provider)
        return deal

    # deals ---------------------------------------------------------------------------------

    def move_to(self, deal: int, stage_id: int, actor, reason=None) -> None:
        self.attempt(
            deal_changes.move_stage,
            actor=actor,
            deal_id=deal,
            version=self._version(deal),
            stage_id=stage_id,
            reason=reason,
        )
        if deal and self.deal(deal).outcome == "won" and deal not in self.won_snapshot:
            self.won_snapshot[deal] = self.snapshot(deal)
            COUNTS["won"] += 1

    def _version(self, deal_id: int) -> int:
        deal = self.session.get(Deal, deal_id) if deal_id else None
        return self.deal(deal_id).version if deal is not None else 1

    @rule(deal=deals, stale=st.booleans())
    def approve(self, deal, stale):
        version = self._version(deal) - (1 if stale else 0)
        self.attempt(deal_changes.approve, actor=self.provider, deal_id=deal, version=version)

    @rule(deal=deals)
    def reject_deal(self, deal):
        self.attempt(
            deal_changes.reject,
            actor=self.provider,
            deal_id=deal,
            version=self._version(deal),
            reason="Duplicate",
        )

    @rule(
        deal=deals,
        index=st.integers(0, 20),
        provider_side=st.booleans(),
        with_reason=st.booleans(),
    )
    def move_deal(self, deal, index, provider_side, with_reason):
        stage = self.deal_stages[index % len(self.deal_stages)]
        reason = self.lost_reasons[0] if with_reason and self.lost_reasons else None
        self.move_to(deal, stage.id, self.side(provider_side), reason)

    @rule(deal=deals)
    def refund(self, deal):
        done = self.attempt(
            ledger.refund_deal, actor=self.provider, deal_id=deal, reason="Refunded"
        )
        COUNTS["refunded"] += done is not None

    # invariants ----------------------------------------------------------------------------

    def snapshot(self, deal_id: int) -> tuple:
        deal = self.deal(deal_id)
        return (deal.stage_id, deal.outcome, deal.version, deal.amount, deal.approval)

    @invariant()
    def one_outcome_matching_the_stage(self):
        stages = {s.id: s for s in self.deal_stages}
        for deal in self.session.exec(
            select(Deal).where(Deal.provider_org_id == self.provider.org_id)
        ).all():
            self.session.refresh(deal)
            stage = stages[deal.stage_id]
            expected = "won" if stage.is_won else "lost" if stage.is_lost else "open"
            assert deal.outcome == expected, (deal.id, deal.outcome, stage.name)

    @invariant()
    def closed_won_is_final(self):
        for deal_id, then in self.won_snapshot.items():
            assert self.snapshot(deal_id) == then, deal_id

    @invariant()
    def ledger_balanced_and_only_for_won_deals(self):
        sums = self.session.exec(
            select(LedgerEntry.transaction_id, func.sum(LedgerEntry.amount)).group_by(
                col(LedgerEntry.transaction_id)
            )
        ).all()
        assert all(total == 0 for _, total in sums), sums
        rows = self.session.exec(
            select(LedgerTransaction.deal_id, LedgerTransaction.kind).where(
                LedgerTransaction.provider_org_id == self.provider.org_id
            )
        ).all()
        for deal_id in {d for d, _ in rows}:
            assert deal_id in self.won_snapshot, f"deal {deal_id} has money but never won"
        for deal_id in self.won_snapshot:
            accruals = [k for d, k in rows if d == deal_id and k == LedgerKind.COMMISSION_ACCRUAL]
            assert len(accruals) == 1, (deal_id, accruals)

    @invariant()
    def recipients_convert_once_and_final_states_stay(self):
        for recipient in self.session.exec(
            select(LeadRecipient).where(LeadRecipient.org_id == self.provider.org_id)
        ).all():
            self.session.refresh(recipient)
            made = self.session.exec(
                select(func.count())
                .select_from(Deal)
                .where(Deal.source_recipient_id == recipient.id)
            ).one()
            assert made == (1 if recipient.status == "converted" else 0), recipient.id
            if recipient.id in self.final_status:
                assert recipient.status == self.final_status[recipient.id]
            elif recipient.status in ("converted", "rejected"):
                self.final_status[recipient.id] = recipient.status


@pytest.fixture(autouse=True)
def _cheap_password_hashing(monkeypatch):
    monkeypatch.setattr(auth, "_hasher", PasswordHasher(time_cost=1, memory_cost=8, parallelism=1))


def test_any_sequence_of_operations_keeps_the_invariants(engine):
    COUNTS.update(examples=0, steps=0, refused=0, won=0, refunded=0)
    run_state_machine_as_test(
        lambda: PipelineMachine(engine),
        settings=settings(
            max_examples=40,
            stateful_step_count=25,
            deadline=None,
            suppress_health_check=list(HealthCheck),
            database=None,
        ),
    )
    report(
        f"Hypothesis state machine on {engine.dialect.name}: {COUNTS['examples']} cases, "
        f"{COUNTS['steps']} operations ({COUNTS['refused']} refused), "
        f"{COUNTS['won']} deals closed won, {COUNTS['refunded']} refunds of them"
    )
    assert COUNTS["steps"] > COUNTS["refused"] > 0
    assert COUNTS["won"] > 0, "no sequence reached Closed Won: the machine explores too little"
