"""The second step of a sign-in and the reset link, attacked over a raw websocket: the step's
handlers do nothing without a pending sign-in of the same tab, and a reset link works once and
expires."""

import json
import time
import uuid

import pyotp
from sqlmodel import Session, select, update

from prm_app.models import AccountToken, User, utcnow
from prm_app.services.identity import account_links, auth, two_factor
from tests.security.hostile_client import HostileClient
from tests.security.test_anonymous_access import api_url
from tests.security.test_session_replay import Browser, event, ticket_of
from tests.unit.factories import verify

PASSWORD = "a hostile test passphrase"


def enrolled_admin(db) -> tuple[str, str]:
    """(email, TOTP secret) of a new provider admin with two-factor sign-in on."""
    email = f"tf-{uuid.uuid4().hex[:8]}@steps.example"
    with Session(db) as session:
        actor = auth.sign_up(
            session,
            org_name="Second Step Test",
            org_kind="provider",
            name="Tess Factor",
            email=email,
            password=PASSWORD,
        )
        verify(session, actor)  # as if the sign-up's link had been opened
        shown = two_factor.start(session, user_id=actor.user_id)
        secret = shown.secret.replace(" ", "")
        user = session.get(User, actor.user_id)
        user.totp_enabled_at = utcnow()  # as if confirmed: the code steps below are fresh
        session.add(user)
        session.commit()
    return email, secret


def code_of(secret: str) -> str:
    return pyotp.TOTP(secret).at(time.time() + 30)


def test_the_second_step_needs_a_pending_sign_in_of_the_same_tab(harness, db):
    email, secret = enrolled_admin(db)
    # Both tabs are ready to sign in (their browsers' nonces bound): only the pending sign-in
    # of the owner's own tab can end in a ticket.
    stranger = Browser().tab()
    owner = Browser().tab()
    try:
        # Nothing pending: no ticket, whatever the code.
        alone = stranger.exchange(event("auth_state.submit_code"), {"form": {"code": "123456"}})
        assert ticket_of(alone) is None
        for handler in ("finish_sign_in", "confirm_enrolment"):
            sent = stranger.exchange(event(f"auth_state.{handler}"), {"form": {}})
            assert ticket_of(sent) is None

        # The owner's password puts a sign-in on hold in the owner's tab only.
        held = owner.exchange(
            event("auth_state.sign_in"), {"form": {"email": email, "password": PASSWORD}}
        )
        assert ticket_of(held) is None and '"code"' in json.dumps(held)
        code = code_of(secret)
        other = stranger.exchange(event("auth_state.submit_code"), {"form": {"code": code}})
        assert ticket_of(other) is None
        # Finishing the enrolment step cannot skip the code step either.
        skipped = owner.exchange(event("auth_state.finish_sign_in"), {})
        assert ticket_of(skipped) is None
        # The owner's tab, with the right code, is signed in (the test can tell).
        held = owner.exchange(
            event("auth_state.sign_in"), {"form": {"email": email, "password": PASSWORD}}
        )
        right = owner.exchange(event("auth_state.submit_code"), {"form": {"code": code}})
        assert ticket_of(right) is not None
    finally:
        stranger.close()
        owner.close()


def test_a_pending_sign_in_expires(harness, db, monkeypatch):
    email, secret = enrolled_admin(db)
    owner = Browser().tab()
    try:
        owner.exchange(
            event("auth_state.sign_in"), {"form": {"email": email, "password": PASSWORD}}
        )
        later = time.time() + 5 * 60 + 1  # the backend runs in this process
        monkeypatch.setattr("prm_app.state.sign_in_steps._now", lambda: later)
        sent = owner.exchange(event("auth_state.submit_code"), {"form": {"code": code_of(secret)}})
        assert ticket_of(sent) is None
        assert "took too long" in json.dumps(sent)
    finally:
        owner.close()


def _reset(client: HostileClient, token: str, password: str) -> str:
    return json.dumps(
        client.exchange(
            event("password_reset_state.set_new_password"),
            {"form": {"password": password, "password_again": password}},
            path=f"/reset-password?token={token}",  # the page's URL, as the browser sends it
        )
    )


def _password_works(db, email: str, password: str) -> bool:
    with Session(db) as session:
        user = session.exec(select(User).where(User.email == email)).one()
        return auth.password_matches(user, password)


def test_a_reset_link_works_once_and_expires(harness, db):
    email, _ = enrolled_admin(db)
    with Session(db) as session:
        user_id = session.exec(select(User.id).where(User.email == email)).one()
        first = account_links.issue(
            session, user_id=user_id, purpose=account_links.RESET_PASSWORD, email=email
        )
        session.commit()
    client = HostileClient(api_url())
    try:
        _reset(client, first, "first new passphrase")
        assert _password_works(db, email, "first new passphrase")
        replay = _reset(client, first, "second new passphrase")
        assert account_links.NOT_VALID in replay
        assert _password_works(db, email, "first new passphrase")

        with Session(db) as session:
            expired = account_links.issue(
                session, user_id=user_id, purpose=account_links.RESET_PASSWORD, email=email
            )
            session.exec(
                update(AccountToken)
                .where(AccountToken.token_hash == auth.hash_token(expired))
                .values(expires_at=utcnow())
            )
            session.commit()
        assert account_links.NOT_VALID in _reset(client, expired, "third new passphrase")
        assert _password_works(db, email, "first new passphrase")
    finally:
        client.close()
