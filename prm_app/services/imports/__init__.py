"""Bulk CSV import of leads (a consultant's, to its providers), referrals (a provider's, to its
partners) and deals (registered with a provider, or recorded for a partner).

`prepare` reads the file's columns and suggests a mapping; `dry_run` lists every problem by row
(as a spreadsheet numbers them: the header is row 1), column and reason, with a preview; `run`
imports the valid rows as one ImportBatch, in the caller's transaction: all of them or, on any
error, none. `undo` removes a batch while none of its records was touched since.

The whole file is checked with pandas column operations and a few queries (partners, people,
existing records, protected customers, stages), never a query per row; rows are written with
multi-row inserts.
"""

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from itertools import repeat
from typing import Any

import pandas as pd
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
    LeadDirection,
    LeadRecipient,
    LeadSource,
    LeadStatus,
    OrgKind,
    Partnership,
    Pipeline,
    RecipientStatus,
    Stage,
    User,
    utcnow,
)
from .. import customers, deals, leads, notifications
from ..catalog import program
from ..core import activity, changes, inputs, listing
from ..core.actor import Actor
from ..core.errors import Invalid, NotAllowed, NotFound
from ..core.listing import Page
from ..deals import builder as deal_builder
from . import columns as import_columns
from .columns import Field
from .files import Table, csv_text, read_csv, restored

PREVIEW_ROWS = 20
IN_CHUNK = 5_000  # values in one IN (...) list (SQLite allows 32,766 parameters)
INSERT_CHUNK = 5_000  # rows built and inserted at a time
MAX_FILE_NAME = 255
NOT_VISIBLE = "That import does not exist or is not visible to you."
_EMAILS = ("email", "contact_email")
_AMOUNT = r"^\d{1,12}(\.\d{1,2})?$"
_ISO_DATE = r"^\d{4}-\d{2}-\d{2}$"
# Told how far an import is: what it is doing and the fraction done (0 to 1).
Progress = Callable[[str, float], None]
_READ, _CHECKED = 0.3, 0.6  # the fractions done once the file is read, and once checked
_NOUNS = {ImportKind.LEADS: "leads", ImportKind.REFERRALS: "referrals", ImportKind.DEALS: "deals"}


@dataclass(frozen=True, slots=True)
class Problem:
    """One problem of one row. A warning (`blocking` False) does not stop the row."""

    row: int
    column: str  # the file's header (the field's label when no column is mapped to it)
    message: str
    blocking: bool = True


@dataclass(frozen=True, slots=True)
class Prepared:
    """A file's columns and the mapping to start from (the last one used, else suggested)."""

    headers: list[str]
    rows: int
    fields: list[Field]
    mapping: dict[str, str]


@dataclass(frozen=True, slots=True)
class DryRun:
    rows_total: int
    rows_valid: int
    rows_failed: int
    problems: list[Problem]  # by row, then column order
    preview: list[dict[str, Any]]  # the first valid rows as they will be imported, with "row"


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


@dataclass(slots=True)
class _Checked:
    """A file checked against the rules: its values (by field) and what is wrong."""

    table: Table
    data: pd.DataFrame
    mapping: dict[str, str]  # field name to header, as checked
    problems: list[Problem] = field(default_factory=list)
    failed: pd.Series | None = None  # bool by row
    labels: dict[str, str] = field(default_factory=dict)  # extra display values for the preview


# the import flow -------------------------------------------------------------------------------


def prepare(session: Session, *, actor: Actor, kind: object, file: object) -> Prepared:
    """Read the file's header and suggest a mapping: the organization's last mapping for
    `kind` where this file has those columns, and suggestions for the other fields."""
    kind = _kind(actor, kind)
    table = read_csv(file)
    mapping = {
        name: header
        for name, header in import_columns.last_mapping(session, actor=actor, kind=kind).items()
        if header in table.headers
    }
    used = set(mapping.values())
    for name, header in import_columns.suggest_mapping(table.headers, kind, actor.org_kind).items():
        if name not in mapping and header not in used:
            mapping[name] = header
            used.add(header)
    known = import_columns.fields(kind, actor.org_kind)
    mapping = {f.name: mapping[f.name] for f in known if f.name in mapping}
    return Prepared(table.headers, len(table.rows), list(known), mapping)


