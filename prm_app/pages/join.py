"""/join?token=...: a colleague accepts an admin's invitation."""

import reflex as rx

from .. import routes
from ..components.forms import card_form, form_error, labeled_input, new_password
from ..services.identity.auth import PASSWORD_HINT
from ..state.auth import AuthState


def page() -> rx.Component:
    return card_form(
        "Join your team",
        rx.cond(
            AuthState.invite_org != "",
            f"{AuthState.invite_org} invites {AuthState.invite_email} as {AuthState.invite_role}.",
            "Open the invitation link you were sent.",
        ),
        rx.cond(
            AuthState.invite_org != "",
            rx.form(
                rx.vstack(
                    labeled_input("Your name", "name", autocomplete="name"),
                    new_password(f"Password ({PASSWORD_HINT})", "password"),
                    new_password("Password again", "password_again"),
                    form_error(AuthState.error),
                    rx.button(
                        "Join",
                        type="submit",
                        width="100%",
                        size="3",
                        disabled=~AuthState.browser_ready,
                    ),
                    spacing="3",
                    width="100%",
                ),
                on_submit=AuthState.accept_invite,
                width="100%",
            ),
            rx.vstack(form_error(AuthState.error), rx.link("Go to sign in", href=routes.LOGIN)),
        ),
    )
