"""Tables of a state's rows: one header row, one body row a record, and (paged) a pager."""

from collections.abc import Callable, Sequence
from typing import Any

import reflex as rx

from .pager import pager


def header_row(headers: Sequence[str | rx.Component]) -> rx.Component:
    """The column headers; a header given as a component is used as it is."""
    return rx.table.row(
        *[h if isinstance(h, rx.Component) else rx.table.column_header_cell(h) for h in headers]
    )


def data_table(
    headers: Sequence[str | rx.Component],
    rows,
    row: Callable[[Any], rx.Component],
    **props,
) -> rx.Component:
    """`row` renders one item of the state list var `rows`; `props` style the table root.

    On a phone a wide table scrolls inside its box, its first column held in view (app.css).
    """
    return rx.table.root(
        rx.table.header(header_row(headers)),
        rx.table.body(rx.foreach(rows, row)),
        class_name="prm-table",
        **props,
    )


def titled_table(
    title: str,
    headers: Sequence[str | rx.Component],
    rows,
    row: Callable[[Any], rx.Component],
    *,
    empty: str,
    **props,
) -> rx.Component:
    """A section headed by an h2: the table of the state list var `rows`, or `empty` when it
    has none; `props` (an id, say) go to the table."""
    return rx.vstack(
        rx.heading(title, as_="h2", size="4"),
        rx.cond(
            rows.length() > 0,
            data_table(headers, rows, row, width="100%", **props),
            rx.text(empty, size="2"),
        ),
        width="100%",
        overflow_x="auto",
    )


def paged_table(
    state,
    page_size: int,
    headers: Sequence[str | rx.Component],
    rows,
    row: Callable[[Any], rx.Component],
) -> rx.Component:
    """A full-width surface table of one page of a server-side list, with its pager below."""
    return rx.vstack(
        data_table(headers, rows, row, width="100%", variant="surface"),
        pager(state, page_size),
        width="100%",
    )
