"""Custom values in an import's update mode (services.imports.updates): each row's values of the
custom columns mapped, the record's `custom` before and after (kept whole in its ImportChange,
so that undoing puts back exactly what it held), the fields changed as people read them (the
dry run's preview, the "custom_changed" timeline events of the update and of its undo), and
the leads whose custom values changed since."""

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, col, select

from ...models import ActivityEvent, CustomField, ImportBatch, ImportChange, Lead
from .. import custom_fields as cf
from ..core import activity
from ..core.actor import Actor
from ..custom_fields.access import access_of
from .rules import Checked
from .writer import _insert

CUSTOM = "custom"  # a record's custom values: the column, kept whole


def given(checked: Checked) -> list[dict[str, Any]]:
    """Each row's values of the custom columns mapped, where its cell is not empty (an empty
    cell keeps the record's value), by field name ([] when no custom column is mapped)."""
    fields = [f for f in checked.custom if f.form_name in checked.mapping]
    if not fields:
        return []
    filled = [
        (f.name, (checked.table.rows[checked.mapping[f.form_name]].str.strip() != "").tolist())
        for f in fields
    ]
    return [
        {name: row[name] for name, cells in filled if cells[at] and name in row}
        for at, row in enumerate(checked.data[CUSTOM].tolist())
    ]


def diff(row: dict[str, Any], stored: Any, before: dict[str, Any], after: dict[str, Any]) -> None:
    """Add the record's `custom` (`stored`) before and after the row's values to `before` and
    `after` when any of them changes it (nothing otherwise: unchanged)."""
    current = dict(stored or {})
    if any(current.get(name) != value for name, value in row.items()):
        before[CUSTOM], after[CUSTOM] = current, {**current, **row}


def changed_since(session: Session, batch: ImportBatch) -> int:
    """How many leads whose custom values the batch updated hold others now, with nothing else
    changed (a custom field's edit does not stamp a lead's updated_at; a deal's moves its
    version). Only the changes that hold custom values are read."""
    rows = session.exec(
        select(ImportChange.after, Lead.custom)
        .join(Lead, col(Lead.id) == ImportChange.entity_id)
        .where(
            ImportChange.batch_id == batch.id,
            ImportChange.entity_type == activity.ENTITY_TYPES[Lead],
            sa.cast(ImportChange.after, sa.Text).like(f'%"{CUSTOM}"%'),
            sa.or_(col(Lead.updated_at).is_(None), col(Lead.updated_at) <= batch.finished_at),
        )
    ).all()
    return sum(1 for after, now in rows if CUSTOM in after and after[CUSTOM] != (now or {}))


def shown(
    fields: dict[str, cf.FieldAccess], before: dict[str, Any], after: dict[str, Any]
) -> tuple[dict[str, str], dict[str, str]]:
    """The custom values that differ between `before` and `after` (records' `custom` as an
    ImportChange keeps them), as people read them, by field name (a field unknown: left out)."""
    old, new = before.get(CUSTOM), after.get(CUSTOM)
    if old is None and new is None:
        return {}, {}
    old, new = old or {}, new or {}
    shown_before: dict[str, str] = {}
    shown_after: dict[str, str] = {}
    for name in sorted({*old, *new}, key=lambda n: (n not in fields, n)):
        f = fields.get(name)
        if f is None or old.get(name) == new.get(name):
            continue
        options = list(f.options)
        shown_before[name] = cf.display(f.type, old.get(name), options)
        shown_after[name] = cf.display(f.type, new.get(name), options)
    return shown_before, shown_after


def events(
    session: Session,
    shown: list[tuple[int, dict[str, str], dict[str, str]]],
    constants: dict[str, Any],
    extra: dict[str, Any],
) -> None:
    """One "custom_changed" event per record whose custom values changed (its before and after
    as read, by field: the timeline shows them as a form's change)."""
    changed = [(record_id, old, new) for record_id, old, new in shown if new]
    if changed:
        _insert(
            session,
            ActivityEvent,
            {
                "entity_id": [record_id for record_id, _, _ in changed],
                "before": [old for _, old, _ in changed],
                "after": [{**new, **extra} for _, _, new in changed],
            },
            {**constants, "action": cf.ACTION},
        )


def fields_of(
    session: Session, actor: Actor, found: Sequence[ImportChange]
) -> dict[str, cf.FieldAccess]:
    """The custom fields of the values the changes replaced, as the actor sees them."""
    ids = {
        int(name)
        for c in found
        for name in {*(c.before.get(CUSTOM) or {}), *(c.after.get(CUSTOM) or {})}
        if name.isdigit()
    }
    if not ids:
        return {}
    rows = session.exec(select(CustomField).where(col(CustomField.id).in_(ids))).all()
    seen = (access_of(row, actor.org_id) for row in rows)
    return {f.name: f for f in seen if f is not None}
