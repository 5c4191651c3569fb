"""Settings > General: the organization's vocabulary, pipeline stages and program rules."""

from typing import Any, TypedDict, cast

import reflex as rx
from reflex_components_sonner.toast import ToastAction

from ..models import OrgKind, Pipeline
from ..services import catalog
from .base import AppState, clear_form, form_value

RULE_FIELDS = (
    "protection_days",
    "lead_accept_hours",
    "default_commission_pct",
    "referral_credit_amount",
    "payout_threshold",
    "currency",
    "reapproval_amount_pct",
)


class TermRow(TypedDict):
    """A taxonomy term."""

    id: str
    name: str
    archived: str  # "yes" or ""
    in_use: str


class StageRow(TypedDict):
    """A pipeline stage."""

    id: str
    name: str
    probability: str
    outcome: str
    archived: str  # "yes" or ""
    in_use: str


class Rules(TypedDict):
    """The provider's program rules as the form shows them (`{}` for a consultant)."""

    protection_days: str
    lead_accept_hours: str
    default_commission_pct: str
    referral_credit_amount: str
    payout_threshold: str
    currency: str
    auto_apply_credits: str  # "on" or ""
    reapproval_amount_pct: str  # "" for never


def _term_row(term: catalog.TermView) -> TermRow:
    return {
        "id": str(term.id),
        "name": term.name,
        "archived": "yes" if term.archived else "",
        "in_use": str(term.in_use),
    }


def _stage_row(stage: catalog.StageView) -> StageRow:
    return {
        "id": str(stage.id),
        "name": stage.name,
        "probability": str(stage.probability),
        "outcome": stage.outcome,
        "archived": "yes" if stage.archived else "",
        "in_use": str(stage.in_use),
    }


class SettingsState(AppState):
    terms: dict[str, list[TermRow]] = {}  # by term kind
    stages: dict[str, list[StageRow]] = {}  # by pipeline
    rules: Rules = cast(Rules, {})
    # Bumped on every read: editors key on it, so their inputs show the stored values again.
    revision: int = 0
    rules_error: str = ""

    @rx.event
    def load(self):
        if (redirect := self._enter()) is not None:
            return redirect
        self.rules_error = ""
        return self._refresh()

    def _refresh(self):
        _, refusal = self._perform(self._read)
        return refusal

    def _read(self, session, *, actor) -> None:
        self.revision += 1
        provider = actor.org_kind == OrgKind.PROVIDER
        kinds = catalog.PROVIDER_TERM_KINDS if provider else catalog.CONSULTANT_TERM_KINDS
        self.terms = {
            kind: [_term_row(t) for t in catalog.terms(session, actor=actor, kind=kind)]
            for kind in kinds
        }
        if not provider:
            self.stages, self.rules = {}, cast(Rules, {})
            return
        self.stages = {
            pipeline: [
                _stage_row(s) for s in catalog.stages(session, actor=actor, pipeline=pipeline)
            ]
            for pipeline in (Pipeline.DEAL, Pipeline.LEAD)
        }
        rules = catalog.rules(session, actor=actor)
        self.rules = {
            "protection_days": str(rules.protection_days),
            "lead_accept_hours": str(rules.lead_accept_hours),
            "default_commission_pct": str(rules.default_commission_pct),
            "referral_credit_amount": str(rules.referral_credit_amount),
            "payout_threshold": str(rules.payout_threshold),
            "currency": rules.currency,
            "auto_apply_credits": "on" if rules.auto_apply_credits else "",
            "reapproval_amount_pct": (
                "" if rules.reapproval_amount_pct is None else str(rules.reapproval_amount_pct)
            ),
        }

    def _act(self, operation, /, **arguments) -> tuple[object, rx.event.EventSpec | None]:
        """Perform as the caller, then re-read the page; returns (result, refusal)."""
        result, refusal = self._perform(operation, **arguments)
        if refusal is None:
            self._refresh()
        return result, refusal

    def _removed(self, operation, undo, **arguments):
        """Remove, confirmed on the page; an archived entry can be restored, so say so with an
        Undo (a deleted one was unused, and the confirmation said it goes for good)."""
        result, refusal = self._act(operation, **arguments)
        if result == "archived":
            return rx.toast.info(
                "Archived, not deleted: records still use it.",
                action=ToastAction(label="Undo", on_click=undo),
            )
        return refusal

    # Taxonomy terms -------------------------------------------------------------------------

    @rx.event
    def add_term(self, form: dict):
        kind, name = form_value(form, "kind"), form_value(form, "name")
        place = form_value(form, "place") or "bottom"
        _, refusal = self._act(catalog.add_term, kind=kind, name=name, place=place)
        return refusal or clear_form(f"add-term-{kind}")

    @rx.event
    def rename_term(self, term_id: str, name: str):
        return self._act(catalog.rename_term, term_id=term_id, name=name)[1]

    @rx.event
    def move_term(self, term_id: str, direction: str):
        return self._act(catalog.move_term, term_id=term_id, direction=direction)[1]

    @rx.event
    def remove_term(self, term_id: str):
        undo = cast(Any, SettingsState.restore_term)(term_id)
        return self._removed(catalog.remove_term, undo, term_id=term_id)

    @rx.event
    def restore_term(self, term_id: str):
        return self._act(catalog.restore_term, term_id=term_id)[1]

    # Stages ---------------------------------------------------------------------------------

    @rx.event
    def add_stage(self, form: dict):
        pipeline = form_value(form, "pipeline")
        _, refusal = self._act(
            catalog.add_stage,
            pipeline=pipeline,
            name=form_value(form, "name"),
            probability=form_value(form, "probability"),
        )
        return refusal or clear_form(f"add-stage-{pipeline}")

    @rx.event
    def update_stage(self, form: dict):
        _, refusal = self._act(
            catalog.update_stage,
            stage_id=form_value(form, "id"),
            name=form_value(form, "name"),
            probability=form_value(form, "probability"),
            outcome=form_value(form, "outcome") or "open",
        )
        return refusal or rx.toast.success("Stage saved.")

    @rx.event
    def move_stage(self, stage_id: str, direction: str):
        return self._act(catalog.move_stage, stage_id=stage_id, direction=direction)[1]

    @rx.event
    def remove_stage(self, stage_id: str):
        undo = cast(Any, SettingsState.restore_stage)(stage_id)
        return self._removed(catalog.remove_stage, undo, stage_id=stage_id)

    @rx.event
    def restore_stage(self, stage_id: str):
        return self._act(catalog.restore_stage, stage_id=stage_id)[1]

    # Program rules --------------------------------------------------------------------------

    @rx.event
    def save_rules(self, form: dict):
        values = {name: form_value(form, name) for name in RULE_FIELDS}
        values["auto_apply_credits"] = form_value(form, "auto_apply_credits") or ""
        _, refusal = self._act(catalog.update_rules, error_var="rules_error", **values)
        return refusal or rx.toast.success("Program rules saved.")
