"""What the import page says about a dry run and a finished import: the summary, the causes of
problems, the updates' before and after (pure functions of the service's results)."""

from typing import TypedDict

from ..models import ImportKind
from ..services import imports
from . import view

NOUNS = {"leads": "leads", "referrals": "referrals", "deals": "deals"}


class ImportChange(TypedDict):
    """One changed field of a record an import updates, before and after."""

    row: str
    record: str
    field: str
    before: str
    after: str


def checked_summary(found: imports.DryRun, mode: str) -> str:
    """ "148 rows can be imported; 2 have problems and will not be." (in update mode: how many
    create, update or find as they are)."""
    have = "has" if found.rows_failed == 1 else "have"
    refused = f"{found.rows_failed:,} {have} problems and will not be."
    if mode == "create":
        return f"{view.count(found.rows_valid, 'row')} can be imported; {refused}"
    return (
        f"{found.rows_new:,} new, {found.rows_updated:,} updated, {found.rows_unchanged:,} "
        f"unchanged; {refused}"
    )


def import_label(found: imports.DryRun, mode: str) -> str:
    if mode == "create":
        return f"Import {view.count(found.rows_valid, 'valid row')}"
    return f"Import: {found.rows_new:,} new, {found.rows_updated:,} updated"


def causes(found: imports.DryRun) -> list[dict[str, str]]:
    return [
        {
            "row": cause.rows_text,
            "column": cause.column,
            "message": cause.message,
            "level": "error" if cause.blocking else "warning",
        }
        for cause in found.causes
    ]


def problems_note(found: imports.DryRun) -> str:
    kinds = view.count(found.cause_count, "kind")
    return f"{view.count(found.problem_count, 'problem')} of {kinds}" + (
        f", the {len(found.causes):,} most frequent listed"
        if found.cause_count > len(found.causes)
        else ""
    )


def changes(found: imports.DryRun) -> list[ImportChange]:
    return [
        {
            "row": str(c.row),
            "record": c.record,
            "field": c.field,
            "before": c.before,
            "after": c.after,
        }
        for c in found.changes
    ]


def summary(batch: imports.BatchRow, submit: bool) -> str:
    """What the page says once the import is done."""
    noun = NOUNS.get(batch.kind, "rows")
    how = ""
    if batch.kind != ImportKind.DEALS:
        how = " and sent" if submit else " as drafts"
    text = f"Imported {batch.rows_imported:,} {noun}{how} from {batch.file_name}."
    if batch.rows_updated:
        text += f" Updated {view.count(batch.rows_updated, 'existing ' + noun[:-1])}."
    if batch.rows_failed:
        were = "was" if batch.rows_failed == 1 else "were"
        them = "it with its error" if batch.rows_failed == 1 else "them with their errors"
        text += (
            f" {view.count(batch.rows_failed, 'row')} {were} not imported: download {them} "
            "below, fix and import that file again."
        )
    return text
