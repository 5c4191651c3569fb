"""The tier part of a partnership's page: progress towards the next tier (both sides) and, on
the provider's partner card, the tier set by hand, the pending suggestion, the certifications
and the history of tier changes (services.tiers). Live on the organization's partners."""

from typing import ClassVar, TypedDict, cast

import reflex as rx

from ..models import OrgKind
from ..services import tiers
from ..services.core.changes import Topic
from .base import AppState, form_value
from .live import LiveView


class ProgressView(TypedDict):
    current_tier: str
    next_tier: str
    window_days: str
    overridden: str  # "yes" or ""


class CriterionRow(TypedDict):
    label: str
    current: str
    needed: str
    met: str  # "yes" or ""


def progress_rows(seen: tiers.TierProgress) -> tuple[ProgressView, list[CriterionRow]]:
    """What components/tier_progress.py shows of a partner's progress."""
    view: ProgressView = {
        "current_tier": seen.current_tier,
        "next_tier": seen.next_tier,
        "window_days": str(seen.window_days),
        "overridden": "yes" if seen.overridden else "",
    }
    rows: list[CriterionRow] = [
        {"label": c.label, "current": c.current, "needed": c.needed, "met": "yes" if c.met else ""}
        for c in seen.criteria
    ]
    return view, rows


class CertificationRow(TypedDict):
    id: str
    name: str
    ticked: bool


class TierHistoryRow(TypedDict):
    at: str
    cause: str
    who: str
    change: str  # "Silver → Gold"
    figures: str


class TierChoice(TypedDict):
    id: str
    name: str


class PartnerTiersState(LiveView, AppState):
    LIVE_TOPIC: ClassVar[Topic] = Topic.PARTNERS
    shown: bool = False  # an active partnership of the caller's organization
    progress: ProgressView = cast(ProgressView, {})
    criteria: list[CriterionRow] = []
    on_provider_side: bool = False
    overridden: bool = False
    suggestion: str = ""
    suggestion_figures: str = ""
    certifications: list[CertificationRow] = []
    history: list[TierHistoryRow] = []
    choices: list[TierChoice] = []
    revision: int = 0
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
        self.shown, self.progress, self.criteria = False, cast(ProgressView, {}), []
        self.certifications, self.history, self.suggestion = [], [], ""
        raw = self.router.page.params.get("partnership_id", "")
        self._partnership_id = raw if isinstance(raw, str) else ""
        self._watch()
        return self._refresh()

    def _refresh(self):
        _, refusal = self._perform(self._read)
        self.shown = refusal is None  # else the page says it is not shown (or has ended)
        return None

    def _read(self, session, *, actor) -> None:
        self._reading(actor.org_id)
        seen = tiers.progress(session, actor=actor, partnership_id=self._partnership_id)
        self.progress, self.criteria = progress_rows(seen)
        self.on_provider_side = actor.org_kind == OrgKind.PROVIDER
        if not self.on_provider_side:
            return
        card = tiers.tier_card(session, actor=actor, partnership_id=self._partnership_id)
        self.overridden = card.overridden
        self.suggestion, self.suggestion_figures = card.suggestion, card.suggestion_figures
        self.certifications = [
            {"id": str(c.term_id), "name": c.name, "ticked": c.ticked} for c in card.certifications
        ]
        self.history = [
            {
                "at": h.at.strftime("%Y-%m-%d %H:%M"),
                "cause": h.cause,
                "who": h.who,
                "change": f"{h.from_tier} → {h.to_tier}",
                "figures": h.figures,
            }
            for h in card.history
        ]
        self.choices = [
            {"id": str(r.tier_id), "name": r.tier_name}
            for r in tiers.tier_rules(session, actor=actor)
        ]
        self.revision += 1

    def _act(self, operation, done: str, **arguments):
        _, refusal = self._perform(operation, partnership_id=self._partnership_id, **arguments)
        if refusal is not None:
            return refusal
        self._refresh()
        return rx.toast.success(done)

    @rx.event
    def set_tier(self, form: dict):
        """Set the tier by hand ("none": no tier); kept until cleared."""
        chosen = form_value(form, "tier_id")
        return self._act(
            tiers.set_tier,
            "Tier set: kept until cleared.",
            tier_id="" if chosen == "none" else chosen,
        )

    @rx.event
    def clear_override(self):
        return self._act(tiers.clear_override, "Cleared: the next recompute decides.")

    @rx.event
    def accept_suggestion(self):
        return self._act(tiers.accept_suggestion, "Suggestion accepted.")

    @rx.event
    def dismiss_suggestion(self):
        return self._act(tiers.dismiss_suggestion, "Suggestion dismissed.")

    @rx.event
    def tick(self, term_id: str, ticked: bool):
        return self._act(
            tiers.set_certification,
            "Certifications saved.",
            term_id=term_id,
            ticked=ticked,
        )
