"""Previous / next through a server-side paged list."""

import reflex as rx


def pager(page: rx.Var, total: rx.Var, page_size: int, *, previous, following) -> rx.Component:
    """Page `page` of `total` rows, `page_size` a page; the handlers turn back and forth."""
    return rx.hstack(
        rx.button("Previous", on_click=previous, disabled=page <= 1, size="1"),
        rx.text(f"Page {page} · {total} in all", size="2"),
        rx.button("Next", on_click=following, disabled=page * page_size >= total, size="1"),
        align="center",
    )
