"""The steps of a sign-in after the password: a code from the person's app (or a recovery code),
or, when their organization requires a second factor they do not have yet, enrolling one.

Whose sign-in is pending lives only in backend vars (no client can set or read them) and expires
after PENDING_SECONDS; the session starts only once the last step is done.
"""

import time

import reflex as rx
from reflex.event import EventSpec

from ..services.core.actor import Actor
from ..services.core.errors import DomainError, NotAuthenticated
from ..services.core.unit_of_work import unit_of_work
from ..services.identity import two_factor
from ..services.identity.security_log import Client
from .base import form_value

PENDING_SECONDS = 5 * 60
EXPIRED = "Your sign-in took too long or was not started here: sign in again."

# The steps, as the sign-in page shows them.
CODE = "code"
ENROL = "enrol"
CODES = "codes"


def _now() -> float:
    return time.time()


class SignInSteps(rx.State, mixin=True):
    """Mixed into AuthState: `_after_password` decides what follows a right password."""

    step: rx.Field[str] = rx.field("")  # "" (the password form), CODE, ENROL or CODES
    step_error: rx.Field[str] = rx.field("")
    enrol_qr: rx.Field[str] = rx.field("")
    enrol_secret: rx.Field[str] = rx.field("")
    recovery_codes: rx.Field[list[str]] = rx.field(default_factory=list)
    _pending_user_id: int = 0
    _pending_org_id: int = 0
    _pending_since: float = 0.0

    def _start_session(self, session, actor: Actor) -> EventSpec:
        raise NotImplementedError

    def _client(self) -> Client:
        return Client(self.router.session.client_ip, self.router.headers.user_agent)

    def _after_password(self, session, actor: Actor) -> EventSpec | None:
        """Start the session, or the step that must come first (then None)."""
        self._forget_pending()
        if two_factor.needs_code(session, user_id=actor.user_id):
            self._pend(actor, CODE)
        elif two_factor.must_enrol(session, actor=actor):
            shown = two_factor.start(session, user_id=actor.user_id)
            self.enrol_qr, self.enrol_secret = shown.qr, shown.secret
            self._pend(actor, ENROL)
        else:
            return self._start_session(session, actor)
        return None

    def _pend(self, actor: Actor, step: str) -> None:
        self._pending_user_id, self._pending_org_id = actor.user_id, actor.org_id
        self._pending_since = _now()
        self.step = step

    def _forget_pending(self) -> None:
        self._pending_user_id = self._pending_org_id = 0
        self._pending_since = 0.0
        self.step = self.step_error = self.enrol_qr = self.enrol_secret = ""
        self.recovery_codes = []

    def _pending(self, step: str) -> bool:
        """Whether a sign-in of this tab waits at `step` and has not expired (else forgotten)."""
        fresh = 0 <= _now() - self._pending_since < PENDING_SECONDS
        if self._pending_user_id and self.step == step and fresh:
            return True
        self._forget_pending()
        self.step_error = EXPIRED
        return False

    @rx.event
    def submit_code(self, form: dict):
        """The second step: a code from the app or a recovery code."""
        if not self._pending(CODE):
            return None
        self.step_error = ""
        try:
            with unit_of_work() as session:
                try:
                    actor = two_factor.second_step(
                        session,
                        user_id=self._pending_user_id,
                        org_id=self._pending_org_id,
                        code=form_value(form, "code"),
                        client=self._client(),
                    )
                except two_factor.WrongCode as wrong:  # committed: the failure is recorded
                    self.step_error = str(wrong)
                    return None
                self._forget_pending()
                return self._start_session(session, actor)
        except NotAuthenticated as error:
            self._forget_pending()
            self.step_error = str(error)
        except DomainError as error:
            self.step_error = str(error)
        return None

    @rx.event
    def confirm_enrolment(self, form: dict):
        """Enrolment the policy requires: a code from the new secret puts it in force."""
        if not self._pending(ENROL):
            return None
        self.step_error = ""
        try:
            with unit_of_work() as session:
                codes = two_factor.finish(
                    session,
                    user_id=self._pending_user_id,
                    org_id=self._pending_org_id,
                    code=form_value(form, "enrol_code"),
                    client=self._client(),
                )
        except DomainError as error:
            self.step_error = str(error)
            return None
        self.enrol_qr = self.enrol_secret = ""
        self.recovery_codes = codes
        self._pend_again(CODES)
        return None

    def _pend_again(self, step: str) -> None:
        """The next step, with its own time to read the recovery codes."""
        self._pending_since = _now()
        self.step = step

    @rx.event
    def finish_sign_in(self):
        """After the recovery codes were shown: the session starts."""
        if not self._pending(CODES):
            return None
        try:
            with unit_of_work() as session:
                actor = two_factor.actor_of(
                    session, user_id=self._pending_user_id, org_id=self._pending_org_id
                )
                self._forget_pending()
                return self._start_session(session, actor)
        except DomainError as error:
            self._forget_pending()
            self.step_error = str(error)
        return None

    @rx.event
    def cancel_sign_in(self):
        self._forget_pending()
