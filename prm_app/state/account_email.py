"""/account > Email address: change it; the new address is proved before it takes effect."""

import reflex as rx

from ..services.identity import email_change
from .base import AppState, form_value


class AccountEmailState(AppState):
    email_error: str = ""
    email_sent: str = ""

    @rx.event
    def load(self):
        self.email_error = self.email_sent = ""

    @rx.event
    def request_change(self, form: dict):
        self.email_sent = ""
        new, refusal = self._perform(
            email_change.request_change,
            error_var="email_error",
            new_email=form_value(form, "new_email"),
            password=form_value(form, "current_password"),
        )
        if refusal is not None:
            return refusal
        self.email_sent = (
            f"We sent a link to {new}. Your address changes when you open it; until then you "
            "sign in with your current address."
        )
        return None
