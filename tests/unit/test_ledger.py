"""Commissions, referral credits and redemptions: the double-entry ledger and its workflow."""

from decimal import Decimal

import pytest
from argon2 import PasswordHasher
from sqlmodel import col, func, select

from prm_app.models import (
    ActivityEvent,
    Deal,
    LedgerEntry,
    LedgerTransaction,
    Notification,
    OrgKind,
    OrgSettings,
    PayoutRequest,
    Role,
)
from prm_app.services import leads, ledger
from prm_app.services.core.errors import Invalid, NotAllowed, NotFound
from prm_app.services.deals import lifecycle as deal_changes
from prm_app.services.identity import auth
from prm_app.services.leads import LeadInput
from prm_app.services.ledger import payouts
from tests.unit.factories import colleague, deal_stage, org_admin, partners


@pytest.fixture(autouse=True)
def _cheap_password_hashing(monkeypatch):
    monkeypatch.setattr(auth, "_hasher", PasswordHasher(time_cost=1, memory_cost=8, parallelism=1))


def _program(session, provider, **rules) -> OrgSettings:
    settings = session.get(OrgSettings, provider.org_id)
    for name, value in rules.items():
        setattr(settings, name, value)
    session.add(settings)
    session.flush()
    return settings


def _setup(session, **rules):
    provider = org_admin(session, kind=OrgKind.PROVIDER, org_name="Northwind", name="Pia")
    consultant = org_admin(session, kind=OrgKind.CONSULTANT, org_name="Fabrikam", name="Carl")
    partners(session, provider, consultant)
    _program(session, provider, **rules)
    return provider, consultant


def _deal(session, provider, consultant, amount="10000") -> Deal:
    """An approved deal the provider recorded for the partner."""
    found = deal_changes.register(
        session,
        actor=provider,
        other_org_id=consultant.org_id,
        form={
            "name": "Contoso ERP",
            "company": "Contoso Ltd",
            "contact_name": "",
            "contact_email": "",
            "amount": amount,
            "close_date": "",
            "product_ids": [],
        },
    )
    return session.get(Deal, found.deal_id)


def _referral_deal(session, provider, consultant, amount="20000") -> Deal:
    """A deal converted from the provider's referral (approved at once)."""
    data = LeadInput("Jane", "Doe", "jane@tailwind.com", "Tailwind", "", "", "")
    _, (recipient_id,) = leads.create_and_submit(
        session,
        actor=provider,
        data=data,
        owner_id=provider.user_id,
        recipient_org_ids=[consultant.org_id],
    )
    leads.accept(session, actor=consultant, recipient_id=recipient_id)
    deal_id = leads.convert(session, actor=provider, recipient_id=recipient_id, amount=amount)
    return session.get(Deal, deal_id)


def _win(session, provider, deal) -> None:
    deal_changes.move_stage(
        session,
        actor=provider,
        deal_id=deal.id,
        version=deal.version,
        stage_id=deal_stage(session, provider, "Closed Won"),
    )


def _balance(session, actor) -> ledger.Balance:
    (found,) = ledger.balances(session, actor=actor)
    return found


def _assert_balanced(session) -> None:
    session.flush()
    sums = session.exec(
        select(LedgerEntry.transaction_id, func.sum(LedgerEntry.amount)).group_by(
            LedgerEntry.transaction_id
        )
    ).all()
    assert sums and all(total == 0 for _, total in sums)


def _transactions(session, deal_id=None, kind=None) -> list[LedgerTransaction]:
    session.flush()
    query = select(LedgerTransaction).order_by(col(LedgerTransaction.id))
    if deal_id is not None:
        query = query.where(LedgerTransaction.deal_id == deal_id)
    if kind is not None:
        query = query.where(LedgerTransaction.kind == kind)
    return list(session.exec(query))


def _legs(session, transaction) -> dict[str, Decimal]:
    return {
        e.account: e.amount
        for e in session.exec(
            select(LedgerEntry).where(LedgerEntry.transaction_id == transaction.id)
        )
    }


