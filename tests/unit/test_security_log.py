"""Security events: each recorded where it happens, in the right organization's log, listed
for that organization's admins only (paged, newest first, by kind), and exported as a CSV that
a spreadsheet cannot run."""

import csv
import io

import pytest
from sqlmodel import col, delete, select

from prm_app.models import Role, SecurityEvent
from prm_app.services.core.errors import Invalid, NotAllowed, NotFound
from prm_app.services.identity import (
    api_keys,
    auth,
    roles,
    security_events,
    security_log,
    sessions,
)
from tests.unit.factories import (
    PASSWORD,
    browser,
    colleague,
    membership_row,
    session_row,
    signed_in,
    unique_email,
)
from tests.unit.factories import org_admin as new_org_admin

CHROME = (
    "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/131.0.0.0 Safari/537.36"
)
HERE = security_log.Client(ip="203.0.113.9", user_agent=CHROME)


def org_admin(session, **details):
    """A new organization whose log starts empty (its sign-up's own events, such as its
    verified address, are tested in test_verification)."""
    admin = new_org_admin(session, **details)
    session.exec(delete(SecurityEvent).where(col(SecurityEvent.org_id) == admin.org_id))
    return admin


def logged(session, org_id: int, kind: str | None = None) -> list[SecurityEvent]:
    session.flush()
    query = select(SecurityEvent).where(SecurityEvent.org_id == org_id)
    if kind is not None:
        query = query.where(SecurityEvent.kind == kind)
    return list(session.exec(query.order_by(col(SecurityEvent.id))))


# recorded where it happens --------------------------------------------------------------------


def test_a_new_session_records_signed_in_with_address_and_browser(session):
    admin = org_admin(session)
    nonce, nonce_hash = browser()
    ticket = auth.issue_ticket(session, actor=admin, redirect_to="/", nonce_hash=nonce_hash)
    auth.redeem_ticket(session, ticket=ticket, nonce=nonce, user_agent=CHROME, ip="203.0.113.9")
    (event,) = logged(session, admin.org_id, "signed_in")
    assert (event.user_id, event.actor_user_id) == (admin.user_id, admin.user_id)
    assert (event.ip, event.user_agent) == ("203.0.113.9", CHROME)


def test_a_refused_ticket_records_nothing(session):
    admin = org_admin(session)
    _, nonce_hash = browser()
    ticket = auth.issue_ticket(session, actor=admin, redirect_to="/", nonce_hash=nonce_hash)
    with pytest.raises(auth.NotAuthenticated):
        auth.redeem_ticket(session, ticket=ticket, nonce=auth.new_token())
    assert logged(session, admin.org_id, "signed_in") == []


def test_a_failed_sign_in_to_a_known_account_is_recorded_in_its_organization(session):
    admin = org_admin(session)
    member = colleague(session, admin)
    for password in ("not the password", "", None, "x" * 300):
        with pytest.raises(auth.SignInFailed):
            auth.authenticate(session, email=member.email, password=password, ip="192.0.2.4")
    events = logged(session, admin.org_id, "sign_in_failed")
    assert len(events) == 4
    assert {(e.user_id, e.actor_user_id, e.ip) for e in events} == {
        (member.user_id, None, "192.0.2.4")
    }


def test_a_failed_sign_in_for_an_unknown_email_records_nothing(session):
    admin = org_admin(session)
    before = session.exec(select(SecurityEvent.id)).all()
    for email in (unique_email("nobody"), "not an email"):
        with pytest.raises(auth.SignInFailed):
            auth.authenticate(session, email=email, password="whatever it is", ip="192.0.2.5")
    assert session.exec(select(SecurityEvent.id)).all() == before
    assert logged(session, admin.org_id, "sign_in_failed") == []


