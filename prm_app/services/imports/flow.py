"""The import flow: `prepare` (columns and mapping), `dry_run` (every problem, nothing written)
and `run` (the valid rows as one ImportBatch).

Each step reads the file in chunks (files.CHUNK_ROWS rows): the dry run checks each chunk and
keeps the problems grouped (causes.Tally); the run checks each chunk and writes its valid rows
before reading the next, so that memory does not grow with the file (up to files.MAX_ROWS
rows). Checks that span the file (the same row twice, an owner told about once) are carried
from chunk to chunk (rules.Carry). The run stays one transaction: `progress` may raise
Cancelled between chunks (or between the inserts of one), and the caller's rollback leaves
nothing of the import.
"""

from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

from sqlmodel import Session

from ...models import ImportBatch, ImportKind, ImportStatus, utcnow
from .. import notifications
from ..core import activity, changes, channel, inputs
from ..core.actor import Actor
from ..core.errors import DomainError, Invalid
from . import columns as import_columns
from . import custom_import, matching, owners, updates
from .batches import NOUNS, BatchRow, batch_row
from .causes import Cause, Tally
from .columns import Field
from .files import Source, Table, csv_text
from .rules import Carry, Checked, Problem, check
from .sheets import Reading, open_table
from .writer import insert_deals, insert_leads

PREVIEW_ROWS = 20
SAMPLES, SAMPLE_ROWS, SAMPLE_LEN = 3, 200, 40  # values shown per column, rows read, length
MAX_FILE_NAME = 255
# Told how far an import is: what it is doing and the share of the file done (0 to 1). It may
# raise Cancelled to stop the step (the run's transaction is then rolled back).
Progress = Callable[[str, float], None]


class Cancelled(DomainError):
    """The person stopped the step: nothing was written."""

    def __init__(self, message: str = "Cancelled: nothing was imported."):
        super().__init__(message)


@dataclass(frozen=True, slots=True)
class Prepared:
    """A file's columns and the mapping to start from (the last one used, else suggested)."""

    headers: list[str]
    rows: int
    fields: list[Field]
    mapping: dict[str, str]
    sheets: tuple[str, ...] = ()  # a spreadsheet's worksheets (none for a CSV)
    sheet: str = ""  # the one read
    encoding: str = ""  # a CSV's, as read (files.ENCODINGS)
    delimiter: str = ""  # a CSV's, as read (files.DELIMITERS)
    samples: dict[str, list[str]] = field(default_factory=dict)  # header: its first values
    # Whether fields hold amounts or dates, written the file's way (the choice is offered).
    formats: bool = False


@dataclass(frozen=True, slots=True)
class DryRun:
    rows_total: int
    rows_valid: int
    rows_failed: int
    problems: list[Problem]  # by row, then column order (the first causes.Tally.KEPT)
    preview: list[dict[str, Any]]  # the first valid rows as they will be imported, with "row"
    causes: list[Cause] = field(default_factory=list)  # the problems grouped, most rows first
    cause_count: int = 0  # causes in all (beyond the ones kept)
    problem_count: int = 0  # problems in all (beyond the ones kept)
    # Create, update or both (services.imports.updates): the valid rows split into new,
    # updated and unchanged ones, and the first updates' fields before and after.
    rows_new: int = 0
    rows_updated: int = 0
    rows_unchanged: int = 0
    changes: list[updates.Change] = field(default_factory=list)


