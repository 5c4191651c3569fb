"""The tier part of a partnership's page: progress towards the next tier (both sides) and, for
the provider, setting the tier by hand, the pending suggestion, certifications and history."""

from typing import Any, cast

import reflex as rx

from ...components.confirm import permitted
from ...components.tier_progress import tier_progress
from ...state.partner_tiers import CertificationRow, TierHistoryRow
from ...state.partner_tiers import PartnerTiersState as State

ON = cast(Any, State)
MANAGERS_ONLY = "Only your organization's administrators and managers can do this."


def _tier_controls() -> rx.Component:
    return rx.form(
        rx.hstack(
            rx.el.label(
                rx.text("Set the tier by hand", size="2", weight="medium"),
                rx.el.select(
                    rx.el.option("No tier", value="none"),
                    rx.foreach(State.choices, lambda t: rx.el.option(t["name"], value=t["id"])),
                    name="tier_id",
                ),
                display="flex",
                flex_direction="column",
                gap="0.25rem",
            ),
            rx.button(
                "Keep until cleared", type="submit", **permitted(State.can_manage, MANAGERS_ONLY)
            ),
            rx.cond(
                State.overridden,
                rx.button(
                    "Clear override",
                    type="button",
                    variant="soft",
                    on_click=ON.clear_override,
                    **permitted(State.can_manage, MANAGERS_ONLY),
                ),
            ),
            align="end",
            wrap="wrap",
        ),
        on_submit=ON.set_tier,
        key=State.revision,
    )


def _suggestion() -> rx.Component:
    return rx.cond(
        State.suggestion != "",
        rx.callout(
            rx.vstack(
                rx.text(f"The tier rules suggest: {State.suggestion}. {State.suggestion_figures}"),
                rx.hstack(
                    rx.button(
                        "Accept suggestion",
                        size="1",
                        on_click=ON.accept_suggestion,
                        **permitted(State.can_manage, MANAGERS_ONLY),
                    ),
                    rx.button(
                        "Dismiss",
                        size="1",
                        variant="soft",
                        on_click=ON.dismiss_suggestion,
                        **permitted(State.can_manage, MANAGERS_ONLY),
                    ),
                ),
                spacing="2",
            ),
            icon="lightbulb",
            width="100%",
        ),
    )


def _certification(row: CertificationRow) -> rx.Component:
    return rx.el.label(
        rx.hstack(
            rx.checkbox(
                checked=row["ticked"],
                on_change=lambda ticked: ON.tick(row["id"], ticked),
                aria_label=row["name"],
                **permitted(State.can_manage, MANAGERS_ONLY),
            ),
            rx.text(row["name"], size="2"),
            align="center",
        ),
    )


def _history_entry(row: TierHistoryRow) -> rx.Component:
    return rx.el.li(
        rx.text(
            rx.text.span(row["at"], color_scheme="gray"),
            " · ",
            rx.text.strong(row["change"]),
            " · ",
            row["cause"],
            " · ",
            row["who"],
            rx.cond(row["figures"] != "", rx.text.span(" · ", row["figures"])),
            size="2",
        )
    )


def _provider_card() -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.heading("Tier management", as_="h2", size="4"),
            _suggestion(),
            _tier_controls(),
            rx.cond(
                ON.certifications.length() > 0,
                rx.el.fieldset(
                    rx.el.legend("Certifications", style={"font_weight": "500"}),
                    rx.hstack(rx.foreach(State.certifications, _certification), wrap="wrap"),
                ),
            ),
            rx.heading("Tier history", as_="h3", size="3"),
            rx.cond(
                ON.history.length() > 0,
                rx.el.ol(
                    rx.foreach(State.history, _history_entry),
                    style={"padding_left": "1.25rem"},
                    aria_label="Tier history",
                ),
                rx.text("No tier changes yet.", size="2", color_scheme="gray"),
            ),
            spacing="3",
            width="100%",
        ),
        width="100%",
    )


def partner_tiers() -> rx.Component:
    return rx.cond(
        State.shown,
        rx.vstack(
            tier_progress(State.progress, State.criteria),
            rx.cond(State.on_provider_side, _provider_card()),
            spacing="4",
            width="100%",
        ),
    )
