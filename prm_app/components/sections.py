"""The parts a page is made of: titled cards and tabs."""

import reflex as rx


def section_card(
    title, *children: rx.Component, hint: str | None = None, spacing: str = "3", **props
) -> rx.Component:
    """A full-width card headed by an h2 (and a grey `hint` under it); `props` go to the card."""
    return rx.card(
        rx.vstack(
            rx.heading(title, as_="h2", size="4"),
            *([] if hint is None else [rx.text(hint, size="2", color_scheme="gray")]),
            *children,
            spacing=spacing,
            width="100%",
        ),
        width="100%",
        **props,
    )


def tabbed(*tabs: tuple[str, str, rx.Component]) -> rx.Component:
    """Tabs of (label, value, content), the first one open."""
    return rx.tabs.root(
        rx.tabs.list(*[rx.tabs.trigger(label, value=value) for label, value, _ in tabs]),
        *[
            rx.tabs.content(rx.box(content, padding_top="1rem"), value=value)
            for _, value, content in tabs
        ],
        default_value=tabs[0][1],
        width="100%",
    )
