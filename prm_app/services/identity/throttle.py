"""Sign-in throttling: too many failed sign-ins for one email, or from one client address,
within a window refuse further attempts for a while.

Failures are rows in the database (so every backend worker sees them), keyed by SHA-256
hashes of the normalized email and of the client's address. The refusal is the same whether
or not an account exists for the email. A success never clears anyone's failures: the window
simply passes. Rows older than the window are deleted whenever a failure is recorded.
"""

import hashlib
import math
from datetime import datetime, timedelta

from sqlmodel import Session, col, delete, select

from ... import settings
from ...models import FailedSignIn, utcnow
from ..core.errors import Invalid

WINDOW = timedelta(minutes=15)


def limits() -> tuple[int, int]:
    """(failures per email, failures per client address) allowed within the window."""
    configured = settings.current()
    return configured.signin_max_per_email, configured.signin_max_per_ip


class TooManyFailures(Invalid):
    def __init__(self, minutes: int):
        unit = "minute" if minutes == 1 else "minutes"
        super().__init__(
            f"Too many failed sign-ins. Try again in {minutes} {unit}.", field="password"
        )


def _hash(kind: str, value: str) -> str:
    return hashlib.sha256(f"{kind}:{value}".encode()).hexdigest()


def _keys(email: str, ip: str) -> tuple[str, str]:
    return _hash("email", email.strip().lower()), _hash("ip", ip or "unknown")


def _blocked_until(session: Session, column, key: str, limit: int, now: datetime):
    """When the failures under `key` fall below `limit` again, or None if they are below."""
    recent = session.exec(
        select(FailedSignIn.created_at)
        .where(column == key, col(FailedSignIn.created_at) > now - WINDOW)
        .order_by(col(FailedSignIn.created_at).desc())
        .limit(limit)
    ).all()
    if len(recent) < limit:
        return None
    return recent[-1] + WINDOW  # the oldest failure that still counts leaves the window


def check(session: Session, *, email: str, ip: str) -> None:
    """Raise TooManyFailures while this email or this address is throttled."""
    now = utcnow()
    email_key, ip_key = _keys(email, ip)
    per_email, per_ip = limits()
    until = [
        moment
        for moment in (
            _blocked_until(session, col(FailedSignIn.email_hash), email_key, per_email, now),
            _blocked_until(session, col(FailedSignIn.ip_hash), ip_key, per_ip, now),
        )
        if moment is not None
    ]
    if until:
        raise TooManyFailures(max(1, math.ceil((max(until) - now).total_seconds() / 60)))


def record_failure(session: Session, *, email: str, ip: str) -> None:
    """Count one failed sign-in, and forget the failures that left the window."""
    now = utcnow()
    session.exec(delete(FailedSignIn).where(col(FailedSignIn.created_at) <= now - WINDOW))
    email_key, ip_key = _keys(email, ip)
    session.add(FailedSignIn(email_hash=email_key, ip_hash=ip_key, created_at=now))
    session.flush()
