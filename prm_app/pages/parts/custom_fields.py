"""Settings > Custom fields: the organization's fields of each kind of record, with what each
audience may do with them; administrators add, edit, retype, reorder and archive them."""

from typing import Any, cast

import reflex as rx

from ...components.buttons import row_button
from ...components.confirm import confirm_button, permitted
from ...components.forms import error_props, field, form_error
from ...components.sections import section_card
from ...models import FieldType
from ...services.custom_fields import TYPE_LABELS
from ...state.base import ADMINS_ONLY
from ...state.custom_field_settings import CustomFieldSettingsState as State

ON = cast(Any, State)  # its handlers and vars, as mypy does not see Reflex's
ADMIN = permitted(State.can_administer, ADMINS_ONLY)
_SELECT_STYLE = {"padding": "0.35rem", "border_radius": "0.4rem", "width": "100%"}
_INTERNAL = (("editable", "Optional"), ("required", "Required"))
_PARTNER = (
    ("hidden", "Hidden"),
    ("visible", "Visible"),
    ("editable", "Editable"),
    ("required", "Required"),
)


def _error(name: str, *, editor: bool) -> rx.Var:
    """The message about one field of the add form, or of the editor (never both at once)."""
    message = State.field_errors.get(name, "")
    return rx.cond(State.editor_is_open == editor, message, "")


def _select(label: str, control_id: str, name: str, choices, default, error=None, **props):
    return field(
        label,
        rx.el.select(
            *[rx.el.option(text, value=value) for value, text in choices],
            id=control_id,
            name=name,
            default_value=default,
            style=_SELECT_STYLE,
            **error_props(control_id, error),
            **props,
        ),
        html_for=control_id,
        required=False,
        error=error,
    )


def _text(label: str, control_id: str, name: str, error, *, required=False, **props):
    return field(
        label,
        rx.input(
            id=control_id,
            name=name,
            required=required,
            width="100%",
            **error_props(control_id, error),
            **props,
        ),
        html_for=control_id,
        required=required,
        error=error,
    )


def _options_area(control_id: str, error, hint: str) -> rx.Component:
    return rx.vstack(
        field(
            "Options, one per line",
            rx.text_area(
                id=control_id,
                name="options",
                rows="3",
                width="100%",
                **error_props(control_id, error),
            ),
            html_for=control_id,
            required=False,
            error=error,
        ),
        rx.text(hint, size="1", color_scheme="gray"),
        spacing="1",
        width="100%",
    )


TYPES = [(str(kind), label) for kind, label in TYPE_LABELS.items()]


def _access_fields(prefix: str, provider: bool, *, editor: bool, row=None) -> list:
    controls = [
        _select(
            "Your team",
            f"{prefix}-internal",
            "internal_access",
            _INTERNAL,
            row["internal_access"] if row is not None else "editable",
            _error("internal_access", editor=editor),
        )
    ]
    if provider:
        controls.append(
            _select(
                "Partners",
                f"{prefix}-partner",
                "partner_access",
                _PARTNER,
                row["partner_access"] if row is not None else "hidden",
                _error("partner_access", editor=editor),
            )
        )
    return controls


def _add_form(provider: bool) -> rx.Component:
    return rx.form(
        rx.vstack(
            rx.grid(
                _text("Label", "cf-label", "label", _error("label", editor=False), required=True),
                _text(
                    "Key (optional)",
                    "cf-key",
                    "key",
                    _error("key", editor=False),
                    placeholder="made from the label",
                ),
                _select(
                    "Type", "cf-type", "type", TYPES, FieldType.TEXT, _error("type", editor=False)
                ),
                _text(
                    "Section (optional)", "cf-section", "section", _error("section", editor=False)
                ),
                *_access_fields("cf", provider, editor=False),
                columns=rx.breakpoints(initial="1", sm="2"),
                spacing="3",
                width="100%",
            ),
            _options_area(
                "cf-options", _error("options", editor=False), "For a single or multi select."
            ),
            _text(
                "Help text (optional)", "cf-help", "help_text", _error("help_text", editor=False)
            ),
            form_error(State.add_error),
            rx.button("Add field", type="submit", **ADMIN),
            spacing="3",
            width="100%",
        ),
        on_submit=State.add_custom_field,
        id="add-custom-field",
        width="100%",
    )


