"""Extensions of a deal's protection (issue 26): the partner asks before the protection ends, the
provider approves (choosing the new end) or declines; the program allows none, one or any number;
one request waits at a time. Reminders at 7 and 1 days say whether an extension is possible.
The clock is frozen: every call takes `now`."""

from datetime import UTC, date, datetime, timedelta

import pytest
from argon2 import PasswordHasher
from sqlmodel import select

from prm_app.models import (
    Deal,
    ExtensionStatus,
    Notification,
    OrgKind,
    OrgSettings,
    ProtectionExtension,
    Role,
    WebhookDelivery,
)
from prm_app.services import notifications
from prm_app.services.catalog import extension_rules
from prm_app.services.core.errors import Conflict, Invalid, NotAllowed, NotFound
from prm_app.services.deals import extensions
from prm_app.services.deals import lifecycle as deal_changes
from prm_app.services.deals import timeline as deal_timeline
from prm_app.services.identity import auth
from prm_app.services.integrations import webhooks
from tests.unit.api_support import client_over, key_for
from tests.unit.factories import colleague, org_admin, partners

NOW = datetime(2027, 1, 10, 9, 30, tzinfo=UTC)


@pytest.fixture(autouse=True)
def _setup(monkeypatch):
    monkeypatch.setattr(auth, "_hasher", PasswordHasher(time_cost=1, memory_cost=8, parallelism=1))
    monkeypatch.setenv("PRM_WEBHOOKS_ALLOW_PRIVATE", "1")


class World:
    def __init__(self, session, mode: str = "once", max_days: int = 30):
        self.session = session
        self.provider = org_admin(session, kind=OrgKind.PROVIDER, org_name="Northwind")
        self.partner = org_admin(session, kind=OrgKind.CONSULTANT, org_name="Adatum")
        partners(session, self.provider, self.partner)
        extension_rules.update_extension_rules(
            session, actor=self.provider, mode=mode, max_days=str(max_days)
        )
        registered = deal_changes.register(
            session,
            actor=self.partner,
            other_org_id=self.provider.org_id,
            form={
                "name": "Contoso ERP",
                "company": "Contoso Ltd",
                "contact_email": "jane@contoso.com",
                "amount": "1000",
                "close_date": "2027-03-31",
            },
        )
        deal_changes.approve(session, actor=self.provider, deal_id=registered.deal_id, version=1)
        self.deal = session.get(Deal, registered.deal_id)
        # Protected until 20 days from the frozen now.
        self.deal.protected_until = NOW + timedelta(days=20)
        session.add(self.deal)
        session.flush()

    @property
    def until(self) -> datetime:
        self.session.refresh(self.deal)
        return self.deal.protected_until

    def ask(self, days="10", reason="Procurement needs another month", actor=None, now=NOW):
        self.session.refresh(self.deal)
        return extensions.request(
            self.session,
            actor=actor or self.partner,
            deal_id=self.deal.id,
            version=self.deal.version,
            days=days,
            reason=reason,
            now=now,
        )

    def approve(self, extension_id, new_end, actor=None, now=NOW):
        self.session.refresh(self.deal)
        return extensions.approve(
            self.session,
            actor=actor or self.provider,
            deal_id=self.deal.id,
            version=self.deal.version,
            extension_id=extension_id,
            new_end=new_end,
            now=now,
        )

    def decline(self, extension_id, reason="Not this quarter", actor=None):
        self.session.refresh(self.deal)
        extensions.decline(
            self.session,
            actor=actor or self.provider,
            deal_id=self.deal.id,
            version=self.deal.version,
            extension_id=extension_id,
            reason=reason,
            now=NOW,
        )

    def texts(self, org, kind):
        self.session.flush()
        return list(
            self.session.exec(
                select(Notification.text).where(
                    Notification.org_id == org.org_id, Notification.kind == kind
                )
            ).all()
        )

    def outlook(self, actor, now=NOW):
        return extensions.outlook(self.session, actor=actor, deal_id=self.deal.id, now=now)


def _day(moment: datetime, days: int = 0) -> str:
    return (moment.date() + timedelta(days=days)).isoformat()


# modes ------------------------------------------------------------------------------------------


def test_none_allows_no_request(session):
    world = World(session, mode="none")
    with pytest.raises(Invalid) as refused:
        world.ask()
    assert str(refused.value) == extension_rules.NOT_ALLOWED
    assert not world.outlook(world.partner).can_request
    assert world.outlook(world.partner).closed == extension_rules.NOT_ALLOWED


