"""Who hears of what: recipients per event, no leaks across organizations, each person's
channels; the inbox and its authorization; protection reminders."""

from datetime import timedelta

import pytest
from argon2 import PasswordHasher
from sqlmodel import col, select

from prm_app.models import (
    Deal,
    LeadRecipient,
    Notification,
    OrgKind,
    OutboundEmail,
    Partnership,
    Role,
    User,
    utcnow,
)
from prm_app.services import leads, notifications, partnerships
from prm_app.services.core import changes
from prm_app.services.core.errors import Invalid, NotFound
from prm_app.services.deals import lifecycle as deal_changes
from prm_app.services.identity import auth, team
from prm_app.services.leads import LeadInput
from tests.unit.factories import colleague, deal_stage, org_admin, partners


@pytest.fixture(autouse=True)
def _cheap_password_hashing(monkeypatch):
    monkeypatch.setattr(auth, "_hasher", PasswordHasher(time_cost=1, memory_cost=8, parallelism=1))


@pytest.fixture(autouse=True)
def _base_url(monkeypatch):
    monkeypatch.setenv("PRM_BASE_URL", "https://prm.example")


class World:
    """Two providers and a consultant firm; Northwind partners with Fabrikam."""

    def __init__(self, session):
        self.session = session
        self.provider = org_admin(session, kind=OrgKind.PROVIDER, org_name="Northwind")
        self.p_manager = colleague(session, self.provider, role=Role.MANAGER, name="Pam Manager")
        self.p_member = colleague(session, self.provider, name="Pete Member")
        self.consultant = org_admin(session, kind=OrgKind.CONSULTANT, org_name="Fabrikam")
        self.c_member = colleague(session, self.consultant, name="Cora Member")
        self.other = org_admin(session, kind=OrgKind.PROVIDER, org_name="Contoso")
        self.other_manager = colleague(session, self.other, role=Role.MANAGER)
        partners(session, self.provider, self.consultant)
        self.clear()

    def clear(self) -> None:
        """Forget what setting up the world notified (invitations and so on)."""
        self.session.flush()
        for row in self.session.exec(select(Notification)).all():
            self.session.delete(row)
        for row in self.session.exec(select(OutboundEmail)).all():
            self.session.delete(row)
        self.session.flush()
        self.session.info.clear()

    def notified(self, kind: str | None = None) -> list[tuple[int, int, str]]:
        """(user, org, link) of every notification (of this kind), sorted."""
        self.session.flush()
        query = select(Notification.user_id, Notification.org_id, Notification.link)
        if kind:
            query = query.where(Notification.kind == kind)
        return sorted(self.session.exec(query).all())

    def texts(self, kind: str) -> set[str]:
        self.session.flush()
        return set(self.session.exec(select(Notification.text).where(Notification.kind == kind)))

    def mailed(self) -> list[str]:
        self.session.flush()
        return sorted(self.session.exec(select(OutboundEmail.to_address)).all())

    def submit(self, company: str = "Blue Yonder", owner=None) -> tuple[int, int]:
        """A lead of Fabrikam's admin to Northwind: (lead id, recipient id)."""
        lead_id, (recipient_id,) = leads.create_and_submit(
            self.session,
            actor=self.consultant,
            data=LeadInput("Maya", "Lopez", "maya@blueyonder.example", company),
            owner_id=(owner or self.consultant).user_id,
            recipient_org_ids=[self.provider.org_id],
        )
        return lead_id, recipient_id


@pytest.fixture
def world(session) -> World:
    return World(session)


def _ids(*actors) -> list[int]:
    return [a.user_id for a in actors]


# leads ------------------------------------------------------------------------------------------


