"""Custom fields on the lists: which fields a viewer may choose as columns, filter or sort on,
the checked choice (Choice), its SQL, and the page's cells.

Every list asks `fields_of` (services.custom_fields.for_viewer over the viewer's partners), so a
field hidden from the viewer is refused as a column, a filter or a sort, by name, like an
unknown one. Cells are read for the page's rows only, through `values.texts`.
"""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, col, select

from ...models import FieldEntity, OrgKind
from .. import custom_fields as cf
from ..core.actor import Actor
from ..core.errors import Invalid
from ..custom_fields import indexed

# The lists that show custom fields and keep saved views, and the records they list.
LISTS = ("sent", "received", "deals", "board", "partners")
MAX_COLUMNS = 12
MAX_FILTERS = 10
MAX_VALUE = 100
PREFIX = "custom:"  # a custom sort: "custom:<field id>", descending "custom:<field id>:desc"


@dataclass(frozen=True, slots=True)
class Filter:
    field: cf.FieldAccess
    op: str
    value: str


@dataclass(frozen=True, slots=True)
class Choice:
    """A list's custom columns, filters and sort, checked against the viewer's fields."""

    fields: tuple[cf.FieldAccess, ...]  # every field the viewer may use on this list
    columns: tuple[cf.FieldAccess, ...] = ()
    filters: tuple[Filter, ...] = ()
    sort: cf.FieldAccess | None = None
    descending: bool = False

    def conditions(self, id_column: Any) -> list:
        """WHERE conditions of the filters on the records whose id is `id_column` (read from
        the index of values, services.custom_fields.indexed)."""
        found = []
        ranges: dict[int, dict[str, str]] = {}
        for f in self.filters:
            if f.op in ("from", "to") and f.op not in ranges.setdefault(f.field.id, {}):
                ranges[f.field.id][f.op] = f.value  # both ends of one field: one index read
            else:
                found.append(indexed.condition(id_column, f.field, f.op, f.value))
        fields = {f.field.id: f.field for f in self.filters}
        for field_id, ends in ranges.items():
            if len(ends) == 2:
                found.append(indexed.between(id_column, fields[field_id], ends["from"], ends["to"]))
            else:
                for op, value in ends.items():
                    found.append(indexed.condition(id_column, fields[field_id], op, value))
        return found

    def order(self, id_column: Any) -> list:
        """The ORDER BY term of a custom sort (none: [])."""
        if self.sort is None:
            return []
        return [indexed.sort_by(id_column, self.sort, descending=self.descending)]

    def cells(self, session: Session, id_column: Any, column: Any, ids: Sequence[int]) -> dict:
        """{record id: {field id: value as read}} of the chosen columns, for `ids` only."""
        if not self.columns or not ids:
            return {}
        found = session.exec(select(id_column, column).where(col(id_column).in_(list(ids))))
        return {i: cf.texts(self.columns, custom) for i, custom in found}


def entity_of(actor: Actor, list_name: str) -> FieldEntity:
    """The kind of record a list shows to the actor's organization: a provider sends referrals
    and receives leads, a consultant the other way round."""
    provider = actor.org_kind == OrgKind.PROVIDER
    match list_name:
        case "sent":
            return FieldEntity.REFERRAL if provider else FieldEntity.LEAD
        case "received":
            return FieldEntity.LEAD if provider else FieldEntity.REFERRAL
        case "deals" | "board":
            return FieldEntity.DEAL
        case "partners":
            return FieldEntity.PARTNER
    raise Invalid("Choose a list.", field="list_name")


def fields_of(session: Session, *, actor: Actor, list_name: object) -> list[cf.FieldAccess]:
    """The custom fields the actor may see on the records of `list_name`: its organization's,
    and those its partners (either side) do not hide from it."""
    if list_name not in LISTS:
        raise Invalid("Choose a list.", field="list_name")
    entity = entity_of(actor, str(list_name))
    return cf.for_viewer(
        session,
        viewer_org_id=actor.org_id,
        entity=entity,
        counterpart_org_ids=cf.partner_org_ids(session, actor.org_id),
    )


def choose(
    session: Session,
    *,
    actor: Actor,
    list_name: str,
    columns: object = (),
    filters: object = (),
    sort: object = None,
) -> Choice:
    """Check a list's custom columns (field ids), filters ([{"field", "op", "value"}]) and sort
    ("custom:<id>[:desc]", or None) against the actor's fields on that list."""
    wanted_columns = _items(columns, "columns", MAX_COLUMNS)
    wanted_filters = _items(filters, "custom_filters", MAX_FILTERS)
    custom_sort = isinstance(sort, str) and sort.startswith(PREFIX)
    if not wanted_columns and not wanted_filters and not custom_sort:
        return Choice(fields=())
    fields = tuple(fields_of(session, actor=actor, list_name=list_name))
    return check(fields, columns=wanted_columns, filters=wanted_filters, sort=sort)


def check(
    fields: Sequence[cf.FieldAccess], *, columns: object, filters: object, sort: object
) -> Choice:
    """`choose` on given fields (a saved view's state is checked with the same)."""
    known = {f.name: f for f in fields}
    chosen = []
    for item in _items(columns, "columns", MAX_COLUMNS):
        field = _field(known, item, "columns")
        if field not in chosen:
            chosen.append(field)
    checked = []
    for item in _items(filters, "custom_filters", MAX_FILTERS):
        if not isinstance(item, Mapping):
            raise Invalid("Choose a field, a comparison and a value.", field="custom_filters")
        field = _field(known, item.get("field"), "custom_filters")
        op, value = item.get("op"), item.get("value")
        if op not in cf.operators(field.type):
            raise Invalid(f"{field.label} cannot be filtered that way.", field=field.form_name)
        if isinstance(value, bool):
            value = "yes" if value else "no"
        if not isinstance(value, str | int | float) or len(str(value)) > MAX_VALUE:
            raise Invalid(f"{field.label}: give a value to filter on.", field=field.form_name)
        # The value checked by the type now: an error names the field, not a SQL failure later.
        indexed.condition(sa.column("id"), field, op, str(value))
        checked.append(Filter(field, str(op), str(value)))
    sort_field, descending = None, False
    if isinstance(sort, str) and sort.startswith(PREFIX):
        name, _, order = sort.removeprefix(PREFIX).partition(":")
        if order not in ("", "desc"):
            raise Invalid("Choose a sort from the list.", field="sort")
        sort_field, descending = _field(known, name, "sort"), order == "desc"
    return Choice(tuple(fields), tuple(chosen), tuple(checked), sort_field, descending)


def sort_name(field: cf.FieldAccess, *, descending: bool = False) -> str:
    return f"{PREFIX}{field.id}{':desc' if descending else ''}"


def _items(value: object, name: str, most: int) -> list:
    if value is None or value == "":
        return []
    if not isinstance(value, list | tuple):
        raise Invalid("Choose from the list.", field=name)
    if len(value) > most:
        raise Invalid(f"Choose at most {most}.", field=name)
    return list(value)


def _field(known: Mapping[str, cf.FieldAccess], name: object, where: str) -> cf.FieldAccess:
    """A field the viewer may use; unknown, archived and hidden ones alike are refused."""
    field = known.get(str(name)) if isinstance(name, str | int) else None
    if field is None or isinstance(name, bool):
        raise Invalid("That field does not exist or is not visible to you.", field=where)
    return field
