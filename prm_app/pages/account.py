"""/account: the caller's own sign-in, one section per concern."""

import reflex as rx

from ..components.sections import section_card
from ..state.account import AccountState
from .parts import account_sessions
from .parts.account_email import email_section
from .parts.account_password import password_section
from .parts.account_two_factor import two_factor_section
from .parts.shell import page_shell

TITLE = "Account and security"


def _profile() -> rx.Component:
    return section_card(
        "You",
        rx.text(AccountState.user_name, weight="medium"),
        rx.text(AccountState.email, size="2", color_scheme="gray"),
    )


def page() -> rx.Component:
    return page_shell(
        TITLE,
        rx.vstack(
            _profile(),
            email_section(),
            password_section(),
            two_factor_section(),
            account_sessions.section(),
            spacing="4",
            width="100%",
            max_width="48rem",
        ),
    )
