"""Settings > Tiers: each partner tier's rule (criteria, mode, window, commission) and the
"Recompute now" button (services.tiers); the provider's admins change, everyone else reads."""

from typing import TypedDict

import reflex as rx

from ..models import OrgKind
from ..services import tiers
from .base import AppState, form_value

FIELDS = (
    "mode",
    "window_days",
    "min_won_revenue",
    "min_deals_won",
    "min_registrations",
    "min_leads_accepted",
    "min_certifications",
    "commission_pct",
)


class RuleRow(TypedDict):
    """One tier and its rule, as the form shows it."""

    id: str
    name: str
    has_rule: str  # "yes" or ""
    mode: str
    window_days: str
    min_won_revenue: str
    min_deals_won: str
    min_registrations: str
    min_leads_accepted: str
    min_certifications: str
    commission_pct: str
    summary: str


def _row(view: tiers.RuleView) -> RuleRow:
    return {
        "id": str(view.tier_id),
        "name": view.tier_name,
        "has_rule": "yes" if view.has_rule else "",
        "mode": view.mode,
        "window_days": str(view.window_days),
        **{f"min_{key}": view.minimums.get(key, "") for key in (c.key for c in tiers.CRITERIA)},  # type: ignore[typeddict-item]
        "commission_pct": view.commission_pct,
        "summary": view.summary,
    }


class TierSettingsState(AppState):
    rules: list[RuleRow] = []
    error: str = ""
    revision: int = 0  # bumped on every read: the forms show the stored values again

    @rx.event
    def load(self):
        """On showing the Tiers tab (a provider's)."""
        self.error = ""
        return self._perform(self._read)[1]

    def _read(self, session, *, actor) -> None:
        if actor.org_kind != OrgKind.PROVIDER:
            return
        self.rules = [_row(v) for v in tiers.tier_rules(session, actor=actor)]
        self.revision += 1

    @rx.event
    def save(self, form: dict):
        """Save one tier's rule (the form posts the tier's id with its fields)."""
        _, refusal = self._perform(
            tiers.save_rule,
            error_var="error",
            tier_id=form_value(form, "id"),
            form={name: form_value(form, name) or "" for name in FIELDS},
        )
        if refusal is not None:
            return refusal
        self._perform(self._read)
        return rx.toast.success("Tier rule saved.")

    @rx.event
    def remove(self, tier_id: str):
        """The tier is set by hand only again."""
        _, refusal = self._perform(tiers.remove_rule, tier_id=tier_id)
        if refusal is not None:
            return refusal
        self._perform(self._read)
        return rx.toast.success("Rule removed: this tier is set by hand.")

    @rx.event
    def recompute(self):
        result, refusal = self._perform(tiers.recompute_now)
        if refusal is not None:
            return refusal
        assert isinstance(result, tiers.Recomputed)
        return rx.toast.success(
            f"Recomputed: {result.changed} partner(s) moved, {result.suggested} suggestion(s)."
        )