def test_once_allows_one_approved_extension(session):
    world = World(session, mode="once")
    before = world.until
    first = world.ask(days="10")
    assert world.approve(first, _day(before, 10)) == before + timedelta(days=10)
    assert world.until == before + timedelta(days=10)  # same time of day, ten days later
    with pytest.raises(Invalid) as refused:
        world.ask()
    assert str(refused.value) == extension_rules.ONCE_USED
    assert world.outlook(world.partner).closed == extension_rules.ONCE_USED


def test_once_still_allows_a_request_after_a_declined_one(session):
    world = World(session, mode="once")
    world.decline(world.ask())
    second = world.ask(days="5")
    world.approve(second, _day(world.until, 5))
    statuses = [r.status for r in world.outlook(world.provider).history]
    assert statuses == [ExtensionStatus.APPROVED, ExtensionStatus.DECLINED]  # newest first


def test_unlimited_allows_one_after_another(session):
    world = World(session, mode="unlimited")
    start = world.until
    for _ in range(3):
        world.approve(world.ask(days="7"), _day(world.until, 7))
    assert world.until == start + timedelta(days=21)
    assert world.outlook(world.partner).can_request


def test_one_request_waits_at_a_time(session):
    world = World(session, mode="unlimited")
    world.ask()
    with pytest.raises(Invalid) as refused:
        world.ask()
    assert str(refused.value) == extensions.WAITING
    seen = world.outlook(world.partner)
    assert not seen.can_request and seen.pending is not None and not seen.can_decide


# what a request and an answer take --------------------------------------------------------------


def test_days_and_reason_are_checked_together(session):
    world = World(session, max_days=30)
    with pytest.raises(Invalid) as refused:
        world.ask(days="31", reason=" ")
    assert set(refused.value.problems) == {"days", "reason"}
    assert refused.value.problems["days"] == "Days wanted must be a whole number from 1 to 30."
    for bad in ("0", "-3", "ten", {"x": 1}, True, None):
        with pytest.raises(Invalid) as refused:
            world.ask(days=bad)
        assert refused.value.field == "days"
    assert session.exec(select(ProtectionExtension)).all() == []


def test_the_new_end_is_after_the_current_one_and_within_the_maximum(session):
    world = World(session, max_days=30)
    until = world.until
    asked = world.ask(days="30")
    for bad in (_day(until), _day(until, 31), _day(until, -2), "soon", "", None):
        with pytest.raises(Invalid) as refused:
            world.approve(asked, bad)
        assert refused.value.field == "new_end"
    assert str(refused.value) == (
        f"Choose a new end after {_day(until)} and at most 30 days later (by {_day(until, 30)})."
    )
    assert world.approve(asked, _day(until, 30)) == until + timedelta(days=30)
    with pytest.raises(Invalid) as refused:
        world.approve(asked, _day(world.until, 1))
    assert str(refused.value) == extensions.ANSWERED


def test_the_provider_may_grant_fewer_days_than_asked(session):
    world = World(session)
    until = world.until
    world.approve(world.ask(days="30"), _day(until, 12))
    assert world.until == until + timedelta(days=12)
    (request,) = world.outlook(world.partner).history
    assert request.days == 30 and request.new_until == until + timedelta(days=12)


def test_a_decline_takes_a_reason(session):
    world = World(session)
    asked = world.ask()
    with pytest.raises(Invalid) as refused:
        world.decline(asked, reason="")
    assert refused.value.field == "decision_reason"
    world.decline(asked, reason="The customer chose another vendor")
    (request,) = world.outlook(world.partner).history
    assert request.status == ExtensionStatus.DECLINED
    assert request.decision_reason == "The customer chose another vendor"


def test_only_before_the_protection_ends(session):
    world = World(session)
    with pytest.raises(Invalid) as refused:
        world.ask(now=NOW + timedelta(days=21))
    assert str(refused.value) == extensions.ENDED
    asked = world.ask()
    with pytest.raises(Invalid) as refused:
        world.approve(asked, _day(world.until, 5), now=NOW + timedelta(days=21))
    assert str(refused.value) == extensions.ENDED_BEFORE
    world.decline(asked)  # still answerable


def test_only_an_approved_open_deal(session):
    world = World(session)
    world.session.refresh(world.deal)
    deal_changes.reject(
        session, actor=world.provider, deal_id=world.deal.id, version=world.deal.version, reason="x"
    )
    with pytest.raises(Invalid) as refused:
        world.ask()
    assert str(refused.value) == extensions.NOT_PROTECTED