def _approve_all(session, provider) -> None:
    for transaction in _transactions(session, kind="commission_accrual"):
        if transaction.status == "pending":
            ledger.approve_commission(session, actor=provider, transaction_id=transaction.id)


# terms and accrual -----------------------------------------------------------------------------


def test_terms_show_to_both_sides_once_the_deal_is_accepted(session):
    provider, consultant = _setup(session)
    registered = deal_changes.register(
        session,
        actor=consultant,
        other_org_id=provider.org_id,
        form={"name": "X", "company": "X Ltd", "amount": "5000", "product_ids": []},
    )
    pending = ledger.deal_money(session, actor=consultant, deal_id=registered.deal_id)
    assert (pending.terms, pending.commission) == ("", None)
    deal = session.get(Deal, registered.deal_id)
    deal_changes.approve(session, actor=provider, deal_id=deal.id, version=deal.version)
    for actor in (provider, consultant):
        seen = ledger.deal_money(session, actor=actor, deal_id=deal.id)
        assert seen.terms == "10% of the deal amount (the program's default)"
        assert (seen.commission, seen.commission_status) == (Decimal("500.00"), "expected")


def test_closed_won_accrues_a_pending_commission_in_one_balanced_transaction(session):
    provider, consultant = _setup(session)
    deal = _deal(session, provider, consultant, amount="12345.67")
    _win(session, provider, deal)

    (accrual,) = _transactions(session, deal_id=deal.id)
    assert (accrual.kind, accrual.status) == ("commission_accrual", "pending")
    assert _legs(session, accrual) == {
        ledger.EXPENSE: Decimal("1234.57"),
        ledger.PENDING: Decimal("-1234.57"),
    }
    _assert_balanced(session)
    for actor in (provider, consultant):
        balance = _balance(session, actor)
        assert (balance.pending, balance.available) == (Decimal("1234.57"), 0)
        money = ledger.deal_money(session, actor=actor, deal_id=deal.id)
        assert (money.commission, money.commission_status) == (Decimal("1234.57"), "pending")
    assert ledger.deal_money(session, actor=provider, deal_id=deal.id).can_approve
    assert not ledger.deal_money(session, actor=consultant, deal_id=deal.id).can_approve
    # A deal without a source lead earns no referral credit.
    assert _transactions(session, kind="credit_award") == []


def test_flat_and_percentage_terms_per_partnership(session):
    provider, consultant = _setup(session)
    (terms,) = ledger.partner_terms(session, actor=provider)
    assert (terms.kind, terms.partner_name) == ("default", "Fabrikam")
    ledger.set_terms(
        session, actor=provider, partnership_id=terms.partnership_id, kind="flat", value="750"
    )
    deal = _deal(session, provider, consultant)
    assert ledger.deal_money(session, actor=consultant, deal_id=deal.id).terms == (
        "USD 750.00 per won deal"
    )
    _win(session, provider, deal)
    assert _balance(session, consultant).pending == Decimal("750.00")

    ledger.set_terms(
        session, actor=provider, partnership_id=terms.partnership_id, kind="percent", value="12.5"
    )
    assert ledger.partner_terms(session, actor=provider)[0].description == (
        "12.5% of the deal amount"
    )
    with pytest.raises(Invalid, match="at most 100"):
        ledger.set_terms(
            session, actor=provider, partnership_id=terms.partnership_id, kind="percent", value=101
        )
    for bad_kind in ("bogus", None, {"x": 1}, ["flat"]):
        with pytest.raises(Invalid):
            ledger.set_terms(
                session, actor=provider, partnership_id=terms.partnership_id, kind=bad_kind, value=1
            )
    with pytest.raises(NotAllowed):
        ledger.set_terms(
            session, actor=consultant, partnership_id=terms.partnership_id, kind="default", value=""
        )
    other = org_admin(session, kind=OrgKind.PROVIDER)
    with pytest.raises(NotFound):
        ledger.set_terms(
            session, actor=other, partnership_id=terms.partnership_id, kind="default", value=""
        )
    ledger.set_terms(
        session, actor=provider, partnership_id=terms.partnership_id, kind="default", value=""
    )
    assert ledger.partner_terms(session, actor=provider)[0].kind == "default"


