"""Sign-in, sign-up, joining by invitation, and sign-out."""

import reflex as rx
from reflex.config import get_config

from .. import routes
from ..services import partnerships
from ..services.core.actor import Actor
from ..services.core.errors import DomainError, Invalid, NotAuthenticated
from ..services.core.unit_of_work import unit_of_work
from ..services.identity import auth, team, verification
from .base import AppState, form_value, post_from_page
from .browser_binding import nonce_script
from .live import forget_tab
from .sign_in_steps import SignInSteps


class AuthState(SignInSteps, AppState):
    """The anonymous entry points: every handler validates its input before anything else."""

    error: str = ""
    field: str = ""  # the form field the error belongs to
    invite_org: str = ""
    invite_email: str = ""
    invite_role: str = ""
    # A provider's invitation into its partner program (sign-up link ?invite=...).
    partner_invite_from: str = ""
    # The address a verification link went to ("check your inbox" / "verify first"), and the
    # answer to the Resend button. Resend mails the backend-only `_resend_to`, never an
    # address the browser sends.
    inbox: str = ""
    resent: str = ""
    _resend_to: str = ""
    # The SHA-256 of this browser's pre-sign-in nonce cookie (services.identity.auth): the
    # ticket is bound to it. The forms can be sent once it is known.
    browser_ready: bool = False
    _nonce_hash: str = ""

    def _fail(self, error: DomainError) -> None:
        self.error = str(error)
        self.field = getattr(error, "field", None) or ""

    def _start_session(self, session, actor: Actor) -> rx.event.EventSpec:
        """Hand the browser a one-minute ticket that the backend swaps for the HttpOnly cookie.

        A full page load (not client-side routing) follows, so the new websocket handshake
        carries the new cookie.
        """
        home = self._frontend_origin() + routes.home_for(actor.org_kind)
        ticket = auth.issue_ticket(
            session, actor=actor, redirect_to=home, nonce_hash=self._nonce_hash
        )
        return post_from_page(f"{get_config().api_url}{routes.AUTH_SESSION}", ticket=ticket)

    @rx.event
    def bind_browser(self):
        """on_load of every page that signs a browser in: get this browser's nonce hash (the
        backend keeps the browser's nonce if it has one, and renews the cookie)."""
        return nonce_script(AuthState.keep_nonce)

    @rx.event
    def keep_nonce(self, nonce_hash: str):
        """The answer of /auth/nonce, as the page's script passes it on."""
        if auth.is_nonce_hash(nonce_hash):
            self._nonce_hash, self.browser_ready = nonce_hash, True

    def _partner_invite_token(self) -> str:
        return self.router.url.query_parameters.get("invite", "")

    @rx.event
    def load_login(self):
        """on_load of the sign-in and sign-up pages: a signed-in user goes to their portal."""
        self.error = self.field = self.partner_invite_from = self.invite_email = ""
        self.inbox = self.resent = self._resend_to = ""
        self._forget_pending()
        actor = self._actor()
        if actor is not None:
            return rx.redirect(routes.home_for(actor.org_kind), replace=True)
        if token := self._partner_invite_token():
            try:
                with unit_of_work() as session:
                    self.partner_invite_from, self.invite_email = partnerships.describe_invitation(
                        session, token=token
                    )
            except DomainError as error:
                self._fail(error)
        return None

    @rx.event
    def sign_in(self, form: dict):
        self.error = self.field = ""
        try:
            with unit_of_work() as session:
                try:
                    actor = auth.authenticate(
                        session,
                        email=form_value(form, "email"),
                        password=form_value(form, "password"),
                        ip=self.router.session.client_ip,
                    )
                except auth.SignInFailed as failed:  # committed: the failure counts
                    self._fail(failed)
                    return None
                if not verification.is_verified(session, user_id=actor.user_id):
                    self._resend_to = self.inbox = actor.email  # no session until verified
                    return None
                # The second factor, or enrolling one the organization requires, comes next.
                return self._after_password(session, actor)
        except DomainError as error:
            self._fail(error)
        return None

    @rx.event
    def sign_up(self, form: dict):
        """Create the organization unverified and mail the link; no session. A provider's
        invitation to the address binds to the firm once the link is opened."""
        self.error = self.field = self.resent = ""
        try:
            with unit_of_work() as session:
                address = verification.register(
                    session,
                    org_name=form_value(form, "org_name"),
                    org_kind=form_value(form, "kind"),
                    name=form_value(form, "name"),
                    email=form_value(form, "email"),
                    password=form_value(form, "password"),
                    client_ip=self.router.session.client_ip,
                )
            self._resend_to = self.inbox = address
        except DomainError as error:
            self._fail(error)

    @rx.event
    def resend_verification(self):
        """The Resend button of "check your inbox" and "verify your address first"."""
        self.error = self.field = self.resent = ""
        if not self._resend_to:
            return
        try:
            with unit_of_work() as session:
                verification.resend(session, email=self._resend_to)
            self.resent = f"We sent a new link to {self._resend_to}."
        except DomainError as error:
            self._fail(error)

    def _invite_token(self) -> str:
        return self.router.url.query_parameters.get("token", "")

    @rx.event
    def load_invite(self):
        """on_load of /join: show which organization invites whom."""
        self.error = self.field = ""
        self.invite_org = self.invite_email = self.invite_role = ""
        try:
            with unit_of_work() as session:
                self.invite_org, self.invite_email, self.invite_role = team.describe_invite(
                    session, token=self._invite_token()
                )
        except NotAuthenticated as error:
            self._fail(error)

    @rx.event
    def accept_invite(self, form: dict):
        self.error = self.field = ""
        try:
            if form_value(form, "password") != form_value(form, "password_again"):
                raise Invalid("The two passwords differ.", field="password_again")
            with unit_of_work() as session:
                actor = team.accept_invite(
                    session,
                    token=self._invite_token(),
                    name=form_value(form, "name"),
                    password=form_value(form, "password"),
                )
                return self._after_password(session, actor)  # the policy may require 2FA
        except DomainError as error:
            self._fail(error)
        return None

    @rx.event
    def sign_out(self):
        """Revoke this browser's session, forget the tab's state, and clear the cookie."""
        with unit_of_work() as session:
            auth.sign_out(session, token=self._token())
        return self._leave()

    @rx.event
    def sign_out_everywhere(self):
        """Revoke every session of the caller (other browsers and devices too), then leave."""
        with unit_of_work() as session:
            actor = auth.resolve(session, token=self._token())
            if actor is not None:
                auth.revoke_all(session, user_id=actor.user_id)
        return self._leave()

    def _leave(self) -> rx.event.EventSpec:
        """Forget the tab's state and send the browser through the route clearing the cookie."""
        origin = self._frontend_origin()
        forget_tab(self.router.session.client_token)  # no more pulses of the live views
        self.reset()
        url = f"{get_config().api_url}{routes.AUTH_SIGNOUT}"
        return post_from_page(url, next=origin + routes.LOGIN)
