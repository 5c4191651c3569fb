"""Approving a deal whose customer another partner holds takes a decision (issue 23): keep the
other protection and reject, approve without protection, or transfer it; refused without one.
Both partners are told in their own terms and never learn who the other is."""

from datetime import timedelta
from decimal import Decimal

import pytest
from argon2 import PasswordHasher
from sqlmodel import select

from prm_app.models import (
    Approval,
    Deal,
    Notification,
    OrgKind,
    OrgSettings,
    OutboundEmail,
    utcnow,
)
from prm_app.services.core import changes
from prm_app.services.core.errors import Conflict, Invalid
from prm_app.services.deals import conflicts as deal_conflicts
from prm_app.services.deals import lifecycle as deal_changes
from prm_app.services.deals import timeline as deal_timeline
from prm_app.services.identity import auth
from tests.unit.factories import org_admin, partners

HUGE = "x" * 100_000


@pytest.fixture(autouse=True)
def _cheap_password_hashing(monkeypatch):
    monkeypatch.setattr(auth, "_hasher", PasswordHasher(time_cost=1, memory_cost=8, parallelism=1))


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


def _world(session, **second):
    """Northwind (provider) with Adatum (its deal for Contoso approved: protected) and Fabrikam
    (a deal for the same customer, pending): (provider, adatum, fabrikam, held, pending)."""
    provider = org_admin(session, kind=OrgKind.PROVIDER, org_name="Northwind", name="Pia Provider")
    adatum = org_admin(session, kind=OrgKind.CONSULTANT, org_name="Adatum", name="Ada Admin")
    fabrikam = org_admin(session, kind=OrgKind.CONSULTANT, org_name="Fabrikam", name="Fay Admin")
    partners(session, provider, adatum)
    partners(session, provider, fabrikam)
    first = deal_changes.register(
        session, actor=adatum, other_org_id=provider.org_id, form=_form(name="Adatum ERP")
    )
    deal_changes.approve(session, actor=provider, deal_id=first.deal_id, version=1)
    found = deal_changes.register(
        session,
        actor=fabrikam,
        other_org_id=provider.org_id,
        form=_form(name="Fabrikam CRM", **second),
    )
    return (
        provider,
        adatum,
        fabrikam,
        session.get(Deal, first.deal_id),
        session.get(Deal, found.deal_id),
    )


def _approve(session, provider, deal, **decision):
    deal_changes.approve(session, actor=provider, deal_id=deal.id, version=deal.version, **decision)
    session.refresh(deal)


def _seen_by(session, org):
    """Every text the organization's people received (notifications and mail)."""
    notes = session.exec(select(Notification.text).where(Notification.org_id == org.org_id)).all()
    mails = session.exec(
        select(OutboundEmail.subject, OutboundEmail.body).where(
            OutboundEmail.to_address == org.email
        )
    ).all()
    return list(notes) + [f"{s}\n{b}" for s, b in mails]


def _timeline(session, actor, deal):
    return [e.text for e in deal_timeline.timeline(session, actor=actor, deal_id=deal.id)]


def _assert_private(session, provider, adatum, fabrikam, held, pending):
    """Neither partner reads the other's name, nor the other's deal, anywhere it looks."""
    for own, other, own_deal, other_deal in (
        (adatum, fabrikam, held, pending),
        (fabrikam, adatum, pending, held),
    ):
        texts = _seen_by(session, own) + _timeline(session, own, own_deal)
        standing = deal_conflicts.standing(session, actor=own, deal_id=own_deal.id)
        texts += [standing.own, *standing.decided]
        assert standing.others == []
        assert texts
        for text in texts:
            assert other.org_name not in text
            assert other_deal.name not in text


