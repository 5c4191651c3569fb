"""The "check your inbox" panel of sign-up and sign-in, with its Resend button."""

import reflex as rx

from ...components.forms import form_error
from ...state.auth import AuthState


def inbox_notice(heading: str, text: str, *, with_error: bool = True) -> rx.Component:
    """`heading`, then `text` followed by the address the link went to, and Resend (with the
    form's error when the page shows no form)."""
    return rx.vstack(
        rx.callout.root(
            rx.callout.icon(rx.icon("mail")),
            rx.vstack(
                rx.text(heading, weight="bold"),
                rx.callout.text(f"{text} ", rx.text.strong(AuthState.inbox), "."),
                spacing="1",
            ),
            color_scheme="blue",
            role="status",
            width="100%",
        ),
        form_error(AuthState.error) if with_error else rx.fragment(),
        rx.cond(AuthState.resent != "", rx.text(AuthState.resent, size="2", role="status")),
        rx.button(
            "Resend the link",
            on_click=AuthState.resend_verification,
            variant="soft",
            width="100%",
        ),
        spacing="3",
        width="100%",
    )
