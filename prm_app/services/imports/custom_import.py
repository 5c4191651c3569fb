"""Custom fields in a CSV import: the columns the mapping offers, and each row's values checked
with the forms' rules and messages (services.custom_fields.values.write).

The mapping offers the custom fields the importing organization may fill in on what it imports:
its own fields, and (a consultant's leads and deals) the editable fields of its providers, each
named `custom_<id>`. A provider's field may hold a value only on the rows that go to that
provider. On rows sent (and on deals), the required fields of the row's provider and the
importer's own required fields must have a value; drafts require nothing, as in the form.

Every distinct value of a column is checked once by `values.write`, so a column of a few
options costs a few calls whatever the rows; values that are plainly valid as they are (text
within its length, plain numbers and amounts, common web and email addresses) are taken over
whole columns.
"""

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
from sqlmodel import Session, col, select

from ...models import FieldEntity, FieldType, ImportKind, Organization, OrgKind
from .. import custom_fields as cf
from ..core import inputs
from ..core.actor import Actor
from ..core.errors import Invalid
from ..custom_fields import types as cf_types
from ..custom_fields.access import partner_org_ids
from ..deals import counterparts
from . import columns as import_columns
from . import locales
from .columns import Field

_ENTITY = {
    ImportKind.LEADS: FieldEntity.LEAD,
    ImportKind.REFERRALS: FieldEntity.REFERRAL,
    ImportKind.DEALS: FieldEntity.DEAL,
}
# Values taken as they are, whole columns at a time (the rest: values.write, once per value).
_NUMBER = r"^-?\d{1,12}(\.\d{1,6})?$"  # |n| < 1e12
_AMOUNT = r"^\d{1,10}(\.\d{1,2})?$"  # <= MAX_MONEY, to the cent
_URL = r"^https?://[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)+(:\d{1,5})?(/[!-~]*)?$"
_UNSTORABLE = "[\x00\ud800-\udfff]"


@dataclass(frozen=True, slots=True)
class Checked:
    """A file's custom values: problems as (field name, rows, message by row), and each row's
    `custom` (as values.write stores it)."""

    problems: list[tuple[str, pd.Series, pd.Series]]
    custom: list[dict]


def importable(session: Session, actor: Actor, kind: ImportKind) -> list[cf.FieldAccess]:
    """The fields an import of `kind` may fill in: the organization's own and, on what goes to
    them, its partners' fields it may edit."""
    fields = cf.for_viewer(
        session,
        viewer_org_id=actor.org_id,
        entity=_ENTITY[kind],
        counterpart_org_ids=partner_org_ids(session, actor.org_id),
    )
    return [f for f in fields if f.editable]


def value_columns(
    kind: ImportKind, fields: Sequence[cf.FieldAccess]
) -> tuple[list[str], list[str]]:
    """The columns (the checked data's names) holding amounts and numbers, and those holding
    dates, which the file writes its way (services.imports.locales): a deal's amount and close
    date, and the custom money, number and date fields."""
    deal = kind == ImportKind.DEALS
    numbers = [f.form_name for f in fields if f.type in (FieldType.MONEY, FieldType.NUMBER)]
    dates = [f.form_name for f in fields if f.type == FieldType.DATE]
    return (["amount"] if deal else []) + numbers, (["close_date"] if deal else []) + dates


def columns_of(session: Session, fields: Sequence[cf.FieldAccess]) -> list[Field]:
    """The mapping's entries for the fields: a partner's field names its organization."""
    names = _org_names(session, fields)
    return [
        Field(
            f.form_name,
            f.label if f.own else f"{f.label} ({names.get(f.org_id, '')})",
            False,
            cf_types.MAX_LONG_TEXT,
            (f.key, f.label),
            _example(f),
            note=_note(f, names.get(f.org_id, "")),
        )
        for f in fields
    ]


def template(session: Session, *, actor: Actor, kind: object) -> str:
    """The import's template (columns.template_csv) with a column for each custom field the
    organization may fill in, and an example row that imports as it is: sent to the first
    organization that can receive it (the placeholder's name when there is none), with the
    custom values of that organization's fields and of the importer's own, no other's."""
    kind = import_columns.import_kind(kind)
    import_columns.fields(kind, actor.org_kind)  # refuses a kind the organization cannot import
    fields = importable(session, actor, kind)
    extra = columns_of(session, fields)
    receivers = counterparts(session, actor=actor)
    examples = {f.form_name: "" for f in fields if not f.own}
    if receivers:
        org_id, name = receivers[0]
        examples = {f.form_name: "" for f in fields if not f.own and f.org_id != org_id}
        examples["provider" if actor.org_kind == OrgKind.CONSULTANT else "partner"] = name
    return import_columns.template_csv(kind, actor.org_kind, extra=extra, examples=examples)


_EXAMPLES = {
    FieldType.NUMBER: "10",
    FieldType.MONEY: "1200.00",
    FieldType.DATE: "2030-06-30",
    FieldType.CHECKBOX: "yes",
    FieldType.URL: "https://www.contoso.com",
    FieldType.EMAIL: "jane.doe@contoso.com",
}


def _example(field: cf.FieldAccess) -> str:
    if field.type in (FieldType.SELECT, FieldType.MULTI_SELECT):
        active = cf_types.active_options(field.options)
        return str(active[0]["label"]) if active else ""
    return _EXAMPLES.get(FieldType(field.type), "")


def _note(field: cf.FieldAccess, org_name: str) -> str:
    if not field.required:
        return "Custom field"
    if field.own:
        return "Custom field, required on rows sent and on deals"
    return f"Custom field, required on rows sent to {org_name}"


