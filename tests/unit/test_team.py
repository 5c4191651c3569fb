"""team: listing colleagues, invitations, deactivation and reactivation."""

from datetime import timedelta

import pytest
from sqlmodel import col, func, select

from prm_app.models import (
    ActivityEvent,
    Membership,
    OrgKind,
    OutboundEmail,
    Role,
    User,
    UserInvite,
    utcnow,
)
from prm_app.services.core.errors import Invalid, NotAllowed, NotAuthenticated, NotFound
from prm_app.services.identity import auth, team
from tests.unit.factories import (
    PASSWORD,
    colleague,
    events,
    in_the_past,
    membership_row,
    org_admin,
    signed_in,
    unique_email,
    user_row,
)

ADMIN_ONLY = "Only an administrator of your organization can do that."


def _invite(session, token):
    return session.exec(
        select(UserInvite).where(UserInvite.token_hash == auth.hash_token(token))
    ).one()


def _count(session, model, *where):
    session.flush()
    return session.exec(select(func.count()).select_from(model).where(*where)).one()


# members -------------------------------------------------------------------------------------


def test_members_lists_only_the_callers_org(session):
    admin = org_admin(session, name="Zed Admin")
    alice = colleague(session, admin, name="Alice", role=Role.MANAGER)
    bob = colleague(session, admin, name="Bob")
    outsider_admin = org_admin(session, kind=OrgKind.CONSULTANT, name="Outsider")
    outsider_member = colleague(session, outsider_admin, name="Other member")

    listed = team.members(session, actor=bob)
    assert [(m.user_id, m.name, m.role, m.is_active) for m in listed] == [
        (alice.user_id, "Alice", "manager", True),
        (bob.user_id, "Bob", "member", True),
        (admin.user_id, "Zed Admin", "admin", True),
    ]
    outsiders = team.members(session, actor=outsider_admin)
    assert [(m.user_id, m.name) for m in outsiders] == [
        (outsider_member.user_id, "Other member"),
        (outsider_admin.user_id, "Outsider"),
    ]


def test_members_lists_deactivated_people_last_and_as_inactive(session):
    admin = org_admin(session, name="Zed")
    aaron = colleague(session, admin, name="Aaron")
    team.set_active(session, actor=admin, user_id=aaron.user_id, active=False)
    listed = team.members(session, actor=admin)
    assert [(m.name, m.is_active) for m in listed] == [("Zed", True), ("Aaron", False)]


def test_members_shows_a_deactivated_user_account_as_inactive(session):
    admin = org_admin(session)
    member = colleague(session, admin, name="Blocked")
    user = user_row(session, member.user_id)
    user.is_active = False
    session.add(user)
    session.flush()
    (entry,) = [m for m in team.members(session, actor=admin) if m.user_id == member.user_id]
    assert entry.is_active is False


# invite_colleague ----------------------------------------------------------------------------


def test_invite_stores_a_hashed_token_and_records_an_event(session):
    admin = org_admin(session)
    token = team.invite_colleague(session, actor=admin, email=" New@Example.com ", role="manager")
    session.flush()
    invite = _invite(session, token)
    assert (invite.org_id, invite.email, invite.role, invite.invited_by_id) == (
        admin.org_id,
        "new@example.com",
        "manager",
        admin.user_id,
    )
    assert invite.token_hash != token
    assert invite.accepted_at is None
    assert invite.revoked_at is None
    assert invite.expires_at > utcnow() + team.INVITE_TTL - timedelta(minutes=1)
    (event,) = events(session, org_id=admin.org_id, entity_type="user_invite")
    assert (event.actor_id, event.entity_id, event.action, event.after) == (
        admin.user_id,
        invite.id,
        "invited",
        {"email": "new@example.com", "role": "manager"},
    )
    assert team.describe_invite(session, token=token)[1:] == ("new@example.com", "manager")


@pytest.mark.parametrize("role", [Role.MANAGER, Role.MEMBER])
def test_only_admins_invite(session, role):
    admin = org_admin(session)
    someone = colleague(session, admin, role=role)
    before = _count(session, UserInvite)
    with pytest.raises(NotAllowed, match=ADMIN_ONLY):
        team.invite_colleague(session, actor=someone, email=unique_email(), role="member")
    assert _count(session, UserInvite) == before


@pytest.mark.parametrize("role", ["owner", "ADMIN", "", None, 1, {"role": "admin"}, ["admin"]])
def test_invite_refuses_bad_role(session, role):
    admin = org_admin(session)
    with pytest.raises(Invalid, match="Choose a role") as caught:
        team.invite_colleague(session, actor=admin, email=unique_email(), role=role)
    assert caught.value.field == "role"
    assert _count(session, UserInvite, UserInvite.org_id == admin.org_id) == 0


