"""Sessions: idle and absolute lifetimes per organization (with a moved clock), last seen
written at most once a minute, "Where you're signed in" and revoking, and the ticket bound to
the browser that signed in."""

from datetime import timedelta

import pytest
from sqlmodel import select

from prm_app.models import ActivityEvent, AuthTicket, OrgSettings, Role, SecurityEvent, utcnow
from prm_app.services.core import changes
from prm_app.services.core.errors import Invalid, NotAllowed, NotAuthenticated, NotFound
from prm_app.services.identity import auth, devices, sessions
from tests.unit.factories import (
    browser,
    colleague,
    org_admin,
    session_row,
    signed_in,
    statements,
)

FIREFOX = "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:128.0) Gecko/20100101 Firefox/128.0"
IPHONE = (
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_1 like Mac OS X) AppleWebKit/605.1.15 "
    "(KHTML, like Gecko) Version/17.1 Mobile/15E148 Safari/604.1"
)


class Clock:
    """utcnow() as the session services see it, moved by the test."""

    def __init__(self, monkeypatch):
        self.now = utcnow()
        for module in (auth, sessions):
            monkeypatch.setattr(module, "utcnow", lambda: self.now)

    def move(self, **delta) -> None:
        self.now += timedelta(**delta)


@pytest.fixture
def clock(monkeypatch):
    return Clock(monkeypatch)


def _lifetimes(session, actor, idle_minutes, max_days) -> None:
    sessions.set_lifetimes(session, actor=actor, idle_minutes=idle_minutes, max_days=max_days)
    session.flush()


# lifetimes ------------------------------------------------------------------------------------


def test_a_session_ends_after_the_default_eight_hours_without_use(session, clock):
    admin = org_admin(session)
    token = signed_in(session, admin)
    clock.move(hours=7, minutes=59)
    assert auth.resolve(session, token=token) == admin  # used: idle time starts again
    clock.move(hours=7, minutes=59)
    assert auth.resolve(session, token=token) == admin
    clock.move(hours=8)
    assert auth.resolve(session, token=token) is None


def test_a_session_used_all_along_ends_thirty_days_after_sign_in(session, clock):
    admin = org_admin(session)
    token = signed_in(session, admin)
    row = session_row(session, token)
    assert row.expires_at - row.created_at == timedelta(days=30)
    for _ in range(29 * 4 + 3):  # every six hours for 29 days and 18 hours
        clock.move(hours=6)
        assert auth.resolve(session, token=token) == admin
    clock.move(hours=5, minutes=59)
    assert auth.resolve(session, token=token) == admin
    clock.move(minutes=1)
    assert auth.resolve(session, token=token) is None


def test_the_organizations_settings_apply_to_sessions_already_open(session, clock):
    admin = org_admin(session)
    other = org_admin(session)  # another organization keeps the defaults
    mine, theirs = signed_in(session, admin), signed_in(session, other)
    _lifetimes(session, admin, 5, 30)
    clock.move(minutes=4)
    assert auth.resolve(session, token=mine) == admin
    clock.move(minutes=5)
    assert auth.resolve(session, token=mine) is None
    assert auth.resolve(session, token=theirs) == other

    fresh = signed_in(session, admin)
    _lifetimes(session, admin, 120, 1)
    for _ in range(23):
        clock.move(hours=1)
        assert auth.resolve(session, token=fresh) == admin
    clock.move(hours=1)
    assert auth.resolve(session, token=fresh) is None  # one day, although it was made for 30


def test_the_cookie_and_the_session_last_as_long_as_the_organization_allows(session):
    admin = org_admin(session)
    _lifetimes(session, admin, 480, 7)
    nonce, nonce_hash = browser()
    ticket = auth.issue_ticket(session, actor=admin, redirect_to="/", nonce_hash=nonce_hash)
    started = auth.redeem_ticket(session, ticket=ticket, nonce=nonce)
    session.flush()
    assert started.max_age == 7 * 24 * 3600
    row = session_row(session, started.token)
    assert row.expires_at - row.created_at == timedelta(days=7)
    assert row.last_seen_at == row.created_at


