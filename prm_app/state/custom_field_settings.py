"""Settings > Custom fields: the organization's fields of one kind of record, defined and
changed by its administrators (everyone else reads them); services.custom_fields does the work.

The tab loads when it is opened (its content mounts), so Settings' other tabs pay nothing for it.
"""

from typing import TypedDict, cast

import reflex as rx
from reflex.event import EventSpec

from ..models import FieldEntity, OrgKind
from ..services import custom_fields as cf
from .base import AppState, FieldErrors, clear_form, form_value
from .rows import Option

# What each side defines fields for, as its tab names them.
ENTITY_CHOICES: dict[str, list[Option]] = {
    OrgKind.PROVIDER: [
        {"id": FieldEntity.LEAD, "name": "Leads"},
        {"id": FieldEntity.REFERRAL, "name": "Referrals"},
        {"id": FieldEntity.DEAL, "name": "Deals"},
        {"id": FieldEntity.PARTNER, "name": "Partners"},
    ],
    OrgKind.CONSULTANT: [
        {"id": FieldEntity.LEAD, "name": "Leads"},
        {"id": FieldEntity.PARTNER, "name": "Providers"},
    ],
}
# The add form's fields whose messages go next to them.
ADD_FIELDS = (
    "label",
    "key",
    "type",
    "options",
    "help_text",
    "section",
    "internal_access",
    "partner_access",
)
EDIT_FIELDS = ("label", "help_text", "section", "internal_access", "partner_access")
_PARTNERS = {
    "hidden": "hidden from partners",
    "visible": "partners see it",
    "editable": "partners edit it",
    "required": "partners must fill it in",
}


class OptionRow(TypedDict):
    """One option of a select."""

    id: str
    label: str
    archived: bool


class FieldRow(TypedDict):
    """One custom field as the settings list shows it."""

    id: str
    key: str
    label: str
    type: str
    type_label: str
    help_text: str
    section: str
    internal_access: str
    partner_access: str
    access: str  # who fills it in, in words
    archived: bool
    in_use: str  # how many records hold a value
    is_select: bool
    options: list[OptionRow]
    options_text: str  # the options as read ("Gold, Silver"; archived ones said so)


def _row(field: cf.FieldView, count: int, provider: bool) -> FieldRow:
    access = "required" if field.internal_access == "required" else "optional"
    if provider:
        access = f"{access}; {_PARTNERS.get(field.partner_access, field.partner_access)}"
    return {
        "id": str(field.id),
        "key": field.key,
        "label": field.label,
        "type": field.type,
        "type_label": field.type_label,
        "help_text": field.help_text,
        "section": field.section,
        "internal_access": field.internal_access,
        "partner_access": field.partner_access,
        "access": access.capitalize(),
        "archived": field.archived,
        "in_use": f"{count:,}",
        "is_select": field.type in ("select", "multi_select"),
        "options": [
            {"id": str(o["id"]), "label": str(o["label"]), "archived": bool(o.get("archived"))}
            for o in field.options
        ],
        "options_text": _options_text(field.options),
    }


def _options_text(options: list[dict]) -> str:
    active = [str(o["label"]) for o in options if not o.get("archived")]
    archived = [str(o["label"]) for o in options if o.get("archived")]
    text = ", ".join(active)
    return f"{text} (archived: {', '.join(archived)})" if archived else text