def test_a_submitted_lead_reaches_the_providers_managers_only(world):
    lead_id, _ = world.submit()
    link = f"/p/leads/{lead_id}"
    expected = sorted(
        (u, world.provider.org_id, link) for u in _ids(world.provider, world.p_manager)
    )
    assert world.notified("lead_received") == expected
    assert world.texts("lead_received") == {"Fabrikam sent you a lead: Blue Yonder."}
    # By email too (the default), to those people only; nobody else anywhere heard of it.
    assert world.mailed() == sorted([world.provider.email, world.p_manager.email])
    assert world.notified() == expected
    # The bells of exactly those people move once the transaction commits.
    assert changes.noted(world.session).notified == set(_ids(world.provider, world.p_manager))


def test_the_partner_manager_of_the_firm_hears_of_its_leads_too(world, session):
    partnership = session.exec(
        select(Partnership).where(Partnership.provider_org_id == world.provider.org_id)
    ).one()
    partnership.partner_manager_id = world.p_member.user_id
    session.add(partnership)
    world.submit()
    assert {u for u, _, _ in world.notified("lead_received")} == set(
        _ids(world.provider, world.p_manager, world.p_member)
    )


def test_answers_reach_the_leads_owner_with_the_reason(world, session):
    lead_id, recipient_id = world.submit(owner=world.c_member)
    world.clear()
    leads.reject(session, actor=world.provider, recipient_id=recipient_id, reason="Not our market")
    origin_link = f"/c/leads/{lead_id}"
    assert world.notified() == [(world.c_member.user_id, world.consultant.org_id, origin_link)]
    assert world.texts("lead_rejected") == {
        "Northwind rejected your lead Blue Yonder: Not our market"
    }
    assert world.mailed() == [world.c_member.email]


def test_accept_assign_convert_and_lost(world, session):
    lead_id, recipient_id = world.submit(owner=world.c_member)
    world.clear()
    leads.accept(
        session, actor=world.p_manager, recipient_id=recipient_id, owner_id=world.p_member.user_id
    )
    assert world.notified("lead_accepted") == [
        (world.c_member.user_id, world.consultant.org_id, f"/c/leads/{lead_id}")
    ]
    assert world.notified("lead_assigned") == [
        (world.p_member.user_id, world.provider.org_id, f"/p/leads/{lead_id}")
    ]
    assert world.texts("lead_assigned") == {"Pam Manager gave you the lead Blue Yonder."}
    world.clear()
    leads.convert(session, actor=world.p_member, recipient_id=recipient_id, amount="1000")
    assert world.notified() == [
        (world.c_member.user_id, world.consultant.org_id, f"/c/leads/{lead_id}")
    ]
    assert world.texts("lead_converted") == {
        "Northwind converted your lead Blue Yonder into a deal."
    }

    _, second = world.submit("Litware")
    leads.accept(session, actor=world.provider, recipient_id=second)
    world.clear()
    leads.mark_lost(session, actor=world.provider, recipient_id=second, reason="No budget")
    assert world.texts("lead_lost") == {"Northwind closed your lead Litware as lost: No budget"}
    assert [u for u, _, _ in world.notified()] == [world.consultant.user_id]


def test_a_returned_referral_tells_both_sides(world, session):
    lead_id, (recipient_id,) = leads.create_and_submit(
        session,
        actor=world.provider,
        data=LeadInput("Ann", "Ref", "ann@litware.example", "Litware"),
        owner_id=world.p_member.user_id,
        recipient_org_ids=[world.consultant.org_id],
    )
    # The provider's admin gave it to Pete; the firm's managers (its admin) received it.
    assert world.notified("lead_assigned") == [
        (world.p_member.user_id, world.provider.org_id, f"/p/referrals/{lead_id}")
    ]
    assert world.notified("lead_received") == [
        (world.consultant.user_id, world.consultant.org_id, f"/c/referrals/{lead_id}")
    ]
    world.clear()
    recipient = session.get(LeadRecipient, recipient_id)
    recipient.deadline_at = utcnow() - timedelta(minutes=1)
    session.add(recipient)
    assert leads.return_overdue(session) == 1
    assert world.notified("lead_returned") == [
        (world.p_member.user_id, world.provider.org_id, f"/p/referrals/{lead_id}"),
        (world.consultant.user_id, world.consultant.org_id, f"/c/referrals/{lead_id}"),
    ]


