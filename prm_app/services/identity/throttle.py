"""Sign-in throttling that a stranger cannot turn against the people it protects.

Three rules, over failures kept in the database (every backend worker sees them) under SHA-256
hashes of the normalized email and of the client's address (prm_app/client_address.py: the real
client behind the trusted proxies, not the proxy):
- an address that failed PRM_SIGNIN_MAX_PER_EMAIL (5) times for one email within the window is
  refused for that email until the window passes: guessing from there stops;
- past that many failures for an email from anywhere, each further attempt waits a delay that
  doubles with every failure, capped at a minute: guessing from many addresses slows down, yet
  nobody can lock the owner out for longer than that;
- an address with PRM_SIGNIN_MAX_PER_IP (50) failures within the window is refused, except for
  people who signed in from it in the last 30 days (the colleagues behind a shared address).
The refusal reads the same whether or not an account exists for the email. A success never
clears anyone's failures: the window simply passes. Rows older than the window are deleted
whenever a failure is recorded.
"""

import hashlib
import math
from datetime import datetime, timedelta

from sqlmodel import Session, col, delete, func, select

from ... import settings
from ...models import AuthSession, FailedSignIn, User, utcnow
from ..core.errors import Invalid

WINDOW = timedelta(minutes=15)
MAX_DELAY = timedelta(minutes=1)
KNOWN_ADDRESS = timedelta(days=30)


def limits() -> tuple[int, int]:
    """(failures per email, failures per client address) allowed within the window."""
    configured = settings.current()
    return configured.signin_max_per_email, configured.signin_max_per_ip


class TooManyFailures(Invalid):
    def __init__(self, wait: timedelta):
        seconds = max(1, math.ceil(wait.total_seconds()))
        if seconds < 60:
            amount, unit = seconds, "second"
        else:
            amount, unit = math.ceil(seconds / 60), "minute"
        plural = "" if amount == 1 else "s"
        super().__init__(
            f"Too many failed sign-ins. Try again in {amount} {unit}{plural}.", field="password"
        )


def _hash(kind: str, value: str) -> str:
    return hashlib.sha256(f"{kind}:{value}".encode()).hexdigest()


def _keys(email: str, ip: str) -> tuple[str, str]:
    return _hash("email", email.strip().lower()), _hash("ip", ip or "unknown")


def _recent(session: Session, where: list, limit: int, now: datetime) -> list[datetime]:
    """The times of the latest `limit` failures matching `where` within the window."""
    return list(
        session.exec(
            select(FailedSignIn.created_at)
            .where(*where, col(FailedSignIn.created_at) > now - WINDOW)
            .order_by(col(FailedSignIn.created_at).desc())
            .limit(limit)
        ).all()
    )


def _until_window_passes(recent: list[datetime], limit: int) -> datetime | None:
    """At `limit` failures, when the oldest that still counts leaves the window."""
    return recent[-1] + WINDOW if len(recent) >= limit else None


def _account_delay_until(session: Session, email_key: str, limit: int, now: datetime):
    """Past `limit` failures for the email from anywhere: the latest one plus a delay that
    doubles with each failure (1 s, 2 s, 4 s, ... at most MAX_DELAY)."""
    count, latest = session.exec(
        select(func.count(), func.max(FailedSignIn.created_at)).where(
            FailedSignIn.email_hash == email_key, col(FailedSignIn.created_at) > now - WINDOW
        )
    ).one()
    if count < limit or latest is None:
        return None
    return latest + min(MAX_DELAY, timedelta(seconds=2 ** min(count - limit, 16)))


def _known_address(session: Session, email: str, ip: str, now: datetime) -> bool:
    """Whether this person signed in from this address lately."""
    return (
        session.exec(
            select(AuthSession.id)
            .join(User, col(User.id) == AuthSession.user_id)
            .where(
                User.email == email.strip().lower(),
                AuthSession.ip == ip,
                col(AuthSession.created_at) > now - KNOWN_ADDRESS,
            )
            .limit(1)
        ).first()
        is not None
    )


def check(session: Session, *, email: str, ip: str) -> None:
    """Raise TooManyFailures while any of the three rules holds this attempt back."""
    now = utcnow()
    email_key, ip_key = _keys(email, ip)
    per_email, per_ip = limits()
    pair = [FailedSignIn.email_hash == email_key, FailedSignIn.ip_hash == ip_key]
    until = [
        _until_window_passes(_recent(session, pair, per_email, now), per_email),
        _account_delay_until(session, email_key, per_email, now),
    ]
    address = _until_window_passes(
        _recent(session, [FailedSignIn.ip_hash == ip_key], per_ip, now), per_ip
    )
    if address is not None and not _known_address(session, email, ip, now):
        until.append(address)
    waits = [moment - now for moment in until if moment is not None and moment > now]
    if waits:
        raise TooManyFailures(max(waits))


def record_failure(session: Session, *, email: str, ip: str) -> None:
    """Count one failed sign-in, and forget the failures that left the window."""
    now = utcnow()
    session.exec(delete(FailedSignIn).where(col(FailedSignIn.created_at) <= now - WINDOW))
    email_key, ip_key = _keys(email, ip)
    session.add(FailedSignIn(email_hash=email_key, ip_hash=ip_key, created_at=now))
    session.flush()
