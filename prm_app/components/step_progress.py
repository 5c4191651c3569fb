"""A long step's progress: what it is doing, a bar, the time left and a Cancel button."""

from typing import Any

import reflex as rx


def step_progress(
    busy: Any, label: Any, percent: Any, time_left: Any, on_cancel: Any
) -> rx.Component:
    """Shown while `busy` (a bool var); `label` and `time_left` are text vars, `percent` 0-100;
    `on_cancel` stops the step."""
    return rx.cond(
        busy,
        rx.vstack(
            rx.text(label, size="2", role="status"),
            rx.progress(value=percent, max=100, width="100%", aria_label="Progress"),
            rx.hstack(
                rx.text(time_left, size="1", color_scheme="gray"),
                rx.button(
                    "Cancel", size="1", variant="soft", color_scheme="red", on_click=on_cancel
                ),
                justify="between",
                align="center",
                width="100%",
            ),
            width="100%",
            spacing="1",
        ),
    )
