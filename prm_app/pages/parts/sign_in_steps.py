"""/login after a right password: the second factor, or enrolling the one the organization
requires (state.sign_in_steps)."""

import reflex as rx

from ...components.forms import form_error
from ...components.two_factor import code_input, enrol_form, recovery_codes
from ...state.auth import AuthState


def _back() -> rx.Component:
    return rx.button(
        "Back to sign in", type="button", variant="ghost", on_click=AuthState.cancel_sign_in
    )


def _code_step() -> rx.Component:
    return rx.vstack(
        rx.heading("Two-factor sign-in", as_="h2", size="4"),
        rx.form(
            rx.vstack(
                code_input("Code from your app, or a recovery code"),
                form_error(AuthState.step_error),
                rx.button("Verify", type="submit", width="100%", size="3"),
                spacing="3",
                width="100%",
            ),
            on_submit=AuthState.submit_code,
            reset_on_submit=True,
            width="100%",
        ),
        _back(),
        spacing="3",
        width="100%",
    )


def _enrol_step() -> rx.Component:
    return rx.vstack(
        rx.heading("Set up two-factor sign-in", as_="h2", size="4"),
        rx.text(
            "Your organization requires a second step at sign-in. Set it up now to continue.",
            size="2",
        ),
        enrol_form(
            AuthState.enrol_qr,
            AuthState.enrol_secret,
            AuthState.step_error,
            AuthState.confirm_enrolment,
            submit="Turn on and continue",
        ),
        _back(),
        spacing="3",
        width="100%",
    )


def _codes_step() -> rx.Component:
    return rx.vstack(
        rx.heading("Two-factor sign-in is on", as_="h2", size="4"),
        recovery_codes(AuthState.recovery_codes),
        form_error(AuthState.step_error),
        rx.button(
            "I saved my recovery codes: continue",
            on_click=AuthState.finish_sign_in,
            width="100%",
            size="3",
        ),
        spacing="3",
        width="100%",
    )


def steps(password_form: rx.Component) -> rx.Component:
    """The password form, or the step that follows it."""
    return rx.match(
        AuthState.step,
        ("code", _code_step()),
        ("enrol", _enrol_step()),
        ("codes", _codes_step()),
        password_form,
    )
