"""Progress towards the next partner tier (services.tiers.progress): the current tier, the next
one, and each of its criteria with the current figure, the minimum and whether it is met."""

from typing import Any

import reflex as rx


def tier_progress(progress: Any, criteria: Any) -> rx.Component:
    """`progress` holds "current_tier", "next_tier", "window_days", "overridden" ("yes"/"");
    `criteria` rows hold "label", "current", "needed", "met" ("yes"/"")."""
    rows = rx.el.ul(
        rx.foreach(
            criteria,
            lambda c: rx.el.li(
                rx.hstack(
                    rx.icon(
                        rx.cond(c["met"] == "yes", "circle-check", "circle"),
                        size=16,
                        color=rx.cond(c["met"] == "yes", "var(--green-9)", "var(--gray-9)"),
                        aria_hidden="true",
                    ),
                    rx.text(
                        rx.text.strong(c["label"]),
                        f": {c['current']} of {c['needed']}",
                        rx.cond(c["met"] == "yes", " (met)", " (not yet)"),
                        size="2",
                    ),
                    align="center",
                ),
            ),
        ),
        style={"list_style": "none", "padding_left": "0"},
        aria_label="Criteria of the next tier",
    )
    return rx.card(
        rx.vstack(
            rx.heading("Tier", as_="h2", size="4"),
            rx.text(
                "Current tier: ",
                rx.text.strong(progress["current_tier"]),
                rx.cond(progress["overridden"] == "yes", " (set by hand)", ""),
                size="2",
            ),
            rx.cond(
                progress["next_tier"] != "",
                rx.vstack(
                    rx.text(
                        f"Towards {progress['next_tier']}, over the last "
                        f"{progress['window_days']} days:",
                        size="2",
                    ),
                    rows,
                    spacing="1",
                    width="100%",
                ),
                rx.text("No higher tier to reach by the rules.", size="2", color_scheme="gray"),
            ),
            spacing="2",
            width="100%",
        ),
        width="100%",
    )
