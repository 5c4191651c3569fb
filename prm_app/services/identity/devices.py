"""What a browser's User-Agent header says in words: "Firefox 128 on Windows 10"."""

from functools import lru_cache

from ua_parser import parse

UNKNOWN = "Unknown device"


@lru_cache(maxsize=1024)
def describe(user_agent: str) -> str:
    """The browser and operating system of a User-Agent header, as people name them."""
    if not user_agent:
        return UNKNOWN
    found = parse(user_agent[:300])
    browser = _named(found.user_agent.family, found.user_agent.major) if found.user_agent else ""
    system = _named(found.os.family, found.os.major) if found.os else ""
    if browser and system:
        return f"{browser} on {system}"
    return browser or system or UNKNOWN


def _named(family: str, major: str | None) -> str:
    if not family or family == "Other":
        return ""
    return f"{family} {major}" if major else family
