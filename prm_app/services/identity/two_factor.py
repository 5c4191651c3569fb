"""Two-factor sign-in: enrolment (a new secret, shown as a QR code, in force once a code from it
is confirmed), ten single-use recovery codes, the second step of a sign-in, turning it off and an
admin's reset of a colleague's second factor.

Recovery codes are random, shown once, and stored as SHA-256 hashes (each has 50 random bits and
attempts are limited per person, so a fast hash is enough); using one is a conditional UPDATE,
so a code works once.
"""

import hashlib
import secrets
from dataclasses import dataclass

from sqlmodel import Session, col, delete, func, select, update

from ...models import Membership, Organization, RecoveryCode, User, utcnow
from ..core import inputs
from ..core.actor import Actor
from ..core.errors import Invalid, NotAllowed, NotAuthenticated, NotFound
from ..integrations import mail
from . import auth, rate_limits, reauth, security_log, totp, two_factor_policy
from .security_log import Client

RECOVERY_CODES = 10
_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"  # no 0/o, 1/l/i to misread
_CODE_LENGTH = 10
NOT_ENROLLING = "Start again: open the two-factor section and set it up."


class WrongCode(Invalid):
    """A wrong second-factor code at sign-in. The failure was recorded: commit even so."""


@dataclass(frozen=True, slots=True)
class Enrolment:
    """What the person needs to add the secret to their authenticator app."""

    secret: str  # grouped by four, for typing by hand
    qr: str  # data: URI of an SVG QR code
    uri: str


@dataclass(frozen=True, slots=True)
class Status:
    enabled: bool
    codes_left: int
    required: bool  # by the organization's policy


def status(session: Session, *, actor: Actor) -> Status:
    user = _user(session, actor.user_id)
    return Status(
        enabled=user.totp_enabled_at is not None,
        codes_left=codes_left(session, actor.user_id) if user.totp_enabled_at else 0,
        required=two_factor_policy.required(session, org_id=actor.org_id, role=actor.role),
    )


def codes_left(session: Session, user_id: int) -> int:
    return session.exec(
        select(func.count())
        .select_from(RecoveryCode)
        .where(RecoveryCode.user_id == user_id, col(RecoveryCode.used_at).is_(None))
    ).one()


def begin(session: Session, *, actor: Actor, password: object) -> Enrolment:
    """Start enrolment from the account page, after the password; not in force until confirmed."""
    reauth.confirm(session, user_id=actor.user_id, password=password)
    return start(session, user_id=actor.user_id)


def start(session: Session, *, user_id: int) -> Enrolment:
    """A new secret for the person (kept, not yet in force): the caller has proven who it is."""
    user = _user(session, user_id)
    if user.totp_enabled_at is not None:
        raise Invalid("Two-factor sign-in is already on.", field="code")
    user.totp_secret = totp.new_secret()
    user.totp_last_step = None
    session.add(user)
    uri = totp.provisioning_uri(user.totp_secret, user.email)
    return Enrolment(secret=totp.grouped(user.totp_secret), qr=totp.qr_data_uri(uri), uri=uri)


def finish(
    session: Session, *, user_id: int, org_id: int, code: object, client: Client | None = None
) -> list[str]:
    """Put the secret being enrolled in force once `code` comes from it; returns the recovery
    codes, to be shown once."""
    user = _user(session, user_id)
    if user.totp_enabled_at is not None or not user.totp_secret:
        raise Invalid(NOT_ENROLLING, field="code")
    if not totp.accept(session, user, code):
        raise Invalid(totp.WRONG, field="code")
    user.totp_enabled_at = utcnow()
    session.add(user)
    codes = _new_codes(session, user_id)
    security_log.record(
        session, org_id=org_id, kind="two_factor_enrolled", user_id=user.id, client=client
    )
    mail.enqueue(
        session,
        to=user.email,
        subject="Two-factor sign-in is on",
        body=f"Hello {user.name},\n\nTwo-factor sign-in was turned on for your account. If it "
        "was not you, reset your password and tell your organization's admin.\n",
    )
    return codes


