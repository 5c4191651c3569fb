"""/c/providers"""

import reflex as rx

from ...components.empty_state import empty_state
from ...components.shell import page_shell

TITLE = "My Providers"


def page() -> rx.Component:
    return page_shell(
        TITLE,
        empty_state(
            "building-2",
            "No providers yet",
            "Software providers you partner with appear here, with their invitations to accept or reject. Categorize each provider and assign it to a colleague.",
        ),
    )
