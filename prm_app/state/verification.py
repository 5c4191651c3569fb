"""/verify-email?token=...: confirm an address from the mailed link, or ask for a new link.

Opening the page only shows what the link confirms; the link is used by the Confirm button
(mail scanners that open links do not use it up). No session starts here: the link may be
opened in another browser than the one that signed up, so the person then signs in.
"""

import reflex as rx

from ..services.core.errors import DomainError, NotAuthenticated
from ..services.core.unit_of_work import unit_of_work
from ..services.identity import security_log, verification
from .base import AppState, form_value


class VerifyEmailState(AppState):
    # "confirm": a valid link waits for the button; "done": verified; "invalid": ask anew.
    step: str = ""
    email: str = ""
    person: str = ""
    organization: str = ""
    done_text: str = ""
    error: str = ""
    sent: str = ""

    def _link_token(self) -> str:
        return self.router.url.query_parameters.get("token", "")

    @rx.event
    def load(self):
        self.step = self.email = self.person = self.organization = ""
        self.done_text = self.error = self.sent = ""
        try:
            with unit_of_work() as session:
                self.email, self.person, self.organization = verification.describe(
                    session, token=self._link_token()
                )
            self.step = "confirm"
        except NotAuthenticated as error:
            self.step, self.error = "invalid", str(error)

    @rx.event
    def confirm(self):
        self.error = ""
        client = security_log.Client(self.router.session.client_ip, self.router.headers.user_agent)
        try:
            with unit_of_work() as session:
                done = verification.verify(session, token=self._link_token(), client=client)
        except NotAuthenticated as error:
            self.step, self.error = "invalid", str(error)
            return
        except DomainError as error:
            self.error = str(error)
            return
        self.step = "done"
        self.done_text = (
            f"Your address is now {done.email}."
            if done.changed
            else f"{done.email} is verified: sign in to continue."
        )

    @rx.event
    def request_link(self, form: dict):
        """A new link for an address still waiting for verification (same answer for any)."""
        self.error = self.sent = ""
        try:
            with unit_of_work() as session:
                verification.resend(session, email=form_value(form, "email"))
        except DomainError as error:
            self.error = str(error)
            return
        self.sent = (
            "If an account is waiting for this address to be verified, we sent it a new link."
        )
