"""/p/partners/[partnership_id] and /c/providers/[partnership_id]: one partnership and its
timeline."""

from typing import TypedDict, cast

import reflex as rx

from ..models import OrgKind
from ..services.partnerships import timeline as partner_timeline
from .base import AppState
from .rows import TimelineEntry


class PartnershipView(TypedDict):
    """The partnership the page shows (`{}` before the first read)."""

    name: str
    status: str
    since: str
    invited: str


class PartnerDetailState(AppState):
    partner: PartnershipView = cast(PartnershipView, {})
    timeline: list[TimelineEntry] = []
    missing: bool = False

    @rx.event
    def load_provider(self):
        return self._open(OrgKind.PROVIDER)

    @rx.event
    def load_consultant(self):
        return self._open(OrgKind.CONSULTANT)

    def _open(self, kind: OrgKind):
        if (redirect := self._enter(kind)) is not None:
            return redirect
        self.partner, self.timeline, self.missing = cast(PartnershipView, {}), [], False
        raw = self.router.page.params.get("partnership_id", "")
        _, refusal = self._perform(self._read, partnership_id=raw)
        if refusal is not None:
            self.missing = True
        return None

    def _read(self, session, *, actor, partnership_id) -> None:
        seen = partner_timeline.partner_page(session, actor=actor, partnership_id=partnership_id)
        self.partner = {
            "name": seen.other_name,
            "status": seen.status,
            "since": seen.since.strftime("%Y-%m-%d") if seen.since else "",
            "invited": seen.invited_at.strftime("%Y-%m-%d"),
        }
        self.timeline = [
            {"at": e.at.strftime("%Y-%m-%d %H:%M"), "who": e.who, "text": e.text}
            for e in seen.entries
        ]
