"""Form building blocks: every control has a visible label; errors are announced."""

import reflex as rx


def required_mark() -> rx.Component:
    """The asterisk after a mandatory field's label (the control itself says "required")."""
    return rx.el.span(" *", aria_hidden="true", color=rx.color("red", 11), font_weight="600")


def required_legend() -> rx.Component:
    """What the asterisk means, once per form."""
    return rx.text(required_mark(), " Required", size="1", color_scheme="gray")


def field_label(label: str, html_for: str, required: bool = False) -> rx.Component:
    return rx.el.label(
        label,
        required_mark() if required else rx.fragment(),
        html_for=html_for,
        font_size="0.875rem",
        font_weight="500",
    )


def field_message(message: rx.Var | str | None, message_id: str) -> rx.Component:
    """The server's message about one field, under it; nothing when there is none."""
    if message is None:
        return rx.fragment()
    return rx.cond(
        message != "",
        rx.text(message, id=message_id, size="1", color_scheme="red", role="alert"),
    )


def error_props(name: str, error: rx.Var | str | None) -> dict:
    """What a control says about its field's message: invalid, and described by it."""
    if error is None:
        return {}
    return {
        "aria_invalid": rx.cond(error != "", "true", "false"),
        "aria_describedby": rx.cond(error != "", f"{name}-error", ""),
    }


def field(
    label: str,
    control: rx.Component,
    *,
    html_for: str,
    required: bool = True,
    error: rx.Var | str | None = None,
) -> rx.Component:
    """A labelled control with its required marker and the server's message under it (give
    the control `aria_invalid`/`aria_describedby` from `error_props`)."""
    return rx.vstack(
        field_label(label, html_for, required),
        control,
        field_message(error, f"{html_for}-error"),
        spacing="1",
        width="100%",
    )


def labeled_input(
    label: str,
    name: str,
    *,
    type: str = "text",
    autocomplete: str = "off",
    required: bool = True,
    placeholder: str = "",
    error: rx.Var | str | None = None,
    on_fix=None,
    **props,
) -> rx.Component:
    """An input with its label; with `error`, the server's message under it (and a required
    marker), and with `on_fix` (a handler taking the field's name and value) the message is
    checked again when the person leaves the corrected field."""
    if on_fix is not None:
        props["on_blur"] = lambda value: on_fix(name, value)
    control = rx.input(
        id=name,
        name=name,
        type=type,
        auto_complete=autocomplete,
        required=required,
        placeholder=placeholder,
        width="100%",
        **error_props(name, error),
        **props,
    )
    if error is None:
        return rx.vstack(
            rx.el.label(label, html_for=name, font_size="0.875rem", font_weight="500"),
            control,
            spacing="1",
            width="100%",
        )
    return field(label, control, html_for=name, required=required, error=error)


def form_error(message: rx.Var[str] | str) -> rx.Component:
    """An error callout, announced to screen readers, shown only when there is a message."""
    return rx.cond(
        message != "",
        rx.callout(message, icon="triangle-alert", color_scheme="red", role="alert", width="100%"),
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
