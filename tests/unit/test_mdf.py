"""Market development funds on the ledger: budgets, allocations, requests, claims with
receipts, reimbursement through the payout flow, expiry, balances, exports and return on
funds."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from argon2 import PasswordHasher
from sqlmodel import col, func, select

from prm_app.models import (
    BudgetStatus,
    Deal,
    FundRequestStatus,
    LedgerEntry,
    LedgerKind,
    LedgerTransaction,
    MdfRequest,
    Notification,
    OrgKind,
    Partnership,
    PayoutKind,
    PayoutStatus,
    Role,
    TaxonomyTerm,
    TermKind,
    WebhookDelivery,
    WebhookEndpoint,
)
from prm_app.services import leads, mdf
from prm_app.services.core import upload_store
from prm_app.services.core.errors import Invalid, NotAllowed, NotFound
from prm_app.services.deals import lifecycle as deal_changes
from prm_app.services.identity import auth
from prm_app.services.leads import LeadInput
from prm_app.services.ledger import payouts
from prm_app.services.mdf import books
from tests.unit.factories import colleague, deal_stage, org_admin, partners

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32
TODAY = date.today()


@pytest.fixture(autouse=True)
def _cheap_password_hashing(monkeypatch):
    monkeypatch.setattr(auth, "_hasher", PasswordHasher(time_cost=1, memory_cost=8, parallelism=1))


@pytest.fixture(autouse=True)
def _private_uploads(monkeypatch, tmp_path):
    monkeypatch.setattr(upload_store, "directory", lambda: tmp_path)


def upload(content: bytes, name: str = "receipt.pdf") -> tuple[str, str]:
    key, handle = upload_store.create()
    with handle:
        handle.write(content)
    return key, name


def _setup(session):
    provider = org_admin(session, kind=OrgKind.PROVIDER, org_name="Northwind", name="Pia")
    consultant = org_admin(session, kind=OrgKind.CONSULTANT, org_name="Fabrikam", name="Carl")
    partners(session, provider, consultant)
    return provider, consultant


def _budget(session, provider, amount="10000", start=None, end=None) -> int:
    return mdf.create_budget(
        session,
        actor=provider,
        name="FY27 Q1",
        period_start=(start or TODAY - timedelta(days=10)).isoformat(),
        period_end=(end or TODAY + timedelta(days=80)).isoformat(),
        amount=amount,
    )


def _request(session, consultant, budget_id, amount="3000") -> int:
    return mdf.request_funds(
        session,
        actor=consultant,
        budget_id=budget_id,
        activity_type="webinar",
        title="Spring webinar",
        description="Joint webinar on ERP",
        starts_on=(TODAY + timedelta(days=5)).isoformat(),
        ends_on=(TODAY + timedelta(days=5)).isoformat(),
        amount=amount,
        expected_leads="40",
    )


def _assert_balanced(session) -> None:
    session.flush()
    sums = session.exec(
        select(LedgerEntry.transaction_id, func.sum(LedgerEntry.amount)).group_by(
            LedgerEntry.transaction_id
        )
    ).all()
    assert sums and all(total == 0 for _, total in sums)


def _kinds(session) -> list[str]:
    session.flush()
    return list(
        session.exec(select(LedgerTransaction.kind).order_by(col(LedgerTransaction.id))).all()
    )


def _balance(session, actor) -> books.FundsBalance:
    (found,) = mdf.balances(session, actor=actor)
    return found


def test_budget_to_payout_balances_on_both_sides(session):
    provider, consultant = _setup(session)
    budget_id = _budget(session, provider)
    mdf.allocate(
        session,
        actor=provider,
        budget_id=budget_id,
        amount="5000",
        partner_org_id=consultant.org_id,
    )
    request_id = _request(session, consultant, budget_id, amount="3000")
    mdf.approve_request(session, actor=provider, request_id=request_id, amount="2500")
    seen = _balance(session, consultant)
    assert (seen.allocated, seen.available, seen.committed, seen.spent) == (
        Decimal("5000.00"),
        Decimal("2500.00"),
        Decimal("2500.00"),
        Decimal(0),
    )
    with pytest.raises(Invalid, match="cannot exceed the approved amount"):
        mdf.submit_claim(
            session,
            actor=consultant,
            request_id=request_id,
            amount="2500.01",
            results="120 attendees",
            actual_leads="12",
            receipts=[upload(PDF)],
        )
    claim_id = mdf.submit_claim(
        session,
        actor=consultant,
        request_id=request_id,
        amount="2000",
        results="120 attendees",
        actual_leads="12",
        receipts=[upload(PDF, "venue.pdf"), upload(PNG, "ads.png")],
    )
    with pytest.raises(Invalid, match="at most the amount claimed"):
        mdf.approve_claim(session, actor=provider, claim_id=claim_id, amount="2100")
    payout_id = mdf.approve_claim(session, actor=provider, claim_id=claim_id)
    _assert_balanced(session)
    assert _kinds(session) == [
        LedgerKind.MDF_ALLOCATION,
        LedgerKind.MDF_COMMITMENT,
        LedgerKind.MDF_CLAIM,
    ]
    for actor in (provider, consultant):
        seen = _balance(session, actor)
        # 500 of the approved 2,500 went back to the partner's available funds.
        assert (seen.allocated, seen.available, seen.committed, seen.spent) == (
            Decimal("5000.00"),
            Decimal("3000.00"),
            Decimal(0),
            Decimal("2000.00"),
        )
    (row,) = mdf.list_budgets(session, actor=provider)
    assert (row.amount, row.unallocated, row.available, row.spent) == (
        Decimal("10000.00"),
        Decimal("5000.00"),
        Decimal("3000.00"),
        Decimal("2000.00"),
    )
    request = session.get(MdfRequest, request_id)
    assert request.status == FundRequestStatus.CLAIMED

    # The reimbursement is in the partner's payouts, settled by the provider's usual flow.
    (listed,) = payouts.list_requests(session, actor=consultant).rows
    assert (listed.id, listed.kind, listed.status, listed.amount) == (
        payout_id,
        PayoutKind.MDF,
        PayoutStatus.APPROVED,
        Decimal("2000.00"),
    )
    payouts.mark_paid(session, actor=provider, request_id=payout_id, reference="TX-1")
    _assert_balanced(session)
    (listed,) = payouts.list_requests(session, actor=consultant).rows
    assert listed.status == PayoutStatus.PAID
    (mdf_row,) = mdf.list_requests(session, actor=consultant)
    assert (mdf_row.claim_status, mdf_row.payout_request_id) == ("approved", payout_id)
    receipts = mdf.receipts_of(session, actor=provider, claim_ids=[claim_id])
    assert [(r.file_name, r.media_type) for r in receipts] == [
        ("venue.pdf", "application/pdf"),
        ("ads.png", "image/png"),
    ]
    # A partner cannot ask its commission balance to be paid out as an MDF reimbursement.
    with pytest.raises(Invalid):
        payouts.request(
            session, actor=consultant, provider_org_id=provider.org_id, kind="mdf", amount="1"
        )


def test_allocation_fits_the_budget_and_tiers_expand(session):
    provider, consultant = _setup(session)
    other = org_admin(session, kind=OrgKind.CONSULTANT, org_name="Contoso")
    partners(session, provider, other)
    tier = TaxonomyTerm(org_id=provider.org_id, kind=TermKind.PARTNER_TIER, name="Gold MDF")
    session.add(tier)
    session.flush()
    for partnership in session.exec(
        select(Partnership).where(Partnership.provider_org_id == provider.org_id)
    ):
        partnership.partner_tier_id = tier.id
        session.add(partnership)
    budget_id = _budget(session, provider, amount="1000")
    with pytest.raises(Invalid, match="more than the budget"):
        mdf.allocate(session, actor=provider, budget_id=budget_id, amount="600", tier_id=tier.id)
    ids = mdf.allocate(session, actor=provider, budget_id=budget_id, amount="500", tier_id=tier.id)
    assert len(ids) == 2
    with pytest.raises(Invalid, match="more than the budget"):
        mdf.allocate(
            session,
            actor=provider,
            budget_id=budget_id,
            amount="0.01",
            partner_org_id=consultant.org_id,
        )
    _assert_balanced(session)
    assert {b.other_name for b in mdf.balances(session, actor=provider)} == {"Fabrikam", "Contoso"}
    # Each partner sees its own allocation only.
    assert [b.available for b in mdf.balances(session, actor=consultant)] == [Decimal("500.00")]
    with pytest.raises(Invalid, match="more than your available"):
        _request(session, consultant, budget_id, amount="500.01")


def test_expiry_returns_the_unused_allocation(session):
    provider, consultant = _setup(session)
    budget_id = _budget(session, provider, amount="2000")
    mdf.allocate(
        session,
        actor=provider,
        budget_id=budget_id,
        amount="1000",
        partner_org_id=consultant.org_id,
    )
    approved = _request(session, consultant, budget_id, amount="300")
    mdf.approve_request(session, actor=provider, request_id=approved)
    undecided = _request(session, consultant, budget_id, amount="100")
    end = session.get(books.MdfBudget, budget_id).period_end
    assert mdf.expire_ended(session, today=end) == 0  # the period's last day is still in it
    assert mdf.expire_ended(session, today=end + timedelta(days=1)) == 1
    _assert_balanced(session)
    seen = _balance(session, consultant)
    assert (seen.available, seen.committed, seen.expired) == (
        Decimal(0),
        Decimal("300.00"),  # approved requests keep their funds, to be claimed
        Decimal("700.00"),
    )
    (row,) = mdf.list_budgets(session, actor=provider)
    assert (row.status, row.unallocated) == (BudgetStatus.EXPIRED, Decimal("1700.00"))
    assert session.get(MdfRequest, undecided).status == FundRequestStatus.DENIED
    assert mdf.expire_ended(session, today=end + timedelta(days=2)) == 0  # once
    with pytest.raises(Invalid, match="period has ended"):
        mdf.allocate(
            session,
            actor=provider,
            budget_id=budget_id,
            amount="1",
            partner_org_id=consultant.org_id,
        )


def test_denial_rejection_and_claim_again(session):
    provider, consultant = _setup(session)
    budget_id = _budget(session, provider)
    mdf.allocate(
        session,
        actor=provider,
        budget_id=budget_id,
        amount="1000",
        partner_org_id=consultant.org_id,
    )
    denied = _request(session, consultant, budget_id, amount="200")
    with pytest.raises(Invalid):
        mdf.deny_request(session, actor=provider, request_id=denied, reason="  ")
    mdf.deny_request(session, actor=provider, request_id=denied, reason="Not in our market")
    with pytest.raises(Invalid, match="already denied"):
        mdf.approve_request(session, actor=provider, request_id=denied)
    request_id = _request(session, consultant, budget_id, amount="400")
    with pytest.raises(Invalid, match="at most the amount requested"):
        mdf.approve_request(session, actor=provider, request_id=request_id, amount="401")
    mdf.approve_request(session, actor=provider, request_id=request_id)
    claim = mdf.submit_claim(
        session,
        actor=consultant,
        request_id=request_id,
        amount="400",
        results="",
        actual_leads=0,
        receipts=[upload(PDF)],
    )
    with pytest.raises(Invalid, match="already waiting"):
        mdf.submit_claim(
            session,
            actor=consultant,
            request_id=request_id,
            amount="1",
            results="",
            actual_leads=0,
            receipts=[upload(PDF)],
        )
    mdf.reject_claim(session, actor=provider, claim_id=claim, reason="Receipt unreadable")
    again = mdf.submit_claim(
        session,
        actor=consultant,
        request_id=request_id,
        amount="350",
        results="",
        actual_leads=0,
        receipts=[upload(PDF)],
    )
    mdf.approve_claim(session, actor=provider, claim_id=again)
    _assert_balanced(session)
    seen = _balance(session, consultant)
    assert (seen.available, seen.committed, seen.spent) == (
        Decimal("650.00"),
        Decimal(0),
        Decimal("350.00"),
    )
    texts = session.exec(
        select(Notification.text).where(Notification.org_id == consultant.org_id)
    ).all()
    assert any("denied your fund request" in t and "Not in our market" in t for t in texts)
    assert any("Receipt unreadable" in t for t in texts)


def test_receipts_are_read_from_their_bytes(session):
    provider, consultant = _setup(session)
    budget_id = _budget(session, provider)
    mdf.allocate(
        session,
        actor=provider,
        budget_id=budget_id,
        amount="1000",
        partner_org_id=consultant.org_id,
    )
    request_id = _request(session, consultant, budget_id, amount="100")
    mdf.approve_request(session, actor=provider, request_id=request_id)

    def claim(receipts):
        return mdf.submit_claim(
            session,
            actor=consultant,
            request_id=request_id,
            amount="100",
            results="",
            actual_leads=0,
            receipts=receipts,
        )

    forged = upload(b"<html><script>alert(1)</script></html>", "receipt.pdf")
    with pytest.raises(Invalid, match="PDF, PNG or JPEG"):
        claim([forged])
    with pytest.raises(NotFound):  # read once, then discarded
        upload_store.open_upload(forged[0])
    with pytest.raises(Invalid, match="at most 5 MB"):
        claim([upload(PDF + b"0" * (5 * 1024 * 1024))])
    with pytest.raises(Invalid, match="at least one receipt"):
        claim([])
    with pytest.raises(Invalid, match="at most 5 receipts"):
        claim([upload(PDF) for _ in range(6)])
    with pytest.raises(NotFound):
        claim([("not-a-key", "x.pdf")])


def test_receipts_and_requests_stay_within_the_two_organizations(session):
    provider, consultant = _setup(session)
    stranger = org_admin(session, kind=OrgKind.CONSULTANT, org_name="Stranger")
    other_provider = org_admin(session, kind=OrgKind.PROVIDER, org_name="Other provider")
    partners(session, other_provider, consultant)
    member = colleague(session, consultant, role=Role.MEMBER)
    budget_id = _budget(session, provider)
    mdf.allocate(
        session,
        actor=provider,
        budget_id=budget_id,
        amount="1000",
        partner_org_id=consultant.org_id,
    )
    with pytest.raises(NotFound):
        mdf.allocate(
            session, actor=provider, budget_id=budget_id, amount="1", partner_org_id=stranger.org_id
        )
    with pytest.raises(NotFound):
        mdf.allocate(
            session,
            actor=other_provider,
            budget_id=budget_id,
            amount="1",
            partner_org_id=consultant.org_id,
        )
    with pytest.raises(NotAllowed):
        _request(session, member, budget_id)
    with pytest.raises(NotFound):
        _request(session, stranger, budget_id)
    request_id = _request(session, consultant, budget_id, amount="100")
    with pytest.raises(NotAllowed):
        mdf.approve_request(session, actor=consultant, request_id=request_id)
    with pytest.raises(NotFound):
        mdf.approve_request(session, actor=other_provider, request_id=request_id)
    mdf.approve_request(session, actor=provider, request_id=request_id)
    claim_id = mdf.submit_claim(
        session,
        actor=consultant,
        request_id=request_id,
        amount="100",
        results="",
        actual_leads=0,
        receipts=[upload(PDF, "venue.pdf")],
    )
    (receipt,) = mdf.receipts_of(session, actor=consultant, claim_ids=[claim_id])
    for actor in (provider, consultant):
        got = mdf.receipt_file(session, actor=actor, receipt_id=receipt.id)
        assert (got.name, got.media_type, got.content) == ("venue.pdf", "application/pdf", PDF)
    for outsider in (stranger, other_provider):
        with pytest.raises(NotFound):
            mdf.receipt_file(session, actor=outsider, receipt_id=receipt.id)
        assert mdf.receipts_of(session, actor=outsider, claim_ids=[claim_id]) == []
        assert mdf.list_requests(session, actor=outsider) == []
        with pytest.raises((NotFound, NotAllowed)):
            mdf.approve_claim(session, actor=outsider, claim_id=claim_id)
    with pytest.raises(NotAllowed):
        mdf.receipt_file(session, actor=member, receipt_id=receipt.id)
    for bad in (None, "1 OR 1=1", -1, {"id": 1}, True):
        with pytest.raises((Invalid, NotFound)):
            mdf.receipt_file(session, actor=provider, receipt_id=bad)


def test_notifications_webhooks_and_csv(session):
    provider, consultant = _setup(session)
    session.add_all(
        WebhookEndpoint(
            org_id=org.org_id,
            url="https://example.com/hook",
            secret="s" * 32,
            events=["mdf.allocated", "mdf.request_submitted", "mdf.request_approved"],
            created_by_id=org.user_id,
        )
        for org in (provider, consultant)
    )
    session.flush()
    budget_id = _budget(session, provider)
    mdf.allocate(
        session,
        actor=provider,
        budget_id=budget_id,
        amount="1000",
        partner_org_id=consultant.org_id,
    )
    request_id = _request(session, consultant, budget_id, amount="100")
    mdf.approve_request(session, actor=provider, request_id=request_id)
    session.flush()
    events = session.exec(select(WebhookDelivery.org_id, WebhookDelivery.event)).all()
    for org in (provider, consultant):
        assert {e for o, e in events if o == org.org_id} == {
            "mdf.allocated",
            "mdf.request_submitted",
            "mdf.request_approved",
        }
    provider_notes = session.exec(
        select(Notification.text).where(Notification.org_id == provider.org_id)
    ).all()
    assert any("Fabrikam requests USD 100.00" in t for t in provider_notes)
    text = "".join(mdf.requests_csv(session, actor=provider))
    assert "Spring webinar" in text and "Fabrikam" in text
    text = "".join(mdf.balances_csv(session, actor=consultant))
    assert text.splitlines()[1].startswith("FY27 Q1,Northwind,USD,1000.00,900.00,100.00")


def test_return_on_funds(session):
    provider, consultant = _setup(session)
    budget_id = _budget(session, provider)
    mdf.allocate(
        session,
        actor=provider,
        budget_id=budget_id,
        amount="1000",
        partner_org_id=consultant.org_id,
    )
    request_id = _request(session, consultant, budget_id, amount="500")
    mdf.approve_request(session, actor=provider, request_id=request_id)
    claim = mdf.submit_claim(
        session,
        actor=consultant,
        request_id=request_id,
        amount="500",
        results="",
        actual_leads=3,
        receipts=[upload(PDF)],
    )
    mdf.approve_claim(session, actor=provider, claim_id=claim)
    found = deal_changes.register(
        session,
        actor=provider,
        other_org_id=consultant.org_id,
        form={
            "name": "Contoso ERP",
            "company": "Contoso Ltd",
            "contact_name": "",
            "contact_email": "",
            "amount": "10000",
            "close_date": "",
            "product_ids": [],
        },
    )
    with pytest.raises(NotAllowed):
        mdf.attribute(session, actor=provider, request_id=request_id, deal_id=found.deal_id)
    with pytest.raises(NotAllowed):  # the deal page's card: the partner's managers only
        mdf.activities(session, actor=provider, deal_id=found.deal_id)
    named, funded = mdf.activities(session, actor=consultant, deal_id=found.deal_id)
    assert (named, [rid for rid, _ in funded]) == (None, [request_id])
    mdf.attribute(session, actor=consultant, request_id=request_id, deal_id=found.deal_id)
    assert mdf.activities(session, actor=consultant, deal_id=found.deal_id)[0] == request_id
    lead_id, _ = leads.create_and_submit(  # a lead sent to the activity's provider
        session,
        actor=consultant,
        data=LeadInput("Ann", "Lee", "ann@contoso.example", "Contoso Ltd", "", "", ""),
        owner_id=consultant.user_id,
        recipient_org_ids=[provider.org_id],
    )
    assert mdf.activities(session, actor=consultant, lead_id=lead_id) == (
        None,
        [(request_id, "Spring webinar")],
    )
    mdf.attribute(session, actor=consultant, request_id=request_id, lead_id=lead_id)
    assert mdf.activities(session, actor=consultant, lead_id=lead_id)[0] == request_id
    deal = session.get(Deal, found.deal_id)
    deal_changes.move_stage(
        session,
        actor=provider,
        deal_id=deal.id,
        version=deal.version,
        stage_id=deal_stage(session, provider, "Closed Won"),
    )
    (row,) = mdf.returns(session, actor=provider)
    assert (row.spent, row.won_deals, row.won_amount, row.ratio) == (
        Decimal("500.00"),
        1,
        Decimal("10000.00"),
        Decimal("20.00"),
    )
