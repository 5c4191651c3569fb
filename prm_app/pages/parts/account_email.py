"""/account > Email address: a new address with the current password."""

import reflex as rx

from ...components.forms import form_error, labeled_input
from ...components.sections import section_card
from ...state.account import AccountState
from ...state.account_email import AccountEmailState as State


def email_section() -> rx.Component:
    return section_card(
        "Email address",
        rx.text("You sign in with ", rx.text.strong(AccountState.email), ".", size="2"),
        rx.form(
            rx.vstack(
                labeled_input("New email address", "new_email", type="email", autocomplete="email"),
                labeled_input(
                    "Current password",
                    "current_password",
                    type="password",
                    autocomplete="current-password",
                ),
                form_error(State.email_error),
                rx.button("Change address", type="submit"),
                spacing="3",
                width="100%",
            ),
            on_submit=State.request_change,
            reset_on_submit=True,
            width="100%",
        ),
        rx.cond(
            State.email_sent != "",
            rx.callout(State.email_sent, icon="mail", color_scheme="green", role="status"),
        ),
    )
