"""Custom fields on a form (inputs of each type) and on a detail card (label and value).

Controls carry no `id` (Reflex's form refs need static ids, and these come from a foreach): each
sits inside its label, and its message is tied to it by `aria-describedby`.
"""

import reflex as rx

from .forms import cancel_and_submit, form_error, required_mark
from .sections import section_card

_CONTROL_STYLE = {"width": "100%"}


def _message(row, errors) -> rx.Component:
    message = errors.get(row["name"], "")
    return rx.cond(
        message != "",
        rx.text(
            message, id=row["name"].to(str) + "-error", size="1", color_scheme="red", role="alert"
        ),
    )


def _described(row, errors) -> dict:
    message = errors.get(row["name"], "")
    return {
        "aria_invalid": rx.cond(message != "", "true", "false"),
        "aria_describedby": rx.cond(message != "", row["name"].to(str) + "-error", ""),
    }


def _option_box(row, option) -> rx.Component:
    return rx.el.label(
        rx.hstack(
            rx.el.input(
                type="checkbox",
                name=row["name"].to(str) + "__" + option["id"].to(str),
                default_checked=row["chosen"].contains(option["id"]),
            ),
            rx.text(option["name"], size="2"),
            align="center",
        ),
    )


def _control(row, errors, on_fix) -> rx.Component:
    described = _described(row, errors)
    fix = {"on_blur": lambda value: on_fix(row["name"], value)} if on_fix is not None else {}
    return rx.match(
        row["control"],
        (
            "textarea",
            rx.text_area(
                name=row["name"],
                default_value=row["value"],
                rows="3",
                **described,
                **fix,
                **_CONTROL_STYLE,
            ),
        ),
        (
            "select",
            rx.el.select(
                rx.el.option("Choose\u2026", value=""),
                rx.foreach(row["options"], lambda o: rx.el.option(o["name"], value=o["id"])),
                name=row["name"],
                default_value=row["value"],
                **described,
                style={"padding": "0.35rem", "border_radius": "0.4rem", "width": "100%"},
            ),
        ),
        (
            "multi",
            rx.el.fieldset(
                rx.hstack(rx.foreach(row["options"], lambda o: _option_box(row, o)), wrap="wrap"),
                **described,
                style={"border": "none", "padding": "0", "margin": "0"},
            ),
        ),
        (
            "checkbox",
            rx.el.input(
                type="checkbox",
                name=row["name"],
                default_checked=row["value"] == "true",
                **described,
            ),
        ),
        (
            "date",
            rx.input(
                type="date",
                name=row["name"],
                default_value=row["value"],
                **described,
                **fix,
                **_CONTROL_STYLE,
            ),
        ),
        rx.input(
            type="text",
            name=row["name"],
            default_value=row["value"],
            input_mode=row["input_mode"],
            **described,
            **fix,
            **_CONTROL_STYLE,
        ),
    )


def _input(row, errors, on_fix) -> rx.Component:
    label = rx.text(
        row["label"],
        rx.cond(row["required"], required_mark()),
        size="2",
        weight="medium",
        as_="span",
    )
    return rx.cond(
        row["editable"],
        rx.vstack(
            rx.el.label(
                rx.vstack(label, _control(row, errors, on_fix), spacing="1", width="100%"),
                width="100%",
            ),
            rx.cond(row["help"] != "", rx.text(row["help"], size="1", color_scheme="gray")),
            _message(row, errors),
            spacing="1",
            width="100%",
        ),
        _value(row),  # what the viewer may see but not change
    )


def _heading(row, index) -> rx.Component:
    """The group's heading before its first field."""
    return rx.cond(row["group"] != "", rx.heading(row["group"], size="2", margin_top="0.5rem"))


def custom_inputs(rows, errors, on_fix=None) -> rx.Component:
    """The custom fields of a form: `rows` (a state's list of CustomInput), `errors` (its
    field_errors, keyed by each field's name), `on_fix` (its recheck handler, or None)."""
    return rx.foreach(
        rows,
        lambda row, i: rx.fragment(
            rx.cond(
                (i == 0) | (rows[rx.cond(i > 0, i - 1, 0)]["group"] != row["group"]),
                _heading(row, i),
            ),
            _input(row, errors, on_fix),
        ),
    )


def _value(row) -> rx.Component:
    return rx.vstack(
        rx.text(row["label"], size="1", color_scheme="gray"),
        rx.text(rx.cond(row["text"] != "", row["text"], "\u2014"), size="2"),
        spacing="0",
        width="100%",
    )


def custom_values(rows) -> rx.Component:
    """The custom fields of a record, read only, in their groups."""
    return rx.grid(
        rx.foreach(rows, _value),
        columns=rx.breakpoints(initial="1", sm="2"),
        spacing="3",
        width="100%",
    )


def custom_card(
    state, rows, *, editing, can_edit, on_edit, on_cancel, form_key=None
) -> rx.Component:
    """The "More details" card of a record's page: its custom fields read, and a form for
    those the viewer may edit. `state` gives field_errors, recheck, custom_error and
    save_custom; `rows` its CustomInput rows; `editing`, `can_edit` (Var[bool]); `on_edit`,
    `on_cancel` the events opening and closing the form; `form_key` renews the form."""
    form = rx.form(
        rx.vstack(
            custom_inputs(rows, state.field_errors, state.recheck),
            form_error(state.custom_error),
            cancel_and_submit(on_cancel, "Save details"),
            spacing="3",
            width="100%",
        ),
        on_submit=state.save_custom,
        reset_on_submit=False,
        no_validate=True,
        aria_label="Edit more details",
        width="100%",
        **({} if form_key is None else {"key": form_key}),
    )
    read = rx.vstack(
        custom_values(rows),
        rx.cond(
            can_edit,
            rx.button("Edit more details", on_click=on_edit, variant="soft", size="2"),
        ),
        spacing="3",
        width="100%",
    )
    return rx.cond(
        rows.length() > 0,
        section_card(
            "More details", rx.cond(editing, form, read), role="region", aria_label="More details"
        ),
    )