def test_a_failed_sign_in_goes_to_the_first_active_membership(session):
    admin = org_admin(session)
    member = colleague(session, admin)
    membership = membership_row(session, member)
    membership.is_active = False
    session.add(membership)
    with pytest.raises(auth.SignInFailed):
        auth.authenticate(session, email=member.email, password="not the password")
    assert logged(session, admin.org_id, "sign_in_failed") == []  # no active membership
    auth.authenticate(session, email=admin.email, password=PASSWORD)  # success: nothing
    assert logged(session, admin.org_id, "sign_in_failed") == []


def test_api_keys_created_and_revoked_are_recorded(session):
    admin = org_admin(session)
    made = api_keys.create(session, actor=admin, name="CRM sync", role="member", client=HERE)
    api_keys.revoke(session, actor=admin, key_id=made.id, client=HERE)
    created, revoked = logged(session, admin.org_id)[-2:]
    assert (created.kind, revoked.kind) == ("api_key_created", "api_key_revoked")
    for event in (created, revoked):
        assert event.actor_user_id == admin.user_id
        assert (event.ip, event.user_agent) == (HERE.ip, CHROME)
        assert "CRM sync" in event.detail and made.key not in event.detail


def test_a_role_change_is_recorded_and_keeps_an_admin(session):
    admin = org_admin(session)
    member = colleague(session, admin)
    roles.change_role(
        session, actor=admin, user_id=str(member.user_id), role="manager", client=HERE
    )
    (event,) = logged(session, admin.org_id, "role_changed")
    assert (event.user_id, event.actor_user_id, event.detail) == (
        member.user_id,
        admin.user_id,
        "member -> manager",
    )
    assert membership_row(session, member).role == Role.MANAGER
    assert auth.authenticate(session, email=member.email, password=PASSWORD).role == "manager"

    with pytest.raises(NotAllowed, match="your own role"):
        roles.change_role(session, actor=admin, user_id=admin.user_id, role="member")
    manager = auth.authenticate(session, email=member.email, password=PASSWORD)
    with pytest.raises(NotAllowed):
        roles.change_role(session, actor=manager, user_id=admin.user_id, role="member")
    with pytest.raises(NotFound):
        roles.change_role(session, actor=admin, user_id=org_admin(session).user_id, role="admin")
    for role in ("owner", "", None, ["admin"]):
        with pytest.raises(Invalid):
            roles.change_role(session, actor=admin, user_id=member.user_id, role=role)
    assert len(logged(session, admin.org_id, "role_changed")) == 1


def test_the_last_active_admin_cannot_be_demoted(session):
    admin = org_admin(session)
    second = colleague(session, admin, role=Role.ADMIN)
    roles.change_role(session, actor=second, user_id=admin.user_id, role="member")
    session.flush()
    # `second` is now the only admin: even an actor still claiming admin cannot demote them.
    assert membership_row(session, admin).role == Role.MEMBER
    with pytest.raises(NotAllowed):
        roles.change_role(session, actor=admin, user_id=second.user_id, role="member")


def test_a_revoked_session_is_recorded(session):
    admin = org_admin(session)
    here, there = signed_in(session, admin), signed_in(session, admin)
    sessions.revoke(
        session,
        actor=admin,
        session_id=session_row(session, there).id,
        current_token=here,
        client=HERE,
    )
    (event,) = logged(session, admin.org_id, "session_revoked")
    assert (event.ip, event.user_agent) == (HERE.ip, CHROME)


# listed for the organization's admins ---------------------------------------------------------


