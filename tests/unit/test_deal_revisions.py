"""Changes to an approved deal's amount, close date or products: the timeline keeps before and
after, the provider hears of a partner's change, and a raise above the program's re-approval
threshold sends the deal back for approval (no commission until approved again)."""

from decimal import Decimal

import pytest
from argon2 import PasswordHasher
from sqlmodel import select

from prm_app.models import (
    Deal,
    LedgerTransaction,
    Notification,
    OrgKind,
    OrgSettings,
    OutboundEmail,
    Role,
)
from prm_app.services import catalog, customers, deals, ledger
from prm_app.services.core.errors import Invalid, NotAllowed, NotFound
from prm_app.services.deals import lifecycle as deal_changes
from prm_app.services.deals import timeline as deal_timeline
from prm_app.services.identity import auth
from tests.unit.factories import colleague, org_admin, partners
from tests.unit.test_deal_changes import _form, _move, _product, _registered, _setup

RULES = {
    "protection_days": "90",
    "lead_accept_hours": "72",
    "default_commission_pct": "10",
    "referral_credit_amount": "0",
    "payout_threshold": "100",
    "currency": "USD",
    "auto_apply_credits": "",
}


@pytest.fixture(autouse=True)
def _cheap_password_hashing(monkeypatch):
    monkeypatch.setattr(auth, "_hasher", PasswordHasher(time_cost=1, memory_cost=8, parallelism=1))


def _threshold(session, provider, pct) -> None:
    catalog.update_rules(session, actor=provider, **RULES, reapproval_amount_pct=pct)


def _approved(session, consultant, provider, **values) -> Deal:
    deal = _registered(session, consultant, provider, amount="5000", **values)
    deal_changes.approve(session, actor=provider, deal_id=deal.id, version=deal.version)
    return deal


def _edit(session, actor, deal, **values) -> None:
    deal_changes.edit(
        session, actor=actor, deal_id=deal.id, version=deal.version, form=_form(**values)
    )


def _told(session, kind=None) -> list[tuple[int, str, str]]:
    query = select(Notification.user_id, Notification.kind, Notification.text)
    if kind:
        query = query.where(Notification.kind == kind)
    return list(
        session.exec(query.where(Notification.kind.in_(("deal_changed", "deal_reapproval"))))
    )


def _read(session, actor, deal) -> list[tuple[str, str]]:
    return [(e.who, e.text) for e in deal_timeline.timeline(session, actor=actor, deal_id=deal.id)]


def test_a_partners_change_is_told_to_the_provider_and_shown_before_and_after(session):
    provider, consultant = _setup(session)
    payroll, hr = _product(session, provider, "Payroll"), _product(session, provider, "HR")
    deal = _approved(session, consultant, provider, product_ids=[payroll])
    _edit(
        session,
        consultant,
        deal,
        amount="9000",
        close_date="2027-04-30",
        product_ids=[hr, payroll],
    )

    change = (
        "Amount: USD 5,000.00 -> USD 9,000.00; Close date: 2027-03-31 -> 2027-04-30; "
        "Products: Payroll -> Payroll, HR"
    )
    assert deal.approval == "approved"  # no threshold set: never re-approved
    assert _read(session, provider, deal)[0] == ("Fabrikam", f"Edited the deal: {change}")
    assert _read(session, consultant, deal)[0] == ("Carl Consultant", f"Edited the deal: {change}")
    text = f"Fabrikam changed the approved deal Contoso ERP rollout: {change}"
    assert _told(session) == [(provider.user_id, "deal_changed", text)]
    mail = session.exec(
        select(OutboundEmail.subject).where(
            OutboundEmail.to_address == provider.email, OutboundEmail.subject == text
        )
    ).all()
    assert mail == [text]  # by email too, as the provider's preferences say (default)
    assert f"/p/deals/{deal.id}" in session.exec(select(Notification.link)).all()


def test_the_providers_deal_owner_hears_rather_than_its_managers(session):
    provider, consultant = _setup(session)
    seller = colleague(session, provider, name="Sam Seller")
    deal = _approved(session, consultant, provider)
    deal_changes.assign_owner(
        session, actor=provider, deal_id=deal.id, version=deal.version, owner_id=seller.user_id
    )
    _edit(session, consultant, deal, close_date="2027-06-30")
    assert [(u, k) for u, k, _ in _told(session)] == [(seller.user_id, "deal_changed")]


def test_the_providers_own_change_and_a_pending_deals_change_tell_nobody(session):
    provider, consultant = _setup(session)
    _threshold(session, provider, "0")
    pending = _registered(session, consultant, provider, amount="5000")
    _edit(session, consultant, pending, amount="50000")  # not approved yet: nothing to re-check
    deal = _approved(session, consultant, provider)
    _edit(session, provider, deal, amount="7000")

    assert _told(session) == []
    assert (deal.approval, pending.approval) == ("approved", "pending")
    assert _read(session, provider, deal)[0] == (
        "Pia Provider",
        "Edited the deal: Amount: USD 5,000.00 -> USD 7,000.00",
    )
    assert _read(session, consultant, deal)[0] == (
        "Northwind",
        "Edited the deal: Amount: USD 5,000.00 -> USD 7,000.00",
    )
    # The provider's own figure is the approved one: a partner's raise is measured from it.
    _edit(session, consultant, deal, amount="7000", close_date="2027-05-01")
    assert deal.approval == "approved"


