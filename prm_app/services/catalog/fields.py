"""Values of the catalog's forms: whole numbers, amounts and checkboxes, as numbers or strings."""

from contextlib import suppress
from decimal import Decimal, InvalidOperation

from ..core.errors import Invalid

CENT = Decimal("0.01")


MAX_AMOUNT = Decimal(10_000_000)


_TRUE = ("on", "true", "1")


_FALSE = ("", "off", "false", "0")


def whole_number(value: object, *, field: str, label: str, low: int, high: int) -> int:
    """An int, or a string of digits, from low to high."""
    if isinstance(value, str):
        digits = value.strip()
        value = int(digits) if digits.isascii() and digits.isdigit() and len(digits) < 12 else None
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise Invalid(f"{label} must be a whole number from {low} to {high}.", field=field)
    return value


def amount(value: object, *, field: str, label: str, high: Decimal) -> Decimal:
    """A number from 0 to high with at most two decimals, from a number or a string."""
    if isinstance(value, str) and len(value) <= 30:
        with suppress(InvalidOperation):
            value = Decimal(value.strip())
    elif isinstance(value, int | float) and not isinstance(value, bool):
        value = Decimal(str(value))
    if (
        not isinstance(value, Decimal)
        or not value.is_finite()
        or not 0 <= value <= high
        or value != value.quantize(CENT)
    ):
        raise Invalid(
            f"{label} must be a number from 0 to {high:,} with at most two decimals.", field=field
        )
    return abs(value).quantize(CENT)  # abs: "-0" is stored as 0.00


def flag(value: object, *, field: str) -> bool:
    """A checkbox: a bool, or what a form sends ("on"; "" or nothing when unchecked)."""
    if isinstance(value, bool):
        return value
    if value is None:  # an unchecked checkbox is left out of a form
        return False
    text = value.strip().lower() if isinstance(value, str) else None
    if text not in _TRUE + _FALSE:
        raise Invalid("Choose yes or no.", field=field)
    return text in _TRUE
