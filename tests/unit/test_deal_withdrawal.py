"""A partner withdraws a registration (final, its protection ends at once, the provider is told)
and resubmits a rejected or expired one, linked to it, up to the provider's cap (issue 26)."""

from datetime import UTC, datetime, timedelta

import pytest
from argon2 import PasswordHasher
from sqlmodel import select

from prm_app.models import (
    Approval,
    Deal,
    ExtensionStatus,
    Notification,
    OrgKind,
    OrgSettings,
    ProtectionExtension,
    Role,
    WebhookDelivery,
)
from prm_app.services import deals
from prm_app.services.core.errors import Conflict, Invalid, NotAllowed, NotFound
from prm_app.services.deals import board as deal_board
from prm_app.services.deals import extensions, withdrawal
from prm_app.services.deals import lifecycle as deal_changes
from prm_app.services.deals import timeline as deal_timeline
from prm_app.services.identity import auth
from prm_app.services.integrations import webhooks
from tests.unit.factories import colleague, deal_stage, org_admin, partners

NOW = datetime(2027, 1, 15, 12, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def _setup(monkeypatch):
    monkeypatch.setattr(auth, "_hasher", PasswordHasher(time_cost=1, memory_cost=8, parallelism=1))
    monkeypatch.setenv("PRM_WEBHOOKS_ALLOW_PRIVATE", "1")


class Clock:
    """The deal services' clock, frozen at `now` (moved by the test)."""

    def __init__(self, monkeypatch):
        self.now = NOW
        for module in (withdrawal, deal_changes):
            monkeypatch.setattr(module, "utcnow", lambda: self.now)


@pytest.fixture
def clock(monkeypatch):
    return Clock(monkeypatch)


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


def _world(session):
    """Northwind (provider), its partners Fabrikam and Adatum; Fabrikam's webhook listens."""
    provider = org_admin(session, kind=OrgKind.PROVIDER, org_name="Northwind", name="Pia Provider")
    fabrikam = org_admin(session, kind=OrgKind.CONSULTANT, org_name="Fabrikam", name="Fay Admin")
    adatum = org_admin(session, kind=OrgKind.CONSULTANT, org_name="Adatum", name="Ada Admin")
    partners(session, provider, fabrikam)
    partners(session, provider, adatum)
    webhooks.add_endpoint(
        session,
        actor=provider,
        url="http://127.0.0.1:9/hooks",
        events=["deal.created", "deal.withdrawn", "deal.resubmitted"],
    )
    return provider, fabrikam, adatum


def _registered(session, partner, provider, **values) -> Deal:
    done = deal_changes.register(
        session, actor=partner, other_org_id=provider.org_id, form=_form(**values)
    )
    return session.get(Deal, done.deal_id)


def _approved(session, partner, provider, **values) -> Deal:
    deal = _registered(session, partner, provider, **values)
    deal_changes.approve(session, actor=provider, deal_id=deal.id, version=deal.version)
    session.refresh(deal)
    return deal


def _withdraw(session, actor, deal, reason="The customer chose to wait"):
    withdrawal.withdraw(session, actor=actor, deal_id=deal.id, version=deal.version, reason=reason)
    session.refresh(deal)


def _hooks(session, event):
    return session.exec(select(WebhookDelivery).where(WebhookDelivery.event == event)).all()


def _notes(session, org, kind):
    return session.exec(
        select(Notification.text).where(
            Notification.org_id == org.org_id, Notification.kind == kind
        )
    ).all()


def _texts(session, actor, deal):
    return [e.text for e in deal_timeline.timeline(session, actor=actor, deal_id=deal.id)]


# withdrawal ------------------------------------------------------------------------------------


def test_withdrawing_ends_the_protection_at_once_so_another_partner_is_approved_plainly(
    session, clock
):
    provider, fabrikam, adatum = _world(session)
    held = _approved(session, fabrikam, provider)
    assert held.protected_until > NOW
    waiting = _registered(session, adatum, provider, name="Adatum CRM")
    with pytest.raises(Invalid):  # without a decision while Fabrikam holds the customer
        deal_changes.approve(session, actor=provider, deal_id=waiting.id, version=1)

    clock.now = NOW + timedelta(days=3)
    _withdraw(session, fabrikam, held)

    assert (held.approval, held.withdrawal_reason) == (
        Approval.WITHDRAWN,
        "The customer chose to wait",
    )
    assert held.withdrawn_at == held.protected_until == clock.now
    assert deals.conflicts_for(session, actor=provider, deal_id=waiting.id) == []
    deal_changes.approve(session, actor=provider, deal_id=waiting.id, version=1)
    session.refresh(waiting)
    assert waiting.approval == Approval.APPROVED and waiting.protected_until > clock.now

    [note] = _notes(session, provider, "deal_withdrawn")
    assert "Fabrikam withdrew its deal Contoso ERP rollout" in note
    assert "The customer chose to wait" in note
    [hook] = _hooks(session, "deal.withdrawn")
    assert f'"deal_id":{held.id}' in hook.body and '"approval":"withdrawn"' in hook.body
    for actor in (provider, fabrikam):
        assert "Withdrew the registration: The customer chose to wait" in _texts(
            session, actor, held
        )


def test_withdrawing_closes_a_waiting_extension_request(session, clock):
    """Nobody is left to answer it: it is closed, and approving it later is refused."""
    provider, fabrikam, _ = _world(session)
    held = _approved(session, fabrikam, provider)
    extensions.request(
        session,
        actor=fabrikam,
        deal_id=held.id,
        version=held.version,
        days=10,
        reason="Procurement is slow",
        now=NOW,
    )
    session.refresh(held)
    [asked] = session.exec(select(ProtectionExtension)).all()
    assert asked.status == ExtensionStatus.PENDING

    _withdraw(session, fabrikam, held)

    session.refresh(asked)
    assert (asked.status, asked.decision_reason) == (
        ExtensionStatus.DECLINED,
        withdrawal.CLOSED_REQUEST,
    )
    with pytest.raises(Invalid):
        extensions.approve(
            session,
            actor=provider,
            deal_id=held.id,
            version=held.version,
            extension_id=asked.id,
            new_end="2027-12-31",
            now=clock.now,
        )


def test_a_withdrawn_deal_is_final_and_leaves_the_board(session, clock):
    provider, fabrikam, _ = _world(session)
    deal = _approved(session, fabrikam, provider)
    lost = deal_stage(session, provider, "Closed Lost")
    _withdraw(session, fabrikam, deal)
    version = deal.version

    for actor in (provider, fabrikam):
        assert deals.detail(session, actor=actor, deal_id=deal.id).allowed == frozenset()
    attempts = [
        lambda: deal_changes.edit(
            session, actor=fabrikam, deal_id=deal.id, version=version, form=_form(name="X")
        ),
        lambda: deal_changes.move_stage(
            session, actor=provider, deal_id=deal.id, version=version, stage_id=lost
        ),
        lambda: deal_changes.approve(session, actor=provider, deal_id=deal.id, version=version),
        lambda: deal_changes.reject(
            session, actor=provider, deal_id=deal.id, version=version, reason="No"
        ),
        lambda: deal_changes.assign_owner(
            session, actor=provider, deal_id=deal.id, version=version, owner_id=provider.user_id
        ),
        lambda: _withdraw(session, fabrikam, deal),
        lambda: withdrawal.resubmit(session, actor=fabrikam, deal_id=deal.id, form=_form()),
    ]
    for attempt in attempts:
        with pytest.raises(Invalid) as refused:
            attempt()
        assert str(refused.value) == deal_changes.WITHDRAWN
    session.refresh(deal)
    assert deal.version == version

    for actor in (provider, fabrikam):
        cards = [c.id for column in deal_board.board(session, actor=actor) for c in column.cards]
        assert deal.id not in cards
        listed = deals.list_deals(session, actor=actor, approval="withdrawn")
        assert [row.id for row in listed.rows] == [deal.id]
        assert deals.list_deals(session, actor=actor, approval="approved").rows == []


def test_a_pending_registration_is_withdrawn_and_has_no_protection_to_end(session, clock):
    provider, fabrikam, _ = _world(session)
    deal = _registered(session, fabrikam, provider)
    _withdraw(session, fabrikam, deal)
    assert (deal.approval, deal.protected_until) == (Approval.WITHDRAWN, None)


def test_only_the_partner_side_withdraws_and_only_an_open_registration(session, clock):
    provider, fabrikam, adatum = _world(session)
    deal = _approved(session, fabrikam, provider)
    with pytest.raises(NotAllowed):
        _withdraw(session, provider, deal)
    with pytest.raises(NotFound):  # another partner's deal does not exist for Adatum
        _withdraw(session, adatum, deal)
    member = colleague(session, fabrikam, role=Role.MEMBER, name="Mo Member")
    with pytest.raises(NotFound):  # a member withdraws only the deals they own
        _withdraw(session, member, deal)
    with pytest.raises(Conflict):
        withdrawal.withdraw(
            session, actor=fabrikam, deal_id=deal.id, version=deal.version - 1, reason="Late"
        )
    for reason in ("", "   ", None, {"a": 1}, "x" * 100_000):
        with pytest.raises(Invalid) as refused:
            _withdraw(session, fabrikam, deal, reason=reason)
        assert refused.value.field == "reason"

    rejected = _registered(session, fabrikam, provider, name="Second")
    deal_changes.reject(
        session, actor=provider, deal_id=rejected.id, version=rejected.version, reason="No"
    )
    session.refresh(rejected)
    with pytest.raises(Invalid) as refused:
        _withdraw(session, fabrikam, rejected)
    assert str(refused.value) == withdrawal.NOT_OPEN

    won_stage = deal_stage(session, provider, "Closed Won")
    deal_changes.move_stage(
        session, actor=provider, deal_id=deal.id, version=deal.version, stage_id=won_stage
    )
    session.refresh(deal)
    with pytest.raises(Invalid) as refused:
        _withdraw(session, fabrikam, deal)
    assert str(refused.value) == deal_changes.COMPLETE

    owned = _approved(session, fabrikam, provider, name="Owned by Mo", company="Litware")
    deal_changes.assign_owner(
        session, actor=fabrikam, deal_id=owned.id, version=owned.version, owner_id=member.user_id
    )
    session.refresh(owned)
    _withdraw(session, member, owned)
    assert owned.approval == Approval.WITHDRAWN


# resubmission ----------------------------------------------------------------------------------


def _reject(session, provider, deal, reason="Outside our territory"):
    deal_changes.reject(
        session, actor=provider, deal_id=deal.id, version=deal.version, reason=reason
    )
    session.refresh(deal)


def _resubmit(session, actor, deal, **values) -> Deal:
    done = withdrawal.resubmit(session, actor=actor, deal_id=deal.id, form=_form(**values))
    return session.get(Deal, done.deal_id)


def test_a_rejected_deal_is_resubmitted_linked_and_the_cap_counts_the_whole_chain(session, clock):
    provider, fabrikam, _ = _world(session)
    first = _registered(session, fabrikam, provider)
    _reject(session, provider, first)
    seen = withdrawal.standing(session, actor=fabrikam, deal_id=first.id)
    assert (seen.can_resubmit, seen.resubmissions_left) == (True, 1)
    assert seen.form["name"] == "Contoso ERP rollout" and seen.form["amount"] == "12500.00"
    assert not withdrawal.standing(session, actor=provider, deal_id=first.id).can_resubmit

    second = _resubmit(session, fabrikam, first, name="Contoso ERP, EU only")

    assert (second.approval, second.resubmitted_from_id) == (Approval.PENDING, first.id)
    assert second.partner_org_id == fabrikam.org_id
    assert second.provider_org_id == provider.org_id
    [note] = _notes(session, provider, "deal_resubmitted")
    assert "Fabrikam resubmitted its rejected deal Contoso ERP rollout" in note
    assert len(_notes(session, provider, "deal_registered")) == 1  # the first one's only
    assert len(_hooks(session, "deal.resubmitted")) == 1
    assert "Resubmitted it as a new registration" in _texts(session, provider, first)
    assert "Resubmitted an earlier registration" in _texts(session, provider, second)
    for actor in (provider, fabrikam):
        chain = withdrawal.standing(session, actor=actor, deal_id=second.id).chain
        assert [(c.deal_id, c.current) for c in chain] == [(first.id, False), (second.id, True)]
        assert chain[0].reason == "Outside our territory"

    with pytest.raises(Invalid) as refused:  # the earlier one is no longer the latest
        _resubmit(session, fabrikam, first)
    assert str(refused.value) == withdrawal.ALREADY
    _reject(session, provider, second)
    with pytest.raises(Invalid) as refused:  # cap 1: the chain had its one resubmission
        _resubmit(session, fabrikam, second)
    assert str(refused.value) == withdrawal.CAP_REACHED.format(cap=1)
    assert withdrawal.standing(session, actor=fabrikam, deal_id=second.id).why_not == str(
        refused.value
    )

    withdrawal.set_resubmission_cap(session, actor=provider, cap="2")
    third = _resubmit(session, fabrikam, second)
    assert third.resubmitted_from_id == second.id
    chain = withdrawal.standing(session, actor=provider, deal_id=first.id).chain
    assert [c.deal_id for c in chain] == [first.id, second.id, third.id]


def test_an_expired_registration_is_resubmitted_only_once_its_protection_ended(session, clock):
    provider, fabrikam, _ = _world(session)
    deal = _approved(session, fabrikam, provider)
    assert deal.protected_until == NOW + timedelta(days=90)

    clock.now = NOW + timedelta(days=89)
    with pytest.raises(Invalid) as refused:
        _resubmit(session, fabrikam, deal)
    assert str(refused.value) == withdrawal.NOT_RESUBMITTABLE
    assert withdrawal.standing(session, actor=fabrikam, deal_id=deal.id).why_not == ""

    clock.now = NOW + timedelta(days=90)
    again = _resubmit(session, fabrikam, deal)
    assert again.resubmitted_from_id == deal.id and again.approval == Approval.PENDING


def test_won_pending_and_capped_registrations_are_not_resubmitted(session, clock):
    provider, fabrikam, _ = _world(session)
    pending = _registered(session, fabrikam, provider)
    with pytest.raises(Invalid) as refused:
        _resubmit(session, fabrikam, pending)
    assert str(refused.value) == withdrawal.NOT_RESUBMITTABLE

    won = _approved(session, fabrikam, provider, company="Litware", name="Litware")
    won_stage = deal_stage(session, provider, "Closed Won")
    deal_changes.move_stage(
        session, actor=provider, deal_id=won.id, version=won.version, stage_id=won_stage
    )
    clock.now = NOW + timedelta(days=365)
    with pytest.raises(Invalid) as refused:
        _resubmit(session, fabrikam, won)
    assert str(refused.value) == withdrawal.NOT_RESUBMITTABLE

    _reject(session, provider, pending)
    with pytest.raises(NotAllowed):
        _resubmit(session, provider, pending)
    withdrawal.set_resubmission_cap(session, actor=provider, cap=0)
    with pytest.raises(Invalid) as refused:
        _resubmit(session, fabrikam, pending)
    assert str(refused.value) == withdrawal.NEVER
    assert session.exec(select(Deal).where(Deal.resubmitted_from_id == pending.id)).all() == []


def test_the_resubmission_cap_is_the_provider_admins_setting(session):
    provider, fabrikam, _ = _world(session)
    assert withdrawal.resubmission_cap(session, actor=provider) == 1
    manager = colleague(session, provider, role=Role.MANAGER, name="Max Manager")
    with pytest.raises(NotAllowed):
        withdrawal.set_resubmission_cap(session, actor=manager, cap=3)
    with pytest.raises(NotAllowed):
        withdrawal.set_resubmission_cap(session, actor=fabrikam, cap=3)
    for bad in ("-1", "11", "two", 1.5, True, None, {"a": 1}, "9" * 50):
        with pytest.raises(Invalid) as refused:
            withdrawal.set_resubmission_cap(session, actor=provider, cap=bad)
        assert (str(refused.value), refused.value.field) == (
            withdrawal.CAP_RANGE,
            "resubmission_cap",
        )
    assert withdrawal.set_resubmission_cap(session, actor=provider, cap=" 3 ") == 3
    assert session.get(OrgSettings, provider.org_id).resubmission_cap == 3
