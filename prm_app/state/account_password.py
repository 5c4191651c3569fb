"""/account, "Password": change it after the current one."""

import reflex as rx

from ..services.identity import passwords
from ..services.identity.security_log import Client
from .base import AppState, form_value


class AccountPasswordState(AppState):
    password_error: rx.Field[str] = rx.field("")
    password_saved: bool = False

    @rx.event
    def load(self):
        self.password_error = ""
        self.password_saved = False

    @rx.event
    def change_password(self, form: dict):
        self.password_saved = False
        _, refusal = self._perform(
            passwords.change,
            error_var="password_error",
            current=form_value(form, "current"),
            password=form_value(form, "password"),
            password_again=form_value(form, "password_again"),
            keep_token=self._token(),  # this browser stays signed in; the others end
            client=Client(self.router.session.client_ip, self.router.headers.user_agent),
        )
        if refusal is not None:
            return refusal
        self.password_saved = True
        return rx.toast.success("Your password is changed. Your other sessions ended.")
