"""Import batches once written: the organization's history, one batch, its error report, and
undoing it while none of its records was touched."""

from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy import delete
from sqlmodel import Session, col, func, select

from ...models import (
    ActivityEvent,
    Deal,
    ImportBatch,
    ImportKind,
    ImportStatus,
    Lead,
    LeadRecipient,
    RecipientStatus,
    User,
    utcnow,
)
from ..core import activity, changes, inputs, listing
from ..core.actor import Actor
from ..core.errors import Invalid, NotAllowed, NotFound
from ..core.listing import Page
from . import columns as import_columns
from . import files, updates

NOT_VISIBLE = "That import does not exist or is not visible to you."
NOUNS = {ImportKind.LEADS: "leads", ImportKind.REFERRALS: "referrals", ImportKind.DEALS: "deals"}


@dataclass(frozen=True, slots=True)
class BatchRow:
    id: int
    kind: str
    file_name: str
    status: str
    rows_total: int
    rows_imported: int
    rows_failed: int
    created_by_id: int
    created_by_name: str
    created_at: datetime
    undone_at: datetime | None
    rows_updated: int = 0  # records updated in place (update mode)


def list_batches(
    session: Session,
    *,
    actor: Actor,
    kind: object = None,
    page: object = 1,
    page_size: object = 25,
) -> Page:
    """The organization's imports, newest first (a member's: their own), as BatchRows."""
    page, page_size = listing.paging(page, page_size)
    where: list = [ImportBatch.org_id == actor.org_id]
    if kind is not None and kind != "":
        where.append(ImportBatch.kind == import_columns.import_kind(kind))
    if not actor.sees_all:
        where.append(ImportBatch.created_by_id == actor.user_id)
    count = select(func.count()).select_from(ImportBatch).where(*where)
    query = (
        select(  # type: ignore[call-overload]
            ImportBatch.id,
            ImportBatch.kind,
            ImportBatch.file_name,
            ImportBatch.status,
            ImportBatch.rows_total,
            ImportBatch.rows_imported,
            ImportBatch.rows_failed,
            ImportBatch.created_by_id,
            col(User.name).label("created_by_name"),
            ImportBatch.created_at,
            ImportBatch.undone_at,
            ImportBatch.rows_updated,
            listing.total(count),
        )
        .join(User, col(User.id) == ImportBatch.created_by_id)
        .where(*where)
        .order_by(col(ImportBatch.created_at).desc(), col(ImportBatch.id).desc())
    )
    return listing.page_of(session, query, count, page, page_size, BatchRow)


def batch(session: Session, *, actor: Actor, batch_id: object) -> BatchRow:
    """One import of the organization (a member's: their own)."""
    found = _batch(session, actor, batch_id)
    return batch_row(found, _name(session, found.created_by_id))


@dataclass(frozen=True, slots=True)
class ErrorFile:
    """A batch's error file: its name, its bytes and their charset."""

    name: str
    data: bytes
    charset: str

    def text(self) -> str:
        return self.data.decode("utf-8-sig" if self.charset == "utf-8" else self.charset)


def error_report(session: Session, *, actor: Actor, batch_id: object) -> ErrorFile:
    """A batch's failed rows as a CSV file: every original column plus "error", ready to fix
    and import again (only the header when no row failed), written as the upload was: its
    separator, and its encoding when every character fits (else UTF-8 with a byte order mark;
    a spreadsheet's: comma, UTF-8 with a BOM): see files.encoded."""
    found = _batch(session, actor, batch_id)
    stem = found.file_name.rsplit(".", 1)[0] or "import"
    data, charset = files.encoded(found.error_report, found.file_encoding)
    return ErrorFile(f"{stem}-errors.csv", data, charset)


def undo(session: Session, *, actor: Actor, batch_id: object) -> BatchRow:
    """Remove every record of a batch, if none was touched since the import: no recipient
    opened or decided and no lead edited or sent on; no deal edited, moved or decided. The
    records it updated get their previous values back (services.imports.updates.restore),
    under the same condition.

    Whoever imported it, or a manager, may undo it.
    """
    batch = _batch(session, actor, batch_id, lock=True)
    if not (actor.sees_all or batch.created_by_id == actor.user_id):
        raise NotAllowed("Only whoever imported it or a manager can undo an import.")
    if batch.status != ImportStatus.IMPORTED:
        raise Invalid("This import was already undone.")
    noun = NOUNS[ImportKind(batch.kind)]
    touched = _touched(session, batch) + updates.changed_since(session, batch)
    if touched:
        what = (
            f"{batch.rows_imported + batch.rows_updated:,} {noun} it imported or updated"
            if batch.rows_updated
            else f"{batch.rows_imported:,} imported {noun}"
        )
        raise Invalid(
            f"{touched:,} of the {what} changed since the import "
            f"(opened, decided, edited or moved): the import can no longer be undone."
        )
    removed = _remove(session, batch)
    restored = updates.restore(session, actor=actor, batch=batch)
    changes.touched(session, changes.Topic.IMPORTS, batch.org_id)
    batch.status = ImportStatus.UNDONE
    batch.undone_at = utcnow()
    session.add(batch)
    activity.record(
        session,
        actor=actor,
        subject=batch,
        action="undone",
        before={"status": "imported"},
        after={"removed": removed, "restored": restored},
    )
    return batch_row(batch, _name(session, batch.created_by_id))


