"""Create, update or both: what an import does with rows that name an existing record.

`plan` takes checked rows (a whole file, or one chunk of it) and decides, for each valid row,
whether it creates a record, updates one (with the fields' before and after), or finds it
unchanged; rows whose match is refused become refused rows with the reason (see matching).
`apply` writes a plan's updates: one UPDATE per record through the driver's executemany, one
ImportChange per record (its values before, which `restore` puts back when the import is
undone) and one timeline event per record ("updated" for a lead, "edited" for a deal, with the
before and after of the changed fields; the custom fields' changes in a "custom_changed" event,
as a form's). An empty cell leaves the value as it is.

Custom values (the custom columns mapped) are checked as the insert path checks them
(custom_import) and updated as services.imports.custom_updates says.
"""

import json
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from itertools import groupby
from typing import Any

import pandas as pd
import sqlalchemy as sa
from sqlmodel import Session, col, select

from ...models import (
    ActivityEvent,
    Approval,
    Deal,
    ImportBatch,
    ImportChange,
    ImportKind,
    Lead,
    OrgKind,
    utcnow,
)
from .. import custom_fields as cf
from .. import leads
from ..core import activity, changes, channel, inputs
from ..core.actor import Actor
from ..core.errors import Invalid
from . import columns, custom_updates, matching
from .custom_updates import CUSTOM
from .matching import DEAL_FIELDS, KEYS, LEAD_FIELDS, Found, Mode
from .rules import Checked, Problem
from .writer import _insert

PREVIEW_RECORDS = 20  # updated records whose before/after the dry run shows
DEAL_EXISTS = "This deal already exists (the same name, company and organization)."
_NORMS = ("company_norm", "email_domain")  # kept beside company and emails, never shown
_TEXT = frozenset({"before", "after"})  # given to the bulk inserts as JSON text (writer._insert)
_NORM_OF = frozenset({"company", "email", "contact_email"})  # the fields the norms come from
_HIDDEN = frozenset({*_NORMS, CUSTOM})  # not shown as such (custom: field by field)


@dataclass(frozen=True, slots=True)
class Update:
    """One record a row changes: its values before and after (the changed fields only)."""

    record_id: int
    before: dict[str, Any]
    after: dict[str, Any]
    version: int = 0  # a deal's, as read
    record: str = ""  # what the preview calls it: "Jane Doe" / the deal's name, as updated


@dataclass(slots=True)
class Plan:
    mode: Mode
    new: pd.Series  # bool by row: the valid rows that create a record
    updates: dict[int, Update] = field(default_factory=dict)  # by row
    unchanged: int = 0
    custom: dict[str, cf.FieldAccess] = field(default_factory=dict)  # the fields, by name

    @property
    def created(self) -> int:
        return int(self.new.sum())


@dataclass(frozen=True, slots=True)
class Change:
    """One changed field of one updated record, as the dry run previews it."""

    row: int
    record: str  # "Jane Doe, Contoso" / the deal's name
    field: str  # its label
    before: str
    after: str


def plan(
    session: Session,
    actor: Actor,
    kind: ImportKind,
    checked: Checked,
    mode: Mode,
    seen: set[int] | None = None,
) -> Plan:
    """Which rows of `checked` (a chunk of the file) create, update or leave a record as it is.
    Refusals of the update (and, in update mode, rows naming no record) are added to the checked
    problems. `seen`: the records earlier chunks matched (kept up to date here), so that two
    rows of a file never update one record."""
    assert checked.failed is not None
    if not mode.updates:
        return Plan(mode, ~checked.failed)
    data = checked.data
    mapped = any(f.form_name in checked.mapping for f in checked.custom)
    found = matching.find(session, actor, kind, mode, data, custom=mapped)
    key_column = checked.mapping.get(mode.key, KEYS[kind][mode.key])
    refusals: list[Problem] = []
    duplicate = DEAL_EXISTS if kind == ImportKind.DEALS else _lead_duplicate(kind)
    # In both modes a mandatory value is one a row that creates lacks: one that updates keeps
    # the record's (the mapping still chose the columns: columns.required).
    missing = _missing(kind, actor, checked)
    updating = {
        row for row, match in found.items() if isinstance(match, Found) and not match.refused
    }
    checked.problems = [
        p
        for p in checked.problems
        if not (p.row in found and p.message == duplicate)
        and not (p.row in updating and p.message in missing)
    ]
    _failed_again(checked)
    new = ~checked.failed
    updates: dict[int, Update] = {}
    unchanged = 0
    seen = set() if seen is None else seen
    matched: list[Any] = []
    failed = set(checked.failed.index[checked.failed.to_numpy()])
    keys = data[mode.key].tolist()
    values = _values(kind, mode, checked)  # plain lists: pandas' per-cell access is slow
    for at, row in enumerate(data.index):
        match = found.get(row)
        if match is None:
            if mode.mode == "update" and row not in failed:
                what = "deal" if kind == ImportKind.DEALS else "lead"
                label = KEYS[kind][mode.key].split(" (")[0].lower()
                said = (
                    f"No {what} of yours has this {label}: nothing to update."
                    if keys[at] != ""
                    else f"Give the {label} of the {what} to update."
                )
                refusals.append(Problem(int(row), key_column, said))
            continue
        matched.append(row)
        if isinstance(match, str) or match.refused:
            refusals.append(
                Problem(int(row), key_column, match if isinstance(match, str) else match.refused)
            )
            continue
        if match.record_id in seen:
            refusals.append(
                Problem(
                    int(row),
                    key_column,
                    "An earlier row of the file updates the same record: only that one is used.",
                )
            )
            continue
        seen.add(match.record_id)
        if row in failed:
            continue
        before, after = _diff(values, at, match)
        if kind == ImportKind.DEALS and "amount" in after and _approved_amount(actor, match):
            column = checked.mapping.get("amount", "Amount")
            refusals.append(Problem(int(row), column, matching.APPROVED_AMOUNT))
        elif after:
            updates[row] = Update(
                match.record_id, before, after, match.version, _record(kind, match, after)
            )
        else:
            unchanged += 1
    new &= ~new.index.isin(matched)
    if refusals:
        checked.problems = sorted([*checked.problems, *refusals], key=lambda p: p.row)
        _failed_again(checked)
        new &= ~checked.failed
        failed = set(checked.failed.index[checked.failed.to_numpy()])
        updates = {row: u for row, u in updates.items() if row not in failed}
    return Plan(mode, new, updates, unchanged, {f.name: f for f in checked.custom})