def test_an_accrual_keeps_the_terms_it_was_computed_on(session):
    """Terms changed after Closed Won change neither the accrual nor the terms shown beside it."""
    provider, consultant = _setup(session)
    (terms,) = ledger.partner_terms(session, actor=provider)
    set_terms = {"session": session, "actor": provider, "partnership_id": terms.partnership_id}
    ledger.set_terms(**set_terms, kind="percent", value="15")
    deal = _deal(session, provider, consultant)
    _win(session, provider, deal)
    ledger.set_terms(**set_terms, kind="percent", value="12")
    for viewer in (provider, consultant):
        money = ledger.deal_money(session, actor=viewer, deal_id=deal.id)
        assert money.terms == "15% of the deal amount"
        assert money.commission == (deal.amount * Decimal("0.15")).quantize(Decimal("0.01"))
    other = _deal(session, provider, consultant)  # an open deal is shown today's terms
    assert ledger.deal_money(session, actor=consultant, deal_id=other.id).terms == (
        "12% of the deal amount"
    )


def test_approval_makes_the_commission_available(session):
    provider, consultant = _setup(session)
    deal = _deal(session, provider, consultant)
    _win(session, provider, deal)
    (accrual,) = _transactions(session, deal_id=deal.id)
    with pytest.raises(NotAllowed):
        ledger.approve_commission(session, actor=consultant, transaction_id=accrual.id)
    ledger.approve_commission(session, actor=provider, transaction_id=accrual.id)
    with pytest.raises(Invalid, match="already approved"):
        ledger.approve_commission(session, actor=provider, transaction_id=accrual.id)

    assert accrual.status == "approved"
    approval = _transactions(session, kind="commission_approval")[0]
    assert _legs(session, approval) == {
        ledger.PENDING: Decimal("1000.00"),
        ledger.COMMISSION: Decimal("-1000.00"),
    }
    _assert_balanced(session)
    balance = _balance(session, consultant)
    assert (balance.pending, balance.commission, balance.available) == (0, 1000, 1000)


# referral credits and redemptions --------------------------------------------------------------


def test_a_referral_won_awards_the_providers_credit(session):
    provider, consultant = _setup(session, referral_credit_amount=Decimal("250"))
    deal = _referral_deal(session, provider, consultant)
    _win(session, provider, deal)

    _, award = _transactions(session, deal_id=deal.id)
    assert (award.kind, award.status) == ("credit_award", "approved")
    assert _legs(session, award) == {
        ledger.CREDIT_EXPENSE: Decimal("250.00"),
        ledger.CREDITS: Decimal("-250.00"),
    }
    _assert_balanced(session)
    balance = _balance(session, consultant)
    assert (balance.credits, balance.pending, balance.available) == (250, 2000, 250)
    money = ledger.deal_money(session, actor=consultant, deal_id=deal.id)
    assert (money.credit, money.credit_status) == (Decimal("250.00"), "approved")
    assert session.exec(select(PayoutRequest)).all() == []  # auto-apply is off


def test_auto_apply_requests_the_credit_on_the_next_invoice(session):
    provider, consultant = _setup(
        session, referral_credit_amount=Decimal("250"), auto_apply_credits=True
    )
    _win(session, provider, _referral_deal(session, provider, consultant))

    (request,) = payouts.list_requests(session, actor=consultant).rows
    assert (request.kind, request.amount, request.status) == ("auto_invoice", 250, "requested")
    assert request.requested_by == "Automatically"
    assert _balance(session, consultant).available == 0  # held by the request
    payouts.approve(session, actor=provider, request_id=request.id)
    payouts.mark_paid(session, actor=provider, request_id=request.id, reference="INV-7")
    told = session.exec(
        select(Notification.user_id, Notification.text).where(Notification.kind == "payout_paid")
    ).all()
    assert told == [
        (consultant.user_id, "Northwind applied USD 250.00 of your credits to your next invoice.")
    ]
    balance = _balance(session, consultant)
    assert (balance.credits, balance.redeemed) == (0, 250)
    _assert_balanced(session)


