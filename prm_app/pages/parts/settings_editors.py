"""Editors of Settings > General: a list of terms, a pipeline's stages, the program rules."""

from typing import Any

import reflex as rx

from ...components.buttons import row_button
from ...components.confirm import confirm_button, permitted
from ...components.forms import add_form, form_error, labeled_input
from ...components.sections import section_card
from ...state.base import ADMINS_ONLY
from ...state.settings import SettingsState

# Greys out a control for anyone but an administrator, saying who can.
ADMIN = permitted(SettingsState.can_administer, ADMINS_ONLY)


def _icon_button(icon: str, label, on_click) -> rx.Component:
    return rx.icon_button(
        rx.icon(icon, size=14),
        on_click=on_click,
        aria_label=label,
        variant="ghost",
        size="1",
        type="button",
        **ADMIN,
    )


def _remove_button(row: Any, what, on_confirm) -> rx.Component:
    """Remove, once confirmed: an unused entry is deleted for good, one in use is archived."""
    name = row["name"]
    return confirm_button(
        "Remove",
        aria_label=f"Remove {what}",
        title=f"Remove {what}?",
        description=rx.cond(
            row["in_use"] != "0",
            f"Records still use {name}, so it is archived, not deleted: they keep it, new "
            "ones cannot choose it, and you can restore it later.",
            f"{name} is not in use: it is deleted for good.",
        ),
        confirm_label="Remove",
        on_confirm=on_confirm,
        disabled=~SettingsState.can_administer,
        disabled_reason=ADMINS_ONLY,
    )


def _entry(row: rx.Var[dict], active: rx.Component, on_restore, label) -> rx.Component:
    """A term or stage: its controls, or archived (greyed out, with a way back); redrawn when
    the list is saved."""
    archived = rx.hstack(
        rx.text(row["name"], color_scheme="gray", flex="1"),
        rx.badge("archived", color_scheme="gray"),
        row_button("Restore", on_restore, label, variant="ghost", type="button", **ADMIN),
        width="100%",
        align="center",
    )
    return rx.box(
        rx.cond(row["archived"] == "", active, archived),
        key=f"{row['id']}-{SettingsState.revision}",
        width="100%",
    )


def _term_item(row: rx.Var[dict]) -> rx.Component:
    name = row["name"]
    active = rx.hstack(
        rx.input(
            default_value=name,
            on_blur=lambda value: SettingsState.rename_term(row["id"], value),
            aria_label=f"Name of {name}",
            size="2",
            flex="1",
        ),
        _icon_button("arrow-up", f"Move {name} up", SettingsState.move_term(row["id"], "up")),
        _icon_button("arrow-down", f"Move {name} down", SettingsState.move_term(row["id"], "down")),
        rx.cond(row["in_use"] != "0", rx.badge(f"{row['in_use']} in use", variant="soft")),
        _remove_button(row, name, SettingsState.remove_term(row["id"])),
        width="100%",
        align="center",
    )
    return _entry(row, active, SettingsState.restore_term(row["id"]), f"Restore {name}")


def _place_select(singular: str) -> rx.Component:
    """Where a new entry of an ordered list goes (the partner tiers: highest first)."""
    return rx.el.select(
        rx.el.option("as the lowest", value="bottom"),
        rx.el.option("as the highest", value="top"),
        name="place",
        default_value="bottom",
        aria_label=f"Place of the new {singular}",
        style={"padding": "0.3rem"},
    )


def term_editor(
    kind: str, title: str, hint: str, singular: str, *, ranked: bool = False
) -> rx.Component:
    """Add, rename, reorder, remove (archive when in use) and restore the terms of one kind.
    A `ranked` list (highest first) asks where a new entry goes."""
    return section_card(
        title,
        rx.foreach(SettingsState.terms.get(kind, []), _term_item),
        add_form(
            SettingsState.add_term,
            f"add-term-{kind}",
            rx.el.input(type="hidden", name="kind", value=kind),
            rx.input(
                name="name",
                placeholder=f"New {singular}",
                aria_label=f"New {singular}",
                required=True,
                flex="1",
            ),
            _place_select(singular) if ranked else rx.fragment(),
            rx.button("Add", type="submit", aria_label=f"Add {singular}", **ADMIN),
        ),
        hint=hint,
        spacing="2",
    )


def _outcome_select(row: rx.Var[dict]) -> rx.Component:
    return rx.el.select(
        rx.el.option("Open", value="open"),
        rx.el.option("Closed Won", value="won"),
        rx.el.option("Closed Lost", value="lost"),
        name="outcome",
        default_value=row["outcome"],
        aria_label=f"Outcome of {row['name']}",
        style={"padding": "0.3rem"},
    )


