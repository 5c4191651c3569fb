"""The provider's decision when Approve meets a customer already protected for another partner
(services.deals.conflicts): a dialog on the deal's page with the three choices and a reason.

Every handler is callable by any client with anything: the choice is checked against the list
here and again by the service, which also checks who is asking and which deal it is.
"""

import reflex as rx

from ..services.deals import conflicts
from ..services.deals import lifecycle as deal_changes
from .base import AppState, form_value
from .deals import DealDetailState


class DealConflictState(AppState):
    """The dialog's own state; the deal (its id, version, protection) is DealDetailState's."""

    dialog_open: bool = False
    choice: str = ""  # one of services.deals.conflicts.DECISIONS, or "" before one is chosen
    error: str = ""

    @rx.event
    async def open_decision(self):
        """Approve on a deal whose customer another partner holds (else nothing happens)."""
        detail = await self.get_state(DealDetailState)
        if detail.protection.get("needs_decision") != "yes" or "approve" not in detail.allowed:
            return
        self.dialog_open, self.choice, self.error = True, "", ""

    @rx.event
    def set_open(self, value: bool):
        """The dialog's own open/close (Escape, Cancel): it may only be closed this way."""
        if value is False:
            self.dialog_open, self.error = False, ""

    @rx.event
    def choose(self, value: str):
        if isinstance(value, str) and value in conflicts.DECISIONS:
            self.choice, self.error = value, ""

    @rx.event
    async def decide(self, form: dict):
        """Approve (or reject) with the chosen decision: refusals of the input stay in the
        dialog; any other refusal (the deal changed, the conflict ended) closes it."""
        if not self.dialog_open:
            return None
        detail = await self.get_state(DealDetailState)
        _, refusal = self._perform(
            deal_changes.approve,
            error_var="error",
            deal_id=detail._deal_id,
            version=detail._version,
            decision=self.choice,
            reason=form_value(form, "reason"),
        )
        if not self.error:
            self.dialog_open, self.choice = False, ""
        detail._refresh()
        return refusal