def test_who_may_ask_and_answer(session):
    world = World(session)
    # The provider does not ask; a partner's member who does not own the deal does not see it.
    with pytest.raises(NotAllowed):
        world.ask(actor=world.provider)
    member = colleague(session, world.partner, role=Role.MEMBER)
    with pytest.raises(NotFound):
        world.ask(actor=member)
    manager = colleague(session, world.partner, role=Role.MANAGER)
    asked = world.ask(actor=manager)
    # Only the provider's managers and admins answer.
    with pytest.raises(NotAllowed):
        world.approve(asked, _day(world.until, 5), actor=world.partner)
    p_member = colleague(session, world.provider, role=Role.MEMBER)
    with pytest.raises(NotAllowed):
        world.approve(asked, _day(world.until, 5), actor=p_member)
    with pytest.raises(NotAllowed):
        world.decline(asked, actor=p_member)
    assert world.outlook(world.provider).can_decide
    # Another provider's admin sees neither the deal nor the request.
    stranger = org_admin(session, kind=OrgKind.PROVIDER, org_name="Elsewhere")
    with pytest.raises(NotFound):
        world.approve(asked, _day(world.until, 5), actor=stranger)
    # A request of another deal is not this deal's.
    with pytest.raises(NotFound):
        world.approve(asked + 1000, _day(world.until, 5))


def test_a_stale_version_is_refused(session):
    world = World(session)
    stale = world.deal.version
    world.ask()
    with pytest.raises(Conflict):
        extensions.request(
            session,
            actor=world.partner,
            deal_id=world.deal.id,
            version=stale,
            days="3",
            reason="again",
            now=NOW,
        )


# timelines, notifications, webhooks -------------------------------------------------------------


def test_each_step_is_on_both_timelines_told_and_sent(session):
    world = World(session)
    for actor in (world.provider, world.partner):
        webhooks.add_endpoint(
            session,
            actor=actor,
            url="http://127.0.0.1:9/hook",
            events=[e for e in webhooks.EVENTS if e.startswith("deal.extension_")],
        )
    until = world.until
    first = world.ask(days="10", reason="Legal review")
    assert world.texts(world.provider, "deal_extension_requested") == [
        "Adatum asks to extend the protection of Contoso Ltd (deal Contoso ERP) by 10 days: "
        "Legal review"
    ]
    world.decline(first, reason="Too early")
    assert world.texts(world.partner, "deal_extension_declined") == [
        "Northwind declined to extend your protection of Contoso Ltd (deal Contoso ERP): Too early"
    ]
    world.approve(world.ask(days="10", reason="Board meets late"), _day(until, 8))
    assert world.texts(world.partner, "deal_extension_approved") == [
        f"Northwind extended your protection of Contoso Ltd (deal Contoso ERP) until "
        f"{_day(until, 8)}."
    ]
    for actor in (world.provider, world.partner):
        texts = [
            e.text for e in deal_timeline.timeline(session, actor=actor, deal_id=world.deal.id)
        ]
        assert texts[:4] == [
            f"Extended the protection to {_day(until, 8)}",
            "Asked to extend the protection by 10 days: Board meets late",
            "Declined the extension of the protection: Too early",
            "Asked to extend the protection by 10 days: Legal review",
        ]
    session.flush()
    sent = session.exec(
        select(WebhookDelivery.org_id, WebhookDelivery.event).order_by(WebhookDelivery.id)
    ).all()
    events = [e for org, e in sent if org == world.provider.org_id]
    assert events == [
        "deal.extension_requested",
        "deal.extension_declined",
        "deal.extension_requested",
        "deal.extension_approved",
    ]
    assert [e for org, e in sent if org == world.partner.org_id] == events
    body = session.exec(
        select(WebhookDelivery.body).where(WebhookDelivery.event == "deal.extension_approved")
    ).first()
    assert f'"new_until":"{until + timedelta(days=8):%Y-%m-%d}' in body
    assert '"reason":"Board meets late"' in body


# reminders --------------------------------------------------------------------------------------


def test_reminders_at_7_and_1_days_say_whether_an_extension_is_possible(session):
    world = World(session, mode="once", max_days=30)
    end = NOW + timedelta(days=20)

    def remind(days_left: float) -> int:
        return notifications.remind_protection(session, now=end - timedelta(days=days_left))

    assert remind(10) == 0
    assert remind(6.5) == 1  # the 7-day reminder
    assert remind(5) == 0  # once
    assert remind(0.5) == 1  # the 1-day reminder
    assert remind(0.2) == 0
    texts = world.texts(world.partner, "protection_expiring")
    assert len(texts) == 2
    assert all(
        t.endswith("You can request an extension of up to 30 days on the deal's page.")
        for t in texts
    )
    # Extended (from half a day before the end): a new period, reminded again at each threshold.
    world.approve(
        world.ask(days="10", now=end - timedelta(days=0.5)),
        _day(end, 10),
        now=end - timedelta(days=0.4),
    )
    new_end = end + timedelta(days=10)
    assert notifications.remind_protection(session, now=new_end - timedelta(days=6)) == 1
    assert notifications.remind_protection(session, now=new_end - timedelta(hours=20)) == 1
    texts = world.texts(world.partner, "protection_expiring")
    assert len(texts) == 4
    assert texts[-1].endswith(extension_rules.ONCE_USED)
    assert f"ends on {new_end.date().isoformat()}" in texts[-1]


