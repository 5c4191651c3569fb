"""Sign-up, sign-in, server-side sessions and sign-out.

The browser holds a random session token in an HttpOnly cookie; the database holds only its
SHA-256. A successful sign-in inside the websocket issues a single-use ticket, which the HTTP
route `/auth/session` exchanges for that cookie.

The ticket is bound to the browser that signed in. Before signing in, the page asks the backend
(`POST /auth/nonce`, from the portal's own origin) for a pre-sign-in nonce: the backend sets it
as an HttpOnly, SameSite=Strict cookie scoped to `/auth` and answers only its SHA-256, which the
page hands to its state. The ticket stores that hash, and `/auth/session` redeems it only with
the cookie whose SHA-256 it is. Page scripts never see the nonce, and no other site can set or
read it, so a ticket redeemed in another browser (a leaked ticket, or an attacker's own ticket
pushed into a victim's browser) is refused even when posted from the portal's own origin.
Reading the nonce from the websocket's handshake instead would not work: Reflex keeps the
Cookie header of the handshake, which a first visit makes before any nonce exists.

A session ends when it is revoked, at `OrgSettings.session_max_days` after it started, or after
`session_idle_minutes` without use, with the organization's current settings (services.identity
.sessions); `last_seen_at` is written at most once a minute.
"""

import functools
import hashlib
import re
import secrets
from collections.abc import Collection
from datetime import datetime, timedelta
from typing import Any, NamedTuple, TypeGuard

import sqlalchemy as sa
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlmodel import Session, col, select, update

from ...models import (
    AuthSession,
    AuthTicket,
    Membership,
    Organization,
    OrgKind,
    OrgSettings,
    Role,
    User,
    utcnow,
)
from .. import catalog
from ..catalog.program import settings_of
from ..core import activity, changes, inputs
from ..core.actor import Actor
from ..core.errors import Invalid, NotAuthenticated
from . import security_log, throttle

SESSION_COOKIE = "prm_session"
NONCE_COOKIE = "prm_signin_nonce"  # the pre-sign-in nonce, HttpOnly, path /auth
NONCE_TTL = timedelta(hours=1)
TICKET_TTL = timedelta(seconds=60)
TOUCH_EVERY = timedelta(minutes=1)  # last_seen_at is written at most this often
# The defaults of OrgSettings, for an organization without its row.
DEFAULT_IDLE_MINUTES = OrgSettings.model_fields["session_idle_minutes"].default
DEFAULT_MAX_DAYS = OrgSettings.model_fields["session_max_days"].default
BROWSER_NOT_READY = "This page is not ready to sign you in yet: reload it and try again."
TICKET_REFUSED = "This sign-in has expired or was started in another browser. Please sign in again."
_SHA256 = re.compile(r"^[0-9a-f]{64}$")
UNVERIFIED = "Verify your address first: open the link we mailed to you."
# Password rules (NIST SP 800-63B): a length, no composition rules, and not a known password.
MIN_PASSWORD = 12
MAX_PASSWORD = 256
PASSWORD_HINT = f"at least {MIN_PASSWORD} characters"  # what the forms' labels say
TOO_SHORT = f"Use a password of {PASSWORD_HINT}."
TOO_COMMON = "This password is one of the most common ones: choose one that is harder to guess."
IS_EMAIL = "Don't use your email address as your password."

_hasher = PasswordHasher()
# Verified against when the email is unknown, so both failures take the same time.
_DUMMY_HASH = _hasher.hash("not-a-real-password")


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def new_token() -> str:
    return secrets.token_urlsafe(32)


@functools.cache
def _common_passwords() -> frozenset[str]:
    """zxcvbn's list of the 30,000 most used passwords, lower-case, loaded once."""
    from zxcvbn.frequency_lists import FREQUENCY_LISTS

    return frozenset(word.lower() for word in FREQUENCY_LISTS["passwords"])


def check_password(password: object, *, email: str | None = None, field: str = "password") -> str:
    """The password if it may be used by the person with `email`; Invalid (on `field`) if not.
    The one place the password rules live: sign-up, joining, reset and change all call it."""
    if isinstance(password, str) and not inputs.storable(password):
        raise Invalid("The password contains characters that cannot be used.", field=field)
    if not isinstance(password, str) or len(password) < MIN_PASSWORD:
        raise Invalid(TOO_SHORT, field=field)
    if len(password) > MAX_PASSWORD:
        raise Invalid(f"Use a password of at most {MAX_PASSWORD} characters.", field=field)
    folded = password.strip().lower()
    if folded in _common_passwords():
        raise Invalid(TOO_COMMON, field=field)
    if email and folded in {email.lower(), email.lower().partition("@")[0]}:
        raise Invalid(IS_EMAIL, field=field)
    return password