def prepare(
    session: Session,
    *,
    actor: Actor,
    kind: object,
    file: object,
    reading: Reading | None = None,
    progress: Progress | None = None,
) -> Prepared:
    """Read the file's header and suggest a mapping: the organization's last mapping for
    `kind` where this file has those columns, and suggestions for the other fields (the
    organization's custom fields included, after the fixed ones). `reading`: the sheet, or
    the encoding and delimiter, the person chose (sheets.Reading; detected when None). The
    whole file is read through (its rows counted, the row limit enforced)."""
    kind = _kind(actor, kind)
    source = _open(file, reading, progress)
    rows, first = 0, None
    for frame in source.chunks():
        first = frame if first is None else first
        rows += len(frame)
        _tell(progress, f"Reading the file: {rows:,} rows", source.share())
    assert first is not None  # the chunks refuse a file without rows
    table = source.table(first)
    custom = custom_import.importable(session, actor, kind)
    extra = custom_import.columns_of(session, custom)
    mapping = {  # "" for a field the person chose not to import: not suggested again
        name: header
        for name, header in import_columns.last_mapping(session, actor=actor, kind=kind).items()
        if header in table.headers or header == ""
    }
    used = set(mapping.values()) - {""}
    suggested = import_columns.suggest_mapping(table.headers, kind, actor.org_kind, extra)
    for name, header in suggested.items():
        if name not in mapping and header not in used:
            mapping[name] = header
            used.add(header)
    known = (*import_columns.fields(kind, actor.org_kind), *extra)
    mapping = {f.name: mapping[f.name] for f in known if f.name in mapping}
    return Prepared(
        headers=table.headers,
        rows=rows,
        fields=list(known),
        mapping=mapping,
        sheets=table.sheets,
        sheet=table.sheet,
        encoding=table.encoding,
        delimiter=table.delimiter,
        samples=samples(table),
        formats=any(custom_import.value_columns(kind, custom)),
    )


def samples(table: Table, count: int = SAMPLES) -> dict[str, list[str]]:
    """Each column's first `count` distinct values that are not empty (shortened for display),
    shown beside the column on the mapping screen."""
    found = {}
    for header in table.headers:
        values = table.rows[header].head(SAMPLE_ROWS)
        values = values[values.str.strip() != ""].drop_duplicates().head(count)
        found[header] = [v if len(v) <= SAMPLE_LEN else v[: SAMPLE_LEN - 1] + "…" for v in values]
    return found


def dry_run(
    session: Session,
    *,
    actor: Actor,
    kind: object,
    file: object,
    mapping: object,
    submit: object = False,
    progress: Progress | None = None,
    default_owner: object = None,
    reading: Reading | None = None,
    send_to: object = None,
    mode: object = "create",
    match_key: object = "",
) -> DryRun:
    """Check every row as `run` would, writing nothing. `default_owner` (a person's id; the
    importer when None) owns the rows whose owner is no active member of the organization.
    `reading`: as `prepare` takes it. `send_to`: the ids of the organizations every row goes to,
    instead of a Provider (Partner) column (services.imports.send_to). `mode` and `match_key`:
    create, update or both, matching rows on that key (services.imports.matching)."""
    kind, submit = _kind(actor, kind), _flag(submit)
    matched = matching.mode_of(kind, mode, match_key)
    source = _open(file, reading, progress)
    how = (mapping, submit, default_owner, send_to, reading)
    tally, total, failed, carry = Tally(), 0, 0, Carry()
    created, updated, unchanged, seen = 0, 0, 0, set[int]()
    preview: list[dict[str, Any]] = []
    shown: list[updates.Change] = []
    for checked in _checked(session, actor, kind, source, how, carry, progress, matched):
        plan = updates.plan(session, actor, kind, checked, matched, seen)
        total += len(checked.data)
        failed += int(checked.failed.sum())
        created, updated = created + plan.created, updated + len(plan.updates)
        unchanged += plan.unchanged
        tally.add(checked.problems)
        if len(preview) < PREVIEW_ROWS:
            preview += _preview(checked, plan.new)[: PREVIEW_ROWS - len(preview)]
        if not shown:
            shown = updates.preview(kind, checked, plan)
        _tell(progress, f"Checked {total:,} rows", source.share())
    for told, recounted in owners.recounted(carry):
        tally.reword(told, recounted)
    causes, cause_count = tally.causes()
    return DryRun(
        rows_total=total,
        rows_valid=total - failed,
        rows_failed=failed,
        problems=tally.kept,
        causes=causes,
        cause_count=cause_count,
        preview=preview,
        problem_count=tally.count,
        rows_new=created,
        rows_updated=updated,
        rows_unchanged=unchanged,
        changes=shown,
    )


def _checked(
    session: Session,
    actor: Actor,
    kind: ImportKind,
    source: Source,
    how: tuple,
    carry: Carry,
    progress: Progress | None,
    mode: matching.Mode,
) -> Iterator[Checked]:
    """Each chunk of the file checked (`how`: the mapping, submit, default owner, send_to and
    reading, as `check` takes them), the `carry` passed from chunk to chunk, as `mode` needs."""
    mapping, submit, default_owner, send_to, reading = how
    for frame in source.chunks():
        _tell(progress, "Checking the rows", source.share())
        table = source.table(frame)
        yield check(
            session,
            actor,
            kind,
            table,
            mapping,
            submit,
            default_owner,
            send_to,
            reading,
            carry,
            mode,
        )


