"""Each field type's rules: what a value may be, how it is stored, how it reads.

The one statement of a custom value's checks and messages: the forms, the imports, the REST API
and the type changes all parse through `parse`, so the same mistake reads the same everywhere.
Stored values are JSON: text, a number (number and money), an ISO date, an option id (select),
a sorted list of option ids (multi select), a bool (checkbox). None is "no value".
"""

from collections.abc import Iterable
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any
from urllib.parse import urlsplit

from ...models import FieldType
from ..core import formats, inputs
from ..core.errors import Invalid

MAX_TEXT = 255
MAX_LONG_TEXT = 5000
MAX_URL = 500
MAX_NUMBER = Decimal("1e12")
MAX_MONEY = Decimal("9999999999.99")
CENT = Decimal("0.01")
# Several options in one cell (imports, exports): "Gold; Silver".
OPTION_SEPARATOR = ";"
_TRUE = ("yes", "y", "true", "1", "on", "x", "\u2713")
_FALSE = ("no", "n", "false", "0", "off")

TYPE_LABELS: dict[FieldType, str] = {
    FieldType.TEXT: "Text",
    FieldType.LONG_TEXT: "Long text",
    FieldType.NUMBER: "Number",
    FieldType.MONEY: "Money",
    FieldType.DATE: "Date",
    FieldType.SELECT: "Single select",
    FieldType.MULTI_SELECT: "Multi select",
    FieldType.CHECKBOX: "Checkbox",
    FieldType.URL: "URL",
    FieldType.EMAIL: "Email",
}
SELECTS = (FieldType.SELECT, FieldType.MULTI_SELECT)


def is_empty(raw: object) -> bool:
    """Whether a submitted value means "no value" (an unchecked checkbox is a value: False)."""
    return raw is None or (isinstance(raw, str) and not raw.strip()) or raw == []


def parse(kind: str, raw: object, *, label: str, options: list[dict], field: str = "custom") -> Any:
    """The stored form of `raw` for a field of type `kind`, or None when it is empty.

    `raw` comes from a form or a file (text), or from the API (JSON: numbers, bools, lists).
    Archived options are refused; the message names the active ones.
    """
    if kind == FieldType.CHECKBOX:
        return _checkbox(raw, label=label, field=field)
    if is_empty(raw):
        return None
    match kind:
        case FieldType.TEXT | FieldType.LONG_TEXT:
            limit = MAX_TEXT if kind == FieldType.TEXT else MAX_LONG_TEXT
            return inputs.text(raw, field=field, label=label, max_len=limit)
        case FieldType.NUMBER:
            return _number(raw, label=label, field=field)
        case FieldType.MONEY:
            return _money(raw, label=label, field=field)
        case FieldType.DATE:
            if isinstance(raw, date):
                return raw.isoformat()
            try:
                day = inputs.day(
                    raw.strip() if isinstance(raw, str) else raw, field=field, label=""
                )
            except Invalid:
                raise Invalid(f"{label}: enter a date as YYYY-MM-DD.", field=field) from None
            return day.isoformat() if day else None
        case FieldType.SELECT:
            return _option(raw, label=label, options=options, field=field)
        case FieldType.MULTI_SELECT:
            items = raw.split(OPTION_SEPARATOR) if isinstance(raw, str) else raw
            if not isinstance(items, list | tuple):
                raise Invalid(_choose(label, options), field=field)
            chosen = {_option(item, label=label, options=options, field=field) for item in items}
            chosen.discard(None)
            return sorted(chosen) or None
        case FieldType.URL:
            return _url(raw, label=label, field=field)
        case FieldType.EMAIL:
            try:
                return inputs.email(raw, field=field)
            except Invalid as error:
                raise Invalid(f"{label}: {error}", field=field) from None
    raise ValueError(f"unknown field type {kind!r}")