def _touched(session: Session, batch: ImportBatch) -> int:
    """How many of the batch's records changed since it was imported. Its rows are locked
    first (PostgreSQL), so that none changes between this count and their removal."""
    if batch.kind == ImportKind.DEALS:
        session.exec(
            select(Deal.id).where(Deal.import_batch_id == batch.id).with_for_update()
        ).all()
    else:
        session.exec(
            select(LeadRecipient.id)
            .join(Lead, col(Lead.id) == LeadRecipient.lead_id)
            .where(Lead.import_batch_id == batch.id)
            .with_for_update()
        ).all()
        session.exec(
            select(Lead.id).where(Lead.import_batch_id == batch.id).with_for_update()
        ).all()
    if batch.kind == ImportKind.DEALS:
        return session.exec(
            select(func.count()).where(
                Deal.import_batch_id == batch.id,
                sa.or_(Deal.version != 1, col(Deal.updated_at).is_not(None)),
            )
        ).one()
    recipient_touched = (
        sa.exists()
        .where(
            LeadRecipient.lead_id == Lead.id,
            sa.or_(
                LeadRecipient.status != RecipientStatus.PENDING,
                col(LeadRecipient.opened_at).is_not(None),
                col(LeadRecipient.updated_at).is_not(None),
            ),
        )
        .correlate(Lead)
    )
    return session.exec(
        select(func.count()).where(
            Lead.import_batch_id == batch.id,
            sa.or_(col(Lead.updated_at) > batch.finished_at, recipient_touched),
        )
    ).one()


def _remove(session: Session, batch: ImportBatch) -> int:
    """Delete the batch's records and the events the import wrote about each of them (the
    batch's own events tell the story; SQLite may give a deleted record's id to a new one)."""
    if batch.kind == ImportKind.DEALS:
        deal_ids = select(Deal.id).where(Deal.import_batch_id == batch.id)
        for orgs in session.exec(
            select(Deal.provider_org_id, Deal.partner_org_id)
            .where(Deal.import_batch_id == batch.id)
            .distinct()
        ):
            changes.deals_changed(session, *orgs)
        _forget(session, Deal, deal_ids)
        return session.execute(delete(Deal).where(col(Deal.import_batch_id) == batch.id)).rowcount
    lead_ids = select(Lead.id).where(Lead.import_batch_id == batch.id)
    recipient_ids = select(LeadRecipient.id).where(col(LeadRecipient.lead_id).in_(lead_ids))
    recipients = select(LeadRecipient.org_id).where(col(LeadRecipient.lead_id).in_(lead_ids))
    changes.touched(session, changes.Topic.LEADS, batch.org_id, *set(session.exec(recipients)))
    _forget(session, LeadRecipient, recipient_ids)
    session.execute(delete(LeadRecipient).where(col(LeadRecipient.lead_id).in_(lead_ids)))
    return session.execute(delete(Lead).where(col(Lead.import_batch_id) == batch.id)).rowcount


def _forget(session: Session, model: type[Deal | LeadRecipient], ids: Any) -> None:
    entity_type = activity.ENTITY_TYPES[model]
    session.execute(
        delete(ActivityEvent).where(
            col(ActivityEvent.entity_type) == entity_type, col(ActivityEvent.entity_id).in_(ids)
        )
    )


def _batch(session: Session, actor: Actor, batch_id: object, *, lock: bool = False) -> ImportBatch:
    batch_id = inputs.record_id(batch_id, what="import")
    query = select(ImportBatch).where(
        ImportBatch.id == batch_id, ImportBatch.org_id == actor.org_id
    )
    if not actor.sees_all:
        query = query.where(ImportBatch.created_by_id == actor.user_id)
    found = session.exec(query.with_for_update() if lock else query).first()
    if found is None:
        raise NotFound(NOT_VISIBLE)
    return found


def _name(session: Session, user_id: int) -> str:
    return session.exec(select(User.name).where(User.id == user_id)).one()


def batch_row(batch: ImportBatch, created_by_name: str) -> BatchRow:
    """A batch as the history lists it."""
    return BatchRow(
        id=batch.id,
        kind=batch.kind,
        file_name=batch.file_name,
        status=batch.status,
        rows_total=batch.rows_total,
        rows_imported=batch.rows_imported,
        rows_failed=batch.rows_failed,
        created_by_id=batch.created_by_id,
        created_by_name=created_by_name,
        created_at=batch.created_at,
        undone_at=batch.undone_at,
        rows_updated=batch.rows_updated,
    )