def test_a_reminder_tells_of_a_request_waiting_or_of_no_extension(session):
    world = World(session, mode="unlimited")
    world.ask()
    end = NOW + timedelta(days=20)
    assert notifications.remind_protection(session, now=end - timedelta(days=3)) == 1
    (text,) = world.texts(world.partner, "protection_expiring")
    assert text.endswith("Your request to extend it is waiting for Northwind's answer.")
    other = World(session, mode="none")
    assert notifications.remind_protection(session, now=end - timedelta(days=3)) == 1
    (text,) = other.texts(other.partner, "protection_expiring")
    assert text.endswith(extension_rules.NOT_ALLOWED)


# the program's settings -------------------------------------------------------------------------


def test_the_program_settings_are_an_administrators(session):
    provider = org_admin(session, kind=OrgKind.PROVIDER)
    assert extension_rules.extension_rules(session, actor=provider) == (
        extension_rules.ExtensionRules("once", 30)
    )
    manager = colleague(session, provider, role=Role.MANAGER)
    with pytest.raises(NotAllowed):
        extension_rules.update_extension_rules(session, actor=manager, mode="none", max_days=5)
    for mode, days, field in (
        ("forever", "5", "extension_mode"),
        (["once"], "5", "extension_mode"),
        ("once", "0", "extension_max_days"),
        ("once", "366", "extension_max_days"),
        ("once", "x", "extension_max_days"),
    ):
        with pytest.raises(Invalid) as refused:
            extension_rules.update_extension_rules(
                session, actor=provider, mode=mode, max_days=days
            )
        assert refused.value.field == field
    extension_rules.update_extension_rules(session, actor=provider, mode="unlimited", max_days="45")
    stored = session.get(OrgSettings, provider.org_id)
    assert (stored.extension_mode, stored.extension_max_days) == ("unlimited", 45)
    consultant = org_admin(session, kind=OrgKind.CONSULTANT)
    with pytest.raises(NotAllowed):
        extension_rules.update_extension_rules(session, actor=consultant, mode="none", max_days=5)


def test_the_outlook_suggests_the_end_asked_for_within_the_maximum(session):
    world = World(session, max_days=30)
    until = world.until
    world.ask(days="14")
    seen = world.outlook(world.provider)
    assert seen.can_decide and seen.pending is not None
    assert seen.suggested_end == until.date() + timedelta(days=14)
    assert seen.latest_end == until.date() + timedelta(days=30)
    assert isinstance(seen.suggested_end, date)


# the REST API -----------------------------------------------------------------------------------


def test_the_api_requests_approves_and_declines_with_the_same_messages(session):
    world = World(session, mode="once", max_days=30)
    world.deal.protected_until = datetime.now(UTC) + timedelta(days=20)  # the API's clock
    session.add(world.deal)
    session.flush()
    api, partner, provider = (
        client_over(session),
        key_for(session, world.partner),
        key_for(session, world.provider),
    )
    path = f"/deals/{world.deal.id}/extensions"
    version = api.get(f"/deals/{world.deal.id}", headers=partner).json()["version"]
    too_long = api.post(path, json={"version": version, "days": 31, "reason": "x"}, headers=partner)
    assert too_long.status_code == 422
    assert too_long.json()["detail"] == extensions.days_message(30)
    made = api.post(path, json={"version": version, "days": 10, "reason": "Legal"}, headers=partner)
    assert made.status_code == 201, made.text
    extension_id = made.json()["extension_id"]
    seen = api.get(path, headers=provider).json()
    assert seen["can_decide"] and seen["pending"]["id"] == extension_id
    assert api.get(path, headers=key_for(session, org_admin(session))).status_code == 404
    version += 1
    until = world.until
    approved = api.post(
        f"{path}/{extension_id}/approve",
        json={"version": version, "new_end": _day(until, 10)},
        headers=provider,
    )
    assert approved.status_code == 200, approved.text
    assert world.until == until + timedelta(days=10)
    again = api.post(
        path, json={"version": version + 1, "days": 5, "reason": "More"}, headers=partner
    )
    assert again.status_code == 422
    assert again.json()["detail"] == extension_rules.ONCE_USED
    refused = api.post(
        f"{path}/{extension_id}/decline",
        json={"version": version + 1, "reason": "late"},
        headers=partner,
    )
    assert refused.status_code == 403