def test_an_organization_without_its_settings_row_gets_the_defaults(session, clock):
    admin = org_admin(session)
    token = signed_in(session, admin)
    session.delete(session.get(OrgSettings, admin.org_id))
    session.flush()
    clock.move(hours=7)
    assert auth.resolve(session, token=token) == admin
    clock.move(hours=8, minutes=1)
    assert auth.resolve(session, token=token) is None


def test_last_seen_is_written_at_most_once_a_minute_and_resolve_is_one_query(session, clock):
    admin = org_admin(session)
    token = signed_in(session, admin)
    first_seen = session_row(session, token).last_seen_at
    clock.move(seconds=30)
    with statements(session) as seen:
        assert auth.resolve(session, token=token) == admin
    assert len(seen) == 1 and seen[0].lstrip().upper().startswith("SELECT")
    session.expire_all()
    assert session_row(session, token).last_seen_at == first_seen

    clock.move(seconds=31)
    with statements(session) as seen:
        assert auth.resolve(session, token=token) == admin
    assert len(seen) == 2 and seen[1].lstrip().upper().startswith("UPDATE")
    session.expire_all()
    assert session_row(session, token).last_seen_at == clock.now

    with statements(session) as seen:  # just written: nothing more
        auth.resolve(session, token=token)
    assert len(seen) == 1


@pytest.mark.parametrize(
    ("idle", "days", "field"),
    [
        (4, 30, "idle_minutes"),
        (1441, 30, "idle_minutes"),
        ("ten", 30, "idle_minutes"),
        (True, 30, "idle_minutes"),
        (None, 30, "idle_minutes"),
        (60, 0, "max_days"),
        (60, 91, "max_days"),
        (60, "3.5", "max_days"),
        (60, {"days": 3}, "max_days"),
    ],
)
def test_lifetimes_outside_their_bounds_are_refused(session, idle, days, field):
    admin = org_admin(session)
    with pytest.raises(Invalid) as caught:
        sessions.set_lifetimes(session, actor=admin, idle_minutes=idle, max_days=days)
    assert caught.value.field == field
    assert sessions.lifetimes(session, actor=admin) == sessions.Lifetimes(480, 30)


def test_only_admins_set_lifetimes_and_the_change_is_recorded(session):
    admin = org_admin(session)
    manager = colleague(session, admin, role=Role.MANAGER)
    with pytest.raises(NotAllowed):
        sessions.set_lifetimes(session, actor=manager, idle_minutes=60, max_days=7)
    with pytest.raises(NotAllowed):
        sessions.lifetimes(session, actor=manager)
    saved = sessions.set_lifetimes(session, actor=admin, idle_minutes="1440", max_days="90")
    session.flush()
    assert saved == sessions.Lifetimes(1440, 90) == sessions.lifetimes(session, actor=admin)
    event = session.exec(
        select(SecurityEvent).where(
            SecurityEvent.org_id == admin.org_id, SecurityEvent.kind == "policy_changed"
        )
    ).one()
    assert event.actor_user_id == admin.user_id
    assert "480 -> 1440 minutes" in event.detail and "30 -> 90 days" in event.detail
    trail = session.exec(
        select(ActivityEvent).where(
            ActivityEvent.org_id == admin.org_id, ActivityEvent.entity_type == "org_settings"
        )
    ).one()
    assert trail.after == {"session_idle_minutes": 1440, "session_max_days": 90}


# where you're signed in ----------------------------------------------------------------------


def test_the_list_shows_only_the_callers_open_sessions_this_browser_first(session, clock):
    admin = org_admin(session)
    member = colleague(session, admin)
    laptop = signed_in(session, admin, user_agent=FIREFOX, ip="192.0.2.10")
    clock.move(minutes=5)
    phone = signed_in(session, admin, user_agent=IPHONE, ip="198.51.100.7")
    revoked = signed_in(session, admin)
    auth.sign_out(session, token=revoked)
    signed_in(session, member)
    session.flush()

    shown = sessions.mine(session, actor=admin, current_token=laptop)
    assert [(s.device, s.ip, s.current) for s in shown] == [
        ("Firefox 128 on Windows 10", "192.0.2.10", True),
        ("Mobile Safari 17 on iOS 17", "198.51.100.7", False),
    ]
    assert shown[1].id == session_row(session, phone).id
    clock.move(hours=8, minutes=1)  # both idle too long: no longer open
    assert sessions.mine(session, actor=admin, current_token=laptop) == []


