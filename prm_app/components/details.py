"""Read-only fields of a record's page."""

import reflex as rx


def labeled_value(label: str, value: rx.Var) -> rx.Component:
    """A small label over its value ("—" when empty)."""
    return rx.vstack(
        rx.text(label, size="1", color_scheme="gray"),
        rx.text(rx.cond(value != "", value, "—"), size="2"),
        spacing="0",
    )
