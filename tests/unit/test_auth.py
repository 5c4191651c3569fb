"""auth: sign-up, sign-in, tickets, server-side sessions and sign-out."""

from datetime import timedelta

import pytest
from argon2 import PasswordHasher
from sqlmodel import col, func, select

from prm_app.models import (
    ActivityEvent,
    AuthSession,
    AuthTicket,
    Organization,
    OrgKind,
    OrgSettings,
    Pipeline,
    Role,
    Stage,
    TaxonomyTerm,
    TermKind,
    User,
    utcnow,
)
from prm_app.services import catalog
from prm_app.services.core.actor import Actor
from prm_app.services.core.errors import Invalid, NotAuthenticated
from prm_app.services.identity import auth
from tests.unit.factories import (
    PASSWORD,
    browser,
    colleague,
    in_the_past,
    membership_row,
    session_row,
    signed_in,
    unique_email,
    user_row,
    verify,
)

WRONG = "Wrong email or password."
NONCE, NONCE_HASH = browser()
DEACTIVATED = "This account is deactivated. Ask your organization's admin."


def _sign_up(session, **overrides):
    """auth.sign_up, then the address verified (as by the mailed link: see test_verification)."""
    arguments = {
        "org_name": "Acme Software",
        "org_kind": "provider",
        "name": "Ada Lovelace",
        "email": unique_email("ada"),
        "password": PASSWORD,
    }
    arguments.update(overrides)
    actor = auth.sign_up(session, **arguments)
    verify(session, actor)
    return actor


def _count(session, model, *where):
    session.flush()
    return session.exec(select(func.count()).select_from(model).where(*where)).one()


# sign_up -------------------------------------------------------------------------------------


def test_sign_up_creates_org_admin_and_returns_actor(session):
    actor = _sign_up(session, org_name="  Acme Software ", name=" Ada ", email=" Ada@Acme.COM ")
    session.flush()

    org = session.get(Organization, actor.org_id)
    user = user_row(session, actor.user_id)
    membership = membership_row(session, actor)
    assert (org.name, org.kind) == ("Acme Software", "provider")
    assert (user.email, user.name, user.is_active) == ("ada@acme.com", "Ada", True)
    assert (membership.role, membership.is_active) == (Role.ADMIN, True)
    assert actor == Actor(
        user_id=user.id,
        org_id=org.id,
        org_kind="provider",
        role="admin",
        name="Ada",
        email="ada@acme.com",
        org_name="Acme Software",
    )
    assert actor.is_admin


def test_sign_up_stores_an_argon2_hash_never_the_password(session):
    actor = _sign_up(session)
    user = user_row(session, actor.user_id)
    assert user.password_hash != PASSWORD
    assert PASSWORD not in user.password_hash
    assert user.password_hash.startswith("$argon2id$")
    assert PasswordHasher().verify(user.password_hash, PASSWORD)


def test_sign_up_records_an_activity_event(session):
    actor = _sign_up(session, org_name="Evented")
    session.flush()
    events = session.exec(
        select(ActivityEvent).where(
            ActivityEvent.org_id == actor.org_id,
            ActivityEvent.entity_type != "security_event",  # the audit log's copies of those
        )
    ).all()
    assert len(events) == 1
    event = events[0]
    assert (event.actor_id, event.entity_type, event.entity_id, event.action) == (
        actor.user_id,
        "organization",
        actor.org_id,
        "created",
    )
    assert event.after == {"name": "Evented", "kind": "provider"}


def test_sign_up_provider_gets_provider_vocabulary_stages_and_settings(session):
    actor = _sign_up(session, org_kind=OrgKind.PROVIDER)
    session.flush()
    terms = session.exec(
        select(TaxonomyTerm)
        .where(TaxonomyTerm.org_id == actor.org_id)
        .order_by(col(TaxonomyTerm.kind), col(TaxonomyTerm.position))
    ).all()
    by_kind: dict[str, list[str]] = {}
    for term in terms:
        by_kind.setdefault(term.kind, []).append(term.name)
    assert by_kind == {
        TermKind.PARTNER_STATUS: ["Beginner", "Intermediate", "Expert"],
        TermKind.PARTNER_TIER: ["Gold", "Silver", "Bronze"],
        TermKind.PARTNER_TYPE: ["Reseller", "Implementation partner", "Referral partner"],
        TermKind.LOST_REASON: [
            "No budget",
            "Chose a competitor",
            "No response",
            "Not a fit",
            "Bad timing",
        ],
    }

    stages = session.exec(
        select(Stage)
        .where(Stage.org_id == actor.org_id)
        .order_by(col(Stage.pipeline), col(Stage.position))
    ).all()
    deal = [s for s in stages if s.pipeline == Pipeline.DEAL]
    lead = [s for s in stages if s.pipeline == Pipeline.LEAD]
    assert [s.name for s in lead] == ["New", "Contacted", "Qualified"]
    assert [s.name for s in deal] == [name for name, *_ in catalog.DEFAULT_STAGES[Pipeline.DEAL]]
    assert [s.name for s in deal if s.is_won] == ["Closed Won"]
    assert [s.name for s in deal if s.is_lost] == ["Closed Lost"]
    assert [s.position for s in deal] == list(range(6))

    settings = session.get(OrgSettings, actor.org_id)
    assert settings is not None
    assert settings.protection_days == 90
    assert settings.currency == "USD"