def _field_row(row) -> rx.Component:
    label = row["label"]
    archived_actions = row_button(
        "Restore", ON.restore_field(row["id"]), f"Restore {label}", variant="soft", **ADMIN
    )
    active_actions = rx.fragment(
        row_button("Edit", ON.edit_field(row["id"]), f"Edit {label}", variant="soft", **ADMIN),
        rx.icon_button(
            rx.icon("arrow-up", size=14),
            on_click=ON.move_field(row["id"], "up"),
            aria_label=f"Move {label} up",
            variant="ghost",
            size="1",
            type="button",
            **ADMIN,
        ),
        rx.icon_button(
            rx.icon("arrow-down", size=14),
            on_click=ON.move_field(row["id"], "down"),
            aria_label=f"Move {label} down",
            variant="ghost",
            size="1",
            type="button",
            **ADMIN,
        ),
        confirm_button(
            "Archive",
            aria_label=f"Archive {label}",
            title=f"Archive {label}?",
            description=(
                "It disappears from every form, list, file and the API; the values records "
                "hold are kept, and come back if you restore it."
            ),
            confirm_label="Archive",
            on_confirm=ON.archive_field(row["id"]),
            disabled=~State.can_administer,
            disabled_reason=ADMINS_ONLY,
        ),
    )
    return rx.el.li(
        rx.vstack(
            rx.hstack(
                rx.text(
                    label, weight="medium", color_scheme=rx.cond(row["archived"], "gray", None)
                ),
                rx.badge(row["type_label"], variant="soft"),
                rx.cond(row["archived"], rx.badge("archived", color_scheme="gray")),
                rx.code(row["key"], size="1"),
                wrap="wrap",
                align="center",
            ),
            rx.text(
                row["access"],
                rx.cond(row["section"] != "", " \u00b7 Section: " + row["section"].to(str), ""),
                " \u00b7 ",
                row["in_use"],
                " with a value",
                size="1",
                color_scheme="gray",
            ),
            rx.cond(
                row["options_text"] != "",
                rx.text("Options: ", row["options_text"], size="1", color_scheme="gray"),
            ),
            rx.hstack(
                rx.cond(row["archived"], archived_actions, active_actions),
                wrap="wrap",
                align="center",
            ),
            spacing="1",
            width="100%",
        ),
        style={
            "list_style": "none",
            "width": "100%",
            "padding": "0.5rem 0",
            "border_bottom": "1px solid var(--gray-5)",
        },
    )


def _option_item(option) -> rx.Component:
    name = option["label"]
    return rx.hstack(
        rx.input(
            default_value=name,
            on_blur=lambda value: ON.rename_option(option["id"], value),
            aria_label=f"Name of option {name}",
            disabled=option["archived"] | ~State.can_administer,
            flex="1",
            key=f"{option['id']}-{State.cf_revision}",
        ),
        rx.cond(
            option["archived"],
            rx.hstack(
                rx.badge("archived", color_scheme="gray"),
                row_button(
                    "Restore",
                    ON.archive_option(option["id"], False),
                    f"Restore option {name}",
                    variant="soft",
                    type="button",
                    **ADMIN,
                ),
                align="center",
            ),
            row_button(
                "Archive",
                ON.archive_option(option["id"], True),
                f"Archive option {name}",
                variant="soft",
                color_scheme="gray",
                type="button",
                **ADMIN,
            ),
        ),
        width="100%",
        align="center",
    )


def _options_editor() -> rx.Component:
    return rx.vstack(
        rx.heading("Options", as_="h3", size="3"),
        rx.text(
            "Records keep an archived option; it is no longer offered. A new name shows on "
            "every record that has the option.",
            size="1",
            color_scheme="gray",
        ),
        rx.foreach(State.editing["options"], _option_item),
        rx.form(
            rx.hstack(
                rx.input(
                    name="option",
                    aria_label="New option",
                    placeholder="New option",
                    required=True,
                    flex="1",
                ),
                rx.button("Add option", type="submit", **ADMIN),
                width="100%",
            ),
            on_submit=State.add_option,
            id="add-custom-option",
            width="100%",
        ),
        form_error(State.option_error),
        spacing="2",
        width="100%",
    )


