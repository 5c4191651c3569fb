"""An organization's custom fields: read by anyone in it, defined by its administrators.

A provider defines fields for leads, referrals, deals and partners; a consultant firm private
fields on its leads and on its view of each provider (never shown to the other side). A type
change is refused while values exist that would not convert; an archived field keeps its values
and disappears everywhere; a select option is renamed or archived, never deleted.
"""

import re
from dataclasses import dataclass
from typing import Any

from sqlmodel import Session, col, func, select

from ...models import (
    CustomField,
    Deal,
    FieldEntity,
    FieldType,
    InternalAccess,
    Lead,
    OrgKind,
    PartnerAccess,
    Partnership,
    utcnow,
)
from ..core import activity, inputs
from ..core.actor import Actor
from ..core.errors import Invalid, NotFound
from .types import SELECTS, TYPE_LABELS, active_options, display, parse

ENTITIES: dict[str, tuple[FieldEntity, ...]] = {
    OrgKind.PROVIDER: (
        FieldEntity.LEAD,
        FieldEntity.REFERRAL,
        FieldEntity.DEAL,
        FieldEntity.PARTNER,
    ),
    OrgKind.CONSULTANT: (FieldEntity.LEAD, FieldEntity.PARTNER),
}
ENTITY_LABELS = {
    FieldEntity.LEAD: "Leads",
    FieldEntity.REFERRAL: "Referrals",
    FieldEntity.DEAL: "Deals",
    FieldEntity.PARTNER: "Partners",
}
MAX_FIELDS = 100  # per organization and kind of record
MAX_OPTIONS = 200
MAX_OPTION = 100
_KEY = re.compile(r"^[a-z][a-z0-9_]{0,39}$")


@dataclass(frozen=True, slots=True)
class FieldView:
    id: int
    entity: str
    key: str
    label: str
    type: str
    type_label: str
    options: list[dict]
    help_text: str
    section: str
    position: int
    internal_access: str
    partner_access: str
    archived: bool


def fields(session: Session, *, actor: Actor, entity: object) -> list[FieldView]:
    """The organization's fields of one kind: active by position, then archived by label."""
    entity = _entity(actor, entity)
    rows = session.exec(
        select(CustomField).where(CustomField.org_id == actor.org_id, CustomField.entity == entity)
    ).all()
    rows = sorted(rows, key=lambda f: (f.archived_at is not None, f.position, f.label.casefold()))
    return [_view(f) for f in rows]


def add_field(
    session: Session,
    *,
    actor: Actor,
    entity: object,
    label: object,
    type: object,
    key: object = "",
    options: object = (),
    help_text: object = "",
    section: object = "",
    internal_access: object = InternalAccess.EDITABLE,
    partner_access: object = PartnerAccess.HIDDEN,
) -> FieldView:
    """Define a field at the end of its kind's list (its key from the label unless given)."""
    actor.require_admin()
    entity = _entity(actor, entity)
    checked = inputs.every_field(
        {
            "label": lambda: _label(label),
            "type": lambda: _type(type),
            "help_text": lambda: inputs.text(
                help_text, field="help_text", label="Help text", max_len=300, required=False
            ),
            "section": lambda: inputs.text(
                section, field="section", label="Section", max_len=60, required=False
            ),
            "internal_access": lambda: _internal(internal_access),
            "partner_access": lambda: _partner(actor, partner_access),
        }
    )
    kind = FieldType(str(checked["type"]))
    existing = session.exec(
        select(CustomField).where(CustomField.org_id == actor.org_id, CustomField.entity == entity)
    ).all()
    if len(existing) >= MAX_FIELDS:
        raise Invalid(f"An organization can define at most {MAX_FIELDS} fields of each kind.")
    key = _key(key or checked["label"], explicit=bool(key))
    if any(f.key == key for f in existing):
        raise Invalid(f"Another field already has the key \u201c{key}\u201d.", field="key")
    field = CustomField(
        org_id=actor.org_id,
        entity=entity,
        key=key,
        label=str(checked["label"]),
        type=kind,
        options=_new_options(options) if kind in SELECTS else [],
        help_text=str(checked["help_text"]),
        section=str(checked["section"]),
        position=1 + max((f.position for f in existing), default=-1),
        internal_access=str(checked["internal_access"]),
        partner_access=str(checked["partner_access"]),
    )
    session.add(field)
    session.flush()
    activity.record(session, actor=actor, subject=field, action="created", after=_summary(field))
    return _view(field)