class CustomFieldSettingsState(FieldErrors, AppState):
    cf_entity: str = FieldEntity.LEAD
    cf_entities: list[Option] = []
    cf_fields: list[FieldRow] = []
    editing: FieldRow = cast(FieldRow, {})  # the field whose editor is open ({}: none)
    # Bumped on every read: editors key on it, so their inputs show the stored values again.
    cf_revision: int = 0
    add_error: str = ""
    edit_error: str = ""
    type_error: str = ""
    option_error: str = ""

    @rx.var
    def editor_is_open(self) -> bool:
        return bool(self.editing)

    @rx.event
    def load(self):
        if (redirect := self._enter()) is not None:
            return redirect
        self.cf_entities = ENTITY_CHOICES.get(self.org_kind, [])
        if self.cf_entity not in {e["id"] for e in self.cf_entities}:
            self.cf_entity = FieldEntity.LEAD
        self._clear_messages()
        self.editing = cast(FieldRow, {})
        return self._refresh()

    @rx.event
    def choose_entity(self, entity: str):
        """Show another kind of record's fields (the service refuses one the side lacks)."""
        if not isinstance(entity, str) or entity not in {e["id"] for e in self.cf_entities}:
            return None
        self.cf_entity = entity
        self.editing = cast(FieldRow, {})
        self._clear_messages()
        return self._refresh()

    def _clear_messages(self) -> None:
        self.add_error = self.edit_error = self.type_error = self.option_error = ""
        self.field_errors = {}

    def _refresh(self):
        _, refusal = self._perform(self._read)
        return refusal

    def _read(self, session, *, actor) -> None:
        self.cf_revision += 1
        provider = actor.org_kind == OrgKind.PROVIDER
        found = cf.fields(session, actor=actor, entity=self.cf_entity)
        counts = cf.value_counts(session, actor=actor, entity=self.cf_entity)
        self.cf_fields = [_row(f, counts.get(f.id, 0), provider) for f in found]
        if self.editing:
            again = [r for r in self.cf_fields if r["id"] == self.editing.get("id")]
            self.editing = again[0] if again else cast(FieldRow, {})

    def _act(self, operation, /, **arguments) -> tuple[object, EventSpec | None]:
        """Perform as the caller, then re-read the list; returns (result, refusal)."""
        result, refusal = self._perform(operation, **arguments)
        if refusal is None:
            self._refresh()
        return result, refusal

    # Fields ---------------------------------------------------------------------------------

    @rx.event
    def add_custom_field(self, form: dict):
        _, refusal = self._act(
            cf.add_field,
            error_var="add_error",
            inline=ADD_FIELDS,
            entity=self.cf_entity,
            label=form_value(form, "label"),
            key=form_value(form, "key") or "",
            type=form_value(form, "type"),
            options=form_value(form, "options") or "",
            help_text=form_value(form, "help_text") or "",
            section=form_value(form, "section") or "",
            internal_access=form_value(form, "internal_access"),
            partner_access=form_value(form, "partner_access") or "hidden",
        )
        if refusal is not None:
            return refusal
        return [clear_form("add-custom-field"), rx.toast.success("Field added.")]

    @rx.event
    def edit_field(self, field_id: str):
        """Open a field's editor (only a field of the list on screen)."""
        found = [r for r in self.cf_fields if r["id"] == field_id]
        self._clear_messages()
        self.editing = found[0] if found else cast(FieldRow, {})

    @rx.event
    def editor_open(self, is_open: bool):
        """The editor's dialog closed (Escape, Close, a click outside)."""
        if is_open is not True:
            self.editing = cast(FieldRow, {})
            self._clear_messages()

    @rx.event
    def save_field(self, form: dict):
        _, refusal = self._act(
            cf.update_field,
            error_var="edit_error",
            inline=EDIT_FIELDS,
            field_id=self.editing.get("id"),
            label=form_value(form, "label"),
            help_text=form_value(form, "help_text") or "",
            section=form_value(form, "section") or "",
            internal_access=form_value(form, "internal_access"),
            partner_access=form_value(form, "partner_access") or "hidden",
        )
        return refusal or rx.toast.success("Field saved.")

    @rx.event
    def change_type(self, form: dict):
        """Another type; refused (with the count) while values would not convert."""
        _, refusal = self._act(
            cf.change_type,
            error_var="type_error",
            inline=("type",),
            field_id=self.editing.get("id"),
            type=form_value(form, "type"),
            options=form_value(form, "options") or "",
        )
        if self.field_errors.get("type"):  # one message, under the type's control
            self.type_error, self.field_errors = self.field_errors["type"], {}
        return refusal or rx.toast.success("Type changed.")

    @rx.event
    def archive_field(self, field_id: str):
        return self._act(cf.archive_field, field_id=field_id)[1]

    @rx.event
    def restore_field(self, field_id: str):
        return self._act(cf.restore_field, field_id=field_id)[1]

    @rx.event
    def move_field(self, field_id: str, direction: str):
        return self._act(cf.move_field, field_id=field_id, direction=direction)[1]

    # Options of the select being edited -----------------------------------------------------

    @rx.event
    def add_option(self, form: dict):
        _, refusal = self._act(
            cf.add_option,
            error_var="option_error",
            field_id=self.editing.get("id"),
            label=form_value(form, "option"),
        )
        return refusal or clear_form("add-custom-option")

    @rx.event
    def rename_option(self, option_id: str, label: str):
        current = [o for o in self.editing.get("options", []) if o["id"] == option_id]
        if current and current[0]["label"] == label:
            return None  # left unchanged
        return self._act(
            cf.rename_option,
            error_var="option_error",
            field_id=self.editing.get("id"),
            option_id=option_id,
            label=label,
        )[1]

    @rx.event
    def archive_option(self, option_id: str, archived: bool):
        return self._act(
            cf.set_option_archived,
            error_var="option_error",
            field_id=self.editing.get("id"),
            option_id=option_id,
            archived=archived is True,
        )[1]
