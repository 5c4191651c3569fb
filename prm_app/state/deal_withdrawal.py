"""The partner's Withdraw and Resubmit on a deal's page (services.deals.withdrawal).

Every handler is callable by any client with anything: the service checks who is asking, which
deal it is and whether it may be withdrawn or resubmitted; the deal (its id, version, what may
be done) is DealDetailState's.
"""

import reflex as rx

from .. import routes
from ..services.deals import lifecycle as deal_changes
from ..services.deals import withdrawal
from .base import AppState, FieldErrors, form_value
from .deal_form import deal_form
from .deals import DealDetailState


class DealWithdrawalState(FieldErrors, AppState):
    """The withdrawal form's message and the resubmission dialog."""

    withdraw_error: str = ""
    resubmit_open: bool = False
    form_error: str = ""

    @rx.event
    async def withdraw(self, form: dict):
        """Withdraw the deal with the form's reason (confirmed on the page first)."""
        detail = await self.get_state(DealDetailState)
        _, refusal = self._perform(
            withdrawal.withdraw,
            error_var="withdraw_error",
            deal_id=detail._deal_id,
            version=detail._version,
            reason=form_value(form, "reason"),
        )
        detail._refresh()
        if refusal is None:
            return rx.toast.success(
                "Deal withdrawn: its protection ended and the provider is told."
            )
        return refusal

    @rx.event
    async def open_resubmit(self):
        detail = await self.get_state(DealDetailState)
        if detail.resubmission.get("can") == "yes":
            self.resubmit_open, self.form_error, self.field_errors = True, "", {}

    @rx.event
    def set_resubmit_open(self, value: bool):
        """The dialog's own open/close (Escape): it may only be closed this way."""
        if value is False:
            self._close()

    @rx.event
    def close_resubmit(self):
        self._close()

    def _close(self) -> None:
        self.resubmit_open, self.form_error, self.field_errors = False, "", {}

    @rx.event
    async def resubmit(self, form: dict):
        """Register the edited copy as a new deal linked to this one, then open it."""
        if not isinstance(form, dict) or not self.resubmit_open:
            return None
        detail = await self.get_state(DealDetailState)
        done, refusal = self._perform(
            withdrawal.resubmit,
            error_var="form_error",
            inline=deal_changes.FORM_FIELDS,
            deal_id=detail._deal_id,
            form=deal_form(form),
        )
        if refusal is not None:
            detail._refresh()
            return refusal
        self.resubmit_open = False
        assert isinstance(done, deal_changes.Registered)
        return [
            rx.redirect(routes.deal_page(self.org_kind, done.deal_id)),
            rx.toast.success("Deal resubmitted for the provider's approval."),
        ]
