"""The import page's typed rows: fields to map, the preview, problems, past imports."""

from typing import Any, TypedDict


class ImportField(TypedDict):
    """A field the file's columns map to."""

    name: str
    label: str  # badged "required" when ImportState.required_fields names it
    note: str  # a custom field's: "Custom field, required on rows sent to ..."


class PreviewField(TypedDict):
    """A column of the preview (its rows are keyed by the field names)."""

    name: str
    label: str


class ImportProblem(TypedDict):
    """A problem the check found in a row."""

    row: str
    column: str
    message: str
    level: str  # "error" or "warning"


class BatchRow(TypedDict):
    """A past import."""

    id: str
    file_name: str
    status: str
    imported: str
    failed: str
    by: str
    when: str
    errors_url: str


def text(value: Any) -> str:
    if value is None or value != value:  # None and NaN
        return ""
    return str(value)
