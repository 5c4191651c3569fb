"""Filtering and sorting a list on a custom field, in SQL, on SQLite and PostgreSQL alike.

Values sit in the records' `custom` JSON column under the field's id; these expressions read
them with the JSON path operators of each database (`custom ->> '12'` on PostgreSQL,
`json_extract(custom, '$."12"')` on SQLite). A filter is (field, operator, value): "is" for a
select or a checkbox, "has" for a multi select (one option among those chosen), "from"/"to"
for a number, an amount or a date (both ends included), "contains" for text.
"""

from typing import Any

import sqlalchemy as sa

from ...models import FieldType
from ..core import listing
from ..core.errors import Invalid
from .access import FieldAccess
from .types import parse

TEXTS = (FieldType.TEXT, FieldType.LONG_TEXT, FieldType.URL, FieldType.EMAIL)
RANGES = (FieldType.NUMBER, FieldType.MONEY, FieldType.DATE)


def operators(kind: str) -> tuple[str, ...]:
    """The filter operators a type offers."""
    if kind in (FieldType.SELECT, FieldType.CHECKBOX):
        return ("is",)
    if kind == FieldType.MULTI_SELECT:
        return ("has",)
    if kind in RANGES:
        return ("from", "to")
    return ("contains",)


def value_of(column: Any, field: FieldAccess) -> Any:
    """The field's value in `column` (a `custom` column) as SQL of its type, for sorting."""
    element = column[field.name]
    if field.type in (FieldType.NUMBER, FieldType.MONEY):
        return element.as_float()
    if field.type == FieldType.SELECT:
        return element.as_integer()
    if field.type == FieldType.CHECKBOX:
        return element.as_boolean()
    return element.as_string()


def sort_by(column: Any, field: FieldAccess, *, descending: bool = False) -> Any:
    """An ORDER BY term: records without a value last, either way. A select sorts by its
    options' order as defined (their ids), a multi select by its text."""
    value = value_of(column, field)
    return (value.desc() if descending else value.asc()).nulls_last()


def condition(dialect: str, column: Any, field: FieldAccess, operator: object, raw: object) -> Any:
    """A WHERE condition on the field's value; Invalid (naming the field) for a bad value."""
    if operator not in operators(field.type):
        raise Invalid(f"{field.label} cannot be filtered that way.", field=field.form_name)
    if field.type in TEXTS:
        text = listing.search_text(raw)
        return listing.contains(column[field.name].as_string(), text)
    value = parse(field.type, raw, label=field.label, options=list(field.options))
    if value is None:
        raise Invalid(f"{field.label}: give a value to filter on.", field=field.form_name)
    if field.type == FieldType.CHECKBOX:
        ticked = column[field.name].as_boolean()
        return ticked.is_(True) if value else sa.or_(ticked.is_(None), ticked.is_(False))
    if field.type == FieldType.MULTI_SELECT:
        return _has_option(dialect, column, field, value[0])
    element = value_of(column, field)
    if operator == "is":
        return element == value
    return element >= value if operator == "from" else element <= value


def _has_option(dialect: str, column: Any, field: FieldAccess, option_id: int) -> Any:
    if dialect == "postgresql":
        return column[field.name].op("@>")(sa.cast(sa.literal(f"[{int(option_id)}]"), column.type))
    each = sa.func.json_each(column, f'$."{field.name}"').table_valued("value")
    return sa.exists(sa.select(1).select_from(each).where(each.c.value == int(option_id)))
