"""Validation of untrusted input: every value from a client arrives here first."""

import re
from collections.abc import Callable
from datetime import date, datetime
from decimal import Decimal, InvalidOperation

from .errors import Invalid, NotFound

EMAIL_PATTERN = r"^[^@\s]+@[^@\s]+\.[^@\s]+$"  # also checked on whole CSV columns
MAX_EMAIL = 254
NO_EMAIL = "Enter an email address."
_EMAIL = re.compile(EMAIL_PATTERN)
# NUL cannot be stored in PostgreSQL text; lone surrogates cannot be encoded at all.
_UNSTORABLE = re.compile("[\x00\ud800-\udfff]")
_TOKEN = re.compile(r"^[A-Za-z0-9_-]{16,100}$")
MAX_ID = 2**31 - 1  # the id columns are INTEGER: PostgreSQL refuses anything larger


def email(value: object, *, field: str = "email") -> str:
    """Lower-cased, trimmed email; raises Invalid when it is not an email address."""
    text = value.strip().lower() if isinstance(value, str) else ""
    if not text:
        raise Invalid(NO_EMAIL, field=field)
    if len(text) > MAX_EMAIL or not _EMAIL.match(text) or _UNSTORABLE.search(text):
        raise Invalid(not_an_email(text), field=field)
    return text


def not_an_email(text: str) -> str:
    """What is said of a value that is not an email address (quoting at most 60 characters)."""
    return f"{text[:60]!r} is not a valid email address."


def missing(label: str) -> str:
    return f"{label} is required."


def too_long(label: str, max_len: int) -> str:
    return f"{label} must be at most {max_len} characters."


def text(value: object, *, field: str, label: str, max_len: int, required: bool = True) -> str:
    """A trimmed string of bounded length (anything that is not a string is refused)."""
    if value is None:
        value = ""
    if not isinstance(value, str):
        raise Invalid(f"{label} must be text.", field=field)
    cleaned = value.strip()
    if required and not cleaned:
        raise Invalid(missing(label), field=field)
    if len(cleaned) > max_len:
        raise Invalid(too_long(label, max_len), field=field)
    if _UNSTORABLE.search(cleaned):
        raise Invalid(f"{label} contains characters that cannot be stored.", field=field)
    return cleaned


def storable(value: str) -> bool:
    """Whether a string can be stored and encoded (no NUL, no lone surrogate)."""
    return _UNSTORABLE.search(value) is None


def token(value: object) -> str | None:
    """A secret token as this app issues them (URL-safe base64), or None for anything else."""
    return value if isinstance(value, str) and _TOKEN.match(value) else None


def record_id(value: object, *, what: str = "record") -> int:
    """A positive database id from an int or a string of digits; NotFound for anything else."""
    if isinstance(value, bool):
        raise NotFound(f"That {what} does not exist or is not visible to you.")
    if isinstance(value, str) and value.isascii() and value.isdigit() and len(value) < 20:
        value = int(value)
    if not isinstance(value, int) or not 0 < value <= MAX_ID:
        raise NotFound(f"That {what} does not exist or is not visible to you.")
    return value


MAX_AMOUNT = Decimal("999999999999.99")
_CENT = Decimal("0.01")
_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def amount(value: object, *, field: str = "amount", zero: bool = False) -> Decimal:
    """A money amount with at most two decimals, from a number or a string ("1,200.50").

    Above 0 (or 0 too, with `zero`, for an amount not known yet) and at most MAX_AMOUNT.
    """
    if isinstance(value, str) and len(value) <= 30:
        try:
            value = Decimal(value.strip().replace(",", "") or ("0" if zero else "x"))
        except InvalidOperation:
            value = None
    elif isinstance(value, int | float) and not isinstance(value, bool):
        value = Decimal(str(value))
    low_ok = (lambda v: v >= 0) if zero else (lambda v: v > 0)
    if (
        not isinstance(value, Decimal)
        or not value.is_finite()
        or not (low_ok(value) and value <= MAX_AMOUNT)
        or value != value.quantize(_CENT)
    ):
        floor = "0 or more" if zero else "above 0"
        raise Invalid(
            f"Amount must be a number {floor} and up to {MAX_AMOUNT:,} with at most two decimals.",
            field=field,
        )
    return value.quantize(_CENT)


def day(value: object, *, field: str, label: str) -> date | None:
    """A calendar date, an ISO date string (YYYY-MM-DD), or None/"" for no date."""
    if value is None or value == "":
        return None
    if isinstance(value, date) and not isinstance(value, datetime):
        return value
    if isinstance(value, str) and _ISO_DATE.match(value.strip()):
        try:
            return date.fromisoformat(value.strip())
        except ValueError:
            pass
    raise Invalid(f"Enter the {label} as YYYY-MM-DD.", field=field)


def version(value: object) -> int:
    """The version of a record as the caller last saw it (optimistic locking)."""
    if isinstance(value, bool) or not isinstance(value, int) or not 0 < value <= MAX_ID:
        raise Invalid("Reload the page: this record's version is unknown.", field="version")
    return value


def every_field(checks: dict[str, Callable[[], object]]) -> dict[str, object]:
    """Run each field's check and return the values; when some fail, one Invalid telling the
    first and holding every field's message (`problems`), so a form shows them all at once."""
    values: dict[str, object] = {}
    problems: dict[str, str] = {}
    for name, check in checks.items():
        try:
            values[name] = check()
        except Invalid as error:
            problems[error.field or name] = str(error)
    if problems:
        first = next(iter(problems))
        raise Invalid(problems[first], field=first, problems=problems)
    return values
