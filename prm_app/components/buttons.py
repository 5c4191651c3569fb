"""Small buttons that act on one row of a list; the aria-label names the row."""

import reflex as rx


def row_button(label: str, on_click, aria_label, **props) -> rx.Component:
    return rx.button(label, on_click=on_click, aria_label=aria_label, size="1", **props)


def danger_button(label: str, on_click, aria_label, **props) -> rx.Component:
    """Red and quiet: removes, revokes, deletes or ends what its aria-label names."""
    return row_button(label, on_click, aria_label, variant="ghost", color_scheme="red", **props)
