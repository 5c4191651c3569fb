"""The full export of an organization's own data: every table it owns, as one CSV file per
table in a zip, for its admins.

An admin asks for it (`start`); a background job (prm_app.jobs.run_exports) claims it and
writes the zip into the private store (services.core.upload_store: never a public folder),
table by table, streaming the rows a chunk at a time into the zip (memory does not grow with
the data), each table's progress committed through the unit of work and shown live (Topic.AUDIT).
The zip is downloadable once, by the organization's admins, at a backend route that resolves the
session cookie; then it is deleted.

What "owned" means is read from the schema, so a new table is exported or refused by the test
(tests/unit/test_full_export.py) until it is placed:
- a table with a column referencing organizations: its rows naming the organization in any such
  column (a deal is its provider's and its partner's);
- a table referencing such a table: its rows whose parent is exported (a ledger entry is its
  transaction's), recursively;
- the organization's own row, its members' user rows (without secrets), custom values of its
  custom fields;
- EXCLUDED: the site's own tables and a person's own secrets, with the reason.
Columns holding secrets (hashes, signing secrets, second-factor seeds) are never written.
"""

import csv
import io
import json
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from functools import cache
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, SQLModel, col, select, update

from ...models import DataExport, Membership, utcnow
from ..core import activity, changes, inputs, upload_store
from ..core.actor import Actor
from ..core.errors import Invalid, NotFound
from ..imports.files import neutralize

CHUNK = 2_000
QUEUED, RUNNING, READY, DOWNLOADED, FAILED = "queued", "running", "ready", "downloaded", "failed"
GONE = "This export is not available: start a new one."

EXCLUDED: dict[str, str] = {
    "outbound_emails": "the mail outbox, kept only until sent (no organization column)",
    "failed_sign_ins": "the site's hashed record of failed sign-ins",
    "job_runs": "the site's background job claims",
    "rate_events": "the site's hashed rate-limit keys",
    "notification_preferences": "a person's own settings, not the organization's",
    "account_tokens": "a person's secret sign-in and reset tokens",
    "recovery_codes": "a person's secret recovery codes",
}
_SECRET_NAMES = {"secret", "totp_secret", "totp_last_step", "stamp_key", "password_hash"}

Owned = Callable[[int], Any]  # org id -> the WHERE condition on the table's rows


def _is_secret(column: sa.Column) -> bool:
    return column.name in _SECRET_NAMES or column.name.endswith("_hash")


@cache
def plan() -> dict[str, Owned]:
    """Every table the organization owns, by name, with the condition choosing its rows."""
    tables = {t.name: t for t in SQLModel.metadata.sorted_tables}
    owned: dict[str, Owned] = {
        "organizations": lambda org: tables["organizations"].c.id == org,
        "users": lambda org: tables["users"].c.id.in_(
            select(Membership.user_id).where(Membership.org_id == org)
        ),
        "custom_values": lambda org: tables["custom_values"].c.field_id.in_(
            sa.select(tables["custom_fields"].c.id).where(tables["custom_fields"].c.org_id == org)
        ),
    }
    for table in SQLModel.metadata.sorted_tables:  # parents before children
        if table.name in owned or table.name in EXCLUDED:
            continue
        by_org = [
            c
            for c in table.columns
            for fk in c.foreign_keys
            if fk.column.table.name == "organizations"
        ]
        if by_org:
            owned[table.name] = _naming(by_org)
            continue
        parents = [
            (c, fk.column)
            for c in table.columns
            for fk in c.foreign_keys
            if fk.column.table.name in owned and fk.column.table.name != "users"
        ]
        if parents:
            owned[table.name] = _children(parents, owned)
    return owned


def unplaced() -> list[str]:
    """Tables neither exported nor excluded (the test keeps this empty)."""
    names = {t.name for t in SQLModel.metadata.sorted_tables}
    return sorted(names - set(plan()) - set(EXCLUDED))


def _naming(columns: list[sa.Column]) -> Owned:
    return lambda org: sa.or_(*[c == org for c in columns])


def _children(parents: list[tuple[sa.Column, sa.Column]], owned: dict[str, Owned]) -> Owned:
    def condition(org: int) -> Any:
        return sa.or_(
            *[
                c.in_(sa.select(target).where(owned[target.table.name](org)))
                for c, target in parents
            ]
        )

    return condition


@dataclass(frozen=True, slots=True)
class ExportView:
    id: int
    status: str
    tables_done: int
    tables_total: int
    rows_written: int
    size_bytes: int
    created_at: datetime
    finished_at: datetime | None
    error: str

    @property
    def percent(self) -> int:
        return 100 * self.tables_done // self.tables_total if self.tables_total else 0


def _view(export: DataExport) -> ExportView:
    assert export.id is not None
    return ExportView(
        *(export.id, export.status, export.tables_done, export.tables_total),
        *(export.rows_written, export.size_bytes, export.created_at, export.finished_at),
        export.error,
    )


def start(session: Session, *, actor: Actor) -> ExportView:
    """Ask for a full export of the caller's organization (admins); one at a time."""
    actor.require_admin()
    busy = select(DataExport.id).where(
        DataExport.org_id == actor.org_id, col(DataExport.status).in_([QUEUED, RUNNING])
    )
    if session.exec(busy).first() is not None:
        raise Invalid("An export is already being written: wait for it to finish.")
    export = DataExport(
        org_id=actor.org_id, requested_by_id=actor.user_id, tables_total=len(plan())
    )
    session.add(export)
    session.flush()
    activity.record(
        session, actor=actor, subject=export, action="requested", after={"status": QUEUED}
    )
    changes.touched(session, changes.Topic.AUDIT, actor.org_id)
    return _view(export)


