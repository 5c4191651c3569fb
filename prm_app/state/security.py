"""/security: for the organization's admins (each section has its own state and on_load)."""

import reflex as rx

from ..services.core.errors import DomainError
from .base import AppState


class SecurityState(AppState):
    @rx.event
    def load(self):
        if (redirect := self._enter()) is not None:
            return redirect
        try:
            self._require(admin=True)
        except DomainError as error:
            return rx.toast.error(str(error))
        return None