def test_a_raise_above_the_threshold_needs_re_approval_before_any_commission(session):
    provider, consultant = _setup(session)
    _threshold(session, provider, "20")
    deal = _approved(session, consultant, provider)
    protected_until = deal.protected_until
    _edit(session, consultant, deal, amount="6500")

    assert deal.approval == "pending"
    why = (
        "the amount rose from USD 5,000.00 to USD 6,500.00, more than the program's 20 % "
        "allowed without approval"
    )
    assert _read(session, consultant, deal)[:2] == [
        ("Automatically", f"Sent it back for approval: {why}"),
        ("Carl Consultant", "Edited the deal: Amount: USD 5,000.00 -> USD 6,500.00"),
    ]
    [(user_id, kind, text)] = _told(session)
    assert (user_id, kind) == (provider.user_id, "deal_reapproval")
    assert text.startswith("Fabrikam changed the deal Contoso ERP rollout, which needs your ")
    assert why in text
    assert "approve" in deals.detail(session, actor=provider, deal_id=deal.id).allowed

    # Pending: it cannot be closed as won, so no commission accrues on the raised amount.
    with pytest.raises(Invalid, match="Approve"):
        _move(session, provider, deal, "Closed Won")
    with pytest.raises(Invalid, match="Approve"):
        ledger.on_won(session, actor=provider, deal=deal)
    assert session.exec(select(LedgerTransaction)).all() == []

    # The customer stays protected meanwhile, and approving keeps (not renews) the protection.
    rival = org_admin(session, kind=OrgKind.CONSULTANT, org_name="Rival")
    partners(session, provider, rival)
    found = customers.conflicts(
        session,
        provider_org_id=provider.org_id,
        company_norm="contoso",
        email_domain="contoso.com",
        exclude_partner_org_id=rival.org_id,
    )
    assert [c.deal_id for c in found] == [deal.id]
    deal_changes.approve(session, actor=provider, deal_id=deal.id, version=deal.version)
    assert (deal.approval, deal.protected_until) == ("approved", protected_until)
    assert _read(session, consultant, deal)[0] == ("Northwind", "Approved the change")
    _move(session, provider, deal, "Closed Won")
    [accrual] = session.exec(select(LedgerTransaction)).all()
    assert "Commission on Contoso ERP rollout" in accrual.memo


def test_raises_within_the_threshold_stay_approved_but_add_up_from_the_approved_amount(session):
    provider, consultant = _setup(session)
    _threshold(session, provider, "20")
    deal = _approved(session, consultant, provider)
    _edit(session, consultant, deal, amount="6000")  # exactly 20 %: not more
    assert deal.approval == "approved"
    _edit(session, consultant, deal, amount="3000")  # lowering never needs approval
    assert deal.approval == "approved"
    _edit(session, consultant, deal, amount="6000.01")  # 20.0002 % above the approved 5,000
    assert deal.approval == "pending"
    assert [k for _, k, _ in _told(session)] == ["deal_changed", "deal_changed", "deal_reapproval"]


def test_any_raise_from_nothing_crosses_a_threshold(session):
    provider, consultant = _setup(session)
    _threshold(session, provider, "1000")
    deal = _registered(session, consultant, provider, amount="")
    deal_changes.approve(session, actor=provider, deal_id=deal.id, version=deal.version)
    _edit(session, consultant, deal, amount="1")
    assert deal.approval == "pending"


def test_only_the_deals_own_partner_can_change_it(session):
    provider, consultant = _setup(session)
    _threshold(session, provider, "0")
    deal = _approved(session, consultant, provider)
    rival = org_admin(session, kind=OrgKind.CONSULTANT, org_name="Rival")
    partners(session, provider, rival)
    stranger = org_admin(session, kind=OrgKind.PROVIDER, org_name="Elsewhere")
    member = colleague(session, consultant, role=Role.MEMBER)  # not the deal's owner
    for intruder in (rival, stranger, member):
        with pytest.raises(NotFound):
            _edit(session, intruder, deal, amount="99999")
    assert (deal.amount, deal.approval, deal.version) == (Decimal("5000.00"), "approved", 2)
    assert _told(session) == []
    _edit(session, consultant, deal, amount="5001")
    assert [(u, k) for u, k, _ in _told(session)] == [(provider.user_id, "deal_reapproval")]


# the program setting -----------------------------------------------------------------------


def test_the_threshold_is_a_program_rule_of_the_providers_admins(session):
    provider, consultant = _setup(session)
    assert catalog.rules(session, actor=provider).reapproval_amount_pct is None
    _threshold(session, provider, " 12.5 ")
    assert catalog.rules(session, actor=provider).reapproval_amount_pct == Decimal("12.50")
    assert session.get(OrgSettings, provider.org_id).reapproval_amount_pct == Decimal("12.50")
    _threshold(session, provider, "")
    assert catalog.rules(session, actor=provider).reapproval_amount_pct is None
    with pytest.raises(NotAllowed):
        _threshold(session, consultant, "10")
    manager = colleague(session, provider, role=Role.MANAGER)
    with pytest.raises(NotAllowed):
        _threshold(session, manager, "10")


@pytest.mark.parametrize("value", ["-1", "1000.01", "12.345", "ten", "NaN", "1e3000", [], {}])
def test_a_bad_threshold_is_refused_with_a_clear_message(session, value):
    provider, _ = _setup(session)
    _threshold(session, provider, "15")
    with pytest.raises(Invalid, match="Re-approval threshold: enter a percentage") as refused:
        _threshold(session, provider, value)
    assert refused.value.field == "reapproval_amount_pct"
    assert catalog.rules(session, actor=provider).reapproval_amount_pct == Decimal("15.00")
