"""/verify-email?token=...: confirm an address with the mailed link."""

import reflex as rx

from .. import routes
from ..components.forms import card_form, form_error, labeled_input
from ..state.verification import VerifyEmailState as State


def _confirm() -> rx.Component:
    return rx.vstack(
        rx.text(
            "Confirm that ",
            rx.text.strong(State.email),
            f" is the address of {State.person}",
            rx.cond(State.organization != "", f" at {State.organization}", ""),
            ".",
        ),
        form_error(State.error),
        rx.button("Confirm my address", on_click=State.confirm, width="100%", size="3"),
        spacing="3",
        width="100%",
    )


def _done() -> rx.Component:
    return rx.vstack(
        rx.callout(State.done_text, icon="circle-check", color_scheme="green", role="status"),
        rx.link(rx.button("Sign in", width="100%", size="3"), href=routes.LOGIN, width="100%"),
        spacing="3",
        width="100%",
    )


def _invalid() -> rx.Component:
    return rx.vstack(
        form_error(State.error),
        rx.text("Get a new link: enter the address you signed up with.", size="2"),
        rx.form(
            rx.vstack(
                labeled_input("Email", "email", type="email", autocomplete="email"),
                rx.button("Send a new link", type="submit", width="100%"),
                spacing="3",
                width="100%",
            ),
            on_submit=State.request_link,
            width="100%",
        ),
        rx.cond(State.sent != "", rx.text(State.sent, size="2", role="status")),
        rx.link("Go to sign in", href=routes.LOGIN, size="2"),
        spacing="3",
        width="100%",
    )


def page() -> rx.Component:
    return card_form(
        "Confirm your email address",
        "One click proves the address is yours.",
        rx.match(
            State.step,
            ("confirm", _confirm()),
            ("done", _done()),
            ("invalid", _invalid()),
            rx.spinner(aria_label="Loading"),
        ),
    )
