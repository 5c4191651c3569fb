"""/security, "Two-factor sign-in policy" (admins): who must use a second factor."""

import reflex as rx

from ..services.core.errors import DomainError
from ..services.core.unit_of_work import unit_of_work
from ..services.identity import two_factor_policy
from ..services.identity.security_log import Client
from .base import AppState, form_value


class SecurityPolicyState(AppState):
    policy: rx.Field[str] = rx.field(two_factor_policy.OFF)
    policy_error: rx.Field[str] = rx.field("")

    @rx.event
    def load(self):
        self.policy_error = ""
        try:
            with unit_of_work() as session:
                actor = self._require(admin=True, session=session)
                self.policy = two_factor_policy.policy_of(session, actor.org_id)
        except DomainError:
            return None  # SecurityState.load tells a non-admin; nothing is shown
        return None

    @rx.event
    def save_policy(self, form: dict):
        policy = form_value(form, "policy")
        _, refusal = self._perform(
            two_factor_policy.set_policy,
            error_var="policy_error",
            policy=policy,
            password=form_value(form, "policy_password"),
            client=Client(self.router.session.client_ip, self.router.headers.user_agent),
        )
        if refusal is not None:
            return refusal
        with unit_of_work() as session:
            actor = self._require(session=session)
            self.policy = two_factor_policy.policy_of(session, actor.org_id)
        return rx.toast.success("The two-factor policy is saved.")
