"""Buttons that are links: to the import page, and to a CSV export served by the backend; the
files an upload of a table offers."""

import reflex as rx

# What an upload of a table offers to pick: CSV or a spreadsheet (the server decides what a
# file is from its bytes, not from this).
TABLE_FILES = {
    "text/csv": [".csv"],
    "text/plain": [".txt", ".tsv"],
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": [".xlsx"],
    "application/vnd.ms-excel": [".xls"],
    "application/vnd.oasis.opendocument.spreadsheet": [".ods"],
}


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
