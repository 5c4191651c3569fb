"""Custom fields on a form or a detail card: the rows a page shows, and the values a form posts.

A form names each field's control `custom_<id>`; a multi select posts one checkbox per option,
`custom_<id>__<option id>`. `submitted` turns a posted form back into {field id: value} for
services.custom_fields.write, for the editable fields only (anything else in the form is left
for the service to refuse, never trusted).
"""

from collections.abc import Mapping, Sequence
from typing import Any, TypedDict

from ..services.custom_fields import FieldAccess, display
from .rows import Option

# The control each type uses (components/custom_inputs.py).
CONTROLS = {
    "text": "text",
    "long_text": "textarea",
    "number": "text",
    "money": "text",
    "date": "date",
    "select": "select",
    "multi_select": "multi",
    "checkbox": "checkbox",
    "url": "text",
    "email": "text",
}


class CustomInput(TypedDict):
    """One custom field on a page: its control and its current value."""

    name: str  # the form's name for it, "custom_12" (and its messages' key)
    label: str
    control: str  # CONTROLS
    input_mode: str  # the phone keyboard: "text", "decimal", "email", "url"
    required: bool
    editable: bool
    help: str
    group: str  # its heading: the section, or "<provider>: <section>" for another's fields
    value: str  # as the control holds it ("" none; an option's id; "true"/"false" for a box)
    chosen: list[str]  # a multi select's chosen option ids
    options: list[Option]  # what can be chosen (the current value's option kept, if archived)
    text: str  # the value as people read it ("" none)


def rows(
    fields: Sequence[FieldAccess],
    custom: Mapping[str, Any] | None,
    org_names: Mapping[int, str] | None = None,
) -> list[CustomInput]:
    """The rows of `fields` with the record's values (`custom`; None for a new record).
    `org_names` names the organizations whose fields are not the viewer's own."""
    custom = custom or {}
    org_names = org_names or {}
    shown: list[CustomInput] = []
    for field in fields:
        value = custom.get(field.name)
        chosen = value if isinstance(value, list) else [value] if value is not None else []
        options = [
            Option(id=str(o["id"]), name=str(o["label"]))
            for o in field.options
            if not o.get("archived") or o["id"] in chosen
        ]
        group = field.section
        if not field.own:
            owner = org_names.get(field.org_id, "")
            group = f"{owner}: {group}" if group and owner else owner or group
        shown.append(
            CustomInput(
                name=field.form_name,
                label=field.label,
                control=CONTROLS[field.type],
                input_mode={
                    "number": "decimal",
                    "money": "decimal",
                    "email": "email",
                    "url": "url",
                }.get(field.type, "text"),
                required=field.required,
                editable=field.editable,
                help=field.help_text,
                group=group,
                value=_value(field.type, value),
                chosen=[str(v) for v in chosen] if field.type == "multi_select" else [],
                options=options,
                text=display(field.type, value, list(field.options)),
            )
        )
    return shown


def submitted(form: Mapping[str, Any], fields: Sequence[FieldAccess]) -> dict[str, object]:
    """{field id: posted value} of the editable `fields` from a posted form."""
    values: dict[str, object] = {}
    if not isinstance(form, Mapping):  # any client can post anything
        return values
    for field in fields:
        if not field.editable:
            continue
        name = field.form_name
        if field.type == "multi_select":
            values[field.name] = [  # archived options too: a kept value stays
                o["id"] for o in field.options if _ticked(form.get(f"{name}__{o['id']}"))
            ]
        elif field.type == "checkbox":
            values[field.name] = _ticked(form.get(name))
        else:
            raw = form.get(name)
            values[field.name] = raw if isinstance(raw, str) else None
    return values


def _ticked(value: object) -> bool:
    return value is True or (isinstance(value, str) and value.lower() in ("on", "true", "yes"))


def _value(kind: str, value: Any) -> str:
    if value is None:
        return ""
    if kind == "checkbox":
        return "true" if value else "false"
    if kind == "multi_select":
        return ""
    return str(value)
