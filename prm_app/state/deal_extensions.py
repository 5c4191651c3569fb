"""Extensions of a deal's protection on its page (services.deals.extensions): the partner's
request, the provider's approval (choosing the new end) or decline.

Every handler is callable by any client with anything: the service checks who is asking, which
deal and request it is, and every value; the deal's id and version are DealDetailState's.
"""

import reflex as rx

from ..services.deals import extensions
from .base import AppState, FieldErrors, clear_form, form_value
from .deals import DealDetailState

REQUEST_FIELDS = ("days", "reason")
DECIDE_FIELDS = ("new_end", "decision_reason")


class DealExtensionState(FieldErrors, AppState):
    """The forms' messages (next to their fields, or `error` for the rest)."""

    error: str = ""

    async def _change(self, operation, form_id: str, inline: tuple[str, ...], **arguments):
        detail = await self.get_state(DealDetailState)
        pending = detail.extension.get("pending_id", "")
        if "extension_id" in arguments:
            arguments["extension_id"] = pending
        _, refusal = self._perform(
            operation,
            error_var="error",
            inline=inline,
            deal_id=detail._deal_id,
            version=detail._version,
            **arguments,
        )
        detail._refresh()
        # A refusal keeps what was typed (inline messages, or a toast); a success empties it.
        return refusal if refusal is not None else clear_form(form_id)

    @rx.event
    async def request(self, form: dict):
        """The partner asks for `days` more, with a reason."""
        return await self._change(
            extensions.request,
            "request-extension",
            REQUEST_FIELDS,
            days=form_value(form, "days"),
            reason=form_value(form, "reason"),
        )

    @rx.event
    async def approve(self, form: dict):
        """The provider extends the protection to the chosen new end."""
        return await self._change(
            extensions.approve,
            "approve-extension",
            DECIDE_FIELDS,
            extension_id="",
            new_end=form_value(form, "new_end"),
        )

    @rx.event
    async def decline(self, form: dict):
        """The provider declines the request, with a reason."""
        return await self._change(
            extensions.decline,
            "decline-extension",
            DECIDE_FIELDS,
            extension_id="",
            reason=form_value(form, "decision_reason"),
        )
