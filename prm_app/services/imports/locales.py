"""Amounts and dates written the file's way: `12.000,50` and `30/06/2030` as well as
`12,000.50` and `2030-06-30`.

The way is detected when the values leave one reading: the last separator is the decimal point
when other than three digits follow it (`7,5`, `3.14159`) or the other separator comes before
it, which decides; else one followed by exactly three digits groups thousands; a day over 12 in
first place means day/month/year, in second place month/day/year. When the values allow both
readings the person chooses on the mapping screen (Invalid names the choice to make); a choice
is never overruled.

A file writes all its amounts one way and all its dates one way: `ways` reads the columns of
amounts and numbers (a deal's amount, custom money and number fields) together, and the
columns of dates (a deal's close date, custom date fields) together.
"""

import re
from collections.abc import Iterable

import pandas as pd

from ..core.errors import Invalid

POINT, COMMA = "point", "comma"  # 1,200.50 / 1.200,50
NUMBERS = {POINT: "1,200.50", COMMA: "1.200,50"}
YMD, DMY, MDY = "ymd", "dmy", "mdy"
DATES = {YMD: "2030-06-30", DMY: "30/06/2030", MDY: "06/30/2030"}
_MONEY = re.compile(r"[\s$€£\u00a0']")
# A last separator followed by other than three digits is a decimal point ("7,5", "3.14159").
_DECIMAL = r"[.,](\d{1,2}|\d{4,})$"
_PLAIN = r"^-?\d+(\.\d+)?$"
_DAY_FIRST = re.compile(r"^(\d{1,2})[/.\-](\d{1,2})[/.\-](\d{4})$")


def ways(
    data: pd.DataFrame,
    numbers: Iterable[str],
    dates: Iterable[str],
    chosen_numbers: object = None,
    chosen_dates: object = None,
) -> tuple[str, str]:
    """How the file writes amounts and dates (a NUMBERS and a DATES key): the ways chosen,
    else those that the values of the columns `numbers` (amounts and numbers), read together,
    and of the columns `dates`, read together, leave. Raises Invalid (field "numbers" or
    "dates") when the values leave both readings open."""
    number_way = _choice(chosen_numbers, NUMBERS, "numbers") or _number_way(_all(data, numbers))
    date_way = _choice(chosen_dates, DATES, "dates") or _date_way(_all(data, dates))
    return number_way, date_way


def numbers(values: pd.Series, way: str) -> pd.Series:
    """Numbers written `way` as plain ones ("12.000,50" -> "12000.50"), for a custom number or
    money field; a value that is no number stays as written, for the field's rule to refuse."""
    plain = amounts(values, way)
    return plain.where(plain.str.match(_PLAIN), values)


def amounts(values: pd.Series, chosen: object = None) -> pd.Series:
    """The amounts as plain numbers with a decimal point ("12000.50"); values that are no
    number stay as they are, for the amount rule to refuse with its message."""
    way = _choice(chosen, NUMBERS, "numbers") or _number_way(values)
    plain = values.str.replace(_MONEY, "", regex=True)
    thousands, decimal = (",", ".") if way == POINT else (".", ",")
    plain = plain.str.replace(thousands, "", regex=False)
    return plain.str.replace(decimal, ".", regex=False)


def dates(values: pd.Series, chosen: object = None) -> pd.Series:
    """The dates as ISO "2030-06-30" (a date already ISO stays); others stay as they are, for
    the date rule to refuse."""
    way = _choice(chosen, DATES, "dates") or _date_way(values)
    if way == YMD:
        return values
    parts = values.str.extract(_DAY_FIRST)
    day, month = (parts[0], parts[1]) if way == DMY else (parts[1], parts[0])
    iso = parts[2] + "-" + month.str.zfill(2) + "-" + day.str.zfill(2)
    return iso.where(parts[2].notna(), values)


def _choice(value: object, known: dict[str, str], field: str) -> str | None:
    if value is None or value == "":
        return None
    if not isinstance(value, str) or value not in known:
        raise Invalid("Choose one of the ways offered.", field=field)
    return value


def _all(data: pd.DataFrame, names: Iterable[str]) -> pd.Series:
    columns = [data[name] for name in names if name in data]
    return pd.concat(columns, ignore_index=True) if columns else pd.Series([], dtype=object)


def _number_way(values: pd.Series) -> str:
    plain = values.str.replace(_MONEY, "", regex=True)
    plain = plain[plain.str.contains(r"[.,]", regex=True)]
    if plain.empty:
        return POINT
    last = plain.str.extract(r"([.,])\d*$")[0]
    # The last separator is the decimal point when one or two digits follow it, or when the
    # other separator comes before it (strong: "12,000.50", "7,5"); one followed by three
    # digits groups thousands (weak: "12.000" may also be a wrong 12.000): the strong decide.
    strong = plain.str.contains(_DECIMAL, regex=True) | plain.str.contains(r"[.,].*[.,]")
    weak = ~strong  # the last separator groups thousands: the decimal point is the other one
    evidence = (
        (strong & (last == ","), strong & (last == ".")),
        (weak & (last == "."), weak & (last == ",")),
    )
    for decimal_comma, decimal_point in evidence:
        if decimal_comma.any() and decimal_point.any():
            raise Invalid(
                "The amounts are written both as 1,200.50 and as 1.200,50: choose how the "
                "file writes them.",
                field="numbers",
            )
        if decimal_comma.any() or decimal_point.any():
            return COMMA if decimal_comma.any() else POINT
    return POINT


def _date_way(values: pd.Series) -> str:
    if values.empty:
        return YMD
    parts = values.str.extract(_DAY_FIRST)
    given = parts[2].notna()
    if not given.any():
        return YMD
    first, second = pd.to_numeric(parts[0][given]), pd.to_numeric(parts[1][given])
    day_first, month_first = (first > 12).any(), (second > 12).any()
    if day_first and not month_first:
        return DMY
    if month_first and not day_first:
        return MDY
    raise Invalid(
        "The dates could be day/month/year or month/day/year: choose how the file writes them.",
        field="dates",
    )
