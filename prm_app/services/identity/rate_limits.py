"""Limits on actions a stranger could repeat to flood someone's inbox or guess a code: mail
resends, password resets, invitations, sign-ups, second-factor codes.

Each counted attempt is a row of `rate_events` under a SHA-256 of what it is counted by (an
address, an organization, a user), so every backend worker sees the same count and no clear text
is kept. An attempt is committed in its own short transaction, so it counts even when the action
it guards is then refused and rolled back (a wrong code, a wrong password): call `spend` before
the caller's transaction writes anything. Rows older than a day (longer than any window) are
swept as new ones are written.
"""

import hashlib
import math
from dataclasses import dataclass
from datetime import timedelta

from sqlmodel import Session, col, delete, func, select

from ...models import RateEvent, utcnow
from ..core import db
from ..core.errors import Invalid

KEEP = timedelta(days=1)


@dataclass(frozen=True, slots=True)
class Limit:
    """At most `count` attempts of `action` per key within `window`."""

    action: str
    count: int
    window: timedelta


class TooMany(Invalid):
    """The limit is reached: the message says how long to wait."""


def _key(limit: Limit, key: object) -> str:
    return hashlib.sha256(f"{limit.action}:{key}".encode()).hexdigest()


def remaining(session: Session, limit: Limit, key: object) -> int:
    """How many more attempts the key has now."""
    since = utcnow() - limit.window
    used = session.exec(
        select(func.count())
        .select_from(RateEvent)
        .where(
            RateEvent.action == limit.action,
            RateEvent.key_hash == _key(limit, key),
            col(RateEvent.created_at) > since,
        )
    ).one()
    return max(limit.count - used, 0)


def spend(limit: Limit, key: object, *, field: str | None = None) -> None:
    """Count one attempt for `key` (committed at once), or raise TooMany (nothing counted) when
    none is left."""
    with Session(db.engine()) as session:
        _spend(session, limit, key, field)
        session.commit()


def _spend(session: Session, limit: Limit, key: object, field: str | None) -> None:
    now = utcnow()
    if remaining(session, limit, key) == 0:
        oldest = session.exec(
            select(func.min(RateEvent.created_at)).where(
                RateEvent.action == limit.action,
                RateEvent.key_hash == _key(limit, key),
                col(RateEvent.created_at) > now - limit.window,
            )
        ).one()
        wait = (oldest + limit.window - now) if oldest else limit.window
        raise TooMany(f"Too many attempts. Try again in {_minutes(wait)}.", field=field)
    session.add(RateEvent(action=limit.action, key_hash=_key(limit, key), created_at=now))
    session.exec(delete(RateEvent).where(col(RateEvent.created_at) < now - KEEP))


def _minutes(wait: timedelta) -> str:
    minutes = max(1, math.ceil(wait.total_seconds() / 60))
    return f"{minutes} minute{'' if minutes == 1 else 's'}"