def test_sign_up_consultant_gets_consultant_vocabulary_no_stages(session):
    actor = _sign_up(session, org_kind="consultant")
    session.flush()
    assert actor.org_kind == OrgKind.CONSULTANT
    kinds = session.exec(
        select(TaxonomyTerm.kind, func.count())
        .where(TaxonomyTerm.org_id == actor.org_id)
        .group_by(TaxonomyTerm.kind)
    ).all()
    assert dict(kinds) == {TermKind.PROVIDER_TYPE: 4, TermKind.PROFICIENCY: 3}
    assert _count(session, Stage, Stage.org_id == actor.org_id) == 0
    assert session.get(OrgSettings, actor.org_id) is not None


def test_two_orgs_get_independent_vocabularies(session):
    first = _sign_up(session)
    second = _sign_up(session)
    assert first.org_id != second.org_id
    assert _count(session, Stage, Stage.org_id == first.org_id) == 9
    assert _count(session, Stage, Stage.org_id == second.org_id) == 9


@pytest.mark.parametrize("kind", ["", "admin", "Provider", "PROVIDER", None, 1, {"kind": "x"}, []])
def test_sign_up_refuses_bad_kind(session, kind):
    before = _count(session, Organization)
    with pytest.raises(Invalid, match="software provider or a consultant") as caught:
        _sign_up(session, org_kind=kind)
    assert caught.value.field == "kind"
    assert _count(session, Organization) == before


@pytest.mark.parametrize("org_name", [None, "", "   "])
def test_sign_up_requires_org_name(session, org_name):
    with pytest.raises(Invalid, match=r"^Organization name is required\.$") as caught:
        _sign_up(session, org_name=org_name)
    assert caught.value.field == "org_name"


@pytest.mark.parametrize("email", ["", "not-an-email", "a@b", "a b@c.de", None, 7, {"x": 1}])
def test_sign_up_refuses_bad_email(session, email):
    users = _count(session, User)
    with pytest.raises(Invalid) as caught:
        _sign_up(session, email=email)
    assert caught.value.field == "email"
    assert _count(session, User) == users


@pytest.mark.parametrize(
    "password", ["", "short", "11chars!!!!", None, 123456789012345, {"p": "x" * 20}]
)
def test_sign_up_refuses_short_or_non_string_password(session, password):
    with pytest.raises(Invalid, match="at least 12 characters") as caught:
        _sign_up(session, password=password)
    assert caught.value.field == "password"


def test_sign_up_accepts_password_of_exactly_the_bounds(session):
    _sign_up(session, password="x" * auth.MIN_PASSWORD)
    _sign_up(session, password="x" * auth.MAX_PASSWORD)


def test_sign_up_refuses_over_long_password(session):
    with pytest.raises(Invalid, match="at most 256 characters"):
        _sign_up(session, password="x" * (auth.MAX_PASSWORD + 1))


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("org_name", "o" * 201, "Organization name must be at most 200 characters."),
        ("name", "n" * 201, "Your name must be at most 200 characters."),
        ("org_name", {"$gt": ""}, "Organization name must be text."),
        ("name", ["Ada"], "Your name must be text."),
        ("name", 42, "Your name must be text."),
        ("name", None, "Your name is required."),
    ],
)
def test_sign_up_refuses_bad_names(session, field, value, message):
    with pytest.raises(Invalid) as caught:
        _sign_up(session, **{field: value})
    assert str(caught.value) == message
    assert caught.value.field == field


