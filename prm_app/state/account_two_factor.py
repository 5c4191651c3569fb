"""/account, "Two-factor sign-in": set it up, new recovery codes, turn it off."""

import reflex as rx

from ..services.core.errors import DomainError
from ..services.core.unit_of_work import unit_of_work
from ..services.identity import two_factor
from ..services.identity.security_log import Client
from .base import AppState, form_value


class AccountTwoFactorState(AppState):
    tf_enabled: bool = False
    tf_required: bool = False  # by the organization's policy: cannot be turned off
    tf_codes_left: int = 0
    # While enrolling: the new secret as a QR code and as text.
    tf_qr: rx.Field[str] = rx.field("")
    tf_secret: rx.Field[str] = rx.field("")
    tf_codes: rx.Field[list[str]] = rx.field(
        default_factory=list
    )  # shown once, right after they are made
    tf_error: rx.Field[str] = rx.field("")

    def _client(self) -> Client:
        return Client(self.router.session.client_ip, self.router.headers.user_agent)

    @rx.event
    def load(self):
        self.tf_qr = self.tf_secret = self.tf_error = ""
        self.tf_codes = []
        return self._status()

    def _status(self):
        try:
            with unit_of_work() as session:
                status = two_factor.status(session, actor=self._require(session=session))
        except DomainError as error:
            return self._refuse(error)
        self.tf_enabled, self.tf_required = status.enabled, status.required
        self.tf_codes_left = status.codes_left
        return None

    @rx.event
    def begin(self, form: dict):
        """Re-authenticate, then show a new secret (not in force until confirmed)."""
        self.tf_codes = []
        shown, refusal = self._perform(
            two_factor.begin, error_var="tf_error", password=form_value(form, "tf_password")
        )
        if refusal is not None:
            return refusal
        assert isinstance(shown, two_factor.Enrolment)
        self.tf_qr, self.tf_secret = shown.qr, shown.secret
        return None

    @rx.event
    def confirm(self, form: dict):
        codes, refusal = self._perform(
            two_factor.confirm,
            error_var="tf_error",
            code=form_value(form, "enrol_code"),
            client=self._client(),
        )
        if refusal is not None:
            return refusal
        self.tf_qr = self.tf_secret = ""
        self.tf_codes = list(codes) if isinstance(codes, list) else []
        return self._status()

    @rx.event
    def cancel(self):
        self.tf_qr = self.tf_secret = self.tf_error = ""

    @rx.event
    def new_codes(self, form: dict):
        codes, refusal = self._perform(
            two_factor.new_recovery_codes,
            error_var="tf_error",
            proof=form_value(form, "codes_proof"),
            client=self._client(),
        )
        if refusal is not None:
            return refusal
        self.tf_codes = list(codes) if isinstance(codes, list) else []
        return self._status()

    @rx.event
    def turn_off(self, form: dict):
        self.tf_codes = []
        _, refusal = self._perform(
            two_factor.turn_off,
            error_var="tf_error",
            proof=form_value(form, "off_proof"),
            client=self._client(),
        )
        if refusal is not None:
            return refusal
        return self._status()

    @rx.event
    def hide_codes(self):
        self.tf_codes = []