def _stage_fields(name_label, probability, probability_label, **name_props) -> list:
    """A stage's name and its probability (%)."""
    return [
        rx.input(name="name", aria_label=name_label, required=True, flex="2", **name_props),
        rx.input(
            name="probability",
            type="number",
            min=0,
            max=100,
            default_value=probability,
            aria_label=probability_label,
            width="5.5rem",
        ),
    ]


def _stage_item(row: rx.Var[dict], with_outcome: bool) -> rx.Component:
    name = row["name"]
    editable = rx.form(
        rx.hstack(
            rx.el.input(type="hidden", name="id", value=row["id"]),
            *_stage_fields(
                f"Name of stage {name}",
                row["probability"],
                f"Probability of {name} (%)",
                default_value=name,
            ),
            _outcome_select(row) if with_outcome else rx.fragment(),
            rx.button("Save", type="submit", size="1", aria_label=f"Save stage {name}", **ADMIN),
            _icon_button(
                "arrow-up", f"Move stage {name} up", SettingsState.move_stage(row["id"], "up")
            ),
            _icon_button(
                "arrow-down", f"Move stage {name} down", SettingsState.move_stage(row["id"], "down")
            ),
            _remove_button(row, f"stage {name}", SettingsState.remove_stage(row["id"])),
            align="center",
            width="100%",
            wrap="wrap",
        ),
        on_submit=SettingsState.update_stage,
        width="100%",
    )
    return _entry(row, editable, SettingsState.restore_stage(row["id"]), f"Restore stage {name}")


def stage_editor(pipeline: str, title: str, hint: str) -> rx.Component:
    """The ordered stages of one pipeline, with probability and (deals) the closing outcome."""
    with_outcome = pipeline == "deal"
    return section_card(
        title,
        rx.foreach(
            SettingsState.stages.get(pipeline, []), lambda row: _stage_item(row, with_outcome)
        ),
        add_form(
            SettingsState.add_stage,
            f"add-stage-{pipeline}",
            rx.el.input(type="hidden", name="pipeline", value=pipeline),
            *_stage_fields(
                f"New {pipeline} stage",
                "0",
                f"Probability of the new {pipeline} stage (%)",
                placeholder="New stage",
            ),
            rx.button("Add stage", type="submit", aria_label=f"Add {pipeline} stage", **ADMIN),
        ),
        hint=hint,
        spacing="2",
    )


def rules_form() -> rx.Component:
    """The provider's program rules."""
    rules = SettingsState.rules

    def number(label: str, name: str, step: str = "1", required: bool = True) -> rx.Component:
        return labeled_input(
            label,
            name,
            type="number",
            step=step,
            min=0,
            required=required,
            default_value=rules.get(name, ""),
        )

    return rx.card(
        rx.form(
            rx.vstack(
                rx.heading("Program rules", as_="h2", size="4"),
                rx.grid(
                    number("Deal-registration protection (days)", "protection_days"),
                    number("Lead acceptance deadline (hours)", "lead_accept_hours"),
                    number("Default commission rate (%)", "default_commission_pct", "0.01"),
                    number("Referral credit per won referral", "referral_credit_amount", "0.01"),
                    number("Payout threshold", "payout_threshold", "0.01"),
                    labeled_input(
                        "Currency (ISO code, e.g. USD)",
                        "currency",
                        default_value=rules.get("currency", ""),
                        max_length=3,
                    ),
                    number(
                        "Re-approve a partner's raise of an approved deal's amount above (%)",
                        "reapproval_amount_pct",
                        "0.01",
                        required=False,
                    ),
                    columns=rx.breakpoints(initial="1", md="2"),
                    spacing="4",
                    width="100%",
                ),
                rx.text(
                    "Leave the re-approval percentage empty to never require it; 0 re-approves "
                    "any raise. Every change of an approved deal's amount, close date or products "
                    "by a partner is shown on its timeline and told to its owner.",
                    size="1",
                    color_scheme="gray",
                ),
                rx.el.label(
                    rx.hstack(
                        rx.el.input(
                            type="checkbox",
                            name="auto_apply_credits",
                            id="auto_apply_credits",
                            default_checked=rules.get("auto_apply_credits", "") == "on",
                        ),
                        rx.text(
                            "Apply partners' referral credits to their next invoice automatically",
                            size="2",
                        ),
                    ),
                    html_for="auto_apply_credits",
                ),
                form_error(SettingsState.rules_error),
                rx.button("Save rules", type="submit", **ADMIN),
                spacing="4",
                width="100%",
            ),
            on_submit=SettingsState.save_rules,
            key=SettingsState.revision,
            width="100%",
        ),
        width="100%",
    )
