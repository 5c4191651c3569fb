"""Consultant portal > Leads: where the firm can submit leads, and why not elsewhere."""

import reflex as rx

from ..models import OrgKind
from ..services import partnerships
from .base import AppState


class ConsultantLeadsState(AppState):
    eligible: list[str] = []
    unavailable: list[dict[str, str]] = []

    @rx.event
    def load(self):
        if (redirect := self._enter(OrgKind.CONSULTANT)) is not None:
            return redirect
        targets, refusal = self._perform(partnerships.lead_targets)
        if refusal is not None:
            return refusal
        self.eligible = [name for _, name in targets.eligible]
        self.unavailable = [{"name": name, "reason": why} for name, why in targets.unavailable]
        return None
