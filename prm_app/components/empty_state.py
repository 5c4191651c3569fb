"""What a page shows before it has anything to show."""

import reflex as rx


def empty_state(icon: str, title: str, description: str, *actions: rx.Component) -> rx.Component:
    return rx.center(
        rx.vstack(
            rx.icon(icon, size=40, color=rx.color("gray", 9), aria_hidden="true"),
            rx.heading(title, as_="h2", size="4"),
            rx.text(description, color_scheme="gray", text_align="center", max_width="36rem"),
            *actions,
            align="center",
            spacing="3",
        ),
        padding="3rem 1rem",
        width="100%",
        border=f"1px dashed {rx.color('gray', 6)}",
        border_radius="0.75rem",
    )
