"""The scorecard's parts: a figure that opens to its records, and the dialog listing them."""

from typing import Any

import reflex as rx

from .tables import data_table


def figure_button(
    text: Any, count: Any, on_click: Any, aria_label: Any, **props: Any
) -> rx.Component:
    """A figure and how many records it counts; pressing it lists them (`props`: e.g.
    components.confirm.permitted's)."""
    return rx.button(
        rx.vstack(
            rx.text(text, weight="bold", size="3"),
            rx.text(count, size="1", color_scheme="gray"),
            spacing="0",
            align="start",
        ),
        on_click=on_click,
        aria_label=aria_label,
        variant="ghost",
        height="auto",
        padding="0.25rem 0.5rem",
        **props,
    )


def sort_header(label: str, column: str, sort_by: Any, descending: Any, on_sort: Any):
    """A column header that sorts the table by its column (again: the other way round)."""
    active = sort_by == column
    return rx.table.column_header_cell(
        rx.button(
            label,
            rx.cond(
                active,
                rx.icon(rx.cond(descending, "arrow-down", "arrow-up"), size=14),
                rx.fragment(),
            ),
            on_click=on_sort(column),
            variant="ghost",
            size="1",
            aria_label=f"Sort by {label.lower()}",
        ),
        aria_sort=rx.cond(active, rx.cond(descending, "descending", "ascending"), "none"),
    )


def drill_dialog(state: Any) -> rx.Component:
    """The records behind the figure last pressed (state: ScorecardState), each a link."""

    def row(item: Any) -> rx.Component:
        return rx.table.row(
            rx.table.cell(rx.link(item["title"], href=item["link"])),
            rx.table.cell(item["partner"]),
            rx.table.cell(item["started"]),
            rx.table.cell(item["ended"]),
            rx.table.cell(item["took"]),
            rx.table.cell(item["status"]),
        )

    return rx.dialog.root(
        rx.dialog.content(
            rx.dialog.title(state.drill_label),
            rx.dialog.description(
                rx.cond(state.drill_note != "", state.drill_note, "Most recent first."),
                size="2",
                color_scheme="gray",
            ),
            rx.cond(
                state.drill_rows.length() > 0,
                rx.box(
                    data_table(
                        ["Record", "Partner", "From", "To", "Took", "Status"],
                        state.drill_rows,
                        row,
                        width="100%",
                    ),
                    max_height="60vh",
                    overflow="auto",
                ),
                rx.text("No records you may see.", size="2"),
            ),
            rx.cond(
                state.drill_more,
                rx.text("Only the most recent 200 are listed.", size="1", color_scheme="gray"),
                rx.fragment(),
            ),
            rx.flex(
                rx.dialog.close(rx.button("Close", variant="soft", on_click=state.close_drill)),
                justify="end",
                margin_top="1rem",
            ),
            max_width="min(60rem, 95vw)",
        ),
        open=state.drill_open,
        on_open_change=state.close_drill,
    )