def test_a_cash_payout_below_the_threshold_is_refused_with_a_clear_message(session):
    provider, consultant = _setup(session, payout_threshold=Decimal("2000"))
    _win(session, provider, _deal(session, provider, consultant))  # USD 1,000 commission
    _approve_all(session, provider)
    with pytest.raises(Invalid) as refused:
        payouts.request(
            session,
            actor=consultant,
            provider_org_id=provider.org_id,
            kind="cash",
            amount="1000",
            method="paypal",
        )
    assert str(refused.value) == (
        "Cash payouts start at USD 2,000.00: ask for at least that much "
        "(you have USD 1,000.00 available)."
    )
    assert refused.value.field == "amount"
    assert session.exec(select(PayoutRequest)).all() == []


def test_cash_payout_requested_approved_and_paid(session):
    provider, consultant = _setup(session, payout_threshold=Decimal("100"))
    provider_manager = colleague(session, provider, role=Role.MANAGER)
    _win(session, provider, _deal(session, provider, consultant))
    _approve_all(session, provider)

    with pytest.raises(Invalid, match="payment method"):
        payouts.request(
            session,
            actor=consultant,
            provider_org_id=provider.org_id,
            kind="cash",
            amount="100",
            method="gold bars",
        )
    with pytest.raises(Invalid, match=r"more than you have available: USD 1,000\.00"):
        payouts.request(
            session,
            actor=consultant,
            provider_org_id=provider.org_id,
            kind="cash",
            amount="1000.01",
            method="paypal",
        )
    request_id = payouts.request(
        session,
        actor=consultant,
        provider_org_id=provider.org_id,
        kind="cash",
        amount="1000",
        method="paypal",
    )
    told = session.exec(
        select(Notification.user_id, Notification.kind, Notification.link).where(
            Notification.kind == "payout_requested"
        )
    ).all()
    assert sorted(told) == sorted(
        [
            (provider.user_id, "payout_requested", "/p/commissions"),
            (provider_manager.user_id, "payout_requested", "/p/commissions"),
        ]
    )
    asked = session.exec(
        select(Notification.text).where(Notification.kind == "payout_requested")
    ).first()
    assert asked == "Fabrikam asks to redeem USD 1,000.00: cash payout."
    # The balance is held: a second request cannot spend it again.
    assert _balance(session, consultant).available == 0
    with pytest.raises(Invalid, match="more than you have available"):
        payouts.request(
            session,
            actor=consultant,
            provider_org_id=provider.org_id,
            kind="discount",
            amount="1",
        )
    with pytest.raises(Invalid, match="Only an approved request"):
        payouts.mark_paid(session, actor=provider, request_id=request_id)
    with pytest.raises(NotAllowed):
        payouts.approve(session, actor=consultant, request_id=request_id)

    payouts.approve(session, actor=provider, request_id=request_id)
    (redemption,) = _transactions(session, kind="redemption")
    assert _legs(session, redemption) == {
        ledger.COMMISSION: Decimal("1000.00"),
        ledger.DUE: Decimal("-1000.00"),
    }
    assert _balance(session, consultant).due == 1000
    with pytest.raises(Invalid, match="already approved"):
        payouts.decline(session, actor=provider, request_id=request_id, reason="No")

    payouts.mark_paid(session, actor=provider, request_id=request_id, reference="PP-123")
    (payment,) = _transactions(session, kind="payout")
    assert _legs(session, payment) == {
        ledger.DUE: Decimal("1000.00"),
        "provider:cash": Decimal("-1000.00"),
    }
    _assert_balanced(session)
    balance = _balance(session, consultant)
    assert (balance.commission, balance.due, balance.redeemed) == (0, 0, 1000)
    (accrual,) = _transactions(session, kind="commission_accrual")
    assert accrual.status == "paid"  # pending -> approved -> paid
    (row,) = payouts.list_requests(session, actor=provider).rows
    assert (row.status, row.note, row.method, row.requested_by) == (
        "paid",
        "PP-123",
        "paypal",
        "Fabrikam",  # the other side reads the organization's name
    )
    assert payouts.list_requests(session, actor=consultant).rows[0].requested_by == "Carl"
    paid_note = session.exec(select(Notification).where(Notification.kind == "payout_paid")).one()
    assert (paid_note.user_id, paid_note.link) == (consultant.user_id, "/c/commissions")
    assert "paid your cash payout of USD 1,000.00" in paid_note.text


