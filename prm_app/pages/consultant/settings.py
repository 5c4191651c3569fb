"""/c/settings"""

import reflex as rx

from ...components.empty_state import empty_state
from ...components.shell import page_shell

TITLE = "Settings"


def page() -> rx.Component:
    return page_shell(
        TITLE,
        empty_state(
            "settings",
            "General settings",
            "Your provider types (ERP, HRM, Accounting, ...) and proficiency statuses are managed here. Your team is under Team, top right.",
        ),
    )