@pytest.mark.parametrize("email", ["", "nope", None, 5, {"email": "a@b.co"}, "a" * 255 + "@x.io"])
def test_invite_refuses_bad_email(session, email):
    admin = org_admin(session)
    with pytest.raises(Invalid) as caught:
        team.invite_colleague(session, actor=admin, email=email, role="member")
    assert caught.value.field == "email"
    assert _count(session, UserInvite, UserInvite.org_id == admin.org_id) == 0


def test_invite_to_an_address_with_an_account_answers_the_same_and_mails_a_notice(session):
    """No "already has an account" for the admin: the invitation is pending like any other,
    and the owner of the address gets a notice instead of the join link."""
    admin = org_admin(session)
    org_admin(session, email="taken@example.com")
    taken = team.invite_colleague(session, actor=admin, email="TAKEN@example.com", role="member")
    free = team.invite_colleague(session, actor=admin, email="free@example.com", role="member")
    assert [i.email for i in team.pending_invites(session, actor=admin)] == [
        "free@example.com",
        "taken@example.com",
    ]
    (notice,) = _mails(session, "taken@example.com")
    assert "already has an account" in notice.body and taken not in notice.body
    (invitation,) = _mails(session, "free@example.com")
    assert f"/join?token={free}" in invitation.body
    with pytest.raises(Invalid, match="already exists"):
        team.accept_invite(session, token=taken, name="Second", password=PASSWORD)


def test_reinviting_revokes_the_earlier_pending_invite(session):
    admin = org_admin(session)
    first = team.invite_colleague(session, actor=admin, email="again@example.com", role="member")
    second = team.invite_colleague(session, actor=admin, email="Again@example.com", role="admin")
    session.flush()
    assert _invite(session, first).revoked_at is not None
    assert _invite(session, second).revoked_at is None
    with pytest.raises(NotAuthenticated, match="not valid any more"):
        team.describe_invite(session, token=first)
    assert team.describe_invite(session, token=second)[2] == "admin"
    pending = team.pending_invites(session, actor=admin)
    assert [(p.email, p.role) for p in pending] == [("again@example.com", "admin")]


def test_reinviting_leaves_another_orgs_invite_alone(session):
    first_admin = org_admin(session)
    second_admin = org_admin(session)
    theirs = team.invite_colleague(
        session, actor=first_admin, email="shared@example.com", role="member"
    )
    team.invite_colleague(session, actor=second_admin, email="shared@example.com", role="member")
    session.flush()
    assert _invite(session, theirs).revoked_at is None


def test_pending_invites_is_admin_only_and_skips_closed_invites(session):
    admin = org_admin(session)
    manager = colleague(session, admin, role=Role.MANAGER)
    expired = team.invite_colleague(session, actor=admin, email="old@example.com", role="member")
    revoked = team.invite_colleague(session, actor=admin, email="rev@example.com", role="member")
    accepted = team.invite_colleague(session, actor=admin, email="acc@example.com", role="member")
    open_ = team.invite_colleague(session, actor=admin, email="open@example.com", role="manager")
    session.flush()
    _invite(session, expired).expires_at = in_the_past()
    team.revoke_invite(session, actor=admin, invite_id=_invite(session, revoked).id)
    team.accept_invite(session, token=accepted, name="Acc", password=PASSWORD)
    session.flush()

    pending = team.pending_invites(session, actor=admin)
    assert [(p.id, p.email, p.role) for p in pending] == [
        (_invite(session, open_).id, "open@example.com", "manager")
    ]
    with pytest.raises(NotAllowed):
        team.pending_invites(session, actor=manager)


# describe_invite / accept_invite -------------------------------------------------------------


def test_describe_invite_names_org_email_and_role(session):
    admin = org_admin(session, org_name="Globex")
    token = team.invite_colleague(session, actor=admin, email="d@example.com", role="member")
    assert team.describe_invite(session, token=token) == ("Globex", "d@example.com", "member")


