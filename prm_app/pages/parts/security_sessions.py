"""/security: how long the organization's sessions last (admins)."""

from typing import Any

import reflex as rx

from ...components.forms import form_error, labeled_input
from ...components.sections import section_card
from ...state.security_sessions import SecuritySessionsState

# A state var (mypy sees the class attribute's plain type).
_ERROR: Any = SecuritySessionsState.lifetimes_error


def section() -> rx.Component:
    return section_card(
        "Sessions",
        rx.form(
            rx.flex(
                rx.box(
                    labeled_input(
                        "Sign out after inactivity (minutes, 5 to 1440)",
                        "idle_minutes",
                        type="number",
                        min=5,
                        max=1440,
                        default_value=SecuritySessionsState.idle_minutes,
                        key=SecuritySessionsState.idle_minutes,
                    ),
                    flex="1",
                    min_width="14rem",
                ),
                rx.box(
                    labeled_input(
                        "Longest session (days, 1 to 90)",
                        "max_days",
                        type="number",
                        min=1,
                        max=90,
                        default_value=SecuritySessionsState.max_days,
                        key=SecuritySessionsState.max_days,
                    ),
                    flex="1",
                    min_width="14rem",
                ),
                rx.button("Save session lifetimes", type="submit"),
                gap="3",
                align="end",
                wrap="wrap",
                width="100%",
            ),
            on_submit=SecuritySessionsState.save,
            width="100%",
        ),
        form_error(_ERROR),
        hint=(
            "A session ends after this long without use, and at the latest this many days "
            "after signing in. Changes apply to sessions already open."
        ),
    )