def dry_run(
    session: Session,
    *,
    actor: Actor,
    kind: object,
    file: object,
    mapping: object,
    submit: object = False,
    progress: Progress | None = None,
) -> DryRun:
    """Check every row as `run` would, writing nothing."""
    kind, submit = _kind(actor, kind), _flag(submit)
    checked = _check(session, actor, kind, _read(file, progress), mapping, submit)
    failed = int(checked.failed.sum())
    return DryRun(
        rows_total=len(checked.data),
        rows_valid=len(checked.data) - failed,
        rows_failed=failed,
        problems=checked.problems,
        preview=_preview(checked),
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
) -> BatchRow:
    """Import the valid rows of the file (checked again: nothing from the dry run is trusted)
    as drafts or submitted, as one ImportBatch with an error report of the failed rows.

    Everything is written in the caller's transaction: commit it, or on any error roll it back
    (services.core.db.session_scope does both), and nothing of the batch remains.
    """
    kind, submit = _kind(actor, kind), _flag(submit)
    name = _file_name(file_name)
    checked = _check(session, actor, kind, _read(file, progress), mapping, submit)
    valid = checked.data[~checked.failed]
    if valid.empty:
        raise Invalid("No row can be imported: fix the problems listed and import the file again.")
    writing = _writing(progress, len(valid), _NOUNS[kind])
    now = utcnow()
    batch = ImportBatch(
        org_id=actor.org_id,
        created_by_id=actor.user_id,
        kind=kind,
        file_name=name,
        rows_total=len(checked.data),
        rows_imported=len(valid),
        rows_failed=len(checked.data) - len(valid),
        mapping=dict(checked.mapping),
        error_report=_error_report(checked),
        status=ImportStatus.IMPORTED,
        created_at=now,
        finished_at=now,
    )
    session.add(batch)
    session.flush()
    if kind == ImportKind.DEALS:
        _insert_deals(session, actor, batch, valid, now, writing)
    else:
        _insert_leads(session, actor, batch, valid, submit, now, writing)
    import_columns.remember_mapping(session, actor=actor, kind=kind, mapping=checked.mapping)
    activity.record(
        session,
        actor=actor,
        subject=batch,
        action="imported",
        after={**_counts(batch), "submit": submit},
    )
    notifications.import_finished(session, actor=actor, batch=batch)
    if kind == ImportKind.DEALS or submit:  # drafts went nowhere yet
        sent_to = valid["other_org_id"].astype(int).value_counts()
        counts = {int(org): int(count) for org, count in sent_to.items()}
        notifications.imported_for(session, actor=actor, batch=batch, counts=counts)
    return _row(batch, actor.name)


def undo(session: Session, *, actor: Actor, batch_id: object) -> BatchRow:
    """Remove every record of a batch, if none was touched since the import: no recipient
    opened or decided and no lead edited or sent on; no deal edited, moved or decided.

    Whoever imported it, or a manager, may undo it.
    """
    batch = _batch(session, actor, batch_id, lock=True)
    if not (actor.sees_all or batch.created_by_id == actor.user_id):
        raise NotAllowed("Only whoever imported it or a manager can undo an import.")
    if batch.status != ImportStatus.IMPORTED:
        raise Invalid("This import was already undone.")
    noun = _NOUNS[ImportKind(batch.kind)]
    touched = _touched(session, batch)
    if touched:
        raise Invalid(
            f"{touched:,} of the {batch.rows_imported:,} imported {noun} changed since the import "
            f"(opened, decided, edited or moved): the import can no longer be undone."
        )
    removed = _remove(session, batch)
    batch.status = ImportStatus.UNDONE
    batch.undone_at = utcnow()
    session.add(batch)
    activity.record(
        session,
        actor=actor,
        subject=batch,
        action="undone",
        before={"status": "imported"},
        after={"removed": removed},
    )
    return _row(batch, _name(session, batch.created_by_id))


