"""Reading and writing a record's custom values, through the fields its viewer may use.

Every path reads with `shown`/`plain_values` and writes with `write`, giving the fields
services.custom_fields.access returned for the acting organization: a value of a field not among
them is never read out nor written, whatever a client sends.
"""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sqlmodel import Session, SQLModel

from ..core import activity
from ..core.actor import Actor
from ..core.errors import Invalid
from .access import FieldAccess, by_key
from .types import display, parse, plain


@dataclass(frozen=True, slots=True)
class ShownValue:
    """One field's value as a page shows it."""

    field: FieldAccess
    value: Any  # stored form (None: none)
    text: str  # as people read it


def shown(fields: Sequence[FieldAccess], custom: Mapping[str, Any] | None) -> list[ShownValue]:
    """Every field the viewer may see, with the record's value (fields without one included)."""
    custom = custom or {}
    return [
        ShownValue(f, custom.get(f.name), display(f.type, custom.get(f.name), list(f.options)))
        for f in fields
    ]


def texts(fields: Sequence[FieldAccess], custom: Mapping[str, Any] | None) -> dict[str, str]:
    """{field id: value as read} of the fields the viewer may see (list cells, exports)."""
    custom = custom or {}
    return {f.name: display(f.type, custom.get(f.name), list(f.options)) for f in fields}


def plain_values(fields: Sequence[FieldAccess], custom: Mapping[str, Any] | None) -> dict[str, Any]:
    """{API name: value} of the fields the viewer may see: the API's and webhooks' `custom`."""
    custom = custom or {}
    return {
        name: plain(f.type, custom.get(f.name), list(f.options))
        for name, f in by_key(fields).items()
    }


@dataclass(frozen=True, slots=True)
class Written:
    """What a write changed: the record's new `custom`, and before/after as read, by field id
    (the timeline's event; `changes_seen` reads it back for each viewer). Empty: no change."""

    custom: dict[str, Any]
    before: dict[str, str]
    after: dict[str, str]


def write(
    fields: Sequence[FieldAccess],
    current: Mapping[str, Any] | None,
    submitted: Mapping[str, object],
    *,
    named_by: str = "id",
    complete: bool = True,
    required_of: Sequence[int] | None = None,
) -> Written:
    """Check `submitted` values and merge them into `current`.

    named_by: "id" (forms: "12" or "custom_12"), or "key" (the API, imports: by_key's names).
    complete: the submission holds every editable field (a form): a required field left out
    or emptied is refused. Otherwise (an API PATCH, an import update) only the fields present
    change, and a required one may not be emptied.
    required_of: only the required fields of these organizations are enforced (a lead sent to
    one provider needs its fields, not another's); None: every field's own requirement.

    A name the viewer may not edit (unknown, another organization's hidden field, a read-only
    one) is refused by name, never silently dropped. All problems are told at once
    (Invalid.problems, keyed by each field's form name).
    """
    known = _names(fields, named_by)
    values = dict(current or {})
    before: dict[str, str] = {}
    after: dict[str, str] = {}
    problems: dict[str, str] = {}
    given: dict[int, object] = {}
    for name, raw in submitted.items():
        field = known.get(str(name))
        if field is None:
            problems[f"custom_{name}"] = f"There is no field \u201c{name}\u201d you can fill in."
        elif not field.editable:
            problems[field.form_name] = f"{field.label} cannot be changed by your organization."
        else:
            given[field.id] = raw
    for field in fields:
        if field.id not in given and not (complete and field.editable):
            continue
        raw = given.get(field.id)
        if _unchanged(raw, values.get(field.name)):  # kept as it is, even an archived option
            continue
        if raw is False and field.name not in values and not field.required:
            continue  # a box left unticked on a record without a value: still none
        try:
            value = parse(
                field.type,
                raw,
                label=field.label,
                options=list(field.options),
                field=field.form_name,
            )
        except Invalid as error:
            problems[field.form_name] = str(error)
            continue
        enforced = required_of is None or field.org_id in required_of
        if field.required and enforced and (value is None or value is False):  # a box: ticked
            problems[field.form_name] = f"{field.label} is required."
            continue
        old = values.get(field.name)
        if value == old:
            continue
        if value is None:
            values.pop(field.name, None)
        else:
            values[field.name] = value
        before[field.name] = display(field.type, old, list(field.options))
        after[field.name] = display(field.type, value, list(field.options))
    if problems:
        first = next(iter(problems))
        raise Invalid(problems[first], field=first, problems=problems)
    return Written(values, before, after)


ACTION = "custom_changed"  # the timeline event of a write (before/after: Written's)


def save(session: Session, *, actor: Actor, record: SQLModel, written: Written) -> bool:
    """Store a write on its record (a lead, a deal, a partnership), with the timeline's
    event of what changed; nothing when nothing did. Returns whether anything changed."""
    if not written.after:
        return False
    record.custom = written.custom  # type: ignore[attr-defined]  # a new dict: the JSON column sees it
    session.add(record)
    activity.record(
        session,
        actor=actor,
        subject=record,
        action=ACTION,
        before=written.before,
        after=written.after,
    )
    return True


def changes_seen(
    fields: Sequence[FieldAccess], before: Mapping[str, Any] | None, after: Mapping[str, Any] | None
) -> str:
    """A custom_changed event as a timeline reads it, of the fields the viewer's `fields` show
    ("Changed Budget from 10.00 to 20.00; set Tier to Gold; cleared Size (was Large)"; "" when
    it saw none): another organization's hidden field never reaches a timeline."""
    before = before if isinstance(before, Mapping) else {}
    after = after if isinstance(after, Mapping) else {}
    parts = []
    for field in fields:
        if field.name not in after:
            continue
        old, new = str(before.get(field.name, "")), str(after[field.name])
        if not old:
            parts.append(f"set {field.label} to {new}")
        elif not new:
            parts.append(f"cleared {field.label} (was {old})")
        else:
            parts.append(f"changed {field.label} from {old} to {new}")
    text = "; ".join(parts)
    return text[:1].upper() + text[1:]


def missing_required(
    fields: Sequence[FieldAccess], custom: Mapping[str, Any] | None, org_ids: Sequence[int]
) -> list[FieldAccess]:
    """The required fields of `org_ids` the record has no value for (a draft's, at submission)."""
    custom = custom or {}
    return [f for f in fields if f.required and f.org_id in org_ids and _blank(custom.get(f.name))]


def _unchanged(raw: object, stored: Any) -> bool:
    """Whether a submitted value is the stored one as a form or the API sends it back."""
    if stored is None:
        return False  # (an empty required field is still told)
    if isinstance(stored, bool) or isinstance(raw, bool):
        return raw is stored
    if isinstance(stored, list):
        return isinstance(raw, list | tuple) and sorted(map(str, raw)) == sorted(map(str, stored))
    return isinstance(raw, str | int | float) and str(raw).strip() == str(stored)


def _blank(value: Any) -> bool:
    return value is None or value is False or value == []


def _names(fields: Sequence[FieldAccess], named_by: str) -> dict[str, FieldAccess]:
    if named_by == "key":
        return dict(by_key(fields))
    names: dict[str, FieldAccess] = {}
    for field in fields:
        names[field.name] = field
        names[field.form_name] = field
    return names
