"""The audit log of each organization (its admins'), and the full export of its own data."""

from .log import (
    PAGE_SIZE,
    RECORD_TYPES,
    AuditPage,
    EntryView,
    Filters,
    actions,
    changed_fields,
    export_csv,
    filters,
    page,
    people,
)

__all__ = [
    "PAGE_SIZE",
    "RECORD_TYPES",
    "AuditPage",
    "EntryView",
    "Filters",
    "actions",
    "changed_fields",
    "export_csv",
    "filters",
    "page",
    "people",
]
