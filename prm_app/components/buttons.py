"""Small buttons that act on one row of a list; the aria-label names the row."""

import reflex as rx


def row_button(label: str, on_click, aria_label, **props) -> rx.Component:
    return rx.button(label, on_click=on_click, aria_label=aria_label, size="1", **props)
