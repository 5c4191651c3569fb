"""/forgot-password and /reset-password?token=...: choosing a new password by a mailed link."""

import reflex as rx

from .. import routes
from ..components.forms import card_form, form_error, labeled_input, new_password
from ..services.identity.auth import PASSWORD_HINT
from ..state.password_reset import PasswordResetState as S


def forgot_page() -> rx.Component:
    return card_form(
        "Forgot your password?",
        "Enter the address you sign in with: we mail it a link to choose a new password.",
        rx.cond(
            S.sent != "",
            rx.callout(S.sent, icon="mail", color_scheme="green", role="status", width="100%"),
            rx.form(
                rx.vstack(
                    labeled_input("Email", "email", type="email", autocomplete="username"),
                    form_error(S.error),
                    rx.button("Send me a link", type="submit", width="100%", size="3"),
                    spacing="3",
                    width="100%",
                ),
                on_submit=S.request_link,
                width="100%",
            ),
        ),
        rx.link("Back to sign in", href=routes.LOGIN, size="2"),
    )


def _new_password_form() -> rx.Component:
    return rx.form(
        rx.vstack(
            rx.text("For ", rx.text.strong(S.reset_email), size="2"),
            new_password(f"New password ({PASSWORD_HINT})", "password"),
            new_password("New password again", "password_again"),
            form_error(S.error),
            rx.button("Set the new password", type="submit", width="100%", size="3"),
            spacing="3",
            width="100%",
        ),
        on_submit=S.set_new_password,
        width="100%",
    )


def reset_page() -> rx.Component:
    return card_form(
        "Choose a new password",
        "You will be signed out everywhere, then sign in with the new password.",
        rx.cond(
            S.done,
            rx.vstack(
                rx.callout(
                    "Your password is set. Sign in with it.",
                    icon="check",
                    color_scheme="green",
                    role="status",
                    width="100%",
                ),
                rx.link("Sign in", href=routes.LOGIN),
            ),
            rx.cond(
                S.link_error != "",
                rx.vstack(
                    form_error(S.link_error),
                    rx.link("Ask for a new link", href=routes.FORGOT_PASSWORD),
                ),
                _new_password_form(),
            ),
        ),
    )
