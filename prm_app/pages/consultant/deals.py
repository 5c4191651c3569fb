"""/c/deals"""

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
            "Deals you registered with your providers appear here, in a list and on a Kanban board by stage, with their approval and protection status.",
        ),
    )