def hash_password(password: object, *, email: str | None = None, field: str = "password") -> str:
    return _hasher.hash(check_password(password, email=email, field=field))


def password_matches(user: User, password: object) -> bool:
    """Whether `password` is the user's current password (no side effects)."""
    if not isinstance(password, str) or not password or len(password) > MAX_PASSWORD:
        return False
    try:
        return _hasher.verify(user.password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def create_user(session: Session, *, name: object, email: object, password: object) -> User:
    """A new active user; refuses an email that already has an account."""
    email = inputs.email(email)
    name = inputs.text(name, field="name", label="Your name", max_len=200)
    if session.exec(select(User.id).where(User.email == email)).first() is not None:
        raise Invalid("An account with this email already exists: sign in instead.", field="email")
    user = User(email=email, name=name, password_hash=hash_password(password, email=email))
    session.add(user)
    session.flush()
    return user


def sign_up(
    session: Session,
    *,
    org_name: object,
    org_kind: object,
    name: object,
    email: object,
    password: object,
) -> Actor:
    """Create an organization with its first admin (unverified) and the default vocabulary.
    The sign-up form goes through verification.register, which also proves the address."""
    if org_kind not in (OrgKind.PROVIDER, OrgKind.CONSULTANT):
        raise Invalid("Choose whether you are a software provider or a consultant.", field="kind")
    org_name = inputs.text(org_name, field="org_name", label="Organization name", max_len=200)
    user = create_user(session, name=name, email=email, password=password)
    org = Organization(name=org_name, kind=OrgKind(org_kind))
    session.add(org)
    session.flush()
    session.add(Membership(user_id=user.id, org_id=org.id, role=Role.ADMIN))
    catalog.seed_defaults(session, org=org)
    actor = _actor(user, org, Role.ADMIN)
    activity.record(
        session,
        actor=actor,
        subject=org,
        action="created",
        after={"name": org.name, "kind": org.kind},
    )
    return actor


class SignInFailed(Invalid):
    """Wrong email or password. The failure was added to the session for throttling: the
    caller commits the session even so, or the failure does not count."""


def authenticate(session: Session, *, email: object, password: object, ip: str = "") -> Actor:
    """The actor for a correct email and password; one message for every failure.

    Refused at once (TooManyFailures) while the email or the client address `ip` has too many
    recent failures, whether or not an account exists for that email.
    """

    def wrong(user: User | None) -> SignInFailed:
        throttle.record_failure(session, email=email, ip=ip)
        if user is not None:  # a known account: its organization's admins see the attempt
            _record_failure(session, user, ip)
        return SignInFailed("Wrong email or password.", field="password")

    try:
        email = inputs.email(email)
    except Invalid:  # cannot be anyone's account: nothing to guess, nothing counted
        raise SignInFailed("Wrong email or password.", field="password") from None
    throttle.check(session, email=email, ip=ip)
    user = session.exec(select(User).where(User.email == email)).first()
    if (
        not isinstance(password, str)
        or not password
        or len(password) > MAX_PASSWORD
        or not inputs.storable(password)
    ):
        raise wrong(user)
    try:
        _hasher.verify(user.password_hash if user else _DUMMY_HASH, password)
    except (VerificationError, InvalidHashError):
        raise wrong(user) from None
    if user is None:
        raise wrong(None)
    if not user.is_active:
        raise Invalid("This account is deactivated. Ask your organization's admin.", field="email")
    row = session.exec(
        select(Membership, Organization)
        .join(Organization, col(Organization.id) == Membership.org_id)
        .where(Membership.user_id == user.id, col(Membership.is_active).is_(True))
        .order_by(col(Membership.id))
    ).first()
    if row is None:
        raise Invalid("This account is deactivated. Ask your organization's admin.", field="email")
    membership, org = row
    if _hasher.check_needs_rehash(user.password_hash):
        user.password_hash = _hasher.hash(password)
    user.last_login_at = utcnow()
    session.add(user)
    return _actor(user, org, membership.role)


def _record_failure(session: Session, user: User, ip: str) -> None:
    """A failed sign-in to a known account, in the log of its first active organization."""
    org_id = session.exec(
        select(Membership.org_id)
        .where(Membership.user_id == user.id, col(Membership.is_active).is_(True))
        .order_by(col(Membership.id))
    ).first()
    if org_id is not None:
        security_log.record(
            session,
            org_id=org_id,
            kind="sign_in_failed",
            user_id=user.id,
            client=security_log.Client(ip=ip),
        )


def nonce_hash(nonce: object) -> str | None:
    """The SHA-256 of a well-formed pre-sign-in nonce (None for anything else)."""
    nonce = inputs.token(nonce)
    return hash_token(nonce) if nonce is not None else None


def is_nonce_hash(value: object) -> TypeGuard[str]:
    return isinstance(value, str) and bool(_SHA256.match(value))


def issue_ticket(session: Session, *, actor: Actor, redirect_to: str, nonce_hash: object) -> str:
    """A single-use ticket, valid for a minute, that only the browser holding the nonce whose
    SHA-256 is `nonce_hash` exchanges for its cookie."""
    if not is_nonce_hash(nonce_hash):
        raise Invalid(BROWSER_NOT_READY)
    verified = session.exec(select(User.email_verified_at).where(User.id == actor.user_id))
    if (
        verified.first() is None
    ):  # never for an address not verified (services.identity.verification)
        raise NotAuthenticated(UNVERIFIED)
    ticket = new_token()
    session.add(
        AuthTicket(
            ticket_hash=hash_token(ticket),
            user_id=actor.user_id,
            org_id=actor.org_id,
            redirect_to=redirect_to,
            nonce_hash=nonce_hash,
            expires_at=utcnow() + TICKET_TTL,
        )
    )
    return ticket


class Started(NamedTuple):
    """A new session: the cookie's token, where to go, and how long the cookie lives."""

    token: str
    redirect_to: str
    max_age: int  # seconds


def redeem_ticket(
    session: Session, *, ticket: object, nonce: object, user_agent: str = "", ip: str = ""
) -> Started:
    """Exchange a ticket for a new session, in the browser holding the ticket's nonce."""
    ticket = inputs.token(ticket)
    if ticket is None:
        raise NotAuthenticated("This sign-in link is not valid. Please sign in again.")
    presented = nonce_hash(nonce)
    if presented is None:
        raise NotAuthenticated(TICKET_REFUSED)
    now = utcnow()
    # The conditional UPDATE makes redemption single-use even under concurrent requests; a
    # ticket presented with another nonce stays unused.
    used = session.exec(
        update(AuthTicket)
        .where(
            col(AuthTicket.ticket_hash) == hash_token(ticket),
            col(AuthTicket.nonce_hash) == presented,
            col(AuthTicket.used_at).is_(None),
            col(AuthTicket.expires_at) > now,
        )
        .values(used_at=now)
    )
    if used.rowcount != 1:
        raise NotAuthenticated(TICKET_REFUSED)
    row = session.exec(select(AuthTicket).where(AuthTicket.ticket_hash == hash_token(ticket))).one()
    lifetime = timedelta(days=settings_of(session, row.org_id).session_max_days)
    token = new_token()
    session.add(
        AuthSession(
            token_hash=hash_token(token),
            user_id=row.user_id,
            org_id=row.org_id,
            created_at=now,
            expires_at=now + lifetime,
            last_seen_at=now,
            user_agent=user_agent[:300],
            ip=ip[:64],
        )
    )
    security_log.record(
        session,
        org_id=row.org_id,
        kind="signed_in",
        user_id=row.user_id,
        actor_user_id=row.user_id,
        client=security_log.Client(ip=ip, user_agent=user_agent),
    )
    return Started(token, row.redirect_to, int(lifetime.total_seconds()))


def ended(
    *,
    now: datetime,
    created_at: datetime,
    last_seen_at: datetime | None,
    idle_minutes: int | None,
    max_days: int | None,
) -> bool:
    """Whether a session has outlived its organization's absolute or idle lifetime."""
    idle = timedelta(minutes=idle_minutes or DEFAULT_IDLE_MINUTES)
    absolute = timedelta(days=max_days or DEFAULT_MAX_DAYS)
    return now - created_at >= absolute or now - (last_seen_at or created_at) >= idle


def resolve(session: Session, *, token: str | None) -> Actor | None:
    """The actor behind a session token, or None if it is unknown, revoked, expired, idle for
    longer than its organization allows, or stale. One query, plus a conditional UPDATE of
    `last_seen_at` at most once a minute."""
    token = inputs.token(token)
    if token is None:
        return None
    token_hash = hash_token(token)
    return _resolved(session, _ONE_SESSION, {"token_hash": token_hash}, touch=True).get(token_hash)


def resolve_bound(session: Session, *, token_hashes: Collection[str]) -> dict[str, Actor]:
    """The actors behind sessions known by their tokens' hashes (the sessions of the tabs the
    server pushes a view to), by hash, under the same conditions as `resolve`, in one query.
    Not a use of the sessions: their idle time keeps running."""
    if not token_hashes:
        return {}
    return _resolved(session, _SESSIONS, {"token_hashes": list(token_hashes)}, touch=False)


def _session_check(which: Any) -> sa.Select:
    """The live sessions `which` selects, with what an Actor needs: built once (the check runs
    on every event), bound at each use."""
    return (
        sa.select(
            col(AuthSession.token_hash),
            col(AuthSession.id),
            col(AuthSession.created_at),
            col(AuthSession.last_seen_at),
            col(OrgSettings.session_idle_minutes),
            col(OrgSettings.session_max_days),
            col(Membership.role),
            col(User.id).label("user_id"),  # columns, not entities: no objects to build
            col(User.name),
            col(User.email),
            col(Organization.id).label("org_id"),
            col(Organization.kind),
            col(Organization.name).label("org_name"),
        )
        .join(User, col(User.id) == AuthSession.user_id)
        .join(Organization, col(Organization.id) == AuthSession.org_id)
        .join(
            Membership,
            (col(Membership.user_id) == AuthSession.user_id)
            & (col(Membership.org_id) == AuthSession.org_id),
        )
        .outerjoin(OrgSettings, col(OrgSettings.org_id) == AuthSession.org_id)
        .where(
            which,
            col(AuthSession.revoked_at).is_(None),
            col(AuthSession.expires_at) > sa.bindparam("now"),
            col(User.is_active).is_(True),
            col(Membership.is_active).is_(True),
        )
    )


_ONE_SESSION = _session_check(col(AuthSession.token_hash) == sa.bindparam("token_hash"))
_SESSIONS = _session_check(
    col(AuthSession.token_hash).in_(sa.bindparam("token_hashes", expanding=True))
)


def _resolved(
    session: Session, check: sa.Select, bound: dict[str, Any], *, touch: bool
) -> dict[str, Actor]:
    now = utcnow()
    rows = session.execute(check, {**bound, "now": now}).all()
    found = {}
    for row in rows:
        token_hash, session_id, created_at, last_seen_at, idle, max_days = row[:6]
        if ended(
            now=now,
            created_at=created_at,
            last_seen_at=last_seen_at,
            idle_minutes=idle,
            max_days=max_days,
        ):
            continue
        if touch and (last_seen_at is None or last_seen_at <= now - TOUCH_EVERY):
            _touch(session, session_id, now)
        found[token_hash] = Actor(
            user_id=row.user_id,
            org_id=row.org_id,
            org_kind=row.kind,
            role=row.role,
            name=row.name,
            email=row.email,
            org_name=row.org_name,
        )
    return found


def _touch(session: Session, session_id: int, now: datetime) -> None:
    """Mark the session used now, unless another request just did."""
    session.exec(
        update(AuthSession)
        .where(
            col(AuthSession.id) == session_id,
            col(AuthSession.last_seen_at).is_(None)
            | (col(AuthSession.last_seen_at) <= now - TOUCH_EVERY),
        )
        .values(last_seen_at=now)
    )


def sign_out(session: Session, *, token: str | None) -> None:
    """Revoke the session behind this token (no error if it is already gone)."""
    if (token := inputs.token(token)) is not None:
        session.exec(
            update(AuthSession)
            .where(
                col(AuthSession.token_hash) == hash_token(token),
                col(AuthSession.revoked_at).is_(None),
            )
            .values(revoked_at=utcnow())
        )


def revoke_all(session: Session, *, user_id: int) -> int:
    """Revoke every session of a user ("sign out everywhere", deactivation, a reset password or
    second factor); their open tabs are sent to sign-in once this commits."""
    result = session.exec(
        update(AuthSession)
        .where(col(AuthSession.user_id) == user_id, col(AuthSession.revoked_at).is_(None))
        .values(revoked_at=utcnow())
    )
    changes.sessions_ended(session, user_id)
    return result.rowcount


def _actor(user: User, org: Organization, role: str) -> Actor:
    return Actor(
        user_id=user.id,
        org_id=org.id,
        org_kind=org.kind,
        role=role,
        name=user.name,
        email=user.email,
        org_name=org.name,
    )
