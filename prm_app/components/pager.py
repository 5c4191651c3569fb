"""Previous / next through a server-side paged list."""

import reflex as rx

from ..state.leads import PAGE_SIZE


def pager(state) -> rx.Component:
    """For a state with `page`, `total` and a `turn_page(delta)` handler."""
    return rx.hstack(
        rx.button("Previous", on_click=state.turn_page(-1), disabled=state.page <= 1, size="1"),
        rx.text(f"Page {state.page} · {state.total} in all", size="2"),
        rx.button(
            "Next",
            on_click=state.turn_page(1),
            disabled=state.page * PAGE_SIZE >= state.total,
            size="1",
        ),
        align="center",
    )
