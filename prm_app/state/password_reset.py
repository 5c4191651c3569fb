"""/forgot-password and /reset-password: a forgotten password, by a link mailed to the address."""

import reflex as rx

from ..services.core.errors import DomainError, NotAuthenticated
from ..services.core.unit_of_work import unit_of_work
from ..services.identity import passwords
from ..services.identity.security_log import Client
from .base import AppState, form_value


class PasswordResetState(AppState):
    """Anonymous pages: every handler takes only the form and the link's token from the URL."""

    sent: rx.Field[str] = rx.field("")  # the same answer whether or not the address has an account
    error: rx.Field[str] = rx.field("")
    reset_email: rx.Field[str] = rx.field("")  # whose password the open link resets
    link_error: rx.Field[str] = rx.field("")  # the link is used, replaced or expired
    done: bool = False

    def _client(self) -> Client:
        return Client(self.router.session.client_ip, self.router.headers.user_agent)

    def _link_token(self) -> str:
        return self.router.url.query_parameters.get("token", "")

    @rx.event
    def load_forgot(self):
        self.sent = self.error = ""

    @rx.event
    def request_link(self, form: dict):
        self.sent = self.error = ""
        try:
            with unit_of_work() as session:
                self.sent = passwords.request_reset(
                    session, email=form_value(form, "email"), client=self._client()
                )
        except DomainError as error:
            self.error = str(error)

    @rx.event
    def load_reset(self):
        self.error = self.link_error = self.reset_email = ""
        self.done = False
        try:
            with unit_of_work() as session:
                self.reset_email = passwords.describe_reset(session, token=self._link_token())
        except DomainError as error:
            self.link_error = str(error)

    @rx.event
    def set_new_password(self, form: dict):
        self.error = ""
        try:
            with unit_of_work() as session:
                passwords.reset(
                    session,
                    token=self._link_token(),
                    password=form_value(form, "password"),
                    password_again=form_value(form, "password_again"),
                    client=self._client(),
                )
        except NotAuthenticated as error:
            self.link_error = str(error)
            return None
        except DomainError as error:
            self.error = str(error)
            return None
        self.done = True
        return None