def test_the_list_is_the_callers_organization_newest_first_with_names(session):
    admin = org_admin(session, name="Ada Admin")
    member = colleague(session, admin, name="Mo Member")
    stranger = org_admin(session, name="Sly Stranger")
    signed_in(session, member, user_agent=CHROME, ip="198.51.100.2")
    signed_in(session, stranger)
    roles.change_role(session, actor=admin, user_id=member.user_id, role="manager")
    # An event about someone outside the organization names nobody.
    security_log.record(
        session, org_id=admin.org_id, kind="sign_in_failed", user_id=stranger.user_id
    )
    session.flush()

    shown = security_events.page(session, actor=admin).rows
    assert [e.kind for e in shown] == ["sign_in_failed", "role_changed", "signed_in"]
    outsider, changed, signed = shown
    assert (outsider.user_name, outsider.user_email) == ("", "")
    assert (changed.what, changed.user_name, changed.actor_name) == (
        "Role changed",
        "Mo Member",
        "Ada Admin",
    )
    assert (signed.user_email, signed.ip, signed.device) == (
        member.email,
        "198.51.100.2",
        "Chrome 131 on Linux",
    )
    assert all(e.user_name != "Sly Stranger" for e in shown)
    assert [e.kind for e in security_events.page(session, actor=stranger).rows] == ["signed_in"]


def test_the_list_pages_and_filters_by_kind(session):
    admin = org_admin(session)
    for _ in range(security_events.PAGE_SIZE + 2):
        security_log.record(session, org_id=admin.org_id, kind="sign_in_failed")
    security_log.record(session, org_id=admin.org_id, kind="signed_in")
    session.flush()
    first = security_events.page(session, actor=admin, page=1)
    second = security_events.page(session, actor=admin, page="2")
    assert first.total == second.total == security_events.PAGE_SIZE + 3
    assert len(first.rows) == security_events.PAGE_SIZE and len(second.rows) == 3
    ids = [e.id for e in first.rows + second.rows]
    assert ids == sorted(ids, reverse=True)
    only = security_events.page(session, actor=admin, kind="signed_in")
    assert [e.kind for e in only.rows] == ["signed_in"] and only.total == 1
    for kind in ("nope", 5, ["signed_in"]):
        with pytest.raises(Invalid):
            security_events.page(session, actor=admin, kind=kind)
    for page in (0, -1, "x", 10**9):
        with pytest.raises(Invalid):
            security_events.page(session, actor=admin, page=page)


@pytest.mark.parametrize("role", [Role.MEMBER, Role.MANAGER])
def test_only_admins_read_or_export_the_log(session, role):
    admin = org_admin(session)
    other = colleague(session, admin, role=role)
    with pytest.raises(NotAllowed):
        security_events.page(session, actor=other)
    with pytest.raises(NotAllowed):
        security_events.export_csv(session, actor=other)


def test_the_csv_export_is_the_organizations_log_and_formula_safe(session):
    admin = org_admin(session, name='=HYPERLINK("http://evil.example")')
    stranger = org_admin(session)
    api_keys.create(session, actor=admin, name="+cmd|' /C calc'!A0", role="member", client=HERE)
    signed_in(session, stranger, ip="192.0.2.99")
    security_log.record(session, org_id=admin.org_id, kind="signed_in", detail="@SUM(1,2)")
    session.flush()
    text = "".join(security_events.export_csv(session, actor=admin))
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0] == security_events.CSV_HEADER
    assert [r[1] for r in rows[1:]] == ["Signed in", "API key created"]
    cells = [cell for row in rows[1:] for cell in row]
    assert "192.0.2.99" not in text
    assert not [c for c in cells if c[:1] in ("=", "+", "-", "@")]
    assert "'@SUM(1,2)" in cells
    assert '\'=HYPERLINK("http://evil.example")' in cells
    assert "Chrome 131 on Linux" in cells
    filtered = "".join(security_events.export_csv(session, actor=admin, kind="api_key_created"))
    assert len(list(csv.reader(io.StringIO(filtered)))) == 2


def test_the_export_reads_by_keyset_any_number_of_events(session, monkeypatch):
    admin = org_admin(session)
    monkeypatch.setattr(security_events, "EXPORT_CHUNK", 7)
    for _ in range(30):
        security_log.record(session, org_id=admin.org_id, kind="sign_in_failed")
    session.flush()
    pieces = list(security_events.export_csv(session, actor=admin, kind="sign_in_failed"))
    assert len(pieces) >= 5  # streamed chunk by chunk
    assert len(list(csv.reader(io.StringIO("".join(pieces))))) == 31
