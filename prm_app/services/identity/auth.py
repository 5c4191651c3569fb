"""Sign-up, sign-in, server-side sessions and sign-out.

The browser holds a random session token in an HttpOnly cookie; the database holds only its
SHA-256. A successful sign-in inside the websocket issues a single-use ticket, which the HTTP
route `/auth/session` exchanges for that cookie.
"""

import functools
import hashlib
import secrets
from datetime import timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlmodel import Session, col, select, update

from ...models import (
    AuthSession,
    AuthTicket,
    Membership,
    Organization,
    OrgKind,
    Role,
    User,
    utcnow,
)
from .. import catalog
from ..core import activity, inputs
from ..core.actor import Actor
from ..core.errors import Invalid, NotAuthenticated
from . import throttle

SESSION_COOKIE = "prm_session"
SESSION_TTL = timedelta(days=14)
TICKET_TTL = timedelta(seconds=60)
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

    def wrong() -> SignInFailed:
        throttle.record_failure(session, email=email, ip=ip)
        return SignInFailed("Wrong email or password.", field="password")

    try:
        email = inputs.email(email)
    except Invalid:  # cannot be anyone's account: nothing to guess, nothing counted
        raise SignInFailed("Wrong email or password.", field="password") from None
    throttle.check(session, email=email, ip=ip)
    if (
        not isinstance(password, str)
        or not password
        or len(password) > MAX_PASSWORD
        or not inputs.storable(password)
    ):
        raise wrong()
    user = session.exec(select(User).where(User.email == email)).first()
    try:
        _hasher.verify(user.password_hash if user else _DUMMY_HASH, password)
    except (VerificationError, InvalidHashError):
        raise wrong() from None
    if user is None:
        raise wrong()
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


def issue_ticket(session: Session, *, actor: Actor, redirect_to: str) -> str:
    """A single-use ticket, valid for a minute, that the browser exchanges for its cookie.
    Never for an account whose address is not verified (services.identity.verification)."""
    verified = session.exec(select(User.email_verified_at).where(User.id == actor.user_id))
    if verified.first() is None:
        raise NotAuthenticated(UNVERIFIED)
    ticket = new_token()
    session.add(
        AuthTicket(
            ticket_hash=hash_token(ticket),
            user_id=actor.user_id,
            org_id=actor.org_id,
            redirect_to=redirect_to,
            expires_at=utcnow() + TICKET_TTL,
        )
    )
    return ticket


def redeem_ticket(
    session: Session, *, ticket: object, user_agent: str = "", ip: str = ""
) -> tuple[str, str]:
    """Exchange a ticket for a new session: returns (session token, where to go next)."""
    ticket = inputs.token(ticket)
    if ticket is None:
        raise NotAuthenticated("This sign-in link is not valid. Please sign in again.")
    now = utcnow()
    # The conditional UPDATE makes redemption single-use even under concurrent requests.
    used = session.exec(
        update(AuthTicket)
        .where(
            col(AuthTicket.ticket_hash) == hash_token(ticket),
            col(AuthTicket.used_at).is_(None),
            col(AuthTicket.expires_at) > now,
        )
        .values(used_at=now)
    )
    if used.rowcount != 1:
        raise NotAuthenticated("This sign-in link has expired. Please sign in again.")
    row = session.exec(select(AuthTicket).where(AuthTicket.ticket_hash == hash_token(ticket))).one()
    token = new_token()
    session.add(
        AuthSession(
            token_hash=hash_token(token),
            user_id=row.user_id,
            org_id=row.org_id,
            expires_at=now + SESSION_TTL,
            user_agent=user_agent[:300],
            ip=ip[:64],
        )
    )
    return token, row.redirect_to


def resolve(session: Session, *, token: str | None) -> Actor | None:
    """The actor behind a session token, or None if it is unknown, expired, revoked or stale."""
    token = inputs.token(token)
    if token is None:
        return None
    row = session.exec(
        select(AuthSession, User, Organization, Membership)
        .join(User, col(User.id) == AuthSession.user_id)
        .join(Organization, col(Organization.id) == AuthSession.org_id)
        .join(
            Membership,
            (col(Membership.user_id) == AuthSession.user_id)
            & (col(Membership.org_id) == AuthSession.org_id),
        )
        .where(
            AuthSession.token_hash == hash_token(token),
            col(AuthSession.revoked_at).is_(None),
            col(AuthSession.expires_at) > utcnow(),
            col(User.is_active).is_(True),
            col(Membership.is_active).is_(True),
        )
    ).first()
    if row is None:
        return None
    _, user, org, membership = row
    return _actor(user, org, membership.role)


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
    """Revoke every session of a user ("sign out everywhere", deactivation)."""
    result = session.exec(
        update(AuthSession)
        .where(col(AuthSession.user_id) == user_id, col(AuthSession.revoked_at).is_(None))
        .values(revoked_at=utcnow())
    )
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
