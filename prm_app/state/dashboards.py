"""The home dashboard of each portal: only the charts' points are kept in state."""

import reflex as rx

from ..models import OrgKind
from ..services import mdf
from ..services.deals import dashboards
from .base import AppState, form_value
from .rows import Option

FUNNEL = ("#8da4ef", "#5b7fe3", "#3e63dd", "#2f4eb2")  # the funnel's steps, light to dark


def figures(points: list[dict]) -> list[dict]:
    """Each point with its numbers also as text for the figures table ("value_text":
    "150,000.00", "deals_text": "1,250"); the charts take the numbers."""
    return [
        {
            **point,
            **{
                f"{key}_text": f"{value:,}" if isinstance(value, int) else f"{value:,.2f}"
                for key, value in point.items()
                if isinstance(value, int | float) and not isinstance(value, bool)
            },
        }
        for point in points
    ]


class DashboardState(AppState):
    """/p/dashboard and /c/dashboard, filtered by dates and the organization across."""

    pipeline: list[dict[str, str | float | int]] = []
    won_by_month: list[dict[str, str | float | int]] = []
    funnel: list[dict[str, str | float | int]] = []
    acceptance: list[dict[str, str | float | int]] = []
    top: list[dict[str, str | float | int]] = []
    commissions: list[dict[str, str | float | int]] = []
    # Per funded MDF activity: what it cost and the revenue won from it (managers and admins).
    fund_returns: list[dict[str, str | float | int]] = []
    currency: str = "USD"
    others: list[Option] = []
    start: str = ""
    end: str = ""
    other_org_id: str = ""
    filter_error: str = ""
    cleared: int = 0  # the filter form's key: a Clear gives empty inputs, not the last ones

    @rx.event
    def load_provider(self):
        return self._load(OrgKind.PROVIDER)

    @rx.event
    def load_consultant(self):
        return self._load(OrgKind.CONSULTANT)

    def _load(self, kind: OrgKind):
        if (redirect := self._enter(kind)) is not None:
            return redirect
        self.start, self.end, self.other_org_id, self.filter_error = "", "", "", ""
        return self._refresh()

    def _refresh(self):
        return self._perform(self._read, error_var="filter_error")[1]

    def _read(self, session, *, actor) -> None:
        chosen = dashboards.filters(start=self.start, end=self.end, other_org_id=self.other_org_id)
        board = dashboards.dashboard(session, actor=actor, chosen=chosen)
        self.pipeline, self.won_by_month = figures(board.pipeline), figures(board.won_by_month)
        self.funnel = figures(
            [{**step, "fill": fill} for step, fill in zip(board.funnel, FUNNEL, strict=False)]
        )
        self.acceptance, self.top, self.commissions = (
            figures(board.acceptance),
            figures(board.top),
            figures(board.commissions),
        )
        self.currency = board.currency
        self.fund_returns = figures(
            [
                {
                    "activity": r.title[:40],
                    "spent": float(r.spent),
                    "won": float(r.won_amount),
                    "return": f"{r.ratio}x" if r.ratio is not None else "",
                }
                for r in (mdf.returns(session, actor=actor, limit=12) if actor.sees_all else [])
            ]
        )
        self.others = [
            {"id": str(key), "name": name} for key, name in dashboards.others(session, actor=actor)
        ]

    @rx.event
    def apply_filters(self, form: dict):
        values = [form_value(form, name) for name in ("start", "end", "other_org_id")]
        # Kept only as text: the service validates them on every read.
        self.start, self.end, self.other_org_id = (
            v[:20] if isinstance(v, str) else "" for v in values
        )
        return self._refresh()

    @rx.event
    def clear_filters(self):
        """Back to every date and organization: the charts, and the inputs too (a new form)."""
        self.start, self.end, self.other_org_id, self.filter_error = "", "", "", ""
        self.cleared += 1
        return self._refresh()
