"""Row types more than one state shows: typed so mypy checks the keys a state builds and Reflex
checks the keys a component reads (an unknown key fails the compile, not the page).

Rows are TypedDicts, so the value each state keeps (and the JSON the browser gets) is the same
plain dict as before; a row a page shows before its first read is `{}` (`cast` says so).
"""

from typing import TypedDict


class Option(TypedDict):
    """One choice of a picker: an id (as text) and the name shown."""

    id: str
    name: str


class TimelineEntry(TypedDict):
    """One line of a record's timeline."""

    at: str
    who: str
    text: str


class ConflictRow(TypedDict):
    """The same customer protected for another partner of the provider (the provider's view)."""

    partner: str
    company: str
    until: str
