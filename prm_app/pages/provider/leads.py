"""/p/leads"""

import reflex as rx

from ...components.empty_state import empty_state
from ...components.shell import page_shell

TITLE = "Leads"


def page() -> rx.Component:
    return page_shell(
        TITLE,
        empty_state(
            "inbox",
            "No leads yet",
            "Leads your partners submit appear here to accept or reject, then to work through your lead stages and convert into deals.",
        ),
    )
