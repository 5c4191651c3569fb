"""Validation of untrusted input: every value from a client arrives here first."""

import re

from .errors import Invalid, NotFound

_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
# NUL cannot be stored in PostgreSQL text; lone surrogates cannot be encoded at all.
_UNSTORABLE = re.compile("[\x00\ud800-\udfff]")
_TOKEN = re.compile(r"^[A-Za-z0-9_-]{16,100}$")
MAX_ID = 2**63 - 1


def email(value: object, *, field: str = "email") -> str:
    """Lower-cased, trimmed email; raises Invalid when it is not an email address."""
    text = value.strip().lower() if isinstance(value, str) else ""
    if not text:
        raise Invalid("Enter an email address.", field=field)
    if len(text) > 254 or not _EMAIL.match(text) or _UNSTORABLE.search(text):
        raise Invalid(f"{text[:60]!r} is not a valid email address.", field=field)
    return text


def text(value: object, *, field: str, label: str, max_len: int, required: bool = True) -> str:
    """A trimmed string of bounded length (anything that is not a string is refused)."""
    if value is None:
        value = ""
    if not isinstance(value, str):
        raise Invalid(f"{label} must be text.", field=field)
    cleaned = value.strip()
    if required and not cleaned:
        raise Invalid(f"{label} is required.", field=field)
    if len(cleaned) > max_len:
        raise Invalid(f"{label} must be at most {max_len} characters.", field=field)
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
