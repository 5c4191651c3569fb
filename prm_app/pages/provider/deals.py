"""/p/deals"""

import reflex as rx

from ...components.empty_state import empty_state
from ...components.shell import page_shell

TITLE = "Deals"


def page() -> rx.Component:
    return page_shell(
        TITLE,
        empty_state(
            "kanban",
            "No deals yet",
            "Deals registered by your partners or recorded by you appear here, in a list and on a live Kanban board by stage, to approve, assign and move.",
        ),
    )