@pytest.mark.parametrize("role", [Role.ADMIN, Role.MANAGER, Role.MEMBER])
def test_accept_invite_creates_user_and_membership_with_the_invited_role(session, role):
    admin = org_admin(session, org_name="Initech", kind=OrgKind.CONSULTANT)
    token = team.invite_colleague(session, actor=admin, email="Joiner@example.com", role=role)
    actor = team.accept_invite(session, token=token, name="  Jo Iner ", password=PASSWORD)
    session.flush()

    user = user_row(session, actor.user_id)
    assert (user.email, user.name, user.is_active) == ("joiner@example.com", "Jo Iner", True)
    assert user.password_hash.startswith("$argon2")
    assert PASSWORD not in user.password_hash
    membership = membership_row(session, actor)
    assert (membership.org_id, membership.role, membership.is_active) == (admin.org_id, role, True)
    assert (actor.org_id, actor.org_kind, actor.org_name, actor.role) == (
        admin.org_id,
        "consultant",
        "Initech",
        role,
    )
    assert _invite(session, token).accepted_at is not None

    (event,) = events(session, org_id=admin.org_id, entity_type="user")
    assert (event.actor_id, event.entity_id, event.action, event.after) == (
        actor.user_id,
        actor.user_id,
        "joined",
        {"role": role.value},
    )


def test_accepted_invite_gives_a_working_actor(session):
    admin = org_admin(session)
    token = team.invite_colleague(session, actor=admin, email="works@example.com", role="manager")
    actor = team.accept_invite(session, token=token, name="Works", password=PASSWORD)
    assert auth.authenticate(session, email="works@example.com", password=PASSWORD) == actor
    assert auth.resolve(session, token=signed_in(session, actor)) == actor
    assert {m.user_id for m in team.members(session, actor=actor)} == {
        admin.user_id,
        actor.user_id,
    }


def test_accept_invite_validates_name_and_password_and_keeps_the_invite_open(session):
    admin = org_admin(session)
    token = team.invite_colleague(session, actor=admin, email="val@example.com", role="member")
    with pytest.raises(Invalid, match="at least 12 characters"):
        team.accept_invite(session, token=token, name="Val", password="short")
    with pytest.raises(Invalid, match="Your name is required"):
        team.accept_invite(session, token=token, name="  ", password=PASSWORD)
    with pytest.raises(Invalid, match="must be text"):
        team.accept_invite(session, token=token, name={"n": 1}, password=PASSWORD)
    assert _count(session, User, User.email == "val@example.com") == 0
    assert _invite(session, token).accepted_at is None
    team.accept_invite(session, token=token, name="Val", password=PASSWORD)


def test_used_invite_is_refused(session):
    admin = org_admin(session)
    token = team.invite_colleague(session, actor=admin, email="once@example.com", role="member")
    team.accept_invite(session, token=token, name="Once", password=PASSWORD)
    with pytest.raises(NotAuthenticated, match="not valid any more"):
        team.accept_invite(session, token=token, name="Twice", password=PASSWORD)
    with pytest.raises(NotAuthenticated):
        team.describe_invite(session, token=token)
    assert _count(session, User, User.email == "once@example.com") == 1


def test_revoked_invite_is_refused(session):
    admin = org_admin(session)
    token = team.invite_colleague(session, actor=admin, email="rv@example.com", role="member")
    team.revoke_invite(session, actor=admin, invite_id=_invite(session, token).id)
    with pytest.raises(NotAuthenticated, match="not valid any more"):
        team.accept_invite(session, token=token, name="Rv", password=PASSWORD)
    with pytest.raises(NotAuthenticated, match="not valid any more"):
        team.describe_invite(session, token=token)
    assert _count(session, User, User.email == "rv@example.com") == 0


def test_expired_invite_is_refused(session):
    admin = org_admin(session)
    token = team.invite_colleague(session, actor=admin, email="late@example.com", role="member")
    session.flush()
    invite = _invite(session, token)
    invite.expires_at = in_the_past()
    session.add(invite)
    session.flush()
    with pytest.raises(NotAuthenticated, match="has expired"):
        team.describe_invite(session, token=token)
    with pytest.raises(NotAuthenticated, match="has expired"):
        team.accept_invite(session, token=token, name="Late", password=PASSWORD)
    assert _count(session, User, User.email == "late@example.com") == 0


@pytest.mark.parametrize(
    ("token", "message"),
    [
        (None, "is not valid"),
        ("", "is not valid"),
        (7, "is not valid"),
        ({"token": "x"}, "is not valid"),
        (["x"], "is not valid"),
        ("t" * 101, "is not valid"),
        ("never-issued-token", "not valid any more"),
    ],
)
def test_garbage_invite_tokens_are_refused(session, token, message):
    admin = org_admin(session)
    team.invite_colleague(session, actor=admin, email="real@example.com", role="member")
    with pytest.raises(NotAuthenticated, match=message):
        team.describe_invite(session, token=token)
    with pytest.raises(NotAuthenticated, match=message):
        team.accept_invite(session, token=token, name="Mallory", password=PASSWORD)
    assert _count(session, User, User.email == "real@example.com") == 0