def update_field(
    session: Session,
    *,
    actor: Actor,
    field_id: object,
    label: object,
    help_text: object = "",
    section: object = "",
    internal_access: object = InternalAccess.EDITABLE,
    partner_access: object = PartnerAccess.HIDDEN,
) -> FieldView:
    """Change a field's label, help, section and access (its key and type stay)."""
    field = _own(session, actor, field_id)
    checked = inputs.every_field(
        {
            "label": lambda: _label(label),
            "help_text": lambda: inputs.text(
                help_text, field="help_text", label="Help text", max_len=300, required=False
            ),
            "section": lambda: inputs.text(
                section, field="section", label="Section", max_len=60, required=False
            ),
            "internal_access": lambda: _internal(internal_access),
            "partner_access": lambda: _partner(actor, partner_access),
        }
    )
    before = _summary(field)
    for name, value in checked.items():
        setattr(field, name, str(value))
    _changed(session, actor, field, before)
    return _view(field)


def change_type(
    session: Session, *, actor: Actor, field_id: object, type: object, options: object = ()
) -> FieldView:
    """Give a field another type, converting its values; refused (saying how many) while
    values exist that would not convert. A new select takes `options` (labels), or keeps its
    options when it already was one."""
    field = _own(session, actor, field_id)
    kind = FieldType(_type(type))
    if kind == field.type:
        return _view(field)
    new_options: list[dict] = []
    if kind in SELECTS:
        keep = field.type in SELECTS and not options
        new_options = list(field.options) if keep else _new_options(options)
    records = list(_holding(session, field))
    converted, failed = [], 0
    for record in records:
        old = record.custom[str(field.id)]
        text = display(field.type, old, list(field.options))
        if field.type == FieldType.MULTI_SELECT and kind != FieldType.MULTI_SELECT:
            text = text if len(old) == 1 else "\x00"  # several options fit no single value
        try:
            value = parse(kind, text, label=field.label, options=new_options)
        except Invalid:
            failed += 1
            continue
        converted.append((record, value))
    if failed:
        noun = "value" if failed == 1 else "values"
        raise Invalid(
            f"{failed:,} {noun} would not convert to {TYPE_LABELS[kind]}: change or clear "
            "them first.",
            field="type",
        )
    before = _summary(field)
    for record, value in converted:
        record.custom = {**record.custom, str(field.id): value}
        if value is None:
            record.custom.pop(str(field.id))
        session.add(record)
    field.type, field.options = kind, new_options
    _changed(session, actor, field, before)
    return _view(field)


def archive_field(session: Session, *, actor: Actor, field_id: object) -> None:
    """Hide a field everywhere; its values stay, and come back when it is restored."""
    field = _own(session, actor, field_id)
    if field.archived_at is None:
        field.archived_at = utcnow()
        session.add(field)
        activity.record(
            session,
            actor=actor,
            subject=field,
            action="archived",
            before={"archived": False},
            after={"archived": True},
        )


def restore_field(session: Session, *, actor: Actor, field_id: object) -> None:
    field = _own(session, actor, field_id)
    if field.archived_at is not None:
        field.archived_at = None
        session.add(field)
        activity.record(
            session,
            actor=actor,
            subject=field,
            action="restored",
            before={"archived": True},
            after={"archived": False},
        )


def move_field(session: Session, *, actor: Actor, field_id: object, direction: object) -> None:
    """Swap a field with its active neighbour above or below (nothing at an end)."""
    field = _own(session, actor, field_id)
    if direction not in ("up", "down"):
        raise Invalid("Move it up or down.", field="direction")
    active = session.exec(
        select(CustomField)
        .where(
            CustomField.org_id == field.org_id,
            CustomField.entity == field.entity,
            col(CustomField.archived_at).is_(None),
        )
        .order_by(col(CustomField.position), col(CustomField.id))
    ).all()
    ids = [f.id for f in active]
    if field.id not in ids:
        raise Invalid("Restore it before moving it.")
    index = ids.index(field.id)
    other = index - 1 if direction == "up" else index + 1
    if 0 <= other < len(active):
        ordered = list(active)
        ordered[index], ordered[other] = ordered[other], ordered[index]
        for position, row in enumerate(ordered):
            row.position = position
            session.add(row)