def test_sign_up_refuses_over_long_email(session):
    with pytest.raises(Invalid, match="is not a valid email address"):
        _sign_up(session, email="a" * 250 + "@example.com")


def test_sign_up_refuses_duplicate_email_case_insensitively(session):
    email = unique_email("dup")
    _sign_up(session, email=email)
    orgs = _count(session, Organization)
    with pytest.raises(Invalid, match="already exists") as caught:
        _sign_up(session, email=f"  {email.upper()} ")
    assert caught.value.field == "email"
    assert _count(session, Organization) == orgs
    assert _count(session, User, User.email == email) == 1


# authenticate --------------------------------------------------------------------------------


def test_authenticate_returns_actor_and_stamps_last_login(session):
    admin = _sign_up(session, email="grace@example.com")
    assert user_row(session, admin.user_id).last_login_at is None
    before = utcnow()
    actor = auth.authenticate(session, email="grace@example.com", password=PASSWORD)
    assert actor == admin
    session.flush()
    stamped = user_row(session, admin.user_id).last_login_at
    assert stamped is not None
    assert stamped >= before - timedelta(seconds=1)


def test_authenticate_email_is_case_insensitive(session):
    admin = _sign_up(session, email="hopper@example.com")
    actor = auth.authenticate(session, email="  HOPPER@Example.Com ", password=PASSWORD)
    assert actor.user_id == admin.user_id


def test_authenticate_gives_the_members_role(session):
    admin = _sign_up(session)
    manager = colleague(session, admin, role=Role.MANAGER, email="mgr@example.com")
    actor = auth.authenticate(session, email="mgr@example.com", password=PASSWORD)
    assert (actor.user_id, actor.org_id, actor.role) == (manager.user_id, admin.org_id, "manager")


def test_wrong_password_and_unknown_email_give_the_same_message(session):
    _sign_up(session, email="known@example.com")
    with pytest.raises(Invalid) as wrong_password:
        auth.authenticate(session, email="known@example.com", password="not the password")
    with pytest.raises(Invalid) as unknown_email:
        auth.authenticate(session, email="unknown@example.com", password=PASSWORD)
    assert str(wrong_password.value) == str(unknown_email.value) == WRONG
    assert wrong_password.value.field == unknown_email.value.field == "password"


@pytest.mark.parametrize(
    ("email", "password"),
    [
        ("known2@example.com", None),
        ("known2@example.com", 12345678901),
        ("known2@example.com", {"$ne": ""}),
        ("known2@example.com", [PASSWORD]),
        ("known2@example.com", ""),
        ("known2@example.com", "x" * (auth.MAX_PASSWORD + 1)),
        (None, PASSWORD),
        ({"$ne": ""}, PASSWORD),
        (["known2@example.com"], PASSWORD),
        ("not an email", PASSWORD),
    ],
)
def test_authenticate_refuses_hostile_values_with_the_same_message(session, email, password):
    _sign_up(session, email="known2@example.com")
    with pytest.raises(Invalid) as caught:
        auth.authenticate(session, email=email, password=password)
    assert str(caught.value) == WRONG


def test_authenticate_refuses_deactivated_user(session):
    admin = _sign_up(session, email="gone@example.com")
    user = user_row(session, admin.user_id)
    user.is_active = False
    session.add(user)
    session.flush()
    with pytest.raises(Invalid) as caught:
        auth.authenticate(session, email="gone@example.com", password=PASSWORD)
    assert str(caught.value) == DEACTIVATED


def test_authenticate_refuses_deactivated_membership(session):
    admin = _sign_up(session)
    member = colleague(session, admin, email="left@example.com")
    membership = membership_row(session, member)
    membership.is_active = False
    session.add(membership)
    session.flush()
    with pytest.raises(Invalid) as caught:
        auth.authenticate(session, email="left@example.com", password=PASSWORD)
    assert str(caught.value) == DEACTIVATED


def test_deactivated_user_with_wrong_password_learns_nothing(session):
    admin = _sign_up(session, email="gone2@example.com")
    user = user_row(session, admin.user_id)
    user.is_active = False
    session.add(user)
    session.flush()
    with pytest.raises(Invalid) as caught:
        auth.authenticate(session, email="gone2@example.com", password="not the password")
    assert str(caught.value) == WRONG


def test_authenticate_refuses_nul_email_with_the_same_message(session):
    _sign_up(session, email="nul@example.com")
    with pytest.raises(Invalid) as caught:
        auth.authenticate(session, email="nul\x00@example.com", password=PASSWORD)
    assert str(caught.value) == WRONG