@pytest.mark.parametrize(
    "second",
    [
        {},  # same company and domain
        {"company": "CONTOSO, Inc.", "contact_email": "x@gmail.com"},  # the same company
        {"company": "Contoso Holding", "contact_email": "bob@contoso.com"},  # the same domain
    ],
)
def test_without_a_decision_the_approval_is_refused_and_nothing_changes(session, second):
    provider, _adatum, fabrikam, held, pending = _world(session, **second)
    before = session.exec(select(Notification)).all()
    with pytest.raises(Invalid) as refused:
        _approve(session, provider, pending)
    assert str(refused.value) == deal_conflicts.UNDECIDED
    assert refused.value.field == "decision"
    for empty in ("", None):
        with pytest.raises(Invalid, match="already protected for another partner"):
            _approve(session, provider, pending, decision=empty)
    assert pending.approval == Approval.PENDING and pending.protected_until is None
    assert session.exec(select(Notification)).all() == before
    standing = deal_conflicts.standing(session, actor=provider, deal_id=pending.id)
    assert standing.needs_decision and standing.held_until == held.protected_until
    # the consultant is told until when, never by whom
    seen = deal_conflicts.standing(session, actor=fabrikam, deal_id=pending.id)
    assert seen.held_until == held.protected_until and not seen.needs_decision


def test_keep_rejects_this_registration_with_a_reason(session):
    provider, adatum, fabrikam, held, pending = _world(session)
    until = held.protected_until
    with pytest.raises(Invalid, match="Reason") as refused:
        _approve(session, provider, pending, decision="keep", reason="  ")
    assert refused.value.field == "reason"
    session.info.pop(changes._TOUCHED, None)  # only what the decision notes
    _approve(session, provider, pending, decision="keep", reason="The first registration stands")
    session.refresh(held)
    assert pending.approval == Approval.REJECTED and pending.protected_until is None
    assert pending.rejection_reason == "The first registration stands"
    assert held.protected_until == until and held.approval == Approval.APPROVED
    assert changes.noted(session).deal_orgs >= {
        provider.org_id,
        adatum.org_id,
        fabrikam.org_id,
    }
    day = until.date().isoformat()
    assert any(
        f"Contoso Ltd is protected for another partner until {day}" in t
        for t in _seen_by(session, fabrikam)
    )
    assert any("kept your protection of Contoso Ltd" in t for t in _seen_by(session, adatum))
    assert (
        "Rejected it: the customer stays protected for another partner"
        in (_timeline(session, fabrikam, pending)[0])
    )
    assert "Kept this deal's protection" in _timeline(session, adatum, held)[0]
    # the provider sees the deal its decision was about, and the decision
    standing = deal_conflicts.standing(session, actor=provider, deal_id=pending.id)
    assert [(o.deal_id, o.partner_name) for o in standing.others] == [(held.id, "Adatum")]
    assert standing.decided and not standing.needs_decision
    other_side = deal_conflicts.standing(session, actor=provider, deal_id=held.id)
    assert [o.deal_id for o in other_side.others] == [pending.id]
    _assert_private(session, provider, adatum, fabrikam, held, pending)


def test_waive_approves_without_protection_and_the_first_keeps_its_own(session):
    provider, adatum, fabrikam, held, pending = _world(session)
    until = held.protected_until
    _approve(session, provider, pending, decision="waive", reason="")
    session.refresh(held)
    assert pending.approval == Approval.APPROVED and pending.protected_until is None
    assert held.protected_until == until
    day = until.date().isoformat()
    assert any(
        f"approved your deal Fabrikam CRM without protection: Contoso Ltd is protected for "
        f"another partner until {day}." in t
        for t in _seen_by(session, fabrikam)
    )
    assert any("your protection of Contoso Ltd" in t for t in _seen_by(session, adatum))
    seen = deal_conflicts.standing(session, actor=fabrikam, deal_id=pending.id)
    assert seen.own == "Not protected: approved without protection."
    assert seen.held_until == until
    first = deal_conflicts.standing(session, actor=adatum, deal_id=held.id)
    assert first.own == f"Protected until {day}." and first.held_until is None
    _assert_private(session, provider, adatum, fabrikam, held, pending)


