"""/c/leads"""

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
            "Leads you submit to your providers appear here: drafts you saved, and each provider's decision on the ones you sent. Submit them one by one or import a CSV.",
        ),
    )
