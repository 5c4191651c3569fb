"""/account, "Password" (state.account_password)."""

import reflex as rx

from ...components.forms import form_error, labeled_input, new_password
from ...components.sections import section_card
from ...services.identity.auth import PASSWORD_HINT
from ...state.account_password import AccountPasswordState as S


def password_section() -> rx.Component:
    return section_card(
        "Password",
        rx.form(
            rx.vstack(
                labeled_input(
                    "Current password, or a code from your app",
                    "current",
                    type="password",
                    autocomplete="current-password",
                ),
                new_password(f"New password ({PASSWORD_HINT})", "password"),
                new_password("New password again", "password_again"),
                form_error(S.password_error),
                rx.button("Change password", type="submit"),
                spacing="3",
                width="100%",
            ),
            on_submit=S.change_password,
            reset_on_submit=True,
            width="100%",
        ),
        rx.cond(
            S.password_saved,
            rx.text("Password changed. Your other sessions were signed out.", role="status"),
        ),
        hint="Changing it signs you out on your other devices.",
    )