def test_nobody_outside_the_organizations_or_deactivated_hears(world, session):
    gone = world.p_manager
    team.set_active(session, actor=world.provider, user_id=gone.user_id, active=False)
    world.clear()
    world.submit()
    people = {u for u, _, _ in world.notified()}
    assert people == {world.provider.user_id}
    assert not people & set(_ids(world.other, world.other_manager, gone))


# preferences ------------------------------------------------------------------------------------


def test_each_person_chooses_per_category(world, session):
    notifications.set_preference(session, actor=world.provider, category="leads", channel="in_app")
    notifications.set_preference(session, actor=world.p_manager, category="leads", channel="off")
    notifications.set_preference(session, actor=world.p_manager, category="deals", channel="off")
    world.submit()
    assert [u for u, _, _ in world.notified()] == [world.provider.user_id]  # in the portal
    assert world.mailed() == []  # and by email to nobody
    prefs = notifications.preferences(session, actor=world.p_manager)
    assert prefs == {
        **dict.fromkeys(notifications.CATEGORIES, "email"),
        "leads": "off",
        "deals": "off",
    }
    # Changing one's mind updates the same row.
    notifications.set_preference(session, actor=world.p_manager, category="leads", channel="email")
    assert notifications.preferences(session, actor=world.p_manager)["leads"] == "email"


@pytest.mark.parametrize(
    ("category", "channel"),
    [("nope", "email"), ("leads", "sms"), (["leads"], "email"), ("leads", {"x": 1}), (None, None)],
)
def test_preferences_refuse_anything_but_the_lists(world, session, category, channel):
    with pytest.raises(Invalid):
        notifications.set_preference(
            session, actor=world.provider, category=category, channel=channel
        )


def test_every_kind_has_a_category():
    assert set(notifications.KINDS.values()) <= set(notifications.CATEGORIES)
    assert {"payout_requested", "payout_paid"} <= set(notifications.KINDS)


# deals ------------------------------------------------------------------------------------------


def _form(**values) -> dict:
    return {
        "name": "Contoso ERP rollout",
        "company": "Contoso Ltd",
        "contact_name": "Jane Doe",
        "contact_email": "jane@contoso.com",
        "amount": "12500",
        "close_date": "2027-03-31",
        "product_ids": [],
        **values,
    }


def _deal(world, session) -> Deal:
    found = deal_changes.register(
        session, actor=world.c_member, other_org_id=world.provider.org_id, form=_form()
    )
    return session.get(Deal, found.deal_id)


def test_deal_events_reach_the_other_side_and_the_owners(world, session):
    deal = _deal(world, session)
    p_link, c_link = f"/p/deals/{deal.id}", f"/c/deals/{deal.id}"
    # Registered: no partner manager yet, so the provider's managers decide.
    assert world.notified("deal_registered") == sorted(
        (u, world.provider.org_id, p_link) for u in _ids(world.provider, world.p_manager)
    )
    world.clear()
    deal_changes.approve(session, actor=world.provider, deal_id=deal.id, version=deal.version)
    assert world.notified() == [(world.c_member.user_id, world.consultant.org_id, c_link)]
    assert next(iter(world.texts("deal_approved"))).startswith(
        "Northwind approved your deal Contoso ERP rollout: protected until "
    )
    world.clear()
    deal_changes.assign_owner(
        session,
        actor=world.provider,
        deal_id=deal.id,
        version=deal.version,
        owner_id=world.p_member.user_id,
    )
    assert world.notified() == [(world.p_member.user_id, world.provider.org_id, p_link)]
    world.clear()
    deal_changes.move_stage(
        session,
        actor=world.p_member,
        deal_id=deal.id,
        version=deal.version,
        stage_id=deal_stage(session, world.provider, "Proposal"),
    )
    # The owners on both sides except the one who moved it.
    assert world.notified() == [(world.c_member.user_id, world.consultant.org_id, c_link)]
    assert world.texts("deal_stage_changed") == {
        "Contoso ERP rollout moved to Proposal. (by Northwind)"
    }
    world.clear()
    deal_changes.move_stage(
        session,
        actor=world.c_member,
        deal_id=deal.id,
        version=deal.version,
        stage_id=deal_stage(session, world.provider, "Closed Lost"),
        reason="No budget",
    )
    assert world.notified("deal_lost") == [(world.p_member.user_id, world.provider.org_id, p_link)]
    assert world.texts("deal_lost") == {"Closed Lost: Contoso ERP rollout (No budget)."}


