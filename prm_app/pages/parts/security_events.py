"""/security: the organization's security events, newest first, with a kind filter and a CSV
export (admins)."""

from typing import Any

import reflex as rx

from ...components.file_links import export_button
from ...components.sections import section_card
from ...components.tables import paged_table
from ...state.security_events import EVENT_KINDS, PAGE_SIZE, SecurityEventsState

# An event handler (mypy types @rx.event handlers as the decorator's namespace).
_SET_FILTER: Any = SecurityEventsState.set_filter


def _row(event: Any) -> rx.Component:
    return rx.table.row(
        rx.table.cell(event["when"], white_space="nowrap"),
        rx.table.cell(
            rx.vstack(
                rx.text(event["what"], weight="medium"),
                rx.text(event["detail"], size="1", color_scheme="gray"),
                spacing="0",
            )
        ),
        # Addresses and browser strings may break anywhere: unbroken, they made the table
        # scroll sideways with nothing to focus, out of reach of the keyboard.
        *[
            rx.table.cell(event[key], overflow_wrap="anywhere", min_width="6rem")
            for key in ("who", "by", "address", "device")
        ],
    )


def _kind_filter() -> rx.Component:
    return rx.vstack(
        rx.el.label("Kind of event", html_for="security-kind", font_size="0.8rem"),
        rx.el.select(
            rx.el.option("All", value=""),
            *[rx.el.option(label, value=kind) for kind, label in EVENT_KINDS],
            id="security-kind",
            value=SecurityEventsState.kind,
            on_change=lambda value: _SET_FILTER("kind", value),
            style={"padding": "0.3rem", "border_radius": "0.4rem"},
        ),
        spacing="1",
    )


def section() -> rx.Component:
    return section_card(
        "Security events",
        rx.flex(
            _kind_filter(),
            rx.spacer(),
            export_button(SecurityEventsState.export_url, "security events"),
            align="end",
            gap="3",
            wrap="wrap",
            width="100%",
        ),
        rx.box(
            paged_table(
                SecurityEventsState,
                PAGE_SIZE,
                ("When", "What", "Who", "By", "Address", "Device"),
                SecurityEventsState.events,
                _row,
            ),
            overflow_x="auto",
            width="100%",
        ),
        hint="Sign-ins, failed sign-ins, revoked sessions, API keys and role changes.",
    )