def test_revoking_another_session_ends_it_at_once_and_is_recorded(session):
    admin = org_admin(session)
    laptop = signed_in(session, admin)
    phone = signed_in(session, admin, user_agent=IPHONE, ip="198.51.100.7")
    phone_id = session_row(session, phone).id
    sessions.revoke(session, actor=admin, session_id=str(phone_id), current_token=laptop)
    session.flush()
    assert auth.resolve(session, token=phone) is None
    assert auth.resolve(session, token=laptop) == admin
    assert changes.noted(session).notified == {admin.user_id}  # its tabs are told at once
    event = session.exec(select(SecurityEvent).where(SecurityEvent.kind == "session_revoked")).one()
    assert (event.org_id, event.user_id, event.actor_user_id) == (
        admin.org_id,
        admin.user_id,
        admin.user_id,
    )
    assert event.detail == "Mobile Safari 17 on iOS 17 from 198.51.100.7"
    # Again: nothing more happens.
    sessions.revoke(session, actor=admin, session_id=phone_id, current_token=laptop)
    session.flush()
    assert (
        len(
            session.exec(
                select(SecurityEvent.id).where(SecurityEvent.kind == "session_revoked")
            ).all()
        )
        == 1
    )


def test_revoking_is_scoped_to_the_callers_own_sessions(session):
    admin = org_admin(session)
    colleague_actor = colleague(session, admin)
    stranger = org_admin(session)
    mine = signed_in(session, admin)
    theirs = [signed_in(session, colleague_actor), signed_in(session, stranger)]
    for token in theirs:
        with pytest.raises(NotFound):
            sessions.revoke(
                session,
                actor=admin,
                session_id=session_row(session, token).id,
                current_token=mine,
            )
        assert auth.resolve(session, token=token) is not None
    for garbage in (None, "", "abc", -1, 0, True, {"id": 1}, 10**12):
        with pytest.raises((NotFound, Invalid)):
            sessions.revoke(session, actor=admin, session_id=garbage, current_token=mine)


def test_this_browser_is_signed_out_rather_than_revoked(session):
    admin = org_admin(session)
    mine = signed_in(session, admin)
    with pytest.raises(Invalid, match="sign out instead"):
        sessions.revoke(
            session, actor=admin, session_id=session_row(session, mine).id, current_token=mine
        )
    assert auth.resolve(session, token=mine) == admin


def test_devices_are_named_from_the_user_agent():
    assert devices.describe(FIREFOX) == "Firefox 128 on Windows 10"
    assert devices.describe("") == devices.UNKNOWN
    assert devices.describe("curl/8.5.0") == "curl 8"
    assert devices.describe("\x00" * 500) == devices.UNKNOWN


# the ticket is bound to the browser ----------------------------------------------------------


def test_a_ticket_is_redeemed_only_with_the_nonce_of_the_browser_that_signed_in(session):
    admin = org_admin(session)
    nonce_a, hash_a = browser()
    nonce_b, _ = browser()
    ticket = auth.issue_ticket(session, actor=admin, redirect_to="/", nonce_hash=hash_a)
    session.flush()
    assert session.exec(select(AuthTicket.nonce_hash)).all()[-1] == hash_a
    for other in (nonce_b, None, "", hash_a, {"nonce": nonce_a}):
        with pytest.raises(NotAuthenticated, match="another browser"):
            auth.redeem_ticket(session, ticket=ticket, nonce=other)
    # The refused attempts did not use it up: the browser that signed in still can.
    started = auth.redeem_ticket(session, ticket=ticket, nonce=nonce_a)
    session.flush()
    assert auth.resolve(session, token=started.token) == admin
    with pytest.raises(NotAuthenticated):
        auth.redeem_ticket(session, ticket=ticket, nonce=nonce_a)


@pytest.mark.parametrize("nonce_hash", [None, "", "x" * 64, "A" * 64, "0" * 63, 5, ["0" * 64]])
def test_no_ticket_without_the_browsers_nonce(session, nonce_hash):
    admin = org_admin(session)
    with pytest.raises(Invalid, match="not ready"):
        auth.issue_ticket(session, actor=admin, redirect_to="/", nonce_hash=nonce_hash)