def test_a_rejected_deal_tells_its_partner_why(world, session):
    deal = _deal(world, session)
    world.clear()
    deal_changes.reject(
        session, actor=world.p_manager, deal_id=deal.id, version=deal.version, reason="Duplicate"
    )
    assert world.notified() == [
        (world.c_member.user_id, world.consultant.org_id, f"/c/deals/{deal.id}")
    ]
    assert world.texts("deal_rejected") == {
        "Northwind rejected your deal Contoso ERP rollout: Duplicate"
    }


def test_protection_reminder_once_per_protection(world, session):
    deal = _deal(world, session)
    deal_changes.approve(session, actor=world.provider, deal_id=deal.id, version=deal.version)
    world.clear()
    now = utcnow()
    assert notifications.remind_protection(session, now=now) == 0  # 90 days left
    deal.protected_until = now + timedelta(days=3)
    session.add(deal)
    session.flush()
    assert notifications.remind_protection(session, now=now) == 1
    assert world.notified("protection_expiring") == [
        (world.c_member.user_id, world.consultant.org_id, f"/c/deals/{deal.id}")
    ]
    assert notifications.remind_protection(session, now=now) == 0  # once
    deal.protected_until = now + timedelta(days=5)  # protection renewed, ending soon again
    session.add(deal)
    session.flush()
    assert notifications.remind_protection(session, now=now) == 1
    assert len(world.notified("protection_expiring")) == 2


# invitations ------------------------------------------------------------------------------------


def test_invitations_received_and_answered(session):
    provider = org_admin(session, kind=OrgKind.PROVIDER, org_name="Northwind")
    firm = org_admin(session, kind=OrgKind.CONSULTANT, org_name="Adatum")
    firm_member = colleague(session, firm)
    invitation = partnerships.invite(session, actor=provider, email=firm_member.email)
    session.flush()
    received = session.exec(
        select(Notification.user_id).where(
            Notification.kind == "invitation_received", Notification.org_id == firm.org_id
        )
    ).all()
    assert received == [firm.user_id]  # the firm's admin answers, not the member invited
    partnerships.reject(session, actor=firm, partnership_id=invitation.partnership_id)
    session.flush()
    answered = session.exec(
        select(Notification.user_id, Notification.text).where(
            Notification.kind == "invitation_rejected", Notification.org_id == provider.org_id
        )
    ).all()
    assert answered == [
        (provider.user_id, "Adatum declined your invitation to your partner program.")
    ]


def test_an_invitation_to_a_new_address_is_mailed_with_its_sign_up_link(session):
    provider = org_admin(session, kind=OrgKind.PROVIDER, org_name="Northwind")
    invitation = partnerships.invite(session, actor=provider, email="boss@newfirm.example")
    session.flush()
    mail = session.exec(
        select(OutboundEmail).where(OutboundEmail.to_address == "boss@newfirm.example")
    ).one()
    assert mail.subject == "Northwind invites your firm to its partner program."
    assert f"https://prm.example/signup?invite={invitation.token}" in mail.body


# the inbox --------------------------------------------------------------------------------------