def _editor(provider: bool) -> rx.Component:
    row = State.editing
    details = rx.form(
        rx.vstack(
            _text(
                "Label",
                "cf-edit-label",
                "label",
                _error("label", editor=True),
                required=True,
                default_value=row["label"],
            ),
            _text(
                "Section (optional)",
                "cf-edit-section",
                "section",
                _error("section", editor=True),
                default_value=row["section"],
            ),
            _text(
                "Help text (optional)",
                "cf-edit-help",
                "help_text",
                _error("help_text", editor=True),
                default_value=row["help_text"],
            ),
            rx.grid(
                *_access_fields("cf-edit", provider, editor=True, row=row),
                columns=rx.breakpoints(initial="1", sm="2"),
                spacing="3",
                width="100%",
            ),
            form_error(State.edit_error),
            rx.button("Save", type="submit", **ADMIN),
            spacing="3",
            width="100%",
        ),
        on_submit=State.save_field,
        width="100%",
    )
    retype = rx.form(
        rx.vstack(
            rx.heading("Type", as_="h3", size="3"),
            rx.text(
                "Values are converted; the change is refused while some would not convert.",
                size="1",
                color_scheme="gray",
            ),
            _select("New type", "cf-edit-type", "type", TYPES, row["type"], State.type_error),
            rx.cond(
                ~row["is_select"],
                _options_area("cf-edit-options", None, "Only when the new type is a select."),
            ),
            rx.button("Change type", type="submit", variant="soft", **ADMIN),
            spacing="2",
            width="100%",
        ),
        on_submit=State.change_type,
        width="100%",
    )
    return rx.dialog.root(
        rx.dialog.content(
            rx.dialog.title(f"Edit {row['label']}"),
            rx.dialog.description(
                "Key ",
                rx.code(row["key"]),
                ": the name in files and the API.",
                size="2",
                color_scheme="gray",
            ),
            rx.box(
                rx.vstack(
                    details,
                    rx.separator(),
                    retype,
                    rx.cond(
                        row["is_select"], rx.vstack(rx.separator(), _options_editor(), width="100%")
                    ),
                    rx.hstack(
                        rx.dialog.close(rx.button("Close", variant="soft", color_scheme="gray")),
                        justify="end",
                        width="100%",
                    ),
                    spacing="4",
                    width="100%",
                ),
                key=f"{row['id']}-{State.cf_revision}",
                width="100%",
                padding_top="0.75rem",
            ),
            max_width="36rem",
            width="calc(100vw - 2rem)",
        ),
        open=State.editor_is_open,
        on_open_change=State.editor_open,
    )


def custom_fields(provider: bool) -> rx.Component:
    """The Custom fields tab of one side's Settings (loads when opened)."""
    hint = (
        "Fields your organization adds to its records: who fills each in, and whether partners "
        "see or fill it in."
        if provider
        else "Private fields your firm adds to its leads and to its view of each provider: "
        "only your organization sees them."
    )
    return rx.vstack(
        section_card(
            "Custom fields",
            rx.vstack(
                rx.el.label(
                    "Fields of", html_for="cf-entity", font_size="0.875rem", font_weight="500"
                ),
                rx.el.select(
                    rx.foreach(State.cf_entities, lambda e: rx.el.option(e["name"], value=e["id"])),
                    id="cf-entity",
                    value=State.cf_entity,
                    on_change=State.choose_entity,
                    style={**_SELECT_STYLE, "max_width": "16rem"},
                ),
                spacing="1",
            ),
            rx.cond(
                ON.cf_fields.length() > 0,
                rx.el.ul(
                    rx.foreach(State.cf_fields, _field_row),
                    style={"padding": "0", "margin": "0", "width": "100%"},
                ),
                rx.text("No fields yet.", size="2", color_scheme="gray"),
            ),
            hint=hint,
            aria_label="Custom fields",
        ),
        rx.cond(State.can_administer, section_card("New field", _add_form(provider))),
        _editor(provider),
        spacing="4",
        width="100%",
        padding_top="1rem",
        on_mount=State.load,
    )
