"""/security, section "Sessions": how long the organization's sessions last (admins)."""

from typing import cast

import reflex as rx

from ..services.identity import sessions
from .base import AppState, form_value
from .clients import client_of


class SecuritySessionsState(AppState):
    idle_minutes: str = ""
    max_days: str = ""
    lifetimes_error: str = ""

    @rx.event
    def load(self):
        """on_load of /security (SecurityState.load sends others to sign-in or says why)."""
        self.lifetimes_error = ""
        actor = self._actor()
        if actor is None or not actor.is_admin:
            return None
        return self._read()

    def _read(self):
        shown, refusal = self._perform(sessions.lifetimes)
        if refusal is not None:
            return refusal
        shown = cast(sessions.Lifetimes, shown)
        self.idle_minutes, self.max_days = str(shown.idle_minutes), str(shown.max_days)
        return None

    @rx.event
    def save(self, form: dict):
        saved, refusal = self._perform(
            sessions.set_lifetimes,
            error_var="lifetimes_error",
            idle_minutes=form_value(form, "idle_minutes"),
            max_days=form_value(form, "max_days"),
            client=client_of(self),
        )
        if refusal is not None:
            return refusal
        saved = cast(sessions.Lifetimes, saved)
        self.idle_minutes, self.max_days = str(saved.idle_minutes), str(saved.max_days)
        return rx.toast.success("Session lifetimes saved: they apply to open sessions too.")