def test_invoice_credit_needs_the_invoice_and_draws_credits_first(session):
    provider, consultant = _setup(session, referral_credit_amount=Decimal("300"))
    _win(session, provider, _referral_deal(session, provider, consultant, amount="1000"))
    _approve_all(session, provider)  # USD 100 commission + USD 300 credits
    with pytest.raises(Invalid, match="Invoice is required"):
        payouts.request(
            session,
            actor=consultant,
            provider_org_id=provider.org_id,
            kind="invoice_credit",
            amount="350",
        )
    request_id = payouts.request(
        session,
        actor=consultant,
        provider_org_id=provider.org_id,
        kind="invoice_credit",
        amount="350",
        invoice_ref="INV-2031",
    )
    payouts.approve(session, actor=provider, request_id=request_id)
    (redemption,) = _transactions(session, kind="redemption")
    assert _legs(session, redemption) == {
        ledger.CREDITS: Decimal("300.00"),
        ledger.COMMISSION: Decimal("50.00"),
        ledger.DUE: Decimal("-350.00"),
    }
    assert redemption.memo == "Credit against an invoice (INV-2031)"
    payouts.mark_paid(session, actor=provider, request_id=request_id)
    (payment,) = _transactions(session, kind="payout")
    assert _legs(session, payment)["provider:invoice_credits"] == Decimal("-350.00")
    balance = _balance(session, consultant)
    assert (balance.credits, balance.commission, balance.available) == (0, 50, 50)
    # Half the commission was drawn: it is not paid yet.
    assert _transactions(session, kind="commission_accrual")[0].status == "approved"
    _assert_balanced(session)


def test_discount_and_next_invoice_requests_and_a_decline(session):
    provider, consultant = _setup(session)
    _win(session, provider, _deal(session, provider, consultant))
    _approve_all(session, provider)
    discount = payouts.request(
        session, actor=consultant, provider_org_id=provider.org_id, kind="discount", amount="200"
    )
    next_invoice = payouts.request(
        session,
        actor=consultant,
        provider_org_id=provider.org_id,
        kind="auto_invoice",
        amount="300",
    )
    assert _balance(session, consultant).available == 500
    with pytest.raises(Invalid, match="Reason is required"):
        payouts.decline(session, actor=provider, request_id=discount, reason=" ")
    payouts.decline(session, actor=provider, request_id=discount, reason="Not this quarter")
    assert _balance(session, consultant).available == 700
    assert _transactions(session, kind="redemption") == []  # a decline moves nothing
    payouts.approve(session, actor=provider, request_id=next_invoice)
    payouts.mark_paid(session, actor=provider, request_id=next_invoice)
    (payment,) = _transactions(session, kind="payout")
    assert _legs(session, payment)["provider:invoice_credits"] == Decimal("-300.00")
    statuses = {
        r.id: (r.status, r.note) for r in payouts.list_requests(session, actor=consultant).rows
    }
    assert statuses == {discount: ("declined", "Not this quarter"), next_invoice: ("paid", "")}
    _assert_balanced(session)

    _program(session, provider, payout_threshold=Decimal("0"))
    cash = payouts.request(
        session,
        actor=consultant,
        provider_org_id=provider.org_id,
        kind="discount",
        amount="700",
    )
    payouts.approve(session, actor=provider, request_id=cash)
    payouts.mark_paid(session, actor=provider, request_id=cash)
    assert _transactions(session, kind="payout")[-1].memo == "Discount on future purchases"
    assert _legs(session, _transactions(session, kind="payout")[-1])["provider:discounts"] == -700


