"""A partnership as a card: the other organization, its status, since when, and its form."""

import reflex as rx

from .buttons import danger_button


def partnership_card(
    row: rx.Var[dict], badges: rx.Component, on_end, body, *, href=None
) -> rx.Component:
    """`row` has "id", "name", "status" and "since"; `on_end` ends an active partnership;
    `href`, when given, is the partnership's own page (its timeline)."""
    active = row["status"] == "active"
    heading = rx.heading(row["name"], as_="h3", size="3")
    return rx.card(
        rx.vstack(
            rx.hstack(
                heading
                if href is None
                else rx.link(heading, href=href, aria_label=f"Details of {row['name']}"),
                badges,
                rx.spacer(),
                rx.text(f"since {row['since']}", size="1", color_scheme="gray"),
                rx.cond(
                    active,
                    danger_button(
                        "End partnership", on_end, f"End the partnership with {row['name']}"
                    ),
                ),
                width="100%",
                align="center",
                wrap="wrap",
            ),
            body,
            width="100%",
        ),
        width="100%",
        role="group",
        aria_label=row["name"],
    )