def run(
    session: Session,
    *,
    actor: Actor,
    kind: object,
    file: object,
    file_name: object,
    mapping: object,
    submit: object = False,
    progress: Progress | None = None,
    default_owner: object = None,
    reading: Reading | None = None,
    send_to: object = None,
    mode: object = "create",
    match_key: object = "",
) -> BatchRow:
    """Import the valid rows of the file (checked again: nothing from the dry run is trusted)
    as drafts or submitted, as one ImportBatch with an error report of the failed rows.

    Everything is written in the caller's transaction: commit it, or on any error roll it back
    (services.core.unit_of_work.unit_of_work does both), and nothing of the batch remains (a
    failed or cancelled run rolls back its own savepoint too). The file is read, checked and
    written chunk by chunk (see the module's docstring).
    """
    kind, submit = _kind(actor, kind), _flag(submit)
    matched = matching.mode_of(kind, mode, match_key)
    name = _file_name(file_name)
    source = _open(file, reading, progress)
    how = (mapping, submit, default_owner, send_to, reading)
    with session.begin_nested():  # on any error, nothing remains even in the caller's transaction
        return _import(session, actor, kind, name, source, how, matched, progress)


def _import(
    session: Session,
    actor: Actor,
    kind: ImportKind,
    name: str,
    source: Source,
    how: tuple,
    matched: matching.Mode,
    progress: Progress | None,
) -> BatchRow:
    """`run`'s work: the batch, then each chunk checked, its new rows written and its matched
    records updated."""
    mapping, submit = how[0], how[1]
    now = utcnow()
    batch = ImportBatch(
        org_id=actor.org_id,
        created_by_id=actor.user_id,
        kind=kind,
        file_name=name,
        rows_total=0,
        rows_imported=0,
        rows_failed=0,
        mapping={},
        error_report="",
        file_encoding=source.encoding,
        file_delimiter=source.delimiter,
        mode=matched.mode,
        status=ImportStatus.IMPORTED,
        created_at=now,
        finished_at=now,
    )
    session.add(batch)
    session.flush()
    channel.acting(session, channel.import_batch(batch.id, name))  # the audit log's "how"
    report, sent_to, total, imported = _Report(), Counter[int](), 0, 0
    updated, unchanged, seen = 0, 0, set[int]()
    checked = None
    carry = Carry(batch_id=batch.id)
    for checked in _checked(session, actor, kind, source, how, carry, progress, matched):
        plan = updates.plan(session, actor, kind, checked, matched, seen)
        valid = checked.data[plan.new]
        total += len(checked.data)
        report.add(checked)
        updated += updates.apply(session, actor=actor, kind=kind, batch=batch, plan=plan, now=now)
        unchanged += plan.unchanged
        writing = _writing(progress, source, imported, NOUNS[kind])
        if valid.empty:
            continue
        if kind == ImportKind.DEALS:
            insert_deals(session, actor, batch, valid, now, writing)
        else:
            insert_leads(session, actor, batch, valid, submit, now, writing, checked.send_to)
        imported += len(valid)
        if kind == ImportKind.DEALS or submit:
            sent_to.update(valid["other_org_id"].astype(int).tolist())
    if not (imported or updated) or checked is None:
        raise Invalid(
            "Every row matches a record as it is already: nothing to import."
            if unchanged
            else "No row can be imported: fix the problems listed and import the file again."
        )
    batch.rows_total, batch.rows_imported = total, imported
    batch.rows_updated, batch.rows_unchanged = updated, unchanged
    batch.rows_failed = total - imported - updated - unchanged
    batch.mapping, batch.error_report = dict(checked.mapping), report.text()
    session.add(batch)
    changes.touched(session, changes.Topic.IMPORTS, actor.org_id)  # the colleagues' histories
    # Fields chosen as "Not imported" are remembered too, so the next file does not map them.
    unmapped = (
        [n for n, h in mapping.items() if h in ("", None)] if isinstance(mapping, dict) else []
    )
    remembered = {**dict.fromkeys(unmapped, ""), **checked.mapping}
    import_columns.remember_mapping(session, actor=actor, kind=kind, mapping=remembered)
    activity.record(
        session,
        actor=actor,
        subject=batch,
        action="imported",
        after={**_counts(batch), "submit": submit},
    )
    notifications.import_finished(session, actor=actor, batch=batch)
    if kind == ImportKind.DEALS or submit:  # drafts went nowhere yet
        counts = {int(org): int(count) for org, count in sent_to.items()}
        counts |= {org_id: imported for org_id in checked.send_to}
        notifications.imported_for(session, actor=actor, batch=batch, counts=counts)
    return batch_row(batch, actor.name)


