"""Where a person is signed in, and how long an organization lets a session last.

A session ends at `session_max_days` after it started and after `session_idle_minutes` without
use (auth.resolve applies the organization's current settings to every session, old ones too).
A person sees their own open sessions and revokes any of them but the one they are using (that
is Sign out); the tab of a revoked session is sent to sign-in at once (changes.sessions_ended).
"""

from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session, col, select

from ...models import AuthSession, OrgSettings, utcnow
from ..catalog.program import settings_of
from ..core import activity, changes, inputs
from ..core.actor import Actor
from ..core.errors import Invalid, NotFound
from . import auth, devices, security_log

IDLE_MINUTES = (5, 24 * 60)  # from five minutes to a day
MAX_DAYS = (1, 90)
SHOWN = 50  # the most recent open sessions listed
NOT_YOURS = "That session does not exist or is not yours."
THIS_BROWSER = "This is the browser you are using: sign out instead."


@dataclass(frozen=True, slots=True)
class Lifetimes:
    idle_minutes: int
    max_days: int


@dataclass(frozen=True, slots=True)
class SessionView:
    id: int
    device: str
    ip: str
    started_at: datetime
    last_seen_at: datetime
    current: bool  # the browser asking


def lifetimes(session: Session, *, actor: Actor) -> Lifetimes:
    """The organization's session lifetimes (admins)."""
    actor.require_admin()
    settings = settings_of(session, actor.org_id)
    return Lifetimes(settings.session_idle_minutes, settings.session_max_days)


def set_lifetimes(
    session: Session,
    *,
    actor: Actor,
    idle_minutes: object,
    max_days: object,
    client: security_log.Client | None = None,
) -> Lifetimes:
    """Change how long the organization's sessions last; existing sessions follow at once."""
    actor.require_admin()
    idle = _whole(idle_minutes, IDLE_MINUTES, field="idle_minutes", label="Idle timeout")
    days = _whole(max_days, MAX_DAYS, field="max_days", label="Longest session")
    settings = session.get(OrgSettings, actor.org_id) or OrgSettings(org_id=actor.org_id)
    before = Lifetimes(settings.session_idle_minutes, settings.session_max_days)
    after = Lifetimes(idle, days)
    if after == before:
        return after
    settings.session_idle_minutes, settings.session_max_days = idle, days
    session.add(settings)
    session.flush()
    activity.record(
        session,
        actor=actor,
        subject=settings,
        action="updated",
        before={"session_idle_minutes": before.idle_minutes, "session_max_days": before.max_days},
        after={"session_idle_minutes": idle, "session_max_days": days},
    )
    security_log.record(
        session,
        org_id=actor.org_id,
        kind="policy_changed",
        actor_user_id=actor.user_id,
        client=client,
        detail=(
            f"Sessions: idle timeout {before.idle_minutes} -> {idle} minutes, "
            f"longest session {before.max_days} -> {days} days"
        ),
    )
    return after


def mine(session: Session, *, actor: Actor, current_token: str | None) -> list[SessionView]:
    """The caller's open sessions (every organization of theirs), the most recent first."""
    current = auth.hash_token(token) if (token := inputs.token(current_token)) else ""
    now = utcnow()
    rows = session.exec(
        select(AuthSession, OrgSettings.session_idle_minutes, OrgSettings.session_max_days)
        .outerjoin(OrgSettings, col(OrgSettings.org_id) == AuthSession.org_id)
        .where(
            AuthSession.user_id == actor.user_id,
            col(AuthSession.revoked_at).is_(None),
            col(AuthSession.expires_at) > now,
        )
        .order_by(col(AuthSession.id).desc())
        .limit(SHOWN * 4)
    ).all()
    found = [
        SessionView(
            id=row.id or 0,
            device=devices.describe(row.user_agent),
            ip=row.ip,
            started_at=row.created_at,
            last_seen_at=row.last_seen_at or row.created_at,
            current=row.token_hash == current,
        )
        for row, idle, days in rows
        if not auth.ended(
            now=now,
            created_at=row.created_at,
            last_seen_at=row.last_seen_at,
            idle_minutes=idle,
            max_days=days,
        )
    ]
    found.sort(key=lambda view: (not view.current, -view.last_seen_at.timestamp()))
    return found[:SHOWN]


def revoke(
    session: Session,
    *,
    actor: Actor,
    session_id: object,
    current_token: str | None,
    client: security_log.Client | None = None,
) -> None:
    """End one of the caller's own sessions, elsewhere than in this browser (idempotent)."""
    session_id = inputs.record_id(session_id, what="session")
    row = session.exec(
        select(AuthSession)
        .where(AuthSession.id == session_id, AuthSession.user_id == actor.user_id)
        .with_for_update()
    ).first()
    if row is None:
        raise NotFound(NOT_YOURS)
    if (token := inputs.token(current_token)) and row.token_hash == auth.hash_token(token):
        raise Invalid(THIS_BROWSER)
    if row.revoked_at is not None:
        return
    row.revoked_at = utcnow()
    session.add(row)
    security_log.record(
        session,
        org_id=row.org_id,
        kind="session_revoked",
        user_id=actor.user_id,
        actor_user_id=actor.user_id,
        client=client,
        detail=f"{devices.describe(row.user_agent)} from {row.ip or 'an unknown address'}",
    )
    changes.sessions_ended(session, actor.user_id)


def _whole(value: object, bounds: tuple[int, int], *, field: str, label: str) -> int:
    low, high = bounds
    if isinstance(value, str) and value.strip().isascii() and value.strip().isdigit():
        value = int(value.strip()) if len(value.strip()) < 10 else None
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise Invalid(f"{label}: choose a whole number from {low} to {high}.", field=field)
    return value
