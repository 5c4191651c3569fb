"""/signup: a new provider or consultant organization and its first admin."""

import reflex as rx

from .. import routes
from ..components.forms import card_form, form_error, labeled_input, new_password
from ..services.identity.auth import PASSWORD_HINT
from ..state.auth import AuthState
from .parts.inbox_notice import inbox_notice


def _kind_option(value: str, label: str, hint: str) -> rx.Component:
    return rx.el.label(
        rx.hstack(
            rx.el.input(type="radio", name="kind", value=value, id=f"kind-{value}", required=True),
            rx.vstack(
                rx.text(label, weight="medium", size="2"),
                rx.text(hint, size="1", color_scheme="gray"),
                spacing="0",
            ),
            align="start",
        ),
        html_for=f"kind-{value}",
        padding="0.75rem",
        border=f"1px solid {rx.color('gray', 6)}",
        border_radius="0.5rem",
        width="100%",
        cursor="pointer",
    )


def page() -> rx.Component:
    return card_form(
        "Create your organization",
        "You become its administrator and can invite colleagues afterwards.",
        rx.cond(
            AuthState.partner_invite_from != "",
            rx.callout(
                f"{AuthState.partner_invite_from} invites you into its partner program. Create your "
                "consulting firm's account with the invited address and confirm it: the "
                "invitation then waits for you under My Providers.",
                icon="handshake",
                color_scheme="green",
            ),
        ),
        rx.cond(
            AuthState.inbox != "",
            inbox_notice(
                "Check your inbox",
                "Open the link we sent to finish creating your organization: we sent it to",
            ),
            _form(),
        ),
        rx.text("Already have an account? ", rx.link("Sign in", href=routes.LOGIN), size="2"),
    )


def _form() -> rx.Component:
    return rx.form(
        rx.vstack(
            rx.cond(
                AuthState.partner_invite_from != "",
                rx.el.input(type="hidden", name="kind", value="consultant"),
                _kind_fieldset(),
            ),
            labeled_input("Organization name", "org_name", autocomplete="organization"),
            labeled_input("Your name", "name", autocomplete="name"),
            rx.box(
                labeled_input(
                    "Email",
                    "email",
                    type="email",
                    autocomplete="email",
                    default_value=AuthState.invite_email,
                ),
                key=AuthState.invite_email,
                width="100%",
            ),
            new_password(f"Password ({PASSWORD_HINT})", "password"),
            form_error(AuthState.error),
            rx.button(
                "Create organization",
                type="submit",
                width="100%",
                size="3",
                disabled=~AuthState.browser_ready,
            ),
            spacing="3",
            width="100%",
        ),
        on_submit=AuthState.sign_up,
        width="100%",
    )


def _kind_fieldset() -> rx.Component:
    return rx.el.fieldset(
        rx.el.legend("Your organization is", font_size="0.875rem", font_weight="500"),
        rx.vstack(
            _kind_option(
                "provider",
                "A software provider",
                "You recruit partners, send referrals and approve deals.",
            ),
            _kind_option(
                "consultant",
                "A consultant firm",
                "You resell or implement providers' software and submit leads.",
            ),
            width="100%",
        ),
        border="none",
        padding="0",
        margin="0",
        width="100%",
    )