def add_option(session: Session, *, actor: Actor, field_id: object, label: object) -> FieldView:
    field = _select_field(session, actor, field_id)
    name = _option_label(label, field.options)
    if len(field.options) >= MAX_OPTIONS:
        raise Invalid(f"A field has at most {MAX_OPTIONS} options.", field="option")
    next_id = 1 + max((o["id"] for o in field.options), default=0)
    before = _summary(field)
    field.options = [*field.options, {"id": next_id, "label": name, "archived": False}]
    _changed(session, actor, field, before)
    return _view(field)


def rename_option(
    session: Session, *, actor: Actor, field_id: object, option_id: object, label: object
) -> FieldView:
    """Rename an option: the values hold its id, so every record reads the new name."""
    field = _select_field(session, actor, field_id)
    option = _option(field, option_id)
    name = _option_label(label, field.options, allowed_id=option["id"])
    before = _summary(field)
    field.options = [{**o, "label": name} if o is option else o for o in field.options]
    _changed(session, actor, field, before)
    return _view(field)


def set_option_archived(
    session: Session, *, actor: Actor, field_id: object, option_id: object, archived: object
) -> FieldView:
    """Archive an option (records keep it; it is no longer offered) or restore it."""
    field = _select_field(session, actor, field_id)
    option = _option(field, option_id)
    before = _summary(field)
    field.options = [{**o, "archived": bool(archived)} if o is option else o for o in field.options]
    if not active_options(field.options):
        raise Invalid("Keep at least one option that can be chosen.", field="option")
    _changed(session, actor, field, before)
    return _view(field)


def value_counts(session: Session, *, actor: Actor, entity: object) -> dict[int, int]:
    """{field id: how many records hold a value} of the organization's fields of one kind."""
    return {f.id: _holding_count(session, f) for f in _rows(session, actor, entity) if f.id}


# --- helpers ---------------------------------------------------------------------------------


def records_table(entity: str) -> type[Lead] | type[Deal] | type[Partnership]:
    """The table holding the values of a kind of field."""
    tables: dict[FieldEntity, type[Lead] | type[Deal] | type[Partnership]] = {
        FieldEntity.LEAD: Lead,
        FieldEntity.REFERRAL: Lead,
        FieldEntity.DEAL: Deal,
        FieldEntity.PARTNER: Partnership,
    }
    return tables[FieldEntity(entity)]


def _holding_query(field: CustomField) -> tuple[type, Any]:
    """The table of the field's records, and the condition "holds a value of it"."""
    table = records_table(field.entity)
    return table, table.custom[str(field.id)].as_string().is_not(None)  # type: ignore[attr-defined]


def _holding(session: Session, field: CustomField) -> list:
    table, holds = _holding_query(field)
    return list(session.exec(select(table).where(holds)))


def _holding_count(session: Session, field: CustomField) -> int:
    table, holds = _holding_query(field)
    return int(session.exec(select(func.count()).select_from(table).where(holds)).one())


def _rows(session: Session, actor: Actor, entity: object) -> list[CustomField]:
    entity = _entity(actor, entity)
    return list(
        session.exec(
            select(CustomField).where(
                CustomField.org_id == actor.org_id, CustomField.entity == entity
            )
        )
    )


def _own(session: Session, actor: Actor, field_id: object) -> CustomField:
    actor.require_admin()
    field = session.get(CustomField, inputs.record_id(field_id, what="field"))
    if field is None or field.org_id != actor.org_id:
        raise NotFound("That field does not exist or is not visible to you.")
    return field


def _select_field(session: Session, actor: Actor, field_id: object) -> CustomField:
    field = _own(session, actor, field_id)
    if field.type not in SELECTS:
        raise Invalid("Only a select has options.", field="option")
    return field