def test_unencodable_invite_token_is_refused(session):
    with pytest.raises(NotAuthenticated):
        team.describe_invite(session, token="\ud800" * 10)


# revoke_invite -------------------------------------------------------------------------------


def test_revoke_invite_marks_it_and_records_an_event(session):
    admin = org_admin(session)
    token = team.invite_colleague(session, actor=admin, email="r@example.com", role="member")
    invite_id = _invite(session, token).id
    team.revoke_invite(session, actor=admin, invite_id=str(invite_id))
    session.flush()
    assert _invite(session, token).revoked_at is not None
    revoked = [e for e in events(session, org_id=admin.org_id) if e.action == "revoked"]
    assert [(e.entity_type, e.entity_id, e.actor_id) for e in revoked] == [
        ("user_invite", invite_id, admin.user_id)
    ]


@pytest.mark.parametrize("role", [Role.MANAGER, Role.MEMBER])
def test_only_admins_revoke_invites(session, role):
    admin = org_admin(session)
    someone = colleague(session, admin, role=role)
    token = team.invite_colleague(session, actor=admin, email="keep@example.com", role="member")
    with pytest.raises(NotAllowed, match=ADMIN_ONLY):
        team.revoke_invite(session, actor=someone, invite_id=_invite(session, token).id)
    assert _invite(session, token).revoked_at is None


def test_revoke_invite_of_another_org_is_not_found(session):
    ours = org_admin(session)
    theirs = org_admin(session)
    token = team.invite_colleague(session, actor=theirs, email="x@example.com", role="member")
    invite_id = _invite(session, token).id
    for given in (invite_id, str(invite_id)):
        with pytest.raises(NotFound, match="does not exist, was already used"):
            team.revoke_invite(session, actor=ours, invite_id=given)
    assert _invite(session, token).revoked_at is None
    assert team.describe_invite(session, token=token)[1] == "x@example.com"
    assert [e for e in events(session, org_id=ours.org_id) if e.action == "revoked"] == []


def test_revoke_accepted_invite_is_not_found(session):
    admin = org_admin(session)
    token = team.invite_colleague(session, actor=admin, email="acc2@example.com", role="member")
    team.accept_invite(session, token=token, name="Acc", password=PASSWORD)
    with pytest.raises(NotFound):
        team.revoke_invite(session, actor=admin, invite_id=_invite(session, token).id)
    assert _invite(session, token).revoked_at is None


@pytest.mark.parametrize(
    "invite_id", ["999999", 999999, -1, "-1", 0, True, False, None, {"id": 1}, [1], "1; DROP", 1.0]
)
def test_revoke_invite_with_hostile_ids_is_not_found(session, invite_id):
    admin = org_admin(session)
    token = team.invite_colleague(session, actor=admin, email="h@example.com", role="member")
    with pytest.raises(NotFound):
        team.revoke_invite(session, actor=admin, invite_id=invite_id)
    assert _invite(session, token).revoked_at is None


# set_active ----------------------------------------------------------------------------------


def test_deactivate_revokes_sessions_and_records_an_event(session):
    admin = org_admin(session)
    member = colleague(session, admin, email="leaver@example.com")
    laptop, phone = signed_in(session, member), signed_in(session, member)
    admins_token = signed_in(session, admin)

    team.set_active(session, actor=admin, user_id=str(member.user_id), active=False)
    session.flush()

    membership = membership_row(session, member)
    assert membership.is_active is False
    assert membership.deactivated_at is not None
    assert auth.resolve(session, token=laptop) is None
    assert auth.resolve(session, token=phone) is None
    assert auth.resolve(session, token=admins_token) == admin
    with pytest.raises(Invalid, match="deactivated"):
        auth.authenticate(session, email="leaver@example.com", password=PASSWORD)
    (event,) = [e for e in events(session, org_id=admin.org_id) if e.action == "deactivated"]
    assert (event.entity_type, event.entity_id, event.actor_id) == (
        "user",
        member.user_id,
        admin.user_id,
    )


def test_reactivate_restores_access_and_records_an_event(session):
    admin = org_admin(session)
    member = colleague(session, admin, email="back@example.com")
    team.set_active(session, actor=admin, user_id=member.user_id, active=False)
    team.set_active(session, actor=admin, user_id=member.user_id, active=True)
    session.flush()
    membership = membership_row(session, member)
    assert (membership.is_active, membership.deactivated_at) == (True, None)
    assert auth.authenticate(session, email="back@example.com", password=PASSWORD) == member
    actions = [
        e.action
        for e in events(session, org_id=admin.org_id, entity_type="user")
        if e.entity_id == member.user_id
    ]
    assert actions == ["joined", "deactivated", "reactivated"]