def check(
    session: Session,
    fields: Sequence[cf.FieldAccess],
    data: pd.DataFrame,
    *,
    enforced: bool,
    other_org_ids: pd.Series | None,
    also_to: Sequence[int] = (),
    ways: tuple[str, str] | None = None,
) -> Checked:
    """Check the custom columns of `data` (by the fields' form names, "" for no value).

    enforced: required fields must be filled (rows sent, deals). other_org_ids: each row's
    provider (None: the rows go nowhere yet, so only the organization's own fields apply).
    also_to: the other organizations every row goes to, besides its own (see send_to).
    ways: how the file writes amounts and dates (locales.ways): money, number and date values
    are read that way ("12.000,50", "30/06/2030"); None: as plain numbers and ISO dates.
    """
    index = data.index
    names = _org_names(session, fields)
    problems: list[tuple[str, pd.Series, pd.Series]] = []
    stored: list[tuple[str, np.ndarray]] = []
    for field in fields:
        raw = _the_files_way(field.type, data[field.form_name], ways)
        if field.own:
            applies = pd.Series(True, index=index)
        else:
            applies = (
                (other_org_ids == field.org_id) | (field.org_id in also_to)
                if other_org_ids is not None
                else pd.Series(False, index=index)
            )
            elsewhere = (raw != "") & ~applies
            if elsewhere.any():
                org = names.get(field.org_id, "")
                said = f"{field.label} is {org}'s field: fill it in only on rows sent to {org}."
                problems.append((field.form_name, elsewhere, pd.Series(said, index=index)))
        values, messages = _values(field, raw, applies, enforced)
        bad = messages != ""
        if bad.any():
            problems.append((field.form_name, bad, messages))
        stored.append((field.name, values))
    custom = [
        {name: value for (name, _), value in zip(stored, row, strict=True) if value is not None}
        for row in zip(*(values for _, values in stored), strict=True)
    ] or [{} for _ in index]
    return Checked(problems, custom)


def _the_files_way(kind: str, raw: pd.Series, ways: tuple[str, str] | None) -> pd.Series:
    if ways is None:
        return raw
    if kind in (FieldType.MONEY, FieldType.NUMBER):
        return locales.numbers(raw, ways[0])
    return locales.dates(raw, ways[1]) if kind == FieldType.DATE else raw


def _values(
    field: cf.FieldAccess, raw: pd.Series, applies: pd.Series, enforced: bool
) -> tuple[np.ndarray, pd.Series]:
    """The stored value of each row (None: none) and the problem of each ("": none)."""
    values = np.full(len(raw), None, dtype=object)
    messages = pd.Series("", index=raw.index, dtype="str")
    fast = applies & _plain(field.type, raw)
    if fast.any():
        taken = raw[fast]
        if field.type in (FieldType.NUMBER, FieldType.MONEY):  # as parse: whole ones as int
            numbers = taken.astype(float).tolist()
            values[fast.to_numpy()] = [int(n) if n.is_integer() else n for n in numbers]
        elif field.type == FieldType.EMAIL:
            values[fast.to_numpy()] = taken.str.lower().tolist()
        else:
            values[fast.to_numpy()] = taken.tolist()
    rest = applies & ~fast
    if rest.any():
        known = {value: _one(field, value, enforced) for value in raw[rest].unique()}
        at = rest.to_numpy()
        values[at] = [known[value][0] for value in raw[rest]]
        messages[rest] = raw[rest].map(lambda value: known[value][1])
    return values, messages


def _one(field: cf.FieldAccess, raw: str, enforced: bool) -> tuple[object, str]:
    """(stored value, "") or (None, the form's message) of one value, by values.write."""
    try:
        written = cf.write(
            [field], {}, {field.name: raw}, required_of=[field.org_id] if enforced else []
        )
    except Invalid as error:
        return None, error.problems.get(field.form_name, str(error))
    return written.custom.get(field.name), ""


def _plain(kind: str, raw: pd.Series) -> pd.Series:
    """The values `parse` keeps as they are (numbers as numbers, emails lower-cased), found over
    a whole column; every other value goes through values.write."""
    if kind in (FieldType.TEXT, FieldType.LONG_TEXT):
        limit = cf_types.MAX_TEXT if kind == FieldType.TEXT else cf_types.MAX_LONG_TEXT
        return (raw != "") & (raw.str.len() <= limit) & _storable(raw)
    if kind == FieldType.NUMBER:
        return raw.str.match(_NUMBER)
    if kind == FieldType.MONEY:
        return raw.str.match(_AMOUNT)
    if kind == FieldType.URL:
        return (raw.str.len() <= cf_types.MAX_URL) & raw.str.match(_URL)
    if kind == FieldType.EMAIL:
        fit = (raw.str.len() <= inputs.MAX_EMAIL) & raw.str.match(inputs.EMAIL_PATTERN)
        return fit & _storable(raw)
    return pd.Series(False, index=raw.index)


def _storable(raw: pd.Series) -> pd.Series:
    return ~raw.str.contains(_UNSTORABLE, regex=True)


def _org_names(session: Session, fields: Sequence[cf.FieldAccess]) -> dict[int, str]:
    ids = {f.org_id for f in fields if not f.own}
    if not ids:
        return {}
    rows = session.exec(
        select(Organization.id, Organization.name).where(col(Organization.id).in_(ids))
    ).all()
    return {org_id: name for org_id, name in rows if org_id is not None}