def preview(kind: ImportKind, checked: Checked, plan: Plan) -> list[Change]:
    """The changed fields of the first updated records, before and after."""
    labels = {f: f.replace("_", " ").capitalize() for f in (*LEAD_FIELDS, *DEAL_FIELDS)}
    labels["external_id"] = "External ID"
    found: list[Change] = []
    for row, update in list(plan.updates.items())[:PREVIEW_RECORDS]:
        record = update.record
        for name, after in update.after.items():
            if name not in _HIDDEN:
                shown = str(update.before.get(name, ""))
                found.append(Change(int(row), record.strip(), labels[name], shown, str(after)))
        before, after = custom_updates.shown(plan.custom, update.before, update.after)
        for name, text in after.items():
            label = plan.custom[name].label
            found.append(Change(int(row), record.strip(), label, before[name], text))
    return found


def apply(
    session: Session,
    *,
    actor: Actor,
    kind: ImportKind,
    batch: ImportBatch,
    plan: Plan,
    now: datetime,
) -> int:
    """Write the plan's updates (in the caller's transaction) with their ImportChanges and
    timeline events; returns how many records changed. Call it for each chunk's plan."""
    if not plan.updates:
        return 0
    updates = list(plan.updates.values())
    deal = kind == ImportKind.DEALS
    model = Deal if deal else Lead
    by_columns = sorted(updates, key=lambda u: tuple(u.after))
    for names, group in groupby(by_columns, key=lambda u: tuple(u.after)):
        items = list(group)
        rows = [[*(_stored(model, n, u.after[n]) for n in names), u.record_id] for u in items]
        if deal:
            rows = [[*r, u.version] for r, u in zip(rows, items, strict=True)]
        changed = _update(session, model, names, rows, now, versioned=deal)
        if changed != len(rows):
            raise Invalid("Some of these deals changed while importing: check the file again.")
    if deal:
        orgs = session.exec(
            select(Deal.provider_org_id, Deal.partner_org_id)
            .where(col(Deal.id).in_([u.record_id for u in updates[:5000]]))
            .distinct()
        ).all()
        changes.deals_changed(session, actor.org_id, *{o for pair in orgs for o in pair})
    else:
        changes.touched(session, changes.Topic.LEADS, actor.org_id)
    entity_type = activity.ENTITY_TYPES[model]
    edited = [u for u in updates if set(u.after) - _HIDDEN]
    _insert(
        session,
        ImportChange,
        {
            "entity_id": [u.record_id for u in updates],
            "before": [json.dumps(u.before) for u in updates],
            "after": [json.dumps(u.after) for u in updates],
            "version": [u.version + 1 if deal else None for u in updates],
        },
        {"batch_id": batch.id, "entity_type": entity_type},
        serialized=_TEXT,
    )
    events = {
        "org_id": actor.org_id,
        "actor_id": actor.user_id,
        "entity_type": entity_type,
        "created_at": now,
        "via": channel.IMPORT,  # the audit log's "how", as activity.record would say it
        "via_label": channel.import_batch(batch.id, batch.file_name).label,
    }
    if edited:
        _insert(
            session,
            ActivityEvent,
            {
                "entity_id": [u.record_id for u in edited],
                "before": [json.dumps(_shown(u.before)) for u in edited],
                "after": [
                    json.dumps({**_shown(u.after), "import_batch_id": batch.id}) for u in edited
                ],
            },
            {**events, "action": "edited" if deal else "updated"},
            serialized=_TEXT,
        )
    shown = [(u.record_id, *custom_updates.shown(plan.custom, u.before, u.after)) for u in updates]
    custom_updates.events(session, shown, events, {"import_batch_id": batch.id})
    return len(updates)


