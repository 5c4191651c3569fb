"""Filtering and sorting a list on a custom field, through the index of values (CustomValue).

A filter is (field, operator, value): "is" for a select or a checkbox, "has" for a multi select
(one option among those chosen), "from"/"to" for a number, an amount or a date (both ends
included), "contains" for text. It reads `custom_values` (one typed row per value, kept by
database triggers from the records' JSON): "the record's id is among the ids whose value
matches", from the (field_id, num) index, instead of parsing every record's JSON
(benchmarks/custom_fields_list.py measures both).

Numbers, amounts, option ids, checkboxes (1/0) and dates (YYYYMMDD) are compared as `num`;
texts are searched in `txt`.
"""

from typing import Any

import sqlalchemy as sa
from sqlmodel import col, func, select

from ...models import CustomValue, FieldType
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


def _values(field: FieldAccess) -> Any:
    """The ids of the records holding a value of `field` (a field belongs to one kind of
    record, so its id alone names them: the (field_id, num, record_id) index covers it)."""
    return select(CustomValue.record_id).where(CustomValue.field_id == field.id)


def _number(field: FieldAccess, value: Any) -> float:
    if field.type == FieldType.DATE:
        return float(str(value).replace("-", ""))
    if field.type == FieldType.CHECKBOX:
        return 1.0 if value else 0.0
    return float(value)


def between(id_column: Any, field: FieldAccess, low: object, high: object) -> Any:
    """A range's two ends ("from" and "to") in one read of the index."""
    low_value = parse(field.type, low, label=field.label, options=list(field.options))
    high_value = parse(field.type, high, label=field.label, options=list(field.options))
    if low_value is None or high_value is None:
        raise Invalid(f"{field.label}: give a value to filter on.", field=field.form_name)
    return col(id_column).in_(
        _values(field).where(
            col(CustomValue.num) >= _number(field, low_value),
            col(CustomValue.num) <= _number(field, high_value),
        )
    )


def condition(id_column: Any, field: FieldAccess, operator: object, raw: object) -> Any:
    """A WHERE condition on `id_column` (the records' id); Invalid (naming the field) for a
    bad value."""
    if operator not in operators(field.type):
        raise Invalid(f"{field.label} cannot be filtered that way.", field=field.form_name)
    values = _values(field)
    if field.type in TEXTS:
        text = listing.search_text(raw)
        return col(id_column).in_(values.where(listing.contains(CustomValue.txt, text)))
    value = parse(field.type, raw, label=field.label, options=list(field.options))
    if value is None:
        raise Invalid(f"{field.label}: give a value to filter on.", field=field.form_name)
    if field.type == FieldType.CHECKBOX:
        ticked = col(id_column).in_(values.where(CustomValue.num == 1))
        return ticked if value else sa.not_(ticked)
    if field.type == FieldType.MULTI_SELECT:
        return col(id_column).in_(values.where(CustomValue.num == float(value[0])))
    number = _number(field, value)
    if operator == "is":
        match = col(CustomValue.num) == number
    elif operator == "from":
        match = col(CustomValue.num) >= number
    else:
        match = col(CustomValue.num) <= number
    return col(id_column).in_(values.where(match))


def sort_by(id_column: Any, field: FieldAccess, *, descending: bool = False) -> Any:
    """An ORDER BY term: records without a value last, either way. A select sorts by its
    options' order as defined (their ids), a multi select by its first option, texts by text."""
    column = CustomValue.txt if field.type in TEXTS else CustomValue.num
    value = (
        select(func.min(column))
        .where(
            CustomValue.record_id == id_column,  # ix_custom_values_record
            CustomValue.field_id == field.id,
        )
        .correlate_except(CustomValue)
        .scalar_subquery()
    )
    return (value.desc() if descending else value.asc()).nulls_last()
