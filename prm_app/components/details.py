"""Read-only fields of a record's page."""

import reflex as rx


def labeled_value(label: str, value: rx.Var) -> rx.Component:
    """A small label over its value ("—" when empty)."""
    return rx.vstack(
        rx.text(label, size="1", color_scheme="gray"),
        # A long value (an email address) wraps inside its column instead of running under
        # the next one.
        rx.text(rx.cond(value != "", value, "—"), size="2", overflow_wrap="anywhere"),
        spacing="0",
        min_width="0",
    )


def timeline(events, *, empty: str | None = None, **list_props) -> rx.Component:
    """A record's timeline under its h2: each event's time, who, and what (events have "at",
    "who" and "text"); `empty`, when given, is said when there is none."""
    entries = rx.el.ol(
        rx.foreach(
            events,
            lambda e: rx.el.li(
                rx.text(
                    rx.text.span(e["at"], color_scheme="gray"),
                    " · ",
                    rx.text.strong(e["who"]),
                    " · ",
                    e["text"],
                    size="2",
                )
            ),
        ),
        style={"padding_left": "1.25rem"},
        **list_props,
    )
    if empty is not None:
        entries = rx.cond(
            events.length() > 0, entries, rx.text(empty, color_scheme="gray", size="2")
        )
    return rx.vstack(rx.heading("Timeline", as_="h2", size="4"), entries, width="100%")