def _kind(actor: Actor, value: object) -> ImportKind:
    kind = import_columns.import_kind(value)
    import_columns.fields(kind, actor.org_kind)  # refuses a kind the organization cannot import
    return kind


def _flag(value: object) -> bool:
    if not isinstance(value, bool):
        raise Invalid("Choose to import as drafts or to send them.", field="submit")
    return value


def _file_name(value: object) -> str:
    name = value if isinstance(value, str) else ""
    name = name.replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(ch for ch in name if ch.isprintable()).strip()
    if not inputs.storable(name):
        name = ""
    return name[:MAX_FILE_NAME] or "import.csv"


def _open(file: object, reading: Reading | None, progress: Progress | None) -> Source:
    _tell(progress, "Reading the file", 0.0)
    how = reading or Reading()
    return open_table(file, sheet=how.sheet, encoding=how.encoding, delimiter=how.delimiter)


def _tell(progress: Progress | None, step: str, share: float) -> None:
    if progress:
        progress(step, share)


def _writing(
    progress: Progress | None, source: Source, before: int, noun: str
) -> Callable[[int], None]:
    """What the inserts of a chunk call with the count of its rows written so far."""

    def written(done: int) -> None:
        _tell(progress, f"Imported {before + done:,} {noun}", source.share())

    return written


class _Report:
    """The failed rows with their errors, as the upload wrote them: its columns and separator
    (a comma for a spreadsheet), its phone numbers as they were. Kept as text; the download
    encodes it as the upload was (files.encoded). Gathered chunk by chunk: only the failed
    rows' text is kept."""

    def __init__(self) -> None:
        self._parts: list[str] = []
        self._header = ""

    def add(self, checked: Checked) -> None:
        by_row: dict[int, list[str]] = {}
        for problem in checked.problems:
            if problem.blocking:
                by_row.setdefault(problem.row, []).append(f"{problem.column}: {problem.message}")
        rows = checked.table.rows[checked.failed.to_numpy()]
        header = [*checked.table.headers, "error"]
        body = (
            [*values, "; ".join(by_row[row])]
            for row, values in zip(rows.index, rows.itertuples(index=False, name=None), strict=True)
        )
        phone = checked.mapping.get("phone")
        phones = [checked.table.headers.index(phone)] if phone else []
        delimiter = checked.table.delimiter or ","
        head = csv_text(header, [], delimiter=delimiter)
        text = csv_text(header, body, delimiter=delimiter, phones=phones)
        self._header = head
        self._parts.append(text[len(head) :])

    def text(self) -> str:
        return self._header + "".join(self._parts)


def _preview(checked: Checked, new: Any) -> list[dict[str, Any]]:
    data = checked.data[new].head(PREVIEW_ROWS)
    unsent = {"provider", "partner"} - set(checked.labels)  # a draft's column, not used
    chosen = [name for name in checked.labels if name not in checked.mapping]  # send_to's
    shown = [*chosen, *(name for name in checked.mapping if name not in unsent)]
    rows = []
    for row, values in data.iterrows():
        item: dict[str, Any] = {"row": int(row)}
        for name in shown:
            label = checked.labels.get(name)
            item[name] = label[row] if label is not None else values[name]
        rows.append(item)
    return rows


def _counts(batch: ImportBatch) -> dict[str, Any]:
    return {
        "kind": batch.kind,
        "file_name": batch.file_name,
        "rows_total": batch.rows_total,
        "rows_imported": batch.rows_imported,
        "rows_failed": batch.rows_failed,
        "mode": batch.mode,
        "rows_updated": batch.rows_updated,
        "rows_unchanged": batch.rows_unchanged,
    }