def changed_since(session: Session, batch: ImportBatch) -> int:
    """How many records the batch updated changed again since (a lead edited later, a deal
    whose version moved on)."""
    lead = (
        select(sa.func.count())
        .select_from(ImportChange)
        .join(Lead, col(Lead.id) == ImportChange.entity_id)
        .where(
            ImportChange.batch_id == batch.id,
            ImportChange.entity_type == activity.ENTITY_TYPES[Lead],
            col(Lead.updated_at) > batch.finished_at,
        )
    )
    deal = (
        select(sa.func.count())
        .select_from(ImportChange)
        .join(Deal, col(Deal.id) == ImportChange.entity_id)
        .where(
            ImportChange.batch_id == batch.id,
            ImportChange.entity_type == activity.ENTITY_TYPES[Deal],
            Deal.version != ImportChange.version,
        )
    )
    return (
        int(session.exec(lead).one())
        + int(session.exec(deal).one())
        + custom_updates.changed_since(session, batch)
    )


def restore(session: Session, *, actor: Actor, batch: ImportBatch) -> int:
    """Put back the values the batch replaced (see changed_since first); returns the count."""
    found = session.exec(
        select(ImportChange).where(ImportChange.batch_id == batch.id).order_by(col(ImportChange.id))
    ).all()
    if not found:
        return 0
    now = utcnow()
    deal = found[0].entity_type == activity.ENTITY_TYPES[Deal]
    model = Deal if deal else Lead
    ordered = sorted(found, key=lambda c: tuple(c.before))
    for names, group in groupby(ordered, key=lambda c: tuple(c.before)):
        items = list(group)
        rows = [[*(_stored(model, n, c.before[n]) for n in names), c.entity_id] for c in items]
        if deal:
            rows = [[*r, c.version] for r, c in zip(rows, items, strict=True)]
        _update(session, model, names, rows, now, versioned=deal)
    if deal:
        changes.deals_changed(session, actor.org_id)
    else:
        changes.touched(session, changes.Topic.LEADS, actor.org_id)
    events = {
        "org_id": actor.org_id,
        "actor_id": actor.user_id,
        "entity_type": found[0].entity_type,
        "created_at": now,
        "via": channel.IMPORT,  # the audit log's "how", as activity.record would say it
        "via_label": channel.import_batch(batch.id, batch.file_name).label,
    }
    edited = [c for c in found if set(c.before) - _HIDDEN]
    if edited:
        _insert(
            session,
            ActivityEvent,
            {
                "entity_id": [c.entity_id for c in edited],
                "before": [_shown(c.after) for c in edited],
                "after": [{**_shown(c.before), "import_undone": batch.id} for c in edited],
            },
            {**events, "action": "edited" if deal else "updated"},
        )
    fields = custom_updates.fields_of(session, actor, found)
    shown = [(c.entity_id, *custom_updates.shown(fields, c.after, c.before)) for c in found]
    custom_updates.events(session, shown, events, {"import_undone": batch.id})
    return len(found)


def _missing(kind: ImportKind, actor: Actor, checked: Checked) -> set[str]:
    """The messages of a mandatory value left empty (rules.basics, custom_import: the forms')."""
    known = (*columns.fields(kind, actor.org_kind), *checked.custom)
    return {inputs.NO_EMAIL, *(inputs.missing(f.label) for f in known)}


def _lead_duplicate(kind: ImportKind) -> str:
    return leads.DUPLICATE.format(noun="lead" if kind == ImportKind.LEADS else "referral")


def _failed_again(checked: Checked) -> None:
    failed = pd.Series(False, index=checked.data.index)
    rows = [p.row for p in checked.problems if p.blocking]
    if rows:
        failed[failed.index.isin(rows)] = True
    checked.failed = failed


