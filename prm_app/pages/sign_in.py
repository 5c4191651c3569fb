"""/login"""

import reflex as rx

from .. import routes
from ..components.forms import card_form, form_error, labeled_input
from ..state.auth import AuthState
from .parts.inbox_notice import inbox_notice
from .parts.sign_in_steps import steps


def page() -> rx.Component:
    return card_form(
        "Sign in",
        "Partner Relationship Management for providers and their consultants.",
        rx.cond(
            AuthState.inbox != "",
            inbox_notice(
                "Verify your address first",
                "Open the link we mailed you, or have a new one sent, to",
                with_error=False,
            ),
        ),
        steps(
            rx.form(
                rx.vstack(
                    labeled_input("Email", "email", type="email", autocomplete="username"),
                    labeled_input(
                        "Password", "password", type="password", autocomplete="current-password"
                    ),
                    form_error(AuthState.error),
                    form_error(AuthState.step_error),
                    rx.button(
                        "Sign in",
                        type="submit",
                        width="100%",
                        size="3",
                        disabled=~AuthState.browser_ready,
                    ),
                    rx.link("Forgot password?", href=routes.FORGOT_PASSWORD, size="2"),
                    spacing="3",
                    width="100%",
                ),
                on_submit=AuthState.sign_in,
                width="100%",
            )
        ),
        rx.text(
            "New here? ",
            rx.link("Create an organization", href=routes.SIGNUP),
            size="2",
        ),
    )
