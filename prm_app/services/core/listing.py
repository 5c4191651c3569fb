"""Server-side paged lists: validated paging, search and filter values, and one page of rows.

A list query carries its total as a column computed once from `count` (the list's conditions
over as few tables as they need), not `count(*) over ()`, which builds and sorts every
matching row before the first page (see benchmarks/leads_list.py), unless the page reads every
match anyway (keyed_page's counted_along). Lists with several display tables choose their
page's keys first and join the rest to those rows only (keyed_page).
"""

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, col, func

from . import inputs
from .errors import Invalid, NotFound

MAX_SEARCH = 100
MAX_PAGE_SIZE = 100
MAX_PAGE = 100_000


@dataclass(frozen=True, slots=True)
class Page:
    rows: list
    total: int
    page: int
    page_size: int


def paging(page: object, page_size: object) -> tuple[int, int]:
    return (
        _whole(page, field_name="page", label="Page", high=MAX_PAGE),
        _whole(page_size, field_name="page_size", label="Page size", high=MAX_PAGE_SIZE),
    )


def search_text(value: object) -> str:
    return inputs.text(value, field="search", label="Search", max_len=MAX_SEARCH, required=False)


def contains(column: Any, text: str) -> sa.ColumnElement[bool]:
    """Case-insensitive substring match, with LIKE's wildcards taken literally."""
    return func.lower(column).contains(text.lower(), autoescape=True)


def filter_id(value: object, field_name: str) -> int | None:
    """A record id chosen in a filter, or None for "any"."""
    if value is None or value == "":
        return None
    try:
        return inputs.record_id(value)
    except NotFound:
        raise Invalid("Choose a value from the list.", field=field_name) from None


def total(count: Any) -> Any:
    """The number of matches as a column of every row: `count` runs once, uncorrelated."""
    return count.correlate(None).scalar_subquery().label("total")


def page_of(
    session: Session, query: Any, count: Any, page: int, page_size: int, view: type
) -> Page:
    """One page of `query` (which carries a `total` column) as `view` rows."""
    return _rows(
        session, query.limit(page_size).offset((page - 1) * page_size), count, page, page_size, view
    )


def keyed_page(
    session: Session,
    keys: Any,
    count: Any,
    page: int,
    page_size: int,
    view: type,
    display: Callable[[Any], Any],
    *,
    counted_along: bool = False,
) -> Page:
    """One page, in one statement: `keys` (the matches' ids, filtered and sorted) limited to
    the page, with the total, as the subquery `page`; then `display(page)`, a query joining
    the display columns (and `page.c.total`) to those rows and sorting them again.

    Joined before the limit, the display tables would be joined to every match whenever the
    database misjudges how many there are (PostgreSQL's trigram search expects 3 of 3,000).
    counted_along: the page reads every match anyway (it sorts them all), so they are counted
    as they go by, `count(*) over ()`, rather than read a second time by `count`.
    """
    counted = func.count().over().label("total") if counted_along else total(count)
    keyed = keys.add_columns(counted).limit(page_size).offset((page - 1) * page_size)
    return _rows(session, display(keyed.subquery("page")), count, page, page_size, view)


def _rows(session: Session, query: Any, count: Any, page: int, page_size: int, view: type) -> Page:
    rows = session.exec(query).all()
    if rows:
        found = rows[0].total
    elif page > 1:  # past the end
        found = session.exec(count).one()
    else:
        found = 0
    mapped = [{k: v for k, v in row._mapping.items() if k != "total"} for row in rows]
    return Page(rows=[view(**m) for m in mapped], total=found, page=page, page_size=page_size)


def _whole(value: object, *, field_name: str, label: str, high: int) -> int:
    if isinstance(value, str):
        digits = value.strip()
        value = int(digits) if digits.isascii() and digits.isdigit() and len(digits) < 10 else None
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= high:
        raise Invalid(f"{label} must be a whole number from 1 to {high}.", field=field_name)
    return value


def newest_first(session: Session, query: Any, id_column: Any, chunk: int) -> Iterator[list]:
    """Every row of `query`, highest id first, `chunk` rows a read (keyset on `id_column`):
    exports stream any number of rows at the memory of one chunk."""
    last = None
    while True:
        page = query if last is None else query.where(id_column < last)
        rows = session.exec(page.order_by(col(id_column).desc()).limit(chunk)).all()
        if rows:
            yield list(rows)
        if len(rows) < chunk:
            return
        last = rows[-1].id
