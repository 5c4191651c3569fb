"""/p/scorecard and /c/scorecard: the provider's service figures, the partners' figures, and
the records behind any figure in a dialog. Live on leads, deals and the ledger: the changes
that move a figure."""

from datetime import datetime
from typing import ClassVar, TypedDict, cast

import reflex as rx

from ..models import OrgKind
from ..services import scorecard, tiers
from ..services.core.changes import Topic
from .base import AppState
from .live import version, watch_topics
from .partner_tiers import CriterionRow, ProgressView, progress_rows
from .rows import Option

# The partners table's columns a viewer may sort by (PartnerFigures attributes).
SORTABLE = (
    "name",
    "leads_submitted",
    "accepted_share",
    "registrations_approved",
    "deals_won",
    "won_revenue",
    "days_to_first_lead",
)


class FigureRow(TypedDict):
    """A service figure, for everyone and as one partner experienced it."""

    key: str
    label: str
    overall: str
    overall_count: str
    partner: str
    partner_count: str
    drill: bool  # whether the viewer may list its records (the books: managers and admins)


class PartnerRow(TypedDict):
    """One partner's figures for the provider, as text."""

    id: str
    name: str
    leads_submitted: str
    accepted_share: str
    registrations_approved: str
    deals_won: str
    won_revenue: str
    days_to_first_lead: str


class DrillItem(TypedDict):
    """A record behind a figure, with a link to its page."""

    title: str
    partner: str
    started: str
    ended: str
    took: str
    status: str
    link: str


def _stamp(moment: datetime | None) -> str:
    return "" if moment is None else f"{moment:%Y-%m-%d %H:%M} UTC"


def _sorted(rows: list, column: str, descending: bool) -> list:
    """By one column, the rows without a value (no lead yet) last either way."""

    def key(row):
        value = getattr(row, column)
        return value.lower() if isinstance(value, str) else value

    present = [row for row in rows if getattr(row, column) is not None]
    absent = [row for row in rows if getattr(row, column) is None]
    return [*sorted(present, key=key, reverse=descending), *absent]


def _records(count: int) -> str:
    return "1 record" if count == 1 else f"{count} records"