def test_set_active_without_change_writes_no_event(session):
    admin = org_admin(session)
    member = colleague(session, admin)
    before = len(events(session, org_id=admin.org_id))
    team.set_active(session, actor=admin, user_id=member.user_id, active=True)
    assert len(events(session, org_id=admin.org_id)) == before


def test_cannot_deactivate_yourself(session):
    admin = org_admin(session)
    colleague(session, admin, role=Role.ADMIN)  # another admin exists: only the self rule applies
    with pytest.raises(NotAllowed, match="cannot change your own access"):
        team.set_active(session, actor=admin, user_id=admin.user_id, active=False)
    assert membership_row(session, admin).is_active is True


def test_another_admin_can_be_deactivated(session):
    admin = org_admin(session)
    second = colleague(session, admin, role=Role.ADMIN)
    team.set_active(session, actor=admin, user_id=second.user_id, active=False)
    assert membership_row(session, second).is_active is False


def test_the_last_active_admin_cannot_be_deactivated(session):
    # Two admins; the first is deactivated by the second, then (acting on a stale sign-in)
    # tries to deactivate the second, who is now the only active administrator.
    first = org_admin(session)
    second = colleague(session, first, role=Role.ADMIN)
    team.set_active(session, actor=second, user_id=first.user_id, active=False)
    with pytest.raises(NotAllowed, match="at least one active administrator"):
        team.set_active(session, actor=first, user_id=second.user_id, active=False)
    assert membership_row(session, second).is_active is True
    active_admins = _count(
        session,
        Membership,
        Membership.org_id == first.org_id,
        Membership.role == Role.ADMIN,
        col(Membership.is_active).is_(True),
    )
    assert active_admins == 1


@pytest.mark.parametrize("active", [True, False])
def test_set_active_on_another_orgs_user_is_not_found(session, active):
    admin = org_admin(session)
    other_admin = org_admin(session)
    outsider = colleague(session, other_admin)
    token = signed_in(session, outsider)
    with pytest.raises(NotFound, match="not in your organization"):
        team.set_active(session, actor=admin, user_id=outsider.user_id, active=active)
    assert membership_row(session, outsider).is_active is True
    assert auth.resolve(session, token=token) == outsider
    assert (
        _count(
            session,
            ActivityEvent,
            ActivityEvent.org_id == other_admin.org_id,
            ActivityEvent.entity_type != "security_event",  # sign-ins, mirrored for the audit log
        )
        == _count(
            session,
            ActivityEvent,
            ActivityEvent.org_id == other_admin.org_id,
            col(ActivityEvent.action).in_(["created", "invited", "joined"]),
        )
        == 3
    )


@pytest.mark.parametrize("user_id", [None, "", "abc", -5, 0, True, {"id": 1}, [1], 2**70])
def test_set_active_with_hostile_user_ids_is_not_found(session, user_id):
    admin = org_admin(session)
    with pytest.raises(NotFound):
        team.set_active(session, actor=admin, user_id=user_id, active=False)


@pytest.mark.parametrize("role", [Role.MANAGER, Role.MEMBER])
@pytest.mark.parametrize("active", [True, False])
def test_non_admins_cannot_change_anyones_access(session, role, active):
    admin = org_admin(session)
    caller = colleague(session, admin, role=role)
    target = colleague(session, admin)
    with pytest.raises(NotAllowed, match=ADMIN_ONLY):
        team.set_active(session, actor=caller, user_id=target.user_id, active=active)
    assert membership_row(session, target).is_active is True


def test_revoking_twice_is_refused_and_records_one_event(session):
    admin = org_admin(session)
    token = team.invite_colleague(session, actor=admin, email="twice@example.com", role="member")
    invite_id = _invite(session, token).id
    team.revoke_invite(session, actor=admin, invite_id=invite_id)
    with pytest.raises(NotFound, match="revoked"):
        team.revoke_invite(session, actor=admin, invite_id=invite_id)
    revoked = [e for e in events(session, org_id=admin.org_id) if e.action == "revoked"]
    assert len(revoked) == 1


def _mails(session, to: str) -> list[OutboundEmail]:
    session.flush()
    return list(session.exec(select(OutboundEmail).where(OutboundEmail.to_address == to)))