def confirm(session: Session, *, actor: Actor, code: object, client: Client | None = None):
    """`finish` for the signed-in caller (the account page)."""
    return finish(session, user_id=actor.user_id, org_id=actor.org_id, code=code, client=client)


def new_recovery_codes(
    session: Session, *, actor: Actor, proof: object, client: Client | None = None
) -> list[str]:
    """Replace the caller's recovery codes, after their password or a code."""
    user = reauth.confirm(session, user_id=actor.user_id, password=proof)
    if user.totp_enabled_at is None:
        raise Invalid("Two-factor sign-in is off.", field="current")
    return _new_codes(session, actor.user_id)


def turn_off(
    session: Session, *, actor: Actor, proof: object, client: Client | None = None
) -> None:
    """The caller turns their second factor off (if their organization allows it)."""
    if two_factor_policy.required(session, org_id=actor.org_id, role=actor.role):
        raise NotAllowed("Your organization requires two-factor sign-in: it cannot be turned off.")
    user = reauth.confirm(session, user_id=actor.user_id, password=proof)
    if user.totp_enabled_at is None:
        raise Invalid("Two-factor sign-in is off already.", field="current")
    _clear(session, user)
    security_log.record(
        session,
        org_id=actor.org_id,
        kind="two_factor_reset",
        user_id=user.id,
        actor_user_id=user.id,
        client=client,
        detail="turned off by the person",
    )
    _mail_turned_off(session, user, "You turned two-factor sign-in off")


def reset_for_colleague(
    session: Session, *, actor: Actor, user_id: object, client: Client | None = None
) -> None:
    """An admin removes a colleague's second factor (a lost phone): the colleague's sessions end,
    they are told by mail, and enrol again at their next sign-in if the policy requires it."""
    actor.require_admin()
    colleague_id = inputs.record_id(user_id, what="person")
    member = session.exec(
        select(Membership).where(
            Membership.org_id == actor.org_id, Membership.user_id == colleague_id
        )
    ).first()
    if member is None:
        raise NotFound("That person is not in your organization.")
    if member.user_id == actor.user_id:
        raise Invalid("Turn your own second factor off on your account page.")
    user = _user(session, member.user_id)
    if user.totp_enabled_at is None:
        raise Invalid(f"{user.name} does not use two-factor sign-in.")
    _clear(session, user)
    auth.revoke_all(session, user_id=member.user_id)
    security_log.record(
        session,
        org_id=actor.org_id,
        kind="two_factor_reset",
        user_id=user.id,
        actor_user_id=actor.user_id,
        client=client,
        detail=f"reset by {actor.name}",
    )
    _mail_turned_off(session, user, f"{actor.name}, an admin of {actor.org_name}, reset it")


def enrolled_user_ids(session: Session, *, org_id: int) -> set[int]:
    """The members of the organization who use two-factor sign-in (for the team list)."""
    return set(
        session.exec(
            select(Membership.user_id)
            .join(User, col(User.id) == Membership.user_id)
            .where(Membership.org_id == org_id, col(User.totp_enabled_at).is_not(None))
        )
    )


# The second step of a sign-in.


def needs_code(session: Session, *, user_id: int) -> bool:
    user = session.get(User, user_id)
    return user is not None and user.totp_enabled_at is not None


def must_enrol(session: Session, *, actor: Actor) -> bool:
    """Whether the policy requires a second factor the person does not have yet."""
    return not needs_code(session, user_id=actor.user_id) and two_factor_policy.required(
        session, org_id=actor.org_id, role=actor.role
    )


