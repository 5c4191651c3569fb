"""Lists' custom columns, filters and sorts (lists), and saved views of the lists (saved)."""

from .lists import LISTS, Choice, Filter, choose, fields_of, sort_name
from .saved import (
    FILTERS,
    SORTS,
    ViewRow,
    default_view,
    delete_view,
    open_view,
    save_view,
    set_default,
    state_of,
    update_view,
    views,
)

__all__ = [
    "FILTERS",
    "LISTS",
    "SORTS",
    "Choice",
    "Filter",
    "ViewRow",
    "choose",
    "default_view",
    "delete_view",
    "fields_of",
    "open_view",
    "save_view",
    "set_default",
    "sort_name",
    "state_of",
    "update_view",
    "views",
]
