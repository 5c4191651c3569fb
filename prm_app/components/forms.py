"""Form building blocks: every control has a visible label; errors are announced."""

import reflex as rx


def labeled_input(
    label: str,
    name: str,
    *,
    type: str = "text",
    autocomplete: str = "off",
    required: bool = True,
    placeholder: str = "",
    **props,
) -> rx.Component:
    return rx.vstack(
        rx.el.label(label, html_for=name, font_size="0.875rem", font_weight="500"),
        rx.input(
            id=name,
            name=name,
            type=type,
            auto_complete=autocomplete,
            required=required,
            placeholder=placeholder,
            width="100%",
            **props,
        ),
        spacing="1",
        width="100%",
    )


def form_error(message: rx.Var[str]) -> rx.Component:
    """An error callout, announced to screen readers, shown only when there is a message."""
    return rx.cond(
        message != "",
        rx.callout(message, icon="triangle-alert", color_scheme="red", role="alert", width="100%"),
    )


def row_form(row_id, on_submit, *controls: rx.Component) -> rx.Component:
    """Controls in a row acting on one record: its id goes with them as a hidden field."""
    return rx.form(
        rx.hstack(rx.el.input(type="hidden", name="id", value=row_id), *controls),
        on_submit=on_submit,
    )


def add_form(on_submit, *controls: rx.Component, **row_props) -> rx.Component:
    """Controls in one full-width row that add an item; the form clears once submitted."""
    return rx.form(
        rx.hstack(*controls, width="100%", **row_props),
        on_submit=on_submit,
        reset_on_submit=True,
        width="100%",
    )


def card_form(title: str, subtitle: str, *children: rx.Component) -> rx.Component:
    """A centered card for the sign-in, sign-up and join pages."""
    return rx.center(
        rx.card(
            rx.vstack(
                rx.heading(title, as_="h1", size="6"),
                rx.text(subtitle, color_scheme="gray"),
                *children,
                spacing="4",
                width="100%",
            ),
            width="100%",
            max_width="28rem",
            padding="1.5rem",
        ),
        min_height="100vh",
        padding="1rem",
    )