def test_a_change_to_a_deal_approved_without_protection_starts_none(session):
    provider, _adatum, fabrikam, _held, pending = _world(session)
    settings = session.get(OrgSettings, provider.org_id) or OrgSettings(org_id=provider.org_id)
    settings.reapproval_amount_pct = Decimal("10")
    session.add(settings)
    session.flush()
    _approve(session, provider, pending, decision="waive")
    deal_changes.edit(
        session,
        actor=fabrikam,
        deal_id=pending.id,
        version=pending.version,
        form=_form(name="Fabrikam CRM", amount="99,000"),
    )
    session.refresh(pending)
    assert pending.approval == Approval.PENDING
    _approve(session, provider, pending)  # a re-approval: no decision, no new protection
    assert pending.approval == Approval.APPROVED and pending.protected_until is None


def test_transfer_moves_the_protection_and_both_partners_hear_the_reason(session):
    provider, adatum, fabrikam, held, pending = _world(session)
    with pytest.raises(Invalid, match="Reason"):
        _approve(session, provider, pending, decision="transfer")
    version = held.version
    _approve(session, provider, pending, decision="transfer", reason="Adatum went quiet")
    session.refresh(held)
    now = utcnow()
    assert pending.approval == Approval.APPROVED and pending.protected_until > now
    assert held.protected_until <= now and held.version == version + 1
    assert held.approval == Approval.APPROVED  # still approved, just no longer protected
    assert any(
        "Protection for Contoso Ltd (your deal Adatum ERP) was transferred to another partner "
        "by Northwind: Adatum went quiet" in t
        for t in _seen_by(session, adatum)
    )
    assert any(
        "transferred the protection of Contoso Ltd to you" in t and "Adatum went quiet" in t
        for t in _seen_by(session, fabrikam)
    )
    assert (
        _timeline(session, adatum, held)[0]
        == "Transferred the customer's protection to another partner: Adatum went quiet"
    )
    # now the first partner is told the customer is protected for another partner
    first = deal_conflicts.standing(session, actor=adatum, deal_id=held.id)
    assert first.held_until == pending.protected_until
    assert first.own.startswith("Protection ended on")
    second = deal_conflicts.standing(session, actor=fabrikam, deal_id=pending.id)
    assert second.held_until is None and second.own.startswith("Protected until")
    # the reason is the provider's own text: it may name Adatum to Adatum only
    fabrikam_texts = _seen_by(session, fabrikam)
    assert all("Adatum ERP" not in t for t in fabrikam_texts)


def test_the_decision_is_validated(session):
    provider, _adatum, _fabrikam, _held, pending = _world(session)
    for bad in ("x", {"$ne": ""}, ["keep"], 1, "KEEP"):
        with pytest.raises(Invalid, match="Choose what to do"):
            _approve(session, provider, pending, decision=bad, reason="r")
    for bad in (HUGE, {"a": 1}, ["r"], 5):
        with pytest.raises(Invalid, match="Reason"):
            _approve(session, provider, pending, decision="transfer", reason=bad)
    assert pending.approval == Approval.PENDING


def test_a_decision_needs_a_conflict(session):
    provider, _adatum, _fabrikam, held, pending = _world(session)
    held.protected_until = utcnow() - timedelta(minutes=1)  # the protection ran out meanwhile
    session.add(held)
    session.flush()
    with pytest.raises(Conflict, match="no longer protected"):
        _approve(session, provider, pending, decision="transfer", reason="r")
    _approve(session, provider, pending)
    assert pending.approval == Approval.APPROVED and pending.protected_until is not None


def test_a_partners_own_earlier_deal_is_no_conflict(session):
    provider, adatum, _fabrikam, _held, _pending = _world(session)
    again = deal_changes.register(
        session, actor=adatum, other_org_id=provider.org_id, form=_form(name="Adatum phase 2")
    )
    deal = session.get(Deal, again.deal_id)
    _approve(session, provider, deal)
    assert deal.approval == Approval.APPROVED
