"""The marketing activity behind a deal or a lead, on the partner's pages (services.mdf.returns):
its managers name the funded activity that produced the record, so that both dashboards count
it in the return on funds. The record is the page's (DealDetailState's deal, or the lead of the
route); the service checks who asks and what."""

import reflex as rx

from ..services import mdf
from .base import AppState, form_value
from .deals import DealDetailState
from .rows import Option


class RecordFundsState(AppState):
    shown: bool = False  # a partner manager or admin, with activities it may name here
    choices: list[Option] = []
    chosen: str = ""  # the activity named ("": none)
    _deal_id: int = 0  # the deal's page, or
    _lead_id: int = 0  # the lead's

    @rx.event
    async def load_deal(self):
        """After DealDetailState's load, on the partner's deal page."""
        detail = await self.get_state(DealDetailState)
        self._load(deal_id=detail._deal_id)

    @rx.event
    def load_lead(self):
        """On the partner's lead page."""
        raw = self.router.page.params.get("lead_id", "")
        lead_id = int(raw) if isinstance(raw, str) and raw.isdigit() and len(raw) < 19 else 0
        self._load(lead_id=lead_id)

    def _load(self, *, deal_id: int = 0, lead_id: int = 0) -> None:
        self.shown, self.choices, self.chosen = False, [], ""
        self._deal_id, self._lead_id = deal_id, lead_id
        actor = self._actor()
        if actor is None or not mdf.is_partner_manager(actor):
            return  # nothing to show (the service refuses the others anyway)
        found, refusal = self._perform(
            mdf.activities, deal_id=self._deal_id or None, lead_id=self._lead_id or None
        )
        if refusal is not None or not isinstance(found, tuple):
            return
        named, funded = found
        self.choices = [{"id": str(rid), "name": title} for rid, title in funded]
        self.chosen = str(named) if named else ""
        self.shown = bool(funded) or named is not None

    @rx.event
    def save(self, form: dict):
        choice = form_value(form, "activity")
        _, refusal = self._perform(
            mdf.attribute,
            request_id=choice,
            deal_id=self._deal_id or None,
            lead_id=self._lead_id or None,
        )
        if refusal is not None:
            return refusal
        self.chosen = choice if isinstance(choice, str) else ""
        return rx.toast.success("Saved: the return on funds counts it for that activity.")