# batches ---------------------------------------------------------------------------------------


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
        select(
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
    return _row(found, _name(session, found.created_by_id))


def error_report(session: Session, *, actor: Actor, batch_id: object) -> tuple[str, str]:
    """(file name, CSV text) of a batch's failed rows: every original column plus "error",
    ready to fix and import again. Only the header when no row failed."""
    found = _batch(session, actor, batch_id)
    stem = found.file_name.rsplit(".", 1)[0] or "import"
    return f"{stem}-errors.csv", found.error_report


# checking --------------------------------------------------------------------------------------


def _check(
    session: Session, actor: Actor, kind: ImportKind, table: Table, mapping: object, submit: bool
) -> _Checked:
    chosen = import_columns.check_mapping(
        mapping, table.headers, kind, actor.org_kind, submit=submit
    )
    fields = import_columns.fields(kind, actor.org_kind)
    index = table.rows.index
    data = pd.DataFrame(index=index)
    for f in fields:
        if f.name in chosen:
            data[f.name] = restored(table.rows[chosen[f.name]]).str.strip()
        else:
            data[f.name] = pd.Series("", index=index, dtype="str")
    checked = _Checked(table=table, data=data, mapping=chosen)
    required = set(import_columns.required(kind, actor.org_kind, submit=submit))
    rules = _Rules(checked, fields, chosen, required)
    rules.basics()
    rules.owners(session, actor, kind)
    if kind == ImportKind.DEALS:
        rules.counterparts(session, actor)
        rules.deal_values(session)
        rules.duplicate_deals(session, actor)
    else:
        if submit:  # drafts are sent nowhere yet
            rules.counterparts(session, actor)
        rules.duplicate_leads(session, actor, kind)
    if "other_org_id" in data:
        rules.protected(session, actor)
    rules.finish()
    return checked


class _Rules:
    """The checks, each over whole columns; problems are gathered, then sorted once."""

    def __init__(
        self,
        checked: _Checked,
        fields: tuple[Field, ...],
        chosen: dict[str, str],
        required: set[str],
    ):
        self.checked = checked
        self.required = required
        self.data = checked.data
        self.fields = {f.name: f for f in fields}
        self.order = {f.name: n for n, f in enumerate(fields)}
        self.chosen = chosen
        self.found: list[tuple[str, pd.Series, Any, bool]] = []

    def add(self, name: str, mask: pd.Series, message: Any, *, blocking: bool = True) -> None:
        """Rows where `mask` holds have `message` (text, or a Series of texts by row)."""
        if mask.any():
            self.found.append((name, mask, message, blocking))

    def basics(self) -> None:
        """Required values and lengths, then emails, with the messages the forms give."""
        for name, f in self.fields.items():
            values = self.data[name]
            email = name in _EMAILS
            if name in self.required:
                self.add(name, values == "", inputs.NO_EMAIL if email else inputs.missing(f.label))
            if not email:  # an email too long is not an email address
                self.add(name, values.str.len() > f.max_len, inputs.too_long(f.label, f.max_len))
        for name in _EMAILS:
            if name in self.data:
                values = self.data[name].str.lower()
                self.data[name] = values
                bad = (values != "") & (
                    ~values.str.match(inputs.EMAIL_PATTERN) | (values.str.len() > inputs.MAX_EMAIL)
                )
                if bad.any():
                    said = pd.Series("", index=values.index)
                    said[bad] = values[bad].map(inputs.not_an_email)
                    self.add(name, bad, said)

    def owners(self, session: Session, actor: Actor, kind: ImportKind) -> None:
        """Each row's owner, by email: an active member; a member may name only themselves."""
        emails = self.data["owner"].str.lower()
        people = {
            email: user_id
            for user_id, email, _, user_active, member_active in session.exec(
                leads.members(actor.org_id)
            )
            if user_active and member_active
        }
        ids = emails.map(people)
        given = emails != ""
        self.add(
            "owner",
            given & ids.isna(),
            "'" + emails.str.slice(0, 60) + "' is not an active member of your organization.",
        )
        self.data["owner_id"] = ids.where(given, actor.user_id).fillna(0).astype("int64")
        if not actor.sees_all:
            self.add(
                "owner",
                given & ids.notna() & (ids != actor.user_id),
                deals.ONLY_MANAGER_GIVES if kind == ImportKind.DEALS else leads.ONLY_MANAGER_GIVES,
            )

    def counterparts(self, session: Session, actor: Actor) -> None:
        """The provider (partner) of each row, by name among the organization's partnerships;
        only an active (and, for a consultant, categorized) one can receive."""
        name = "provider" if actor.org_kind == OrgKind.CONSULTANT else "partner"
        consultant = actor.org_kind == OrgKind.CONSULTANT
        rows = session.exec(leads.partners(actor)).all()
        by_name: dict[str, list[tuple[int, str, str | None]]] = {}
        for org_id, org_name, status, categorized in rows:
            refusal = leads.recipient_refusal(org_name, status, categorized, consultant=consultant)
            by_name.setdefault(org_name.strip().lower(), []).append((org_id, org_name, refusal))
        resolved: dict[str, int] = {}
        refused: dict[str, str] = {}
        for key, found in by_name.items():
            eligible = [(org_id, n) for org_id, n, refusal in found if refusal is None]
            if len(eligible) == 1:
                resolved[key] = eligible[0][0]
            elif eligible:
                refused[key] = f"Several of your partners are named {eligible[0][1]}."
            else:
                refused[key] = found[0][2]
        keys = self.data[name].str.lower()
        given = keys != ""
        ids = keys.map(resolved)
        what = "provider" if consultant else "partner"
        self.add(name, given & keys.map(refused).notna(), keys.map(refused))
        self.add(
            name,
            given & ids.isna() & keys.map(refused).isna(),
            "'" + self.data[name].str.slice(0, 60) + f"' is not one of your active {what}s.",
        )
        self.data["other_org_id"] = ids.fillna(0).astype("int64")
        self.data["provider_org_id"] = self.data["other_org_id"] if consultant else actor.org_id
        names = {org_id: org_name for org_id, org_name, _, _ in rows}
        self.checked.labels[name] = self.data["other_org_id"].map(names)

    def duplicate_leads(self, session: Session, actor: Actor, kind: ImportKind) -> None:
        """The same email and company twice in the file, or already sent by the organization."""
        norms, domains = customers.customer_keys_of(self.data["company"], self.data["email"])
        self.data["company_norm"], self.data["email_domain"] = norms, domains
        keys = self.data["email"] + "\x1f" + norms
        usable = (self.data["email"] != "") & (norms != "")
        self._within_file(keys, usable, "email", "The same email and company as row {first}.")
        direction = _direction(kind)
        existing: set[str] = set()
        for chunk in _chunks(sorted(set(norms[usable]))):
            existing.update(
                f"{email}\x1f{norm}"
                for email, norm in session.exec(
                    select(Lead.email, Lead.company_norm).where(
                        Lead.origin_org_id == actor.org_id,
                        Lead.direction == direction,
                        col(Lead.company_norm).in_(chunk),
                    )
                )
            )
        noun = "lead" if kind == ImportKind.LEADS else "referral"
        self.add(
            "email",
            usable & keys.isin(existing),
            f"Your organization already has this {noun} (the same email and company).",
        )

    def duplicate_deals(self, session: Session, actor: Actor) -> None:
        """The same deal name, company and other organization twice in the file or already."""
        norms, domains = customers.customer_keys_of(
            self.data["company"], self.data["contact_email"]
        )
        self.data["company_norm"], self.data["email_domain"] = norms, domains
        other = self.data["other_org_id"].astype(str)
        keys = other + "\x1f" + norms + "\x1f" + self.data["name"].str.lower()
        usable = (self.data["other_org_id"] > 0) & (norms != "") & (self.data["name"] != "")
        self._within_file(keys, usable, "name", "The same deal as row {first}.")
        side = deals.side_columns(actor)
        existing: set[str] = set()
        for chunk in _chunks(sorted(set(norms[usable]))):
            existing.update(
                f"{other_id}\x1f{norm}\x1f{deal_name.lower()}"
                for other_id, norm, deal_name in session.exec(
                    select(side.other_org, Deal.company_norm, Deal.name).where(
                        side.own_org == actor.org_id, col(Deal.company_norm).in_(chunk)
                    )
                )
            )
        self.add(
            "name",
            usable & keys.isin(existing),
            "This deal already exists (the same name, company and organization).",
        )

    def deal_values(self, session: Session) -> None:
        """Amount (empty: 0), close date (YYYY-MM-DD) and stage (an open one; empty: first)."""
        amount = self.data["amount"].str.replace(r"[,\s$€£]", "", regex=True)
        amount = amount.where(amount != "", "0")
        self.add(
            "amount",
            ~amount.str.match(_AMOUNT),
            "Enter the amount as a number of 0 or more with at most two decimals (1200.50).",
        )
        self.data["amount"] = amount
        dates = self.data["close_date"]
        parsed = pd.to_datetime(
            dates.where(dates.str.match(_ISO_DATE)), format="%Y-%m-%d", errors="coerce"
        )
        self.add("close_date", (dates != "") & parsed.isna(), "Enter the close date as YYYY-MM-DD.")
        self.data["close_day"] = parsed
        providers = self._providers()
        stages = session.exec(
            select(Stage.org_id, Stage.name, Stage.id, Stage.is_won, Stage.is_lost).where(
                col(Stage.org_id).in_(providers),
                Stage.pipeline == Pipeline.DEAL,
                col(Stage.archived_at).is_(None),
            )
        ).all()
        by_name = {
            f"{org}\x1f{name.lower()}": (sid, won or lost) for org, name, sid, won, lost in stages
        }
        first = {org: program.first_stage(session, org, Pipeline.DEAL) for org in providers}
        keys = self.data["provider_org_id"].astype(str) + "\x1f" + self.data["stage"].str.lower()
        found = keys.map(by_name)
        given = self.data["stage"] != ""
        self.add(
            "stage",
            given & found.isna() & (self.data["provider_org_id"] > 0),
            "'" + self.data["stage"].str.slice(0, 60) + "' is not a deal stage of this provider.",
        )
        closed = found.map(lambda hit: isinstance(hit, tuple) and hit[1])
        self.add(
            "stage",
            given & closed.fillna(False).astype(bool),
            "Imported deals start open: choose an open stage.",
        )
        chosen = found.map(lambda hit: hit[0] if isinstance(hit, tuple) else None)
        self.data["stage_id"] = chosen.where(given, self.data["provider_org_id"].map(first))

    def protected(self, session: Session, actor: Actor) -> None:
        """Customers already protected for another partner of the provider (a warning: the row
        is still imported and the provider decides). A consultant learns until when, never who."""
        data = self.data
        consultant = actor.org_kind == OrgKind.CONSULTANT
        partner = data["other_org_id"] if not consultant else actor.org_id
        rows = pd.DataFrame(
            {
                "provider": data["provider_org_id"],
                "partner": partner,
                "company_norm": data["company_norm"],
                "email_domain": data["email_domain"],
            },
            index=data.index,
        )
        found = customers.held_by_row(session, rows, exclude=actor.org_id if consultant else 0)
        until = found["until"].map(
            lambda moment: moment.date().isoformat() if pd.notna(moment) else ""
        )
        if consultant:
            message = (
                "Already protected for another partner until " + until + ": the provider decides."
            )
        else:
            message = "Protected for " + found["holder_name"].fillna("") + " until " + until + "."
        self.add("company", found["until"].notna(), message, blocking=False)

    def finish(self) -> None:
        """Sort the problems by row, then by the fields' order; mark the failed rows."""
        index = self.data.index
        failed = pd.Series(False, index=index)
        problems: list[tuple[int, int, Problem]] = []
        for name, mask, message, blocking in self.found:
            column = self.chosen.get(name) or self.fields[name].label
            messages = message[mask] if isinstance(message, pd.Series) else None
            for row in index[mask.to_numpy()]:
                text = messages[row] if messages is not None else message
                problems.append((row, self.order[name], Problem(int(row), column, text, blocking)))
            if blocking:
                failed |= mask
        problems.sort(key=lambda item: (item[0], item[1]))
        self.checked.problems = [p for _, _, p in problems]
        self.checked.failed = failed

    def _within_file(self, keys: pd.Series, usable: pd.Series, name: str, message: str) -> None:
        repeated = usable & keys.duplicated(keep="first")
        if not repeated.any():
            return
        rows = pd.Series(keys.index, index=keys.index)
        first = rows.groupby(keys).transform("first")
        self.add(name, repeated, first.map(lambda row: message.format(first=row)))

    def _providers(self) -> list[int]:
        """The distinct providers of the rows (known once `counterparts` ran)."""
        return sorted(int(p) for p in set(self.data["provider_org_id"]) if p > 0)


# writing ---------------------------------------------------------------------------------------


def _insert_leads(
    session: Session,
    actor: Actor,
    batch: ImportBatch,
    valid: pd.DataFrame,
    submit: bool,
    now: datetime,
    written: Callable[[int], None],
) -> None:
    """Leads as leads.save_draft writes them; submitted ones with one recipient each, as
    leads.submit writes it (pending, with the referral's deadline) and its "received" event."""
    direction = _direction(ImportKind(batch.kind))
    columns = {
        "owner_id": valid["owner_id"].tolist(),
        **{name: valid[name].tolist() for name in _LEAD_TEXT},
        "company_norm": valid["company_norm"].str.slice(0, 200).tolist(),
        "email_domain": valid["email_domain"].str.slice(0, 254).tolist(),
    }
    constants = {
        "direction": direction.value,
        "origin_org_id": actor.org_id,
        "created_by_id": actor.user_id,
        "status": (LeadStatus.SUBMITTED if submit else LeadStatus.DRAFT).value,
        "source": LeadSource.CSV.value,
        "import_batch_id": batch.id,
        "created_at": now,
        "submitted_at": now if submit else None,
        "updated_at": now if submit else None,
    }
    if not submit:
        _insert(session, Lead, columns, constants, written=written)
        return
    lead_ids = _insert(session, Lead, columns, constants, new_ids=True, written=written)
    recipient_orgs = valid["other_org_id"].tolist()
    recipient_ids = _insert(
        session,
        LeadRecipient,
        {"lead_id": lead_ids, "org_id": recipient_orgs},
        {
            "status": RecipientStatus.PENDING.value,
            "reason": "",
            "deadline_at": leads.accept_deadline(
                session, actor=actor, direction=direction, now=now
            ),
            "created_at": now,
        },
        new_ids=True,
    )
    _insert(
        session,
        ActivityEvent,
        {
            "org_id": recipient_orgs,
            "entity_id": recipient_ids,
            "after": [
                {"status": "pending", "lead_id": lead_id, "origin_org_id": actor.org_id}
                for lead_id in lead_ids
            ],
        },
        {
            "actor_id": actor.user_id,
            "entity_type": activity.ENTITY_TYPES[LeadRecipient],
            "action": "received",
            "before": None,
            "created_at": now,
        },
    )


def _insert_deals(
    session: Session,
    actor: Actor,
    batch: ImportBatch,
    valid: pd.DataFrame,
    now: datetime,
    written: Callable[[int], None],
) -> None:
    """Deals as deal_changes.register writes them: a consultant's registration awaits the
    provider's approval; a provider's is approved and protects the customer at once. The owner
    across is the partnership's partner manager (provider side) or assigned user (consultant)."""
    by_provider = actor.org_kind == OrgKind.PROVIDER
    own_column, other_column = (
        (Partnership.provider_org_id, Partnership.consultant_org_id)
        if by_provider
        else (Partnership.consultant_org_id, Partnership.provider_org_id)
    )
    owner_across = dict(
        session.exec(
            select(
                other_column,
                Partnership.assigned_user_id if by_provider else Partnership.partner_manager_id,
            ).where(own_column == actor.org_id)
        ).all()
    )
    others = valid["other_org_id"].tolist()
    owners = valid["owner_id"].tolist()
    across = [owner_across.get(org) for org in others]
    providers = [actor.org_id] * len(others) if by_provider else others
    columns, constants = deal_builder.build_many(
        session,
        actor=actor,
        approved=by_provider,
        now=now,
        provider_org_ids=providers,
        columns={
            "partner_org_id": others if by_provider else [actor.org_id] * len(others),
            "name": valid["name"].tolist(),
            "company": valid["company"].tolist(),
            "company_norm": valid["company_norm"].str.slice(0, 200).tolist(),
            "email_domain": valid["email_domain"].str.slice(0, 254).tolist(),
            "contact_name": valid["contact_name"].tolist(),
            "contact_email": valid["contact_email"].tolist(),
            "amount": [Decimal(v) for v in valid["amount"]],
            "close_date": [d.date() if pd.notna(d) else None for d in valid["close_day"]],
            "stage_id": [None if pd.isna(s) else int(s) for s in valid["stage_id"]],
            "provider_owner_id": owners if by_provider else across,
            "partner_owner_id": across if by_provider else owners,
        },
    )
    constants["import_batch_id"] = batch.id
    approval = constants["approval"]
    deal_ids = _insert(session, Deal, columns, constants, new_ids=True, written=written)
    changes.deals_changed(session, actor.org_id, *set(others))
    after = [
        {"name": name, "company": company, "amount": amount, "approval": approval}
        for name, company, amount in zip(
            columns["name"], columns["company"], valid["amount"], strict=True
        )
    ]
    _insert(
        session,
        ActivityEvent,
        {"entity_id": deal_ids, "after": after},
        {
            "org_id": actor.org_id,
            "actor_id": actor.user_id,
            "entity_type": activity.ENTITY_TYPES[Deal],
            "action": "registered",
            "before": None,
            "created_at": now,
        },
    )


def _insert(
    session: Session,
    model: Any,
    columns: dict[str, list],
    constants: dict[str, Any],
    *,
    new_ids: bool = False,
    written: Callable[[int], None] | None = None,
) -> list[int]:
    """Insert rows of `model`: `columns` (lists of one value per row) and `constants` (the same
    in every row), INSERT_CHUNK rows per executemany of the database driver (`written` is told
    the count of rows inserted after each).

    The driver's executemany, not SQLAlchemy's: SQLAlchemy builds and type-converts each row's
    parameters in Python, which costs more than the insert itself (benchmarks/csv_import.py).
    Values are converted here as SQLAlchemy would (each constant once). With `new_ids`, ids are
    allocated first and returned in row order.
    """
    connection = session.connection()
    dialect = connection.dialect
    table = model.__table__
    count = len(next(iter(columns.values())))
    ids = _new_ids(connection, table, count) if new_ids else []
    if new_ids:
        columns = {"id": ids, **columns}

    def converted(name: str, values: list) -> list:
        process = table.c[name].type.dialect_impl(dialect).bind_processor(dialect)
        return [process(v) for v in values] if process else values

    values = [converted(name, column) for name, column in columns.items()]
    fixed = [converted(name, [value])[0] for name, value in constants.items()]
    quote = dialect.identifier_preparer.quote
    names = ", ".join(quote(name) for name in (*columns, *constants))
    mark = "?" if dialect.paramstyle == "qmark" else "%s"
    marks = ", ".join([mark] * (len(columns) + len(constants)))
    sql = f"INSERT INTO {quote(table.name)} ({names}) VALUES ({marks})"  # noqa: S608 - names
    for start in range(0, count, INSERT_CHUNK):
        chunk = (column[start : start + INSERT_CHUNK] for column in values)
        rows = zip(*chunk, *map(repeat, fixed), strict=False)  # the repeats never end
        connection.exec_driver_sql(sql, list(rows))
        if written:
            written(min(start + INSERT_CHUNK, count))
    return ids


def _new_ids(connection: Any, table: sa.Table, count: int) -> list[int]:
    """`count` new ids of the table, for rows about to be inserted."""
    if connection.dialect.name == "postgresql":
        return list(
            connection.execute(
                sa.text(
                    "SELECT nextval(pg_get_serial_sequence(:name, 'id')) "
                    "FROM generate_series(1, :count)"
                ),
                {"name": table.name, "count": count},
            ).scalars()
        )
    # SQLite: this transaction holds the database's only write lock since it wrote the batch
    # row, so nobody else can take ids above the current largest until it ends.
    top = connection.execute(sa.select(func.max(table.c.id))).scalar() or 0
    return list(range(top + 1, top + count + 1))


# undo ------------------------------------------------------------------------------------------


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


# helpers ---------------------------------------------------------------------------------------

_LEAD_TEXT = ("first_name", "last_name", "email", "company", "phone", "title", "notes")


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


def _read(file: object, progress: Progress | None) -> Table:
    if progress:
        progress("Reading the file", 0.0)
    table = read_csv(file)
    if progress:
        progress(f"Checking {len(table.rows):,} rows", _READ)
    return table


def _writing(progress: Progress | None, count: int, noun: str) -> Callable[[int], None]:
    """What the inserts call with the count of rows written so far."""

    def written(done: int) -> None:
        if progress:
            progress(f"Writing {count:,} {noun}", _CHECKED + (1 - _CHECKED) * done / count)

    written(0)
    return written


def _direction(kind: ImportKind) -> LeadDirection:
    if kind == ImportKind.LEADS:
        return LeadDirection.PARTNER_TO_PROVIDER
    return LeadDirection.PROVIDER_TO_PARTNER


def _chunks(values: list) -> Iterable[list]:
    for start in range(0, len(values), IN_CHUNK):
        yield values[start : start + IN_CHUNK]


def _error_report(checked: _Checked) -> str:
    failed = checked.failed
    by_row: dict[int, list[str]] = {}
    for problem in checked.problems:
        if problem.blocking:
            by_row.setdefault(problem.row, []).append(f"{problem.column}: {problem.message}")
    rows = checked.table.rows[failed.to_numpy()]
    header = [*checked.table.headers, "error"]
    body = (
        [*values, "; ".join(by_row[row])]
        for row, values in zip(rows.index, rows.itertuples(index=False, name=None), strict=True)
    )
    return csv_text(header, body)


def _preview(checked: _Checked) -> list[dict[str, Any]]:
    data = checked.data[~checked.failed].head(PREVIEW_ROWS)
    unsent = {"provider", "partner"} - set(checked.labels)  # a draft's column, not used
    shown = [name for name in checked.mapping if name not in unsent]
    rows = []
    for row, values in data.iterrows():
        item: dict[str, Any] = {"row": int(row)}
        for name in shown:
            label = checked.labels.get(name)
            item[name] = label[row] if label is not None else values[name]
        rows.append(item)
    return rows


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


def _row(batch: ImportBatch, created_by_name: str) -> BatchRow:
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
    )


def _counts(batch: ImportBatch) -> dict[str, Any]:
    return {
        "kind": batch.kind,
        "file_name": batch.file_name,
        "rows_total": batch.rows_total,
        "rows_imported": batch.rows_imported,
        "rows_failed": batch.rows_failed,
    }
