"""/c/referrals"""

import reflex as rx

from ...components.empty_state import empty_state
from ...components.shell import page_shell

TITLE = "Referrals"


def page() -> rx.Component:
    return page_shell(
        TITLE,
        empty_state(
            "handshake",
            "No referrals yet",
            "Referrals your providers send you appear here. You see the company and a summary until you open or accept one; then its contact details.",
        ),
    )
