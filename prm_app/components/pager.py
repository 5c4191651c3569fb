"""Previous / next through a server-side paged list."""

import reflex as rx


def pager(state, page_size: int, *, previous=None, following=None) -> rx.Component:
    """For a state with `page` and `total`, `page_size` rows a page; it turns pages with its
    `turn_page(delta)` handler unless given the two handlers."""
    page, total = state.page, state.total
    return rx.hstack(
        rx.button(
            "Previous",
            on_click=previous if previous is not None else state.turn_page(-1),
            disabled=page <= 1,
            size="1",
        ),
        rx.text(f"Page {page} · {total} in all", size="2"),
        rx.button(
            "Next",
            on_click=following if following is not None else state.turn_page(1),
            disabled=page * page_size >= total,
            size="1",
        ),
        align="center",
    )
