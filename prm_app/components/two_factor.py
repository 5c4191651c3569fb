"""What enrolling a second factor shows: the QR code, the secret to type by hand, a field for
the code, and the recovery codes (shown once). Used by the sign-in steps and the account page."""

import reflex as rx

from .forms import form_error


def code_input(label: str, *, name: str = "code", one_time: bool = True) -> rx.Component:
    return rx.vstack(
        rx.el.label(label, html_for=name, font_size="0.875rem", font_weight="500"),
        rx.input(
            id=name,
            name=name,
            required=True,
            auto_complete="one-time-code" if one_time else "off",
            max_length=40,
            width="100%",
        ),
        spacing="1",
        width="100%",
    )


def enrol_form(qr, secret, error, on_submit, *, submit: str = "Turn on") -> rx.Component:
    """Scan (or type) the secret, then confirm with a code from the app."""
    return rx.vstack(
        rx.text(
            "Scan this QR code with an authenticator app (for example Google Authenticator, "
            "1Password or Aegis), then enter the 6-digit code it shows.",
            size="2",
        ),
        rx.image(
            src=qr,
            alt="QR code with the secret for your authenticator app",
            width="12rem",
            height="12rem",
        ),
        rx.text("Or type this key into the app:", size="2"),
        rx.code(secret, id="totp-secret", word_break="break-all"),
        rx.form(
            rx.vstack(
                code_input("Code from your app", name="enrol_code"),
                form_error(error),
                rx.button(submit, type="submit"),
                spacing="3",
                width="100%",
            ),
            on_submit=on_submit,
            reset_on_submit=True,
            width="100%",
        ),
        spacing="3",
        width="100%",
    )


def recovery_codes(codes) -> rx.Component:
    """The ten recovery codes, shown this once."""
    return rx.vstack(
        rx.callout(
            "Save these recovery codes somewhere safe (a password manager, or printed). Each one "
            "signs you in once if you lose your phone. They are shown only now.",
            icon="key-round",
            color_scheme="amber",
            width="100%",
        ),
        rx.el.ul(
            rx.foreach(codes, lambda c: rx.el.li(rx.code(c, size="3"))),
            id="recovery-codes",
            aria_label="Recovery codes",
            style={"columns": "2", "list_style": "none", "padding": "0", "margin": "0"},
        ),
        spacing="3",
        width="100%",
    )
