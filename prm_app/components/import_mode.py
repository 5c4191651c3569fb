"""The import's mode (create, update or both) and match key, and the updates' before/after."""

from typing import Any

import reflex as rx

from .tables import data_table

_SELECT = {"padding": "0.3rem", "border_radius": "0.4rem", "max_width": "100%"}


def mode_choice(
    *,
    modes: dict[str, str],
    mode: Any,
    match_key: Any,
    keys: Any,
    on_mode: Any,
    on_key: Any,
    disabled: Any,
) -> rx.Component:
    """Create records, update existing ones or both; in update modes, what rows match on."""
    return rx.hstack(
        rx.vstack(
            rx.el.label("Rows", html_for="import-mode", font_size="0.875rem", font_weight="500"),
            rx.el.select(
                *(rx.el.option(name, value=key) for key, name in modes.items()),
                id="import-mode",
                value=mode,
                on_change=on_mode,
                disabled=disabled,
                style=_SELECT,
            ),
            spacing="1",
        ),
        rx.cond(
            mode != "create",
            rx.vstack(
                rx.el.label(
                    "Match existing records on",
                    html_for="import-match-key",
                    font_size="0.875rem",
                    font_weight="500",
                ),
                rx.el.select(
                    rx.foreach(keys, lambda k: rx.el.option(k["name"], value=k["id"])),
                    id="import-match-key",
                    value=match_key,
                    on_change=on_key,
                    disabled=disabled,
                    style=_SELECT,
                ),
                spacing="1",
            ),
        ),
        rx.cond(
            mode != "create",
            rx.text(
                "Columns left out and empty cells keep a record's values; only drafts and open "
                "deals you may edit are updated.",
                size="1",
                color_scheme="gray",
            ),
        ),
        spacing="4",
        wrap="wrap",
        align="end",
    )


def changes_table(changes: Any) -> rx.Component:
    """The first updated records' changed fields, before and after."""
    return rx.el.section(
        rx.heading("Changes to existing records", as_="h3", size="3"),
        data_table(
            ("Row", "Record", "Field", "Before", "After"),
            changes,
            lambda c: rx.table.row(
                rx.table.cell(c["row"]),
                rx.table.cell(c["record"]),
                rx.table.cell(c["field"]),
                rx.table.cell(c["before"]),
                rx.table.cell(c["after"]),
            ),
            width="100%",
            size="1",
        ),
        aria_label="Changes to existing records",
        overflow_x="auto",
        width="100%",
    )
