"""/p/partners/[partnership_id] and /c/providers/[partnership_id]: one partnership and its
timeline, live (it follows
its organization's partnerships: a status change on either side shows without a reload)."""

from typing import ClassVar, TypedDict, cast

import reflex as rx

from ..models import OrgKind
from ..services.core.changes import Topic
from ..services.partnerships import timeline as partner_timeline
from .base import AppState
from .live import LiveView
from .rows import TimelineEntry


class PartnershipView(TypedDict):
    """The partnership the page shows (`{}` before the first read)."""

    name: str
    status: str
    since: str
    invited: str


class PartnerDetailState(LiveView, AppState):
    LIVE_TOPIC: ClassVar[Topic] = Topic.PARTNERS
    partner: PartnershipView = cast(PartnershipView, {})
    timeline: list[TimelineEntry] = []
    missing: bool = False
    _partnership_id: str = ""

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
        self._partnership_id = raw if isinstance(raw, str) else ""
        self._watch()
        return self._refresh()

    def _refresh(self):
        _, refusal = self._perform(self._read)
        self.missing = refusal is not None
        return None

    def _read(self, session, *, actor) -> None:
        self._reading(actor.org_id)
        seen = partner_timeline.partner_page(
            session, actor=actor, partnership_id=self._partnership_id
        )
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
