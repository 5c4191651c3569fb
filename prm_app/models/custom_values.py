"""An index of the records' custom values, one row per value, for filters and sorts.

The values themselves live in each record's `custom` JSON column (models.custom_fields), which
every read and write goes through. Database triggers (migration sv3a7c9e1b5d) copy them here,
typed, whenever a lead, deal or partnership is inserted or its `custom` changes, and drop them
with the record: the app never writes this table. A list filtered on a field reads the matching
records' ids from (field_id, num) instead of parsing every record's JSON (benchmarks/README.md:
at 100,000 leads, 18 ms against 226 ms on SQLite).
"""

import sqlalchemy as sa
from sqlmodel import Field, SQLModel


class CustomValue(SQLModel, table=True):
    """One value of one field on one record (a multi select: one row per option chosen)."""

    __tablename__ = "custom_values"
    __table_args__ = (
        sa.Index("ix_custom_values_field_num", "field_id", "num", "record_id"),
        # A record's values: its sort key, and what its triggers replace.
        sa.Index("ix_custom_values_record", "record_id", "field_id", "num"),
    )

    id: int | None = Field(default=None, primary_key=True)
    # "lead", "deal", "partnership": its table. Filters need not ask: a field belongs to one kind
    # of record, and field ids are unique.
    record_type: str = Field(max_length=16)
    record_id: int
    field_id: int
    # Numbers, amounts, option ids, a checkbox (1/0) and dates (YYYYMMDD): compared and sorted.
    num: float | None = None
    txt: str | None = None  # a text value, searched with "contains"
