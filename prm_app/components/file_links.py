"""Buttons that are links: to the import page, and to a CSV export served by the backend."""

import reflex as rx


def import_button(href: str) -> rx.Component:
    return rx.button(
        rx.link(rx.icon("file-up", size=16, aria_hidden="true"), "Import CSV", href=href),
        as_child=True,
        variant="soft",
    )


def export_button(href: rx.Var[str], noun: str) -> rx.Component:
    """A plain anchor: the file comes from the backend, not from a page of the app."""
    return rx.button(
        rx.el.a(
            rx.icon("file-down", size=16, aria_hidden="true"),
            "Export CSV",
            href=href,
            download=True,
            aria_label=f"Export these {noun} as CSV",
        ),
        as_child=True,
        variant="soft",
    )
