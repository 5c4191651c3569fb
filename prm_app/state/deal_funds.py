"""The marketing activity behind a deal, on the partner's deal page (services.mdf.returns): its
managers name the funded activity that produced the deal, so that both dashboards count it in
the return on funds. The deal is DealDetailState's; the service checks who asks and what."""

import reflex as rx

from ..services import mdf
from .base import AppState, form_value
from .deals import DealDetailState
from .rows import Option


class DealFundsState(AppState):
    shown: bool = False  # a partner manager or admin, with activities funded by this provider
    choices: list[Option] = []
    chosen: str = ""  # the activity named ("": none)

    @rx.event
    async def load(self):
        """After DealDetailState's load: the named activity and the ones that may be named."""
        detail = await self.get_state(DealDetailState)
        self.shown, self.choices, self.chosen = False, [], ""
        actor = self._actor()
        if actor is None or not mdf.is_partner_manager(actor):
            return  # nothing to show (the service refuses the others anyway)
        found, refusal = self._perform(mdf.deal_activities, deal_id=detail._deal_id)
        if refusal is not None or not isinstance(found, tuple):
            return
        named, funded = found
        self.choices = [{"id": str(rid), "name": title} for rid, title in funded]
        self.chosen = str(named) if named else ""
        self.shown = bool(funded) or named is not None

    @rx.event
    async def save(self, form: dict):
        detail = await self.get_state(DealDetailState)
        choice = form_value(form, "activity")
        _, refusal = self._perform(mdf.attribute, deal_id=detail._deal_id, request_id=choice)
        if refusal is not None:
            return refusal
        self.chosen = choice if isinstance(choice, str) else ""
        return rx.toast.success("Saved: the return on funds counts this deal for that activity.")
