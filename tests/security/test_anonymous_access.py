"""No event handler of any state returns or changes data without a valid session.

Every handler of every state class is enumerated from the app, so a new one is covered
automatically, and called over a raw websocket with no session cookie.
"""

import hashlib
import inspect
import json
import time

import pytest
from sqlmodel import Session, SQLModel, select

from prm_app.models import Membership, Organization, OutboundEmail, User, UserInvite
from tests.security.hostile_client import HostileClient
from tests.support import report

# Handlers meant for anonymous visitors. They are still attacked, with malformed arguments that
# must be refused without any change.
ANONYMOUS_ENTRY_POINTS = {
    "sign_in",
    "sign_up",
    "accept_invite",
    "load_login",
    "load_invite",
    "route_home",
    "request_link",  # /verify-email and /forgot-password: a new link (rate limited, same answer)
    # Forgot password (asking for a link counts an attempt) and the sign-in's later steps.
    "load_forgot",
    "load_reset",
    "set_new_password",
    "submit_code",
    "confirm_enrolment",
    "finish_sign_in",
    "cancel_sign_in",
    "bind_browser",
    "keep_nonce",
}
MALFORMED = {"$gt": "", "email": ["x"], "password": {"a": 1}, "kind": 7, "name": None}


def _state_classes(root):
    for sub in root.get_substates():
        yield sub
        yield from _state_classes(sub)


def all_handlers():
    """(full event name, handler name, parameter names) for every handler of every state."""
    import reflex as rx

    found = []
    for cls in [rx.State, *_state_classes(rx.State)]:
        for name, handler in cls.event_handlers.items():
            params = list(inspect.signature(handler.fn).parameters)[1:]
            found.append((f"{cls.get_full_name()}.{name}", name, params))
    return found


def api_url() -> str:
    """The running backend (the harness sets it on the config)."""
    from reflex.config import get_config

    return get_config().api_url


def db_digest(engine) -> str:
    """A fingerprint of every row of every table."""
    digest = hashlib.sha256()
    with engine.connect() as connection:
        for table in SQLModel.metadata.sorted_tables:
            rows = connection.execute(table.select().order_by(*table.primary_key.columns))
            digest.update(repr(rows.fetchall()).encode())
    return digest.hexdigest()


def secrets_in_db(engine) -> set[str]:
    """Strings that an anonymous client must never receive."""
    with Session(engine) as session:
        values = {u.email for u in session.exec(select(User))}
        values |= {u.name for u in session.exec(select(User))}
        values |= {o.name for o in session.exec(select(Organization))}
        values |= {i.email for i in session.exec(select(UserInvite))}
    return {v for v in values if len(v) >= 5}


def hostile_payload(handler: str, params: list[str], engine) -> dict:
    if handler in ANONYMOUS_ENTRY_POINTS:
        return dict.fromkeys(params, MALFORMED)
    with Session(engine) as session:
        some_user = session.exec(select(Membership.user_id)).first()
    values = {
        "form": {"email": "intruder@evil.example", "role": "admin", "name": "Intruder"},
        "user_id": str(some_user),
        "invite_id": "1",
        "var_name": "org_kind",
        "value": "provider",
    }
    return {p: values.get(p, "x" * 5000) for p in params}


def outbox_settled(engine, timeout: float = 20.0) -> None:
    """Wait until the background sender has sent the mail earlier tests queued (it writes the
    outcome to the database on its own schedule, which is no client's doing)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with Session(engine) as session:
            if (
                session.exec(
                    select(OutboundEmail.id).where(OutboundEmail.status == "queued")
                ).first()
                is None
            ):
                return
        time.sleep(0.2)


def test_every_handler_refuses_an_anonymous_client(harness, db):
    handlers = all_handlers()
    secrets = secrets_in_db(db)
    outbox_settled(db)
    before = db_digest(db)
    client = HostileClient(api_url())
    failures = []
    try:
        for event_name, handler, params in handlers:
            payload = hostile_payload(handler, params, db)
            updates = client.exchange(event_name, payload, path="/team")
            sent = json.dumps(updates)
            leaked = sorted(s for s in secrets if s in sent)
            if leaked:
                failures.append(f"{event_name} revealed {leaked[:3]}")
            after = db_digest(db)
            if after != before:
                failures.append(f"{event_name} changed the database")
                before = after
    finally:
        client.close()
    report(f"anonymous client tried {len(handlers)} event handlers")
    assert len(handlers) >= 10, "handler enumeration found too few handlers"
    assert not failures, "\n".join(failures)


@pytest.mark.parametrize("cookie", ["prm_session=forged-token", "prm_session="])
def test_a_forged_session_cookie_is_anonymous(harness, db, cookie):
    client = HostileClient(api_url(), cookie=cookie)
    try:
        team_load = next(
            name for name, handler, _ in all_handlers() if name.endswith("team_state.load")
        )
        updates = client.exchange(team_load, {}, path="/team")
    finally:
        client.close()
    sent = json.dumps(updates)
    assert '"/login"' in sent, f"no redirect to sign-in in {sent[:500]}"
    assert not [s for s in secrets_in_db(db) if s in sent]