def _values(
    kind: ImportKind, mode: Mode, checked: Checked
) -> dict[str, tuple[list[Any], list[bool]]]:
    """By field an update may change (mapped, not the match key): the rows' values as stored
    (amounts and dates as JSON text) and whether each row's cell is empty (which leaves the
    value as it is); the norms of company and emails, by row, under their own names."""
    data = checked.data
    names = DEAL_FIELDS if kind == ImportKind.DEALS else LEAD_FIELDS
    found: dict[str, tuple[list[Any], list[bool]]] = {}
    for name in (*names, "external_id"):
        header = checked.mapping.get(name)
        if header is None or name == mode.key:
            continue
        empty = (checked.table.rows[header].str.strip() == "").tolist()
        if name == "close_date":
            values = [d.date().isoformat() if pd.notna(d) else None for d in data["close_day"]]
        elif name == "amount":
            values = [
                _cents(v) if not e else None
                for v, e in zip(data["amount"].tolist(), empty, strict=True)
            ]
        else:
            values = data[name].tolist()
        found[name] = (values, empty)
    for name in _NORMS:
        found[name] = ([v[:200] for v in data[name].tolist()], [])
    if given := custom_updates.given(checked):
        found[CUSTOM] = (given, [])
    return found


def _diff(
    values: dict[str, tuple[list[Any], list[bool]]], at: int, match: Found
) -> tuple[dict[str, Any], dict[str, Any]]:
    """The changed fields of the record a row (at position `at`) updates: (before, after)."""
    before: dict[str, Any] = {}
    after: dict[str, Any] = {}
    for name, (column, empty) in values.items():
        if name in _HIDDEN or empty[at]:
            continue
        value, current = column[at], _json(match.values[name])
        if value != current:
            before[name], after[name] = current, value
    if _NORM_OF & set(after):
        for name in _NORMS:
            before[name], after[name] = match.values[name], values[name][0][at]
    if CUSTOM in values:
        custom_updates.diff(values[CUSTOM][0][at], match.values[CUSTOM], before, after)
    return before, after


def _record(kind: ImportKind, match: Found, after: dict[str, Any]) -> str:
    """A record as the preview names it, with the row's changes (its name may be one)."""
    values = {**match.values, **after}
    if kind == ImportKind.DEALS:
        return str(values["name"] or "")
    return f"{values['first_name'] or ''} {values['last_name'] or ''}".strip()


def _cents(value: str) -> str | None:
    """An amount as an ImportChange keeps it (None: not an amount; its row failed)."""
    try:
        return str(Decimal(value).quantize(Decimal("0.01")))
    except ArithmeticError:
        return None


def _json(value: Any) -> Any:
    """A stored value as an ImportChange keeps it (JSON: amounts and dates as text)."""
    if isinstance(value, Decimal):
        return str(value.quantize(Decimal("0.01")))
    if isinstance(value, date):
        return value.isoformat()
    return value


def _stored(model: Any, name: str, value: Any) -> Any:
    """A JSON-kept value as the column takes it (custom values as JSON text, as the inserts
    give them: writer._insert)."""
    if name == CUSTOM:
        return json.dumps(value or {})
    if value is None:
        return None
    if name == "amount":
        return Decimal(value)
    if name == "close_date":
        return date.fromisoformat(value)
    return value


def _shown(values: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in values.items() if k not in _HIDDEN}


def _approved_amount(actor: Actor, match: Found) -> bool:
    """A partner's import changing the amount of a deal its provider approved."""
    return actor.org_kind == OrgKind.CONSULTANT and match.values["approval"] == Approval.APPROVED


def _update(
    session: Session,
    model: Any,
    names: tuple[str, ...],
    rows: list[list[Any]],
    now: datetime,
    *,
    versioned: bool,
) -> int:
    """UPDATE `names` (and updated_at; a deal's version too, where it is still the one read)
    of each row ([*values, id(, version)]) through the driver's executemany; returns the
    count of rows changed."""
    connection = session.connection()
    dialect = connection.dialect
    table = model.__table__
    processors = [
        None if name == CUSTOM else table.c[name].type.dialect_impl(dialect).bind_processor(dialect)
        for name in names
    ]
    stamp = table.c["updated_at"].type.dialect_impl(dialect).bind_processor(dialect)
    at = stamp(now) if stamp else now
    quote = dialect.identifier_preparer.quote
    mark = "?" if dialect.paramstyle == "qmark" else "%s"
    sets = ", ".join(f"{quote(name)} = {mark}" for name in (*names, "updated_at"))
    where = f"id = {mark}"
    if versioned:
        sets += ", version = version + 1"
        where += f" AND version = {mark}"
    sql = f"UPDATE {quote(table.name)} SET {sets} WHERE {where}"  # noqa: S608 - names
    params = []
    for row in rows:
        values = [p(v) if p else v for p, v in zip(processors, row, strict=False)]
        params.append((*values, at, *row[len(names) :]))
    changed = 0
    for start in range(0, len(params), 5_000):
        chunk = params[start : start + 5_000]
        result = connection.exec_driver_sql(sql, chunk)
        changed += result.rowcount if result.rowcount >= 0 else len(chunk)
    return changed
