"""Settings > Tiers: a form per partner tier (highest first) with its criteria over a trailing
window, its mode and its commission; "Recompute now" for the admins."""

from typing import Any, cast

import reflex as rx

from ...components.confirm import permitted
from ...components.forms import form_error
from ...services.core.permissions import ADMINS_ONLY
from ...state.tier_settings import RuleRow
from ...state.tier_settings import TierSettingsState as State

ON = cast(Any, State)  # its handlers, as mypy does not see Reflex's

_CRITERIA = (
    ("min_won_revenue", "Won revenue at least", "0.01"),
    ("min_deals_won", "Deals won at least", "1"),
    ("min_registrations", "Approved registrations at least", "1"),
    ("min_leads_accepted", "Leads accepted at least", "1"),
    ("min_certifications", "Certifications at least", "1"),
)


def _number(label: str, name: str, value, step: str, **props) -> rx.Component:
    """A number input inside its label (one form per tier: no ids to repeat)."""
    return rx.el.label(
        rx.text(label, size="2", weight="medium"),
        rx.input(
            name=name,
            type="number",
            step=step,
            default_value=value,
            width="100%",
            **{"min": 0, **props},
        ),
        display="flex",
        flex_direction="column",
        gap="0.25rem",
    )


def _tier_form(row: RuleRow) -> rx.Component:
    return rx.card(
        rx.form(
            rx.vstack(
                rx.hstack(
                    rx.heading(row["name"], as_="h3", size="3"),
                    rx.badge(
                        rx.cond(row["has_rule"] == "yes", row["summary"], "Set by hand"),
                        color_scheme=rx.cond(row["has_rule"] == "yes", "green", "gray"),
                        white_space="normal",
                    ),
                    align="center",
                    wrap="wrap",
                ),
                rx.el.input(type="hidden", name="id", value=row["id"]),
                rx.grid(
                    rx.el.label(
                        rx.text("Mode", size="2", weight="medium"),
                        rx.el.select(
                            rx.el.option("Promote and demote automatically", value="automatic"),
                            rx.el.option("Suggest for review", value="suggest"),
                            name="mode",
                            default_value=row["mode"],
                        ),
                        display="flex",
                        flex_direction="column",
                        gap="0.25rem",
                    ),
                    _number("Window (days)", "window_days", row["window_days"], "1", min=1),
                    *[_number(label, name, row[name], step) for name, label, step in _CRITERIA],  # type: ignore[literal-required]
                    _number(
                        "Commission % (partners without their own terms)",
                        "commission_pct",
                        row["commission_pct"],
                        "0.01",
                        max=100,
                    ),
                    columns=rx.breakpoints(initial="1", sm="2", lg="4"),
                    spacing="3",
                    width="100%",
                ),
                rx.hstack(
                    rx.button(
                        "Save rule",
                        type="submit",
                        aria_label=f"Save the rule of {row['name']}",
                        **permitted(State.can_administer, ADMINS_ONLY),
                    ),
                    rx.cond(
                        row["has_rule"] == "yes",
                        rx.button(
                            "Set by hand only",
                            type="button",
                            variant="soft",
                            color_scheme="gray",
                            on_click=ON.remove(row["id"]),
                            aria_label=f"Remove the rule of {row['name']}",
                            **permitted(State.can_administer, ADMINS_ONLY),
                        ),
                    ),
                    wrap="wrap",
                ),
                spacing="3",
                width="100%",
            ),
            on_submit=State.save,
            aria_label=f"Rule of {row['name']}",
            width="100%",
        ),
        width="100%",
    )


def tier_rules() -> rx.Component:
    return rx.vstack(
        rx.card(
            rx.vstack(
                rx.heading("Tier rules", as_="h2", size="4"),
                rx.text(
                    "A partner qualifies for the highest tier whose criteria all hold over the "
                    "tier's window (empty: not asked). A daily job moves partners, or suggests "
                    "the move for review on the partner card; a tier set by hand on the card "
                    "stays until cleared. A tier without a rule is set by hand only.",
                    size="2",
                    color_scheme="gray",
                ),
                rx.button(
                    "Recompute now",
                    on_click=State.recompute,
                    **permitted(State.can_administer, ADMINS_ONLY),
                ),
                spacing="3",
                width="100%",
            ),
            width="100%",
        ),
        form_error(State.error),
        rx.vstack(
            rx.foreach(State.rules, _tier_form), key=State.revision, spacing="4", width="100%"
        ),
        spacing="4",
        padding_top="1rem",
        width="100%",
        on_mount=State.load,
    )