def recent(session: Session, *, actor: Actor, limit: int = 5) -> list[ExportView]:
    """The organization's latest exports, newest first (admins)."""
    actor.require_admin()
    found = session.exec(
        select(DataExport)
        .where(DataExport.org_id == actor.org_id)
        .order_by(col(DataExport.id).desc())
        .limit(limit)
    ).all()
    return [_view(e) for e in found]


def claim_next(session: Session) -> int | None:
    """Take the oldest queued export for this worker (a conditional update: one taker)."""
    candidate = session.exec(
        select(DataExport.id).where(DataExport.status == QUEUED).order_by(col(DataExport.id))
    ).first()
    if candidate is None:
        return None
    taken = session.exec(
        update(DataExport)
        .where(col(DataExport.id) == candidate, col(DataExport.status) == QUEUED)
        .values(status=RUNNING)
    )
    return candidate if taken.rowcount == 1 else None


def write(export_id: int, unit_of_work: Callable[[], Any]) -> None:
    """Write the export's zip, table by table, each step in its own unit of work (the progress
    shows live); on any error the export is marked failed and its file removed."""
    with unit_of_work() as session:
        export = session.get(DataExport, export_id)
        if export is None or export.status != RUNNING:
            return
        org_id = export.org_id
    key, target = upload_store.create()
    try:
        with target, zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as archive:
            for done, name in enumerate(sorted(plan()), start=1):
                with unit_of_work() as session:
                    rows = _write_table(session, archive, name, org_id)
                with unit_of_work() as session:
                    _progress(session, export_id, org_id, done, rows)
        size = upload_store.size(key)
        with unit_of_work() as session:
            export = session.get(DataExport, export_id)
            assert export is not None
            export.status, export.file_key, export.size_bytes = READY, key, size
            export.finished_at = utcnow()
            session.add(export)
            after = {"status": READY, "rows": export.rows_written, "bytes": size}
            activity.record(
                session,
                actor=None,
                org_id=org_id,
                subject=export,
                action="written",
                before={"status": RUNNING},
                after=after,
            )
            changes.touched(session, changes.Topic.AUDIT, org_id)
    except Exception as error:
        upload_store.discard(key)
        with unit_of_work() as session:
            session.exec(
                update(DataExport)
                .where(col(DataExport.id) == export_id)
                .values(status=FAILED, error=str(error)[:500], finished_at=utcnow())
            )
            changes.touched(session, changes.Topic.AUDIT, org_id)
        raise


def _progress(session: Session, export_id: int, org_id: int, done: int, rows: int) -> None:
    session.exec(
        update(DataExport)
        .where(col(DataExport.id) == export_id)
        .values(tables_done=done, rows_written=col(DataExport.rows_written) + rows)
    )
    changes.touched(session, changes.Topic.AUDIT, org_id)


def _write_table(session: Session, archive: zipfile.ZipFile, name: str, org_id: int) -> int:
    """The organization's rows of one table as `<name>.csv` in the zip; how many."""
    table = SQLModel.metadata.tables[name]
    columns = [c for c in table.columns if not _is_secret(c)]
    query = sa.select(*columns).where(plan()[name](org_id))
    query = query.order_by(*table.primary_key.columns)
    written = 0
    with archive.open(f"{name}.csv", "w", force_zip64=True) as raw:
        text = io.TextIOWrapper(raw, encoding="utf-8", newline="")
        writer = csv.writer(text, lineterminator="\r\n")
        writer.writerow([c.name for c in columns])
        result = session.execute(query.execution_options(yield_per=CHUNK))
        for part in result.partitions(CHUNK):
            writer.writerows([[_cell(v) for v in row] for row in part])
            written += len(part)
        text.flush()
        text.detach()
    return written


def _cell(value: object) -> str:
    if isinstance(value, datetime):
        return value.isoformat(sep=" ")
    if isinstance(value, dict | list):
        return neutralize(json.dumps(value, default=str, sort_keys=True))
    return neutralize(value)


def take_download(session: Session, *, actor: Actor, export_id: object) -> tuple[str, str]:
    """The file of a ready export, for one download (admins of its organization): marks it
    downloaded (commit before streaming) and returns (download name, private file key); the
    caller deletes the file once sent."""
    actor.require_admin()
    export = _own(session, actor, export_id)
    if export.status != READY or not export.file_key:
        raise NotFound(GONE)
    taken = session.exec(
        update(DataExport)
        .where(col(DataExport.id) == export.id, col(DataExport.status) == READY)
        .values(status=DOWNLOADED, downloaded_at=utcnow())
    )
    if taken.rowcount != 1:
        raise NotFound(GONE)
    activity.record(
        session,
        actor=actor,
        subject=export,
        action="downloaded",
        before={"status": READY},
        after={"status": DOWNLOADED},
    )
    changes.touched(session, changes.Topic.AUDIT, actor.org_id)
    day = export.created_at.date().isoformat()
    return f"{_slug(actor.org_name)}-export-{day}.zip", export.file_key


def _own(session: Session, actor: Actor, export_id: object) -> DataExport:
    id_ = inputs.record_id(export_id, what="export")
    export = session.get(DataExport, id_)
    if export is None or export.org_id != actor.org_id:
        raise NotFound(GONE)
    return export


def _slug(name: str) -> str:
    slug = "".join(ch if ch.isascii() and ch.isalnum() else "-" for ch in name.lower())
    return "-".join(part for part in slug.split("-") if part)[:40] or "organization"