def test_approval_refuses_a_request_the_balance_no_longer_covers(session):
    provider, consultant = _setup(session)
    deal = _deal(session, provider, consultant)
    _win(session, provider, deal)
    _approve_all(session, provider)
    request_id = payouts.request(
        session, actor=consultant, provider_org_id=provider.org_id, kind="discount", amount="600"
    )
    ledger.refund_deal(session, actor=provider, deal_id=deal.id, reason="Customer refunded")
    with pytest.raises(Invalid, match="no longer covers"):
        payouts.approve(session, actor=provider, request_id=request_id)


# clawback --------------------------------------------------------------------------------------


def test_a_refund_claws_back_a_pending_commission_and_the_credit(session):
    provider, consultant = _setup(session, referral_credit_amount=Decimal("250"))
    deal = _referral_deal(session, provider, consultant)
    _win(session, provider, deal)
    accrual, award = _transactions(session, deal_id=deal.id)

    with pytest.raises(NotAllowed):
        ledger.refund_deal(session, actor=consultant, deal_id=deal.id, reason="x")
    with pytest.raises(Invalid, match="Reason is required"):
        ledger.refund_deal(session, actor=provider, deal_id=deal.id, reason="")
    ledger.refund_deal(session, actor=provider, deal_id=deal.id, reason="Customer refunded")

    clawbacks = _transactions(session, kind="clawback")
    assert [c.reverses_id for c in clawbacks] == [accrual.id, award.id]
    assert _legs(session, clawbacks[0]) == {
        ledger.PENDING: Decimal("2000.00"),
        ledger.EXPENSE: Decimal("-2000.00"),
    }
    assert _legs(session, clawbacks[1]) == {
        ledger.CREDITS: Decimal("250.00"),
        ledger.CREDIT_EXPENSE: Decimal("-250.00"),
    }
    assert (accrual.status, award.status) == ("reversed", "reversed")
    # History is kept: the original legs are untouched.
    assert _legs(session, accrual)[ledger.PENDING] == Decimal("-2000.00")
    _assert_balanced(session)
    balance = _balance(session, consultant)
    assert (balance.pending, balance.credits, balance.available) == (0, 0, 0)
    money = ledger.deal_money(session, actor=consultant, deal_id=deal.id)
    assert (money.refunded, money.commission_status) == (True, "reversed")
    with pytest.raises(Invalid, match="already recorded"):
        ledger.refund_deal(session, actor=provider, deal_id=deal.id, reason="again")
    refunded = session.exec(
        select(ActivityEvent).where(
            ActivityEvent.entity_type == "deal", ActivityEvent.action == "refunded"
        )
    ).one()
    assert refunded.after == {"reason": "Customer refunded"}


def test_a_refund_after_payment_leaves_the_partner_owing(session):
    provider, consultant = _setup(session, payout_threshold=Decimal("0"))
    deal = _deal(session, provider, consultant)
    _win(session, provider, deal)
    _approve_all(session, provider)
    request_id = payouts.request(
        session,
        actor=consultant,
        provider_org_id=provider.org_id,
        kind="cash",
        amount="1000",
        method="bank_transfer",
    )
    payouts.approve(session, actor=provider, request_id=request_id)
    payouts.mark_paid(session, actor=provider, request_id=request_id)
    ledger.refund_deal(session, actor=provider, deal_id=deal.id, reason="Chargeback")

    (clawback,) = _transactions(session, kind="clawback")
    assert _legs(session, clawback) == {
        ledger.COMMISSION: Decimal("1000.00"),
        ledger.EXPENSE: Decimal("-1000.00"),
    }
    balance = _balance(session, consultant)
    assert (balance.commission, balance.available, balance.redeemed) == (-1000, -1000, 1000)
    _assert_balanced(session)
    # Asking for more says what the balance is, not "USD 0.00 available".
    with pytest.raises(Invalid, match=r"Your balance with this provider is USD -1,000\.00"):
        payouts.request(
            session,
            actor=consultant,
            provider_org_id=provider.org_id,
            kind="cash",
            amount="10",
            method="bank_transfer",
        )


