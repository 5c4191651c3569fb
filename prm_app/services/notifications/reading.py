"""Each person's inbox (read, mark read) and their choice of channel per category."""

from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy import update
from sqlmodel import Session, col, func, select

from ... import routes
from ...models import Notification, NotificationPreference, utcnow
from ..core import changes, inputs
from ..core.actor import Actor
from ..core.errors import Invalid, NotFound
from .delivery import CATEGORIES, CHANNELS, DEFAULT_CHANNEL

PAGE_SIZE = 20


BELL_MAX = 99  # the bell shows "99+" beyond


NOT_VISIBLE = "That notification does not exist or is not yours."


@dataclass(frozen=True, slots=True)
class Item:
    id: int
    kind: str
    text: str
    link: str
    read: bool
    created_at: datetime


def _mine(actor: Actor):
    return sa.and_(Notification.user_id == actor.user_id, Notification.org_id == actor.org_id)


def unread_count(session: Session, *, actor: Actor) -> int:
    return session.exec(
        select(func.count())
        .select_from(Notification)
        .where(_mine(actor), col(Notification.read_at).is_(None))
    ).one()


def inbox(session: Session, *, actor: Actor, page: object = 1, unread_only: bool = False):
    """One page of the caller's notifications, newest first: (items, total)."""
    page = page if isinstance(page, int) and not isinstance(page, bool) and 0 < page < 10**6 else 1
    conditions = [_mine(actor)]
    if unread_only:
        conditions.append(col(Notification.read_at).is_(None))
    total = session.exec(select(func.count()).select_from(Notification).where(*conditions)).one()
    rows = session.exec(
        select(Notification)
        .where(*conditions)
        .order_by(col(Notification.id).desc())
        .offset((page - 1) * PAGE_SIZE)
        .limit(PAGE_SIZE)
    ).all()
    items = [Item(n.id, n.kind, n.text, n.link, n.read_at is not None, n.created_at) for n in rows]
    return items, total


def mark_read(session: Session, *, actor: Actor, notification_id: object) -> str:
    """Mark one of the caller's notifications read; returns its link (NotFound if not theirs)."""
    notification_id = inputs.record_id(notification_id, what="notification")
    notification = session.exec(
        select(Notification).where(Notification.id == notification_id, _mine(actor))
    ).first()
    if notification is None:
        raise NotFound(NOT_VISIBLE)
    if notification.read_at is None:
        notification.read_at = utcnow()
        session.add(notification)
        changes.users_notified(session, actor.user_id)  # the other tabs' bells
    return notification.link if _internal(notification.link) else routes.home_for(actor.org_kind)


def mark_all_read(session: Session, *, actor: Actor) -> int:
    """Mark every unread notification of the caller read; returns how many."""
    result = session.execute(
        update(Notification)
        .where(_mine(actor), col(Notification.read_at).is_(None))
        .values(read_at=utcnow())
        .execution_options(synchronize_session=False)
    )
    if result.rowcount:
        changes.users_notified(session, actor.user_id)
    return result.rowcount


def _internal(link: str) -> bool:
    """A path of this portal (never another site)."""
    return link.startswith("/") and not link.startswith("//") and "\\" not in link


def preferences(session: Session, *, actor: Actor) -> dict[str, str]:
    """The caller's channel for every category (the default where they never chose)."""
    chosen = dict(
        session.exec(
            select(NotificationPreference.category, NotificationPreference.channel).where(
                NotificationPreference.user_id == actor.user_id
            )
        ).all()
    )
    return {category: chosen.get(category, DEFAULT_CHANNEL) for category in CATEGORIES}


def set_preference(session: Session, *, actor: Actor, category: object, channel: object) -> None:
    """Choose how the caller hears of one category."""
    if not isinstance(category, str) or category not in CATEGORIES:
        raise Invalid("Choose a category from the list.", field="category")
    if not isinstance(channel, str) or channel not in CHANNELS:
        raise Invalid("Choose how to be notified from the list.", field="channel")
    row = session.get(NotificationPreference, (actor.user_id, category))
    if row is None:
        row = NotificationPreference(user_id=actor.user_id, category=category, channel=channel)
    row.channel, row.updated_at = channel, utcnow()
    session.add(row)
