"""Settings > Rules: how often a partner may resubmit a rejected or expired registration
(services.deals.withdrawal); the provider's admins change it, everyone else reads it."""

import reflex as rx

from ..models import OrgKind
from ..services.deals import withdrawal
from .base import AppState, form_value


class ResubmissionRulesState(AppState):
    cap: str = ""
    error: str = ""
    revision: int = 0  # bumped on every read: the form shows the stored value again

    @rx.event
    def load(self):
        """On showing the Rules tab (a provider's): the stored cap."""
        self.error = ""
        return self._perform(self._read)[1]

    def _read(self, session, *, actor) -> None:
        if actor.org_kind != OrgKind.PROVIDER:
            return
        self.cap = str(withdrawal.resubmission_cap(session, actor=actor))
        self.revision += 1

    @rx.event
    def save(self, form: dict):
        _, refusal = self._perform(
            withdrawal.set_resubmission_cap,
            error_var="error",
            cap=form_value(form, "resubmission_cap"),
        )
        if refusal is not None:
            return refusal
        self._perform(self._read)
        return rx.toast.success("Resubmission rule saved.")