def test_authenticate_refuses_unencodable_password(session):
    _sign_up(session, email="surrogate@example.com")
    with pytest.raises(Invalid) as caught:
        auth.authenticate(session, email="surrogate@example.com", password="\ud800" * 12)
    assert str(caught.value) == WRONG


# tickets and sessions ------------------------------------------------------------------------


def test_ticket_redeems_once_for_a_session_that_resolves_to_the_actor(session):
    admin = _sign_up(session)
    ticket = auth.issue_ticket(
        session, actor=admin, redirect_to="http://localhost:3000/provider", nonce_hash=NONCE_HASH
    )
    session.flush()
    stored = session.exec(select(AuthTicket).where(AuthTicket.user_id == admin.user_id)).one()
    assert stored.ticket_hash == auth.hash_token(ticket)
    assert ticket not in stored.ticket_hash

    token, redirect_to, _ = auth.redeem_ticket(
        session, ticket=ticket, nonce=NONCE, user_agent="UA", ip="10.0.0.1"
    )
    session.flush()
    assert redirect_to == "http://localhost:3000/provider"
    assert auth.resolve(session, token=token) == admin

    row = session_row(session, token)
    assert row.token_hash == auth.hash_token(token) != token
    assert (row.user_id, row.org_id, row.user_agent, row.ip) == (
        admin.user_id,
        admin.org_id,
        "UA",
        "10.0.0.1",
    )
    assert row.revoked_at is None
    assert row.expires_at > utcnow() + timedelta(days=30, minutes=-1)
    session.refresh(stored)
    assert stored.used_at is not None


def test_ticket_redeems_a_members_session_with_their_role(session):
    admin = _sign_up(session)
    member = colleague(session, admin)
    token = signed_in(session, member)
    resolved = auth.resolve(session, token=token)
    assert resolved == member
    assert resolved.role == "member"


def test_ticket_cannot_be_redeemed_twice(session):
    admin = _sign_up(session)
    ticket = auth.issue_ticket(session, actor=admin, redirect_to="/", nonce_hash=NONCE_HASH)
    auth.redeem_ticket(session, ticket=ticket, nonce=NONCE)
    with pytest.raises(NotAuthenticated, match="has expired"):
        auth.redeem_ticket(session, ticket=ticket, nonce=NONCE)
    assert _count(session, AuthSession, AuthSession.user_id == admin.user_id) == 1


def test_expired_ticket_is_refused(session):
    admin = _sign_up(session)
    ticket = auth.issue_ticket(session, actor=admin, redirect_to="/", nonce_hash=NONCE_HASH)
    session.flush()
    row = session.exec(
        select(AuthTicket).where(AuthTicket.ticket_hash == auth.hash_token(ticket))
    ).one()
    row.expires_at = in_the_past(minutes=1)
    session.add(row)
    session.flush()
    with pytest.raises(NotAuthenticated, match="has expired"):
        auth.redeem_ticket(session, ticket=ticket, nonce=NONCE)
    assert _count(session, AuthSession, AuthSession.user_id == admin.user_id) == 0


def test_ticket_user_agent_and_ip_are_truncated(session):
    admin = _sign_up(session)
    ticket = auth.issue_ticket(session, actor=admin, redirect_to="/", nonce_hash=NONCE_HASH)
    token, _, _ = auth.redeem_ticket(
        session, ticket=ticket, nonce=NONCE, user_agent="u" * 1000, ip="1" * 1000
    )
    session.flush()
    row = session_row(session, token)
    assert (len(row.user_agent), len(row.ip)) == (300, 64)


@pytest.mark.parametrize(
    ("ticket", "message"),
    [
        (None, "not valid"),
        ("", "not valid"),
        (5, "not valid"),
        ({"ticket": "x"}, "not valid"),
        (["x"], "not valid"),
        (b"bytes", "not valid"),
        ("x" * 101, "not valid"),
        ("a-ticket-that-was-never-issued", "has expired"),
    ],
)
def test_garbage_tickets_are_refused(session, ticket, message):
    admin = _sign_up(session)
    auth.issue_ticket(
        session, actor=admin, redirect_to="/", nonce_hash=NONCE_HASH
    )  # a real one exists too
    with pytest.raises(NotAuthenticated, match=message):
        auth.redeem_ticket(session, ticket=ticket, nonce=NONCE)
    assert _count(session, AuthSession, AuthSession.user_id == admin.user_id) == 0
    used = col(AuthTicket.used_at).is_not(None)
    assert _count(session, AuthTicket, AuthTicket.user_id == admin.user_id, used) == 0


