"""Filtering and sorting a list on a custom field through the index of values (CustomValue).

The same filters as services.custom_fields.query, with the same checks and messages, but read
from `custom_values` (one typed row per value, kept by database triggers from the records'
JSON): a filter becomes "the record's id is among the ids whose value matches", read from the
(field_id, num) index, instead of parsing every record's JSON. benchmarks/custom_fields_list.py
measures both.

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
from .query import TEXTS, operators
from .types import parse


def _values(record_type: str, field: FieldAccess) -> Any:
    return select(CustomValue.record_id).where(
        CustomValue.field_id == field.id, CustomValue.record_type == record_type
    )


def _number(field: FieldAccess, value: Any) -> float:
    if field.type == FieldType.DATE:
        return float(str(value).replace("-", ""))
    if field.type == FieldType.CHECKBOX:
        return 1.0 if value else 0.0
    return float(value)


def condition(
    record_type: str, id_column: Any, field: FieldAccess, operator: object, raw: object
) -> Any:
    """A WHERE condition on `id_column` (the records' id); Invalid (naming the field) for a
    bad value, as query.condition."""
    if operator not in operators(field.type):
        raise Invalid(f"{field.label} cannot be filtered that way.", field=field.form_name)
    values = _values(record_type, field)
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
        match = CustomValue.num == number
    elif operator == "from":
        match = col(CustomValue.num) >= number
    else:
        match = col(CustomValue.num) <= number
    return col(id_column).in_(values.where(match))


def sort_by(record_type: str, id_column: Any, field: FieldAccess, *, descending: bool = False):
    """An ORDER BY term: records without a value last, either way. A select sorts by its
    options' order as defined (their ids), a multi select by its first option, texts by text."""
    column = CustomValue.txt if field.type in TEXTS else CustomValue.num
    value = (
        select(func.min(column))
        .where(
            CustomValue.field_id == field.id,
            CustomValue.record_type == record_type,
            CustomValue.record_id == id_column,
        )
        .correlate_except(CustomValue)
        .scalar_subquery()
    )
    return (value.desc() if descending else value.asc()).nulls_last()
