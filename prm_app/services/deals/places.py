"""Where a deal's customer is: a country (ISO 3166-1 alpha-2) and an optional region (ISO 3166-2
subdivision of that country), checked against pycountry's lists.

The form, the REST API and the CSV import all validate through `country` and `region` (one
message each); the form's select offers `country_choices` and `region_choices`.
"""

from functools import cache

import pycountry

from ..core.errors import Invalid

NO_COUNTRY = "Choose the customer's country from the list (an ISO 3166-1 code such as US)."
NO_REGION = (
    "Choose a region of the customer's country from the list (an ISO 3166-2 code such as US-CA)."
)
MAX_TEXT = 100  # a country's name is at most this long


def country(value: object, *, field: str = "country") -> str:
    """The alpha-2 code of a country given by its alpha-2 or alpha-3 code or its name ("" for
    none); Invalid otherwise."""
    if value is None:
        return ""
    if not isinstance(value, str) or len(value) > MAX_TEXT:
        raise Invalid(NO_COUNTRY, field=field)
    text = value.strip()
    if not text:
        return ""
    found = _countries().get(text.lower())
    if found is None:
        raise Invalid(NO_COUNTRY, field=field)
    return found


def region(value: object, *, country_code: str, field: str = "region") -> str:
    """The ISO 3166-2 code of a subdivision of `country_code` ("US-CA", or "CA" with country US;
    "" for none); Invalid when it is no subdivision of that country (or no country is given)."""
    if value is None:
        return ""
    if not isinstance(value, str) or len(value) > MAX_TEXT:
        raise Invalid(NO_REGION, field=field)
    text = value.strip().upper()
    if not text:
        return ""
    if country_code and "-" not in text:
        text = f"{country_code}-{text}"
    if not country_code or text not in _regions().get(country_code, {}):
        raise Invalid(NO_REGION, field=field)
    return text


def country_choices() -> list[tuple[str, str]]:
    """Every country as (alpha-2 code, name), by name: the form's select."""
    return _country_choices()


def region_choices(country_code: object) -> list[tuple[str, str]]:
    """A country's subdivisions as (ISO 3166-2 code, name), by name (none for an unknown one)."""
    if not isinstance(country_code, str):
        return []
    return sorted(_regions().get(country_code.upper(), {}).items(), key=lambda item: item[1])


def country_name(code: str) -> str:
    """The name of a country by alpha-2 code ("" for none; the code itself when unknown)."""
    return dict(_country_choices()).get(code, code) if code else ""


def region_name(code: str) -> str:
    """The name of a subdivision by ISO 3166-2 code ("" for none; the code when unknown)."""
    if not code:
        return ""
    return _regions().get(code.partition("-")[0], {}).get(code, code)


def place(country_code: str, region_code: str) -> str:
    """How a deal's place reads: "California, United States", "Germany" or ""."""
    return ", ".join(n for n in (region_name(region_code), country_name(country_code)) if n)


@cache
def _country_choices() -> list[tuple[str, str]]:
    found = [(c.alpha_2, getattr(c, "common_name", None) or c.name) for c in pycountry.countries]
    return sorted(found, key=lambda item: item[1])


@cache
def _countries() -> dict[str, str]:
    """Lower-cased alpha-2, alpha-3, name and common name to the alpha-2 code."""
    found: dict[str, str] = {}
    for c in pycountry.countries:
        names = (c.name, getattr(c, "common_name", ""), getattr(c, "official_name", ""))
        for key in (c.alpha_3, *names):
            if key:
                found.setdefault(key.lower(), c.alpha_2)
    for c in pycountry.countries:  # codes win over names
        found[c.alpha_2.lower()] = c.alpha_2
    return found


@cache
def _regions() -> dict[str, dict[str, str]]:
    """Country alpha-2 to its subdivisions' codes and names."""
    found: dict[str, dict[str, str]] = {}
    for s in pycountry.subdivisions:
        found.setdefault(s.country_code, {})[s.code] = s.name
    return found
