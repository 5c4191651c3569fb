"""The bell (every portal page) and /notifications: the caller's inbox and email preferences.

Live: each tab's bell follows its own person's NotesPulse (see live.py) and re-reads the
unread count when it moves; the notifications page re-reads its page of the inbox on the same
pulse (the bell's registration carries it).
"""

from typing import ClassVar, TypedDict

import reflex as rx

from ..services import notifications
from ..services.core.changes import Topic
from ..services.core.errors import NotAuthenticated
from ..services.core.unit_of_work import unit_of_work
from .base import AppState
from .live import LiveView, NotesPulse, follow_notes


class NotificationRow(TypedDict):
    """A notification of the inbox."""

    id: str
    text: str
    read: str  # "yes" once read
    when: str
    category: str


class PreferenceRow(TypedDict):
    """How the caller hears about one category."""

    category: str
    label: str
    channel: str


def _count_label(count: int) -> str:
    return f"{notifications.BELL_MAX}+" if count > notifications.BELL_MAX else str(count)


class BellState(AppState):
    """The unread count of the shell's bell: one number per tab."""

    unread: int = 0
    unread_label: str = "0"
    _seen: int = -1

    def _set_unread(self, count: int) -> None:
        self.unread, self.unread_label = count, _count_label(count)

    def _read_unread(self, actor=None) -> None:
        """The caller's unread count, on one connection (resolving the caller if not given)."""
        with unit_of_work() as session:
            actor = actor or self._actor(session)
            self._set_unread(notifications.unread_count(session, actor=actor) if actor else 0)

    @rx.event
    async def watch(self):
        """on_mount of the bell: follow the caller's own pulse and read the count."""
        actor = self._actor()
        if actor is None:
            self._set_unread(0)
            return
        self._seen = await follow_notes(self, actor.user_id)
        self._read_unread(actor)

    @rx.event
    def follow(self, version: int):
        """Fired in the browser when the caller's pulse moves (it sends the version it saw)."""
        if isinstance(version, int) and not isinstance(version, bool) and version != self._seen:
            self._seen = version
            with unit_of_work() as session:
                actor = self._actor(session)
                if actor is None:  # this session was revoked (or ended): to sign-in at once
                    return self._refuse(NotAuthenticated())
                self._set_unread(notifications.unread_count(session, actor=actor))
        return None


class NotificationsState(LiveView, AppState):
    """/notifications: a page of the caller's notifications, and their preferences."""

    items: list[NotificationRow] = []
    total: int = 0
    page: int = 1
    unread_only: bool = False
    prefs: list[PreferenceRow] = []
    LIVE_TOPIC: ClassVar[Topic] = Topic.NOTES  # the bell's pulse: no registration of its own

    @rx.event
    def load(self):
        if (redirect := self._enter()) is not None:
            return redirect
        self._watch()
        self.page = 1
        return self._refresh()

    def _refresh(self):
        return self._perform(self._read)[1]

    def _read(self, session, *, actor) -> None:
        self._reading(actor.user_id)
        items, total = notifications.inbox(
            session, actor=actor, page=self.page, unread_only=self.unread_only
        )
        self.total = total
        self.items = [
            {
                "id": str(i.id),
                "text": i.text,
                "read": "yes" if i.read else "",
                "when": i.created_at.strftime("%Y-%m-%d %H:%M UTC"),
                "category": notifications.CATEGORIES[notifications.KINDS.get(i.kind, "leads")],
            }
            for i in items
        ]
        chosen = notifications.preferences(session, actor=actor)
        self.prefs = [
            {"category": c, "label": label, "channel": chosen[c]}
            for c, label in notifications.CATEGORIES.items()
        ]

    async def _bell(self) -> None:
        bell = await self.get_state(BellState)
        bell._read_unread()

    @rx.event
    async def open(self, notification_id: str):
        """Mark it read and go to its record."""
        link, refusal = self._perform(notifications.mark_read, notification_id=notification_id)
        if refusal is not None:
            return refusal
        await self._bell()
        return rx.redirect(link)

    @rx.event
    async def mark_read(self, notification_id: str):
        _, refusal = self._perform(notifications.mark_read, notification_id=notification_id)
        if refusal is not None:
            return refusal
        await self._bell()
        return self._refresh()

    @rx.event
    async def mark_all_read(self):
        _, refusal = self._perform(notifications.mark_all_read)
        if refusal is not None:
            return refusal
        await self._bell()
        return self._refresh()

    @rx.event
    def set_unread_only(self, value: bool):
        self.unread_only, self.page = value is True, 1
        return self._refresh()

    @rx.event
    def go_to_page(self, page: int):
        if isinstance(page, int) and not isinstance(page, bool) and 0 < page < 10**6:
            self.page = page
        return self._refresh()

    @rx.event
    def set_preference(self, category: str, channel: str):
        _, refusal = self._perform(notifications.set_preference, category=category, channel=channel)
        self._refresh()  # the stored choices, whatever the client sent
        return refusal or rx.toast.success("Saved.")


__all__ = ["BellState", "NotesPulse", "NotificationsState"]