# resolve -------------------------------------------------------------------------------------


@pytest.mark.parametrize("token", [None, "", "unknown-token", "x" * 101])
def test_resolve_returns_none_for_missing_or_unknown_tokens(session, token):
    _sign_up(session)
    assert auth.resolve(session, token=token) is None


def test_resolve_refuses_an_over_long_token_even_when_its_hash_exists(session):
    admin = _sign_up(session)
    long_token = "L" * 101
    session.add(
        AuthSession(
            token_hash=auth.hash_token(long_token),
            user_id=admin.user_id,
            org_id=admin.org_id,
            expires_at=utcnow() + timedelta(days=1),
        )
    )
    session.flush()
    assert auth.resolve(session, token=long_token) is None
    assert auth.resolve(session, token=long_token[:100]) is None


def test_resolve_returns_none_for_expired_session(session):
    admin = _sign_up(session)
    token = signed_in(session, admin)
    row = session_row(session, token)
    row.expires_at = in_the_past(minutes=1)
    session.add(row)
    session.flush()
    assert auth.resolve(session, token=token) is None


def test_resolve_returns_none_for_revoked_session(session):
    admin = _sign_up(session)
    token = signed_in(session, admin)
    row = session_row(session, token)
    row.revoked_at = utcnow()
    session.add(row)
    session.flush()
    assert auth.resolve(session, token=token) is None


def test_resolve_returns_none_for_deactivated_user(session):
    admin = _sign_up(session)
    token = signed_in(session, admin)
    assert auth.resolve(session, token=token) == admin
    user = user_row(session, admin.user_id)
    user.is_active = False
    session.add(user)
    session.flush()
    assert auth.resolve(session, token=token) is None


def test_resolve_returns_none_for_deactivated_membership(session):
    admin = _sign_up(session)
    member = colleague(session, admin)
    token = signed_in(session, member)
    assert auth.resolve(session, token=token) == member
    membership = membership_row(session, member)
    membership.is_active = False
    session.add(membership)
    session.flush()
    assert auth.resolve(session, token=token) is None


def test_resolve_reflects_a_role_change_immediately(session):
    admin = _sign_up(session)
    member = colleague(session, admin)
    token = signed_in(session, member)
    membership = membership_row(session, member)
    membership.role = Role.MANAGER
    session.add(membership)
    session.flush()
    assert auth.resolve(session, token=token).role == "manager"


# sign_out and revoke_all ---------------------------------------------------------------------


def test_sign_out_revokes_only_that_session(session):
    admin = _sign_up(session)
    laptop = signed_in(session, admin)
    phone = signed_in(session, admin)
    auth.sign_out(session, token=laptop)
    session.flush()
    assert auth.resolve(session, token=laptop) is None
    assert auth.resolve(session, token=phone) == admin
    assert session_row(session, laptop).revoked_at is not None
    assert session_row(session, phone).revoked_at is None


def test_sign_out_is_quiet_for_missing_unknown_or_revoked_tokens(session):
    admin = _sign_up(session)
    token = signed_in(session, admin)
    for bad in (None, "", "unknown", "x" * 101):
        auth.sign_out(session, token=bad)
    assert auth.resolve(session, token=token) == admin
    auth.sign_out(session, token=token)
    session.flush()
    first = session_row(session, token).revoked_at
    auth.sign_out(session, token=token)
    session.flush()
    session.expire_all()
    assert session_row(session, token).revoked_at == first


def test_revoke_all_revokes_every_session_of_that_user_only(session):
    admin = _sign_up(session)
    other = _sign_up(session)
    mine = [signed_in(session, admin) for _ in range(3)]
    theirs = signed_in(session, other)
    auth.sign_out(session, token=mine[0])  # already revoked: not counted again

    assert auth.revoke_all(session, user_id=admin.user_id) == 2
    session.flush()
    assert all(auth.resolve(session, token=token) is None for token in mine)
    assert auth.resolve(session, token=theirs) == other
    assert (
        _count(
            session,
            AuthSession,
            AuthSession.user_id == admin.user_id,
            col(AuthSession.revoked_at).is_(None),
        )
        == 0
    )
    assert auth.revoke_all(session, user_id=admin.user_id) == 0
