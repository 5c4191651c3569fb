"""/p/partners/[partnership_id] and /c/providers/[partnership_id]: one partnership, its custom
fields (the partner card: each side's fields per their access, edited by its managers) and its
timeline, live (it follows its organization's partnerships: a status change or a saved card on
either side shows without a reload)."""

from typing import ClassVar, TypedDict, cast

import reflex as rx

from ..models import OrgKind
from ..services import partnerships
from ..services.core.changes import Topic
from ..services.partnerships import timeline as partner_timeline
from .base import AppState, FieldErrors
from .custom_inputs import CustomInput, rows, submitted
from .live import LiveView
from .rows import TimelineEntry


class PartnershipView(TypedDict):
    """The partnership the page shows (`{}` before the first read)."""

    name: str
    status: str
    since: str
    invited: str


class PartnerDetailState(FieldErrors, LiveView, AppState):
    LIVE_TOPIC: ClassVar[Topic] = Topic.PARTNERS
    partner: PartnershipView = cast(PartnershipView, {})
    timeline: list[TimelineEntry] = []
    missing: bool = False
    # The partner card: the custom fields this side sees, whether it may edit them, and the
    # edit form (open, its revision for fresh inputs, its message).
    custom: list[CustomInput] = []
    custom_can_edit: bool = False
    custom_editing: bool = False
    custom_revision: int = 0
    custom_error: str = ""
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
        self.custom, self.custom_can_edit, self.custom_editing = [], False, False
        self.custom_error, self.field_errors = "", {}
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
        card = partnerships.partner_custom(
            session, actor=actor, partnership_id=self._partnership_id
        )
        self.custom = rows(card.fields, card.values, card.org_names)
        self.custom_can_edit = card.can_edit
        if not self.custom_editing:  # an open form keeps what is being typed
            self.custom_revision += 1

    @rx.event
    def edit_custom(self, editing: bool):
        """Open or close the card's form (the save is checked by the service regardless)."""
        self.custom_editing = editing is True and self.custom_can_edit
        self.custom_error, self.field_errors = "", {}
        self.custom_revision += 1

    @rx.event
    def save_custom(self, form: dict):
        """Save the card: the posted values of the fields this side may edit."""
        _, refusal = self._perform(
            self._save,
            error_var="custom_error",
            inline=tuple(row["name"] for row in self.custom),
            form=form if isinstance(form, dict) else {},
        )
        if refusal is not None:
            return refusal
        self.custom_editing = False
        self._refresh()
        return rx.toast.success("Saved.")

    def _save(self, session, *, actor, form: dict) -> None:
        card = partnerships.partner_custom(
            session, actor=actor, partnership_id=self._partnership_id
        )
        partnerships.set_custom(
            session,
            actor=actor,
            partnership_id=self._partnership_id,
            values=submitted(form, card.fields),
        )
