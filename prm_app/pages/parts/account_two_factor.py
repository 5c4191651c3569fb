"""/account, "Two-factor sign-in" (state.account_two_factor)."""

import reflex as rx

from ...components.forms import form_error, labeled_input
from ...components.sections import section_card
from ...components.two_factor import enrol_form, recovery_codes
from ...state.account_two_factor import AccountTwoFactorState as S


def _proof_form(on_submit, button: str, label: str, name: str, **props) -> rx.Component:
    return rx.form(
        rx.hstack(
            rx.box(
                labeled_input(
                    label,
                    name,
                    type="password",
                    autocomplete="current-password",
                ),
                flex="1",
                min_width="12rem",
            ),
            rx.button(button, type="submit", **props),
            align="end",
            wrap="wrap",
            width="100%",
        ),
        on_submit=on_submit,
        reset_on_submit=True,
        width="100%",
    )


def _new_codes_form() -> rx.Component:
    return _proof_form(
        S.new_codes,
        "New recovery codes",
        "Password or a code from your app",
        "codes_proof",
        variant="soft",
    )


def _on() -> rx.Component:
    return rx.vstack(
        rx.hstack(
            rx.badge("On", color_scheme="green"),
            rx.text(S.tf_codes_left, " recovery codes left.", size="2"),
            align="center",
        ),
        rx.cond(
            S.tf_codes.length() > 0,
            rx.vstack(
                recovery_codes(S.tf_codes),
                rx.button("I saved them", variant="soft", on_click=S.hide_codes),
                width="100%",
            ),
        ),
        rx.text(
            "New recovery codes replace the old ones. Turning two-factor sign-in off "
            "removes the app's secret and the codes.",
            size="2",
            color_scheme="gray",
        ),
        rx.cond(
            S.tf_required,
            rx.vstack(
                _new_codes_form(),
                rx.text(
                    "Your organization requires two-factor sign-in: it cannot be turned off.",
                    size="2",
                ),
                width="100%",
            ),
            rx.vstack(
                _new_codes_form(),
                rx.el.details(
                    rx.el.summary("Turn two-factor sign-in off"),
                    _proof_form(
                        S.turn_off,
                        "Turn off",
                        "Password or a code, to turn it off",
                        "off_proof",
                        color_scheme="red",
                    ),
                ),
                width="100%",
            ),
        ),
        spacing="3",
        width="100%",
    )


def _off() -> rx.Component:
    return rx.cond(
        S.tf_secret != "",
        rx.vstack(
            enrol_form(S.tf_qr, S.tf_secret, "", S.confirm),
            rx.button("Cancel", variant="ghost", on_click=S.cancel),
            width="100%",
        ),
        rx.vstack(
            rx.text(
                "Off. With it on, signing in also asks for a code from an app on your phone.",
                size="2",
            ),
            rx.cond(
                S.tf_required,
                rx.callout(
                    "Your organization requires it: you will be asked to set it up when you "
                    "next sign in.",
                    icon="shield-alert",
                    width="100%",
                ),
            ),
            rx.form(
                rx.hstack(
                    rx.box(
                        labeled_input(
                            "Your password",
                            "tf_password",
                            type="password",
                            autocomplete="current-password",
                        ),
                        flex="1",
                        min_width="12rem",
                    ),
                    rx.button("Set up two-factor sign-in", type="submit"),
                    align="end",
                    wrap="wrap",
                    width="100%",
                ),
                on_submit=S.begin,
                reset_on_submit=True,
                width="100%",
            ),
            width="100%",
        ),
    )


def two_factor_section() -> rx.Component:
    return section_card(
        "Two-factor sign-in",
        rx.cond(S.tf_enabled, _on(), _off()),
        form_error(S.tf_error),
    )
