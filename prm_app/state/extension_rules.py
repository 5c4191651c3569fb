"""Settings > Rules: whether partners may request extensions of a deal's protection, and the
longest one (services.catalog.extension_rules). Admins edit; the service refuses anyone else."""

import reflex as rx

from ..services.catalog import extension_rules
from . import view
from .base import AppState, form_value
from .rows import Option


class ExtensionRulesState(AppState):
    mode: str = ""
    modes: list[Option] = []  # the service's choices, in its words
    max_days: str = ""
    error: str = ""
    revision: int = 0  # the form keys on it, so its inputs show the stored values again

    def _read(self, session, *, actor) -> None:
        rules = extension_rules.extension_rules(session, actor=actor)
        self.mode, self.max_days = rules.mode, str(rules.max_days)
        self.modes = view.options(extension_rules.MODES.items())
        self.revision += 1

    @rx.event
    def load(self):
        """When the Rules tab shows the form."""
        self.error = ""
        return self._perform(self._read)[1]

    @rx.event
    def save(self, form: dict):
        _, refusal = self._perform(
            extension_rules.update_extension_rules,
            error_var="error",
            mode=form_value(form, "extension_mode"),
            max_days=form_value(form, "extension_max_days"),
        )
        if refusal is not None or self.error:
            return refusal
        self._perform(self._read)
        return rx.toast.success("Extension rules saved.")
