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


def form_error(message: rx.Var[str] | str) -> rx.Component:
    """An error callout, announced to screen readers, shown only when there is a message."""
    return rx.cond(
        message != "",
        rx.callout(message, icon="triangle-alert", color_scheme="red", role="alert", width="100%"),
    )


def reason_form(
    on_submit, button: str, form_label: str, *, placeholder: str, reason_label: str
) -> rx.Component:
    """A required reason and a red button: reject, refund."""
    return rx.form(
        rx.hstack(
            rx.input(
                name="reason", placeholder=placeholder, required=True, aria_label=reason_label
            ),
            rx.button(button, type="submit", variant="soft", color_scheme="red"),
        ),
        on_submit=on_submit,
        aria_label=form_label,
    )


def cancel_and_submit(on_cancel, submit: str) -> rx.Component:
    """A form's closing row, on the right: Cancel (does not submit) and the submit button."""
    return rx.hstack(
        rx.button("Cancel", type="button", variant="soft", on_click=on_cancel),
        rx.button(submit, type="submit"),
        justify="end",
        width="100%",
    )


def new_password(label: str, name: str) -> rx.Component:
    return labeled_input(label, name, type="password", autocomplete="new-password")


def checkbox_field(label: str, control_id: str, checked, on_change) -> rx.Component:
    """A checkbox with its label on the right, for a filter ("Unread only")."""
    return rx.el.label(
        rx.hstack(
            rx.checkbox(checked=checked, on_change=on_change, id=control_id),
            rx.text(label, size="2"),
            align="center",
        ),
        html_for=control_id,
    )


def tick_box(name, label, **input_props) -> rx.Component:
    """A native checkbox inside its label, for a form that posts its `name`."""
    return rx.el.label(
        rx.hstack(
            rx.el.input(type="checkbox", name=name, **input_props),
            rx.text(label, size="2"),
            align="center",
        ),
    )


def row_form(row_id, on_submit, *controls: rx.Component, **form_props) -> rx.Component:
    """Controls in a row acting on one record: its id goes with them as a hidden field."""
    return rx.form(
        rx.hstack(rx.el.input(type="hidden", name="id", value=row_id), *controls),
        on_submit=on_submit,
        **form_props,
    )


def add_form(on_submit, form_id: str, *controls: rx.Component, **row_props) -> rx.Component:
    """Controls in one full-width row that add an item. The form keeps what was typed until
    the handler, once it saved, returns `state.base.clear_form(form_id)`."""
    return rx.form(
        rx.hstack(*controls, width="100%", **row_props),
        on_submit=on_submit,
        id=form_id,
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
