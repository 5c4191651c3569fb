"""/account: who the caller is. Each section of the page (address, password, second factor,
sessions) has its own state beside this one, and its own on_load."""

import reflex as rx

from .base import AppState


class AccountState(AppState):
    email: str = ""

    @rx.event
    def load(self):
        if (redirect := self._enter()) is not None:
            return redirect
        actor = self._require()
        self.email = actor.email
        return None
