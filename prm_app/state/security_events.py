"""/security, section "Security events": the organization's log, a page at a time (admins)."""

from typing import TypedDict, cast
from urllib.parse import urlencode

import reflex as rx

from .. import routes
from ..services.core import listing
from ..services.identity import security_events
from ..services.identity.security_events import PAGE_SIZE
from ..services.identity.security_log import KINDS
from .base import AppState

# (value, label) of each kind, for the filter.
EVENT_KINDS: list[tuple[str, str]] = list(KINDS.items())


class SecurityEventRow(TypedDict):
    """One event of the log, as the table shows it."""

    id: str
    when: str
    what: str
    who: str
    by: str
    address: str
    device: str
    detail: str


def _person(name: str, email: str) -> str:
    return f"{name} <{email}>" if name else ""


class SecurityEventsState(AppState):
    events: list[SecurityEventRow] = []
    total: int = 0
    page: int = 1
    kind: str = ""

    @rx.event
    def load(self):
        """on_load of /security (SecurityState.load sends others to sign-in or says why)."""
        self.page, self.kind = 1, ""
        actor = self._actor()
        if actor is None or not actor.is_admin:
            self.events, self.total = [], 0
            return None
        return self._refresh()

    def _refresh(self):
        found, refusal = self._perform(security_events.page, kind=self.kind, page=self.page)
        if refusal is not None:
            return refusal
        found = cast(listing.Page, found)
        self.total = found.total
        self.events = [
            {
                "id": str(e.id),
                "when": e.created_at.strftime("%Y-%m-%d %H:%M UTC"),
                "what": e.what,
                "who": _person(e.user_name, e.user_email),
                "by": _person(e.actor_name, e.actor_email),
                "address": e.ip,
                "device": e.device,
                "detail": e.detail,
            }
            for e in found.rows
        ]
        return None

    @rx.event
    def set_filter(self, name: str, value: str):
        """The kind filter (the list_filters select calls this with its name)."""
        if name == "kind":
            self.kind = value if isinstance(value, str) and value in KINDS else ""
            self.page = 1
        return self._refresh()

    @rx.event
    def turn_page(self, delta: int):
        if isinstance(delta, int) and not isinstance(delta, bool) and delta in (-1, 1):
            pages = max(1, -(-self.total // PAGE_SIZE))
            self.page = min(max(1, self.page + delta), pages)
        return self._refresh()

    @rx.var
    def export_url(self) -> str:
        query = urlencode({"kind": self.kind} if self.kind else {})
        url = routes.file_url(routes.SECURITY_EVENTS_FILE)
        return url + (f"?{query}" if query else "")