def test_only_a_won_deal_with_earnings_is_refunded(session):
    provider, consultant = _setup(session)
    deal = _deal(session, provider, consultant)
    with pytest.raises(Invalid, match="Only a Closed Won deal"):
        ledger.refund_deal(session, actor=provider, deal_id=deal.id, reason="x")
    _program(session, provider, default_commission_pct=Decimal("0"))
    _win(session, provider, deal)
    assert _transactions(session) == []  # nothing to accrue at 0%
    with pytest.raises(Invalid, match="nothing to reverse"):
        ledger.refund_deal(session, actor=provider, deal_id=deal.id, reason="x")


# statements ------------------------------------------------------------------------------------


def test_statement_lines_and_csv(session):
    provider, consultant = _setup(session, referral_credit_amount=Decimal("250"))
    deal = _referral_deal(session, provider, consultant)
    _win(session, provider, deal)
    page = ledger.statement(session, actor=consultant)
    assert page.total == 2
    assert [(line.kind, line.amount, line.effect, line.other_name) for line in page.rows] == [
        ("credit_award", Decimal("250.00"), Decimal("250.00"), "Northwind"),
        ("commission_accrual", Decimal("2000.00"), Decimal("2000.00"), "Northwind"),
    ]
    assert all(line.deal_name == deal.name for line in page.rows)
    only = ledger.statement(session, actor=provider, kind="credit_award")
    assert [line.other_name for line in only.rows] == ["Fabrikam"]
    text = "".join(ledger.statement_csv(session, actor=provider))
    assert text.splitlines()[0] == ("ID,Date,Partner,Type,Status,Deal,Memo,Amount,Effect,Currency")
    assert "Referral credit" in text and "Commission accrued" in text
    with pytest.raises(Invalid):
        ledger.statement(session, actor=provider, kind="'; drop table deals; --")


def test_csv_values_cannot_run_as_formulas(session):
    provider, consultant = _setup(session, payout_threshold=Decimal("0"))
    _win(session, provider, _deal(session, provider, consultant))
    _approve_all(session, provider)
    payouts.request(
        session,
        actor=consultant,
        provider_org_id=provider.org_id,
        kind="invoice_credit",
        amount="10",
        invoice_ref='=HYPERLINK("http://evil")',
    )
    text = "".join(payouts.requests_csv(session, actor=provider))
    assert "'=HYPERLINK" in text
    assert text.splitlines()[0].startswith("ID,Partner,Type,Method,Invoice,Amount")


# who sees what ---------------------------------------------------------------------------------


def test_one_organization_never_sees_anothers_ledger(session):
    provider, consultant = _setup(session, payout_threshold=Decimal("0"))
    deal = _deal(session, provider, consultant)
    _win(session, provider, deal)
    _approve_all(session, provider)
    request_id = payouts.request(
        session, actor=consultant, provider_org_id=provider.org_id, kind="discount", amount="5"
    )
    (accrual,) = _transactions(session, kind="commission_accrual")
    other_provider, other_consultant = _setup(session)
    for outsider in (other_provider, other_consultant):
        assert ledger.balances(session, actor=outsider) == []
        assert ledger.statement(session, actor=outsider).total == 0
        assert payouts.list_requests(session, actor=outsider).total == 0
        assert "Contoso" not in "".join(ledger.statement_csv(session, actor=outsider))
        with pytest.raises(NotFound):
            ledger.deal_money(session, actor=outsider, deal_id=deal.id)
    for attempt in (
        lambda: ledger.approve_commission(session, actor=other_provider, transaction_id=accrual.id),
        lambda: ledger.refund_deal(session, actor=other_provider, deal_id=deal.id, reason="x"),
        lambda: payouts.approve(session, actor=other_provider, request_id=request_id),
        lambda: payouts.decline(session, actor=other_provider, request_id=request_id, reason="x"),
        lambda: payouts.mark_paid(session, actor=other_provider, request_id=request_id),
        lambda: payouts.request(
            session,
            actor=other_consultant,
            provider_org_id=provider.org_id,
            kind="discount",
            amount="1",
        ),
    ):
        with pytest.raises(NotFound):
            attempt()
    # A provider's filter naming someone else's partner finds nothing either.
    assert ledger.balances(session, actor=other_provider, other_org_id=consultant.org_id) == []


