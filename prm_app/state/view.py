"""How states show values: one formatter per kind of value, and the lists' page size."""

from collections.abc import Iterable
from datetime import UTC, date, datetime
from decimal import Decimal

from ..services.core import formats
from .rows import Option

PAGE_SIZE = 25  # rows on a page of the leads, deals and imports lists


def day(value: date | None) -> str:
    """A date (or a moment's day) as YYYY-MM-DD; empty when there is none."""
    return value.strftime("%Y-%m-%d") if value else ""


def deadline(value: datetime | None, now: datetime | None = None) -> str:
    """A deadline counted in hours: its day and time (UTC) and the hours left, "2026-12-06
    15:30 UTC (23 h left)"; "… (passed)" once over; empty when there is none."""
    if value is None:
        return ""
    at = value if value.tzinfo else value.replace(tzinfo=UTC)
    now = now or datetime.now(UTC)
    left = (at - now).total_seconds() / 3600
    when = at.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC")
    if left <= 0:
        return f"{when} (passed)"
    return f"{when} ({'less than 1' if left < 1 else f'{int(left):,}'} h left)"


def money(amount: Decimal | float, currency: str) -> str:
    """ "USD 150,000.00" (the one formatter of amounts, services.core.formats)."""
    return formats.money(amount, currency)


def count(number: int, noun: str, plural: str | None = None) -> str:
    """A number of things, with thousands separators and the noun agreeing: "1 row",
    "1,250 rows"."""
    return f"{number:,} {noun if number == 1 else (plural or noun + 's')}"


def options(pairs: Iterable[tuple[object, str]]) -> list[Option]:
    """(id, name) pairs as the option lists the pickers take."""
    return [{"id": str(key), "name": name} for key, name in pairs]
