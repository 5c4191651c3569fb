"""/account: "Where you're signed in", with a Revoke button on every other session."""

from typing import Any

import reflex as rx

from ...components.confirm import confirm_button
from ...components.sections import section_card
from ...components.tables import data_table
from ...state.account_sessions import AccountSessionsState

# An event handler (mypy types @rx.event handlers as the decorator's namespace).
_REVOKE: Any = AccountSessionsState.revoke


def _row(item: Any) -> rx.Component:
    this_browser = item["current"] == "yes"
    return rx.table.row(
        rx.table.cell(
            rx.vstack(
                rx.text(item["device"], weight="medium"),
                rx.cond(this_browser, rx.badge("This browser", color_scheme="green")),
                spacing="1",
            )
        ),
        rx.table.cell(item["address"]),
        rx.table.cell(item["started"]),
        rx.table.cell(item["last_seen"]),
        rx.table.cell(
            rx.cond(
                this_browser,
                rx.text("Use Sign out", size="1", color_scheme="gray"),
                confirm_button(
                    "Revoke",
                    aria_label=f"Revoke the session of {item['device']} from {item['address']}",
                    title="Revoke this session?",
                    description=f"{item['device']} at {item['address']} is signed out at once; "
                    "whoever uses it must sign in again with your password.",
                    confirm_label="Revoke session",
                    on_confirm=_REVOKE(item["id"]),
                ),
            )
        ),
    )


def section() -> rx.Component:
    return section_card(
        "Where you're signed in",
        rx.box(
            data_table(
                ("Device", "Address", "Signed in", "Last seen", ""),
                AccountSessionsState.open_sessions,
                _row,
                width="100%",
                variant="surface",
            ),
            overflow_x="auto",
            width="100%",
        ),
        hint="Revoke a session you do not recognize: that browser is signed out at once.",
        id="sessions",
    )