class ScorecardState(AppState):
    LIVE_TOPICS: ClassVar[tuple[Topic, ...]] = (
        Topic.LEADS,
        Topic.DEALS,
        Topic.LEDGER,
        Topic.PARTNERS,  # tiers
    )

    figures: list[FigureRow] = []
    partner_name: str = ""  # the partner the second column is about ("" on the provider's All)
    partners: list[PartnerRow] = []
    choices: list[Option] = []  # the provider's partners, or the consultant's providers
    chosen: str = ""  # the chosen partner (provider) or provider (consultant) id
    provider_name: str = ""
    # Progress towards the next tier in the chosen partnership (services.tiers); none: no card.
    tier: ProgressView = cast(ProgressView, {})
    tier_criteria: list[CriterionRow] = []
    has_tier: bool = False
    sort_by: str = "name"
    descending: bool = False
    window_days: int = scorecard.WINDOW_DAYS

    drill_open: bool = False
    drill_label: str = ""
    drill_note: str = ""
    drill_more: bool = False
    drill_rows: list[DrillItem] = []

    _seen: dict[str, int] = {}
    _followed: bool = False

    @rx.event
    def load_provider(self):
        return self._load(OrgKind.PROVIDER)

    @rx.event
    def load_consultant(self):
        return self._load(OrgKind.CONSULTANT)

    def _load(self, kind: OrgKind):
        if (redirect := self._enter(kind)) is not None:
            return redirect
        self.chosen, self.drill_open, self._followed = "", False, False
        self.sort_by, self.descending = "name", False
        return self._refresh()

    def _refresh(self):
        return self._perform(self._read)[1]

    def _read(self, session, *, actor) -> None:
        topics = [(topic, actor.org_id) for topic in self.LIVE_TOPICS]
        if not self._followed:
            watch_topics(self, topics)
            self._followed = True
        self._seen = {topic.value: version(topic, id_) for topic, id_ in topics}
        if actor.org_kind == OrgKind.CONSULTANT:
            found = scorecard.providers(session, actor=actor)
            self.choices = [{"id": str(key), "name": name} for key, name in found]
            if not found:
                self.figures, self.partners, self.provider_name = [], [], ""
                return
            self.chosen = self.chosen or str(found[0][0])
            provider, partner = self.chosen, None
            rows = scorecard.partner_figures(session, actor=actor, provider_org_id=provider)
        else:
            provider, partner = None, self.chosen or None
            rows = scorecard.partner_figures(session, actor=actor)
            self.choices = [{"id": str(row.partner_org_id), "name": row.name} for row in rows]
        card = scorecard.service_figures(
            session, actor=actor, provider_org_id=provider, partner_org_id=partner
        )
        seen = (
            tiers.progress_with(session, actor=actor, org_id=self.chosen) if self.chosen else None
        )
        self.has_tier = seen is not None
        self.tier, self.tier_criteria = (
            progress_rows(seen) if seen else (cast(ProgressView, {}), [])
        )
        self.provider_name = card.provider_name
        mine = {f.key: f for f in card.partner}
        self.figures = [
            {
                "key": f.key,
                "label": f.label,
                "overall": f.text,
                "overall_count": _records(f.count),
                "partner": mine[f.key].text if f.key in mine else "",
                "partner_count": _records(mine[f.key].count) if f.key in mine else "",
                "drill": f.key not in scorecard.BOOKS or actor.sees_all,
            }
            for f in card.overall
        ]
        names = {row.partner_org_id: row.name for row in rows}
        self.partner_name = names.get(card.partner_org_id or 0, "")
        code = scorecard.currency(session, card.provider_org_id)
        rows = _sorted(rows, self.sort_by, self.descending)
        self.partners = [
            {
                "id": str(row.partner_org_id),
                "name": row.name,
                "leads_submitted": str(row.leads_submitted),
                "accepted_share": scorecard.share_text(row.accepted_share),
                "registrations_approved": str(row.registrations_approved),
                "deals_won": str(row.deals_won),
                "won_revenue": scorecard.money_text(row.won_revenue, code),
                "days_to_first_lead": (
                    "No lead yet"
                    if row.days_to_first_lead is None
                    else f"{row.days_to_first_lead:g} days"
                ),
            }
            for row in rows
        ]

    @rx.event
    def choose(self, value: str):
        """The partner (provider) or provider (consultant) the figures are about; the service
        checks it is one of the viewer's."""
        self.chosen = value[:20] if isinstance(value, str) else ""
        return self._refresh()

    @rx.event
    def sort(self, column: str):
        """Sort the partners table by a column; again, the other way round."""
        if column not in SORTABLE:
            return None
        self.descending = not self.descending if column == self.sort_by else column != "name"
        self.sort_by = column
        return self._refresh()

    @rx.event
    def open_drill(self, figure: str, partner_org_id: str):
        """The records behind one figure (`partner_org_id`: one partner's, or "" for all)."""
        consultant = self.org_kind == OrgKind.CONSULTANT
        drill, refusal = self._perform(
            scorecard.records,
            figure=figure,
            provider_org_id=self.chosen if consultant else None,
            partner_org_id=None if consultant else partner_org_id or None,
        )
        if not isinstance(drill, scorecard.Drill):
            return refusal
        self.drill_label, self.drill_note, self.drill_more = drill.label, drill.note, drill.more
        self.drill_rows = [
            {
                "title": row.title,
                "partner": row.partner,
                "started": _stamp(row.started),
                "ended": _stamp(row.ended),
                "took": "" if row.hours is None else scorecard.hours_text(row.hours),
                "status": row.status.replace("_", " "),
                "link": row.link,
            }
            for row in drill.rows
        ]
        self.drill_open = True
        return None

    @rx.event
    def close_drill(self):
        self.drill_open, self.drill_rows = False, []

    @rx.event
    def follow_leads(self, version: int):
        return self._follow(Topic.LEADS, version)

    @rx.event
    def follow_deals(self, version: int):
        return self._follow(Topic.DEALS, version)

    @rx.event
    def follow_ledger(self, version: int):
        return self._follow(Topic.LEDGER, version)

    @rx.event
    def follow_partners(self, version: int):
        return self._follow(Topic.PARTNERS, version)

    def _follow(self, topic: Topic, version: int):
        """A pulse moved: re-read with the viewer's permissions (as LiveView.follow)."""
        if not isinstance(version, int) or isinstance(version, bool):
            return None
        if self._seen.get(topic.value) == version:
            return None
        self._seen = {**self._seen, topic.value: version}
        return self._refresh()