def _option(field: CustomField, option_id: object) -> dict:
    wanted = inputs.record_id(option_id, what="option")
    for option in field.options:
        if option["id"] == wanted:
            return option
    raise NotFound("That option does not exist.")


def _entity(actor: Actor, entity: object) -> str:
    allowed = ENTITIES[actor.org_kind]
    if entity not in allowed:
        names = ", ".join(ENTITY_LABELS[e].lower() for e in allowed)
        raise Invalid(f"Choose what the field belongs to: {names}.", field="entity")
    return str(entity)


def _label(value: object) -> str:
    return inputs.text(value, field="label", label="Label", max_len=100)


def _type(value: object) -> str:
    if value not in tuple(FieldType):
        raise Invalid("Choose the field's type from the list.", field="type")
    return str(value)


def _internal(value: object) -> str:
    if value not in tuple(InternalAccess):
        raise Invalid("Choose editable or required for your organization.", field="internal_access")
    return str(value)


def _partner(actor: Actor, value: object) -> str:
    if value not in tuple(PartnerAccess):
        raise Invalid(
            "Choose hidden, visible, editable or required for partners.", field="partner_access"
        )
    if actor.org_kind == OrgKind.CONSULTANT and value != PartnerAccess.HIDDEN:
        raise Invalid("Your fields are private to your organization.", field="partner_access")
    return str(value)


def _key(value: object, *, explicit: bool) -> str:
    text = value.strip() if isinstance(value, str) else ""
    if explicit:
        if not _KEY.match(text):
            raise Invalid(
                "A key is 1 to 40 lowercase letters, digits and underscores, starting with a "
                "letter.",
                field="key",
            )
        return text
    slug = re.sub(r"[^a-z0-9]+", "_", text.casefold()).strip("_")
    slug = slug if slug[:1].isalpha() else f"field_{slug}".rstrip("_")
    return slug[:40].rstrip("_")


def _new_options(labels: object) -> list[dict]:
    if isinstance(labels, str):
        labels = [line for line in labels.splitlines() if line.strip()]
    if not isinstance(labels, list | tuple):
        raise Invalid("Give the options of the select, one per line.", field="options")
    options: list[dict] = []
    for label in labels:
        options.append(
            {"id": len(options) + 1, "label": _option_label(label, options), "archived": False}
        )
    if not options:
        raise Invalid("Give the options of the select, one per line.", field="options")
    if len(options) > MAX_OPTIONS:
        raise Invalid(f"A field has at most {MAX_OPTIONS} options.", field="options")
    return options


def _option_label(value: object, options: list[dict], *, allowed_id: int | None = None) -> str:
    name = inputs.text(value, field="option", label="Option", max_len=MAX_OPTION)
    if ";" in name:
        raise Invalid(
            "An option cannot contain \u201c;\u201d (it separates options in files).",
            field="option",
        )
    if any(o["label"].casefold() == name.casefold() and o["id"] != allowed_id for o in options):
        raise Invalid(f"\u201c{name}\u201d is already an option.", field="option")
    return name


def _summary(field: CustomField) -> dict:
    return {
        "label": field.label,
        "type": field.type,
        "options": [o["label"] for o in field.options if not o.get("archived")],
        "internal_access": field.internal_access,
        "partner_access": field.partner_access,
        "section": field.section,
    }


def _changed(session: Session, actor: Actor, field: CustomField, before: dict) -> None:
    after = _summary(field)
    if after != before:
        field.updated_at = utcnow()
        session.add(field)
        changed = [k for k in after if after[k] != before[k]]
        activity.record(
            session,
            actor=actor,
            subject=field,
            action="updated",
            before={k: before[k] for k in changed},
            after={k: after[k] for k in changed},
        )


def _view(field: CustomField) -> FieldView:
    assert field.id is not None
    return FieldView(
        id=field.id,
        entity=field.entity,
        key=field.key,
        label=field.label,
        type=field.type,
        type_label=TYPE_LABELS[FieldType(field.type)],
        options=[dict(o) for o in field.options],
        help_text=field.help_text,
        section=field.section,
        position=field.position,
        internal_access=field.internal_access,
        partner_access=field.partner_access,
        archived=field.archived_at is not None,
    )