def test_the_inbox_is_the_callers_own(world, session):
    lead_id, _ = world.submit()
    session.flush()
    mine = session.exec(
        select(Notification).where(Notification.user_id == world.provider.user_id)
    ).one()
    theirs = session.exec(
        select(Notification).where(Notification.user_id == world.p_manager.user_id)
    ).one()
    assert notifications.unread_count(session, actor=world.provider) == 1
    items, total = notifications.inbox(session, actor=world.provider)
    assert (total, [i.id for i in items]) == (1, [mine.id])
    for hostile in (theirs.id, str(theirs.id), 0, -1, "1 or 1=1", None, [mine.id], True, 2**70):
        with pytest.raises(NotFound):
            notifications.mark_read(session, actor=world.provider, notification_id=hostile)
    assert theirs.read_at is None
    assert notifications.unread_count(session, actor=world.p_manager) == 1
    link = notifications.mark_read(session, actor=world.provider, notification_id=mine.id)
    assert link == f"/p/leads/{lead_id}"
    assert notifications.unread_count(session, actor=world.provider) == 0
    assert notifications.mark_all_read(session, actor=world.provider) == 0
    assert notifications.mark_all_read(session, actor=world.p_manager) == 1
    # Another organization's people see none of it.
    assert notifications.inbox(session, actor=world.other_manager) == ([], 0)


def test_the_inbox_pages_newest_first_and_links_stay_inside_the_portal(world, session):
    for n in range(notifications.PAGE_SIZE + 3):
        session.add(
            Notification(
                user_id=world.provider.user_id,
                org_id=world.provider.org_id,
                kind="lead_received",
                text=f"n{n}",
                link="https://evil.example/" if n == 0 else "/p/leads",
            )
        )
    session.flush()
    first, total = notifications.inbox(session, actor=world.provider)
    assert total == notifications.PAGE_SIZE + 3
    assert first[0].text == f"n{notifications.PAGE_SIZE + 2}"
    last, _ = notifications.inbox(session, actor=world.provider, page=2)
    assert [i.text for i in last] == ["n2", "n1", "n0"]
    assert notifications.mark_read(session, actor=world.provider, notification_id=last[-1].id) == (
        "/p/partners"
    )
    only_unread, count = notifications.inbox(session, actor=world.provider, unread_only=True)
    assert count == notifications.PAGE_SIZE + 2
    assert all(not i.read for i in only_unread)


def test_import_finished_tells_who_started_it(world, session):
    from prm_app.models import ImportBatch

    batch = ImportBatch(
        org_id=world.consultant.org_id,
        created_by_id=world.c_member.user_id,
        kind="leads",
        file_name="leads.csv",
        rows_imported=98,
        rows_failed=2,
    )
    session.add(batch)
    session.flush()
    notifications.import_finished(session, actor=world.c_member, batch=batch)
    assert world.notified() == [(world.c_member.user_id, world.consultant.org_id, "/c/leads")]
    assert world.texts("import_finished") == {
        "Your import of leads.csv finished: 98 imported, 2 failed."
    }


def test_mail_body_links_to_the_record(world, session):
    lead_id, _ = world.submit()
    session.flush()
    mail = session.exec(
        select(OutboundEmail).where(OutboundEmail.to_address == world.provider.email)
    ).one()
    assert mail.subject == "Fabrikam sent you a lead: Blue Yonder."
    assert f"https://prm.example/p/leads/{lead_id}" in mail.body
    user = session.get(User, world.provider.user_id)
    assert mail.body.startswith(f"Hello {user.name},")
    assert col(OutboundEmail.status) is not None and mail.status == "queued"


def test_an_import_sends_each_organization_one_summary(world, session):
    from prm_app.models import ImportBatch

    batch = ImportBatch(
        org_id=world.consultant.org_id,
        created_by_id=world.consultant.user_id,
        kind="leads",
        file_name="leads.csv",
    )
    session.add(batch)
    session.flush()
    notifications.imported_for(
        session,
        actor=world.consultant,
        batch=batch,
        counts={world.provider.org_id: 250, world.other.org_id: 0},
    )
    assert world.notified() == sorted(
        (u, world.provider.org_id, "/p/leads") for u in _ids(world.provider, world.p_manager)
    )
    assert world.texts("lead_received") == {"Fabrikam sent you 250 leads from a file."}