def test_members_do_not_read_the_books(session):
    provider, consultant = _setup(session)
    members = [colleague(session, provider), colleague(session, consultant)]
    for member in members:
        for attempt in (
            lambda m=member: ledger.balances(session, actor=m),
            lambda m=member: ledger.statement(session, actor=m),
            lambda m=member: payouts.list_requests(session, actor=m),
        ):
            with pytest.raises(NotAllowed):
                attempt()
    with pytest.raises(NotAllowed):
        payouts.request(
            session, actor=members[1], provider_org_id=provider.org_id, kind="cash", amount=100
        )
    with pytest.raises(NotAllowed):
        ledger.partner_terms(session, actor=members[0])


@pytest.mark.parametrize(
    "hostile",
    [None, True, -1, 0, 2**70, "1 OR 1=1", {"id": 1}, [1], 1.5, "\x00", "9" * 40],
)
def test_hostile_ids_are_refused(session, hostile):
    provider, consultant = _setup(session)
    for attempt in (
        lambda: ledger.approve_commission(session, actor=provider, transaction_id=hostile),
        lambda: ledger.refund_deal(session, actor=provider, deal_id=hostile, reason="x"),
        lambda: ledger.deal_money(session, actor=consultant, deal_id=hostile),
        lambda: payouts.approve(session, actor=provider, request_id=hostile),
        lambda: payouts.mark_paid(session, actor=provider, request_id=hostile),
        lambda: payouts.request(
            session, actor=consultant, provider_org_id=hostile, kind="cash", amount=100
        ),
    ):
        with pytest.raises((NotFound, Invalid)):
            attempt()


@pytest.mark.parametrize(
    "amount", [None, "", "-5", "0", "1e400", "NaN", "12.345", {"a": 1}, [1], True, "x" * 1000]
)
def test_hostile_amounts_are_refused(session, amount):
    provider, consultant = _setup(session, payout_threshold=Decimal("0"))
    with pytest.raises(Invalid):
        payouts.request(
            session,
            actor=consultant,
            provider_org_id=provider.org_id,
            kind="discount",
            amount=amount,
        )


def test_hostile_kinds_methods_and_texts_are_refused(session):
    provider, consultant = _setup(session, payout_threshold=Decimal("0"))
    base = {"actor": consultant, "provider_org_id": provider.org_id, "amount": "1"}
    for kind in (None, "", "CASH", ["cash"], {"k": "cash"}, "bonus"):
        with pytest.raises(Invalid, match="how to redeem"):
            payouts.request(session, kind=kind, **base)
    for method in (None, "", ["paypal"], "PayPal", "venmo"):
        with pytest.raises(Invalid, match="payment method"):
            payouts.request(session, kind="cash", method=method, **base)
    for ref in (None, "", "x" * 101, {"a": 1}, "\x00"):
        with pytest.raises(Invalid):
            payouts.request(session, kind="invoice_credit", invoice_ref=ref, **base)
    for status in ("paid'", ["paid"], 3):
        with pytest.raises(Invalid):
            payouts.list_requests(session, actor=provider, status=status)
    for page in (0, -1, "x", 10**9):
        with pytest.raises(Invalid):
            ledger.statement(session, actor=provider, page=page)
