"""/p/partners"""

import reflex as rx

from ...components.empty_state import empty_state
from ...components.shell import page_shell

TITLE = "Partners"


def page() -> rx.Component:
    return page_shell(
        TITLE,
        empty_state(
            "users",
            "No partners yet",
            "Consultant firms you recruit appear here: invitations with their status, and active partners with their type, status, tier, group and partner manager.",
        ),
    )
