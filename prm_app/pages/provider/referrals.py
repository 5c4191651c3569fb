"""/p/referrals"""

import reflex as rx

from ...components.empty_state import empty_state
from ...components.shell import page_shell

TITLE = "Referrals"


def page() -> rx.Component:
    return page_shell(
        TITLE,
        empty_state(
            "send",
            "No referrals yet",
            "Referrals you send to your partners appear here with each partner's response: opened, accepted, rejected, converted or lost.",
        ),
    )
