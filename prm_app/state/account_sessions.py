"""/account, section "Where you're signed in": the caller's open sessions, and revoking them."""

from typing import TypedDict, cast

import reflex as rx

from ..services.identity import sessions
from .base import AppState
from .clients import client_of


class SessionRow(TypedDict):
    """One open session of the caller."""

    id: str
    device: str
    address: str
    started: str
    last_seen: str
    current: str  # "yes" for this browser


class AccountSessionsState(AppState):
    open_sessions: list[SessionRow] = []

    @rx.event
    def load(self):
        """on_load of /account (AccountState.load sends the anonymous to sign-in)."""
        if self._actor() is None:
            self.open_sessions = []
            return None
        return self._refresh()

    def _refresh(self):
        found, refusal = self._perform(sessions.mine, current_token=self._token())
        if refusal is not None:
            return refusal
        found = cast(list[sessions.SessionView], found)
        self.open_sessions = [
            {
                "id": str(s.id),
                "device": s.device,
                "address": s.ip or "unknown",
                "started": s.started_at.strftime("%Y-%m-%d %H:%M UTC"),
                "last_seen": s.last_seen_at.strftime("%Y-%m-%d %H:%M UTC"),
                "current": "yes" if s.current else "",
            }
            for s in found
        ]
        return None

    @rx.event
    def revoke(self, session_id: str):
        _, refusal = self._perform(
            sessions.revoke,
            session_id=session_id,
            current_token=self._token(),
            client=client_of(self),
        )
        if refusal is not None:
            return refusal
        return self._refresh() or rx.toast.success("That session is signed out.")
