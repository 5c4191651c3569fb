"""How states show values: one formatter per kind of value, and the lists' page size."""

from collections.abc import Iterable
from datetime import date
from decimal import Decimal

from .rows import Option

PAGE_SIZE = 25  # rows on a page of the leads, deals and imports lists


def day(value: date | None) -> str:
    """A date (or a moment's day) as YYYY-MM-DD; empty when there is none."""
    return value.strftime("%Y-%m-%d") if value else ""


def money(amount: Decimal | float, currency: str) -> str:
    return f"{currency} {amount:,.2f}"


def options(pairs: Iterable[tuple[object, str]]) -> list[Option]:
    """(id, name) pairs as the option lists the pickers take."""
    return [{"id": str(key), "name": name} for key, name in pairs]