def display(kind: str, value: Any, options: list[dict]) -> str:
    """A stored value as people read it (lists, exports, timelines): "" for no value."""
    if value is None:
        return ""
    match kind:
        case FieldType.CHECKBOX:
            return "Yes" if value else "No"
        case FieldType.NUMBER:
            number = Decimal(str(value))
            return f"{number:,}" if number == number.to_integral_value() else f"{number:,f}"
        case FieldType.MONEY:
            return formats.money(Decimal(str(value)))
        case FieldType.SELECT:
            return option_label(options, value)
        case FieldType.MULTI_SELECT:
            return f"{OPTION_SEPARATOR} ".join(option_label(options, v) for v in value)
    return str(value)


def plain(kind: str, value: Any, options: list[dict]) -> Any:
    """A stored value as the API and webhooks give it: option labels for selects, exact
    amounts as numbers, the rest as stored."""
    if value is None:
        return None
    if kind == FieldType.SELECT:
        return option_label(options, value)
    if kind == FieldType.MULTI_SELECT:
        return [option_label(options, v) for v in value]
    return value


def option_label(options: list[dict], option_id: object) -> str:
    for option in options:
        if option["id"] == option_id:
            return str(option["label"])
    return ""


def active_options(options: Iterable[dict]) -> list[dict]:
    return [o for o in options if not o.get("archived")]


def _choose(label: str, options: list[dict]) -> str:
    names = ", ".join(str(o["label"]) for o in active_options(options))
    return f"{label}: choose one of {names}." if names else f"{label} has no options to choose."


def _option(raw: object, *, label: str, options: list[dict], field: str) -> int | None:
    """An active option, by id (a form's value) or by label, whatever its case (a file's)."""
    if is_empty(raw):
        return None
    active = active_options(options)
    if isinstance(raw, int) and not isinstance(raw, bool):
        found = [o for o in active if o["id"] == raw]
    elif isinstance(raw, str):
        text = raw.strip()
        found = [o for o in active if str(o["label"]).casefold() == text.casefold()]
        if not found and text.isascii() and text.isdigit():
            found = [o for o in active if o["id"] == int(text)]
    else:
        found = []
    if not found:
        raise Invalid(_choose(label, options), field=field)
    return int(found[0]["id"])


def _checkbox(raw: object, *, label: str, field: str) -> bool | None:
    if isinstance(raw, bool):
        return raw
    if raw is None:
        return None
    text = raw.strip().lower() if isinstance(raw, str) else None
    if text == "":
        return None
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    raise Invalid(f"{label}: answer yes or no.", field=field)


def _decimal(raw: object) -> Decimal | None:
    if isinstance(raw, bool):
        return None
    if isinstance(raw, int | float):
        raw = str(raw)
    if isinstance(raw, Decimal):
        return raw if raw.is_finite() else None
    if not isinstance(raw, str) or len(raw) > 40:
        return None
    try:
        value = Decimal(raw.strip().replace(",", ""))
    except InvalidOperation:
        return None
    return value if value.is_finite() else None


def _number(raw: object, *, label: str, field: str) -> int | float:
    value = _decimal(raw)
    if value is None or abs(value) >= MAX_NUMBER:
        raise Invalid(
            f"{label} must be a number between -{MAX_NUMBER:,.0f} and {MAX_NUMBER:,.0f}.",
            field=field,
        )
    return int(value) if value == value.to_integral_value() else float(value)


def _money(raw: object, *, label: str, field: str) -> int | float:
    value = _decimal(raw)
    if value is None or not 0 <= value <= MAX_MONEY or value != value.quantize(CENT):
        raise Invalid(
            f"{label} must be an amount from 0 to {MAX_MONEY:,} with at most two decimals.",
            field=field,
        )
    return int(value) if value == value.to_integral_value() else float(value.quantize(CENT))


def _url(raw: object, *, label: str, field: str) -> str:
    text = inputs.text(raw, field=field, label=label, max_len=MAX_URL)
    parts = urlsplit(text)
    if parts.scheme not in ("http", "https") or not parts.netloc or "." not in parts.netloc:
        raise Invalid(
            f"{label} must be a web address starting with http:// or https://.", field=field
        )
    return text