def second_step(
    session: Session, *, user_id: int, org_id: int, code: object, client: Client | None = None
) -> Actor:
    """The actor once `code` (a current code or an unused recovery code) is right; WrongCode
    (recorded as a failed sign-in: the caller commits) otherwise."""
    user = _user(session, user_id)
    if user.totp_enabled_at is None:
        raise NotAuthenticated("Sign in again.")
    if totp.normalized(code) is not None:
        if totp.accept(session, user, code):
            return actor_of(session, user_id=user_id, org_id=org_id)
    elif (recovery := _normalized_recovery(code)) is not None:
        rate_limits.spend(totp.ATTEMPTS, user.id, field="code")
        if _use_recovery_code(session, user_id, recovery):
            left = codes_left(session, user_id)
            security_log.record(
                session,
                org_id=org_id,
                kind="recovery_code_used",
                user_id=user.id,
                client=client,
                detail=f"{left} left",
            )
            mail.enqueue(
                session,
                to=user.email,
                subject="A recovery code was used to sign in",
                body=f"Hello {user.name},\n\nSomeone signed in to your account with one of your "
                f"recovery codes ({left} left). If it was not you, reset your password and tell "
                "your organization's admin; if it was, consider new recovery codes on your "
                "account page.\n",
            )
            return actor_of(session, user_id=user_id, org_id=org_id)
    security_log.record(
        session,
        org_id=org_id,
        kind="sign_in_failed",
        user_id=user.id,
        client=client,
        detail="wrong second-factor code",
    )
    raise WrongCode(totp.WRONG, field="code")


def actor_of(session: Session, *, user_id: int, org_id: int) -> Actor:
    """The actor of an active person in an organization they are still an active member of."""
    row = session.exec(
        select(User, Organization, Membership)
        .join(Membership, col(Membership.user_id) == User.id)
        .join(Organization, col(Organization.id) == Membership.org_id)
        .where(
            User.id == user_id,
            Membership.org_id == org_id,
            col(User.is_active).is_(True),
            col(Membership.is_active).is_(True),
        )
    ).first()
    if row is None:
        raise NotAuthenticated("This account is deactivated. Ask your organization's admin.")
    user, org, membership = row
    return Actor(user_id, org_id, org.kind, membership.role, user.name, user.email, org.name)


def _user(session: Session, user_id: int) -> User:
    user = session.get(User, user_id)
    if user is None or not user.is_active:
        raise NotAuthenticated()
    return user


def _clear(session: Session, user: User) -> None:
    user.totp_secret = None
    user.totp_enabled_at = None
    user.totp_last_step = None
    session.add(user)
    session.exec(delete(RecoveryCode).where(col(RecoveryCode.user_id) == user.id))


def _mail_turned_off(session: Session, user: User, how: str) -> None:
    mail.enqueue(
        session,
        to=user.email,
        subject="Two-factor sign-in was turned off",
        body=f"Hello {user.name},\n\nTwo-factor sign-in is off for your account: {how}. If you "
        "did not expect this, reset your password and tell your organization's admin.\n",
    )


def _hash(code: str) -> str:
    return hashlib.sha256(f"recovery:{code}".encode()).hexdigest()


def _normalized_recovery(code: object) -> str | None:
    if not isinstance(code, str) or len(code) > 40:
        return None
    clean = "".join(code.split()).replace("-", "").lower()
    return clean if len(clean) == _CODE_LENGTH and clean.isascii() and clean.isalnum() else None


def _new_codes(session: Session, user_id: int) -> list[str]:
    """Ten new recovery codes (the earlier ones end), returned in clear once."""
    session.exec(delete(RecoveryCode).where(col(RecoveryCode.user_id) == user_id))
    codes = []
    for _ in range(RECOVERY_CODES):
        raw = "".join(secrets.choice(_ALPHABET) for _ in range(_CODE_LENGTH))
        session.add(RecoveryCode(user_id=user_id, code_hash=_hash(raw)))
        codes.append(f"{raw[:5]}-{raw[5:]}")
    return codes


def _use_recovery_code(session: Session, user_id: int, code: str) -> bool:
    used = session.exec(
        update(RecoveryCode)
        .where(
            col(RecoveryCode.user_id) == user_id,
            col(RecoveryCode.code_hash) == _hash(code),
            col(RecoveryCode.used_at).is_(None),
        )
        .values(used_at=utcnow())
    )
    return used.rowcount == 1
