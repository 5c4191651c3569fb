"""The organization's audit log, as its admins read it: every change its people, API keys,
imports and jobs made (the activity trail, services.core.activity, and the security events it
mirrors), newest first, filtered by person, record type, action and dates.

Paged by keyset (`before`: the id of the last row shown), never by offset or a total count: a
page costs the same on the first day and with millions of events (benchmarks/audit_log.py).
Dates become id bounds through the index on (org_id, created_at): ids grow with time. The CSV
export streams every matching event the same way, a chunk at a time.
"""

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, col, select

from ...models import ActivityEvent, Membership, User
from ..core import channel, inputs, listing
from ..core.activity import ENTITY_TYPES
from ..core.actor import Actor
from ..core.errors import Invalid
from ..imports.files import csv_chunks

PAGE_SIZE = 50
EXPORT_CHUNK = 1_000
MAX_SHOWN = 300  # characters of a value shown in the list (the CSV holds them whole)
_ACTION = re.compile(r"^[a-z][a-z0-9_]{0,63}$")

# Every record type and how the log names it.
RECORD_TYPES: dict[str, str] = {
    name: name.replace("_", " ").capitalize() for name in sorted(ENTITY_TYPES.values())
}
CSV_HEADER = ["When (UTC)", "Person", "Person's email", "How", "Record type", "Record id"]
CSV_HEADER += ["Action", "Changes", "Before", "After"]


@dataclass(frozen=True, slots=True)
class Filters:
    person_id: int | None = None
    record_type: str | None = None
    action: str | None = None
    since: date | None = None
    until: date | None = None  # inclusive


@dataclass(frozen=True, slots=True)
class EntryView:
    id: int
    created_at: datetime
    actor_name: str
    actor_email: str
    via: str
    via_label: str
    entity_type: str
    entity_id: int
    action: str
    before: dict | None
    after: dict | None

    @property
    def how(self) -> str:
        kind = self.via if self.via in channel.KINDS else channel.UI
        return channel.Via(kind, self.via_label).text

    @property
    def record_type(self) -> str:
        return RECORD_TYPES.get(self.entity_type, self.entity_type)

    @property
    def changes(self) -> list[tuple[str, str, str]]:
        return changed_fields(self.before, self.after)


@dataclass(frozen=True, slots=True)
class AuditPage:
    rows: list[EntryView]
    older: int | None  # the `before` of the next (older) page, None at the end


def changed_fields(before: dict | None, after: dict | None) -> list[tuple[str, str, str]]:
    """(field, before, after) of each field whose value changed (all of them for a record
    created or deleted), in a stable order."""
    before, after = before or {}, after or {}
    if not isinstance(before, dict) or not isinstance(after, dict):
        return []
    names = list(dict.fromkeys([*before, *after]))
    return [
        (str(name), _shown(before.get(name)), _shown(after.get(name)))
        for name in names
        if before.get(name) != after.get(name)
    ]


def filters(
    *,
    person: object = None,
    record_type: object = None,
    action: object = None,
    since: object = None,
    until: object = None,
) -> Filters:
    """The filters as chosen (any value from a client), validated."""
    kind = None if record_type in (None, "") else record_type
    if kind is not None and kind not in RECORD_TYPES:
        raise Invalid("Choose a record type from the list.", field="record_type")
    verb = None if action in (None, "") else action
    if verb is not None and not (isinstance(verb, str) and _ACTION.match(verb)):
        raise Invalid("Choose an action from the list.", field="action")
    first = inputs.day(since, field="since", label="first day")
    last = inputs.day(until, field="until", label="last day")
    if first and last and first > last:
        raise Invalid("The first day must come before the last.", field="until")
    return Filters(
        person_id=listing.filter_id(person, "person"),
        record_type=kind,  # type: ignore[arg-type]
        action=verb,  # type: ignore[arg-type]
        since=first,
        until=last,
    )


def page(
    session: Session, *, actor: Actor, chosen: Filters | None = None, before: object = None
) -> AuditPage:
    """Up to PAGE_SIZE events older than the event `before` (None: the newest), newest first
    (admins)."""
    actor.require_admin()
    chosen = chosen or Filters()
    cursor = None if before in (None, "") else listing.filter_id(before, "before")
    where = _where(session, actor, chosen)
    if where is None:
        return AuditPage([], None)
    if cursor is not None:
        where.append(col(ActivityEvent.id) < cursor)
    query = _query(where).order_by(col(ActivityEvent.id).desc()).limit(PAGE_SIZE + 1)
    rows = [EntryView(**row._mapping) for row in session.exec(query).all()]
    more = len(rows) > PAGE_SIZE
    rows = rows[:PAGE_SIZE]
    return AuditPage(rows, rows[-1].id if more else None)


def actions(session: Session, *, actor: Actor) -> list[str]:
    """The actions the organization's log holds, for the filter (admins): a skip scan down the
    (org_id, action) index, one step per distinct action, not a read of every event."""
    actor.require_admin()
    found = session.execute(
        sa.text(
            "WITH RECURSIVE a(action) AS ("
            " SELECT MIN(action) FROM activity_events WHERE org_id = :org"
            " UNION ALL SELECT (SELECT MIN(action) FROM activity_events"
            "  WHERE org_id = :org AND action > a.action) FROM a WHERE a.action IS NOT NULL)"
            " SELECT action FROM a WHERE action IS NOT NULL"
        ).bindparams(org=actor.org_id)
    ).all()
    return sorted(row[0] for row in found)


def people(session: Session, *, actor: Actor) -> list[tuple[int, str]]:
    """(id, "name <email>") of the organization's people, for the filter (admins)."""
    actor.require_admin()
    found = session.exec(
        select(User.id, User.name, User.email)
        .join(Membership, col(Membership.user_id) == User.id)
        .where(Membership.org_id == actor.org_id)
        .order_by(User.name)
    ).all()
    return [(int(id_), f"{name} <{email}>") for id_, name, email in found if id_ is not None]


def export_csv(session: Session, *, actor: Actor, chosen: Filters | None = None) -> Iterator[str]:
    """Every matching event, newest first, as CSV text pieces (admins). Consume the iterator
    inside `session`."""
    actor.require_admin()
    where = _where(session, actor, chosen or Filters())

    def rows() -> Iterator[list[list[Any]]]:
        if where is None:
            return
        for chunk in listing.newest_first(session, _query(where), ActivityEvent.id, EXPORT_CHUNK):
            yield [_csv_row(EntryView(**row._mapping)) for row in chunk]

    return csv_chunks(CSV_HEADER, rows())


def _csv_row(entry: EntryView) -> list[Any]:
    summary = "; ".join(f"{name}: {old} -> {new}" for name, old, new in entry.changes)
    return [
        *(entry.created_at.strftime("%Y-%m-%d %H:%M:%S"), entry.actor_name, entry.actor_email),
        *(entry.how, entry.record_type, entry.entity_id, entry.action, summary),
        *(_json(entry.before), _json(entry.after)),
    ]


def _json(value: dict | None) -> str:
    return "" if value is None else json.dumps(value, default=str, sort_keys=True)


def _shown(value: object) -> str:
    text = "" if value is None else str(value)
    return text if len(text) <= MAX_SHOWN else text[: MAX_SHOWN - 1] + "…"


def _where(session: Session, actor: Actor, chosen: Filters) -> list | None:
    """The conditions, with dates turned into id bounds (None: no event can match)."""
    where: list = [col(ActivityEvent.org_id) == actor.org_id]
    if chosen.person_id is not None:
        where.append(col(ActivityEvent.actor_id) == chosen.person_id)
    if chosen.record_type is not None:
        where.append(col(ActivityEvent.entity_type) == chosen.record_type)
    if chosen.action is not None:
        where.append(col(ActivityEvent.action) == chosen.action)
    if chosen.since is not None:
        first = _bound(
            session, actor, datetime.combine(chosen.since, time.min, tzinfo=UTC), oldest=True
        )
        if first is None:
            return None
        where.append(col(ActivityEvent.id) >= first)
    if chosen.until is not None:
        end = datetime.combine(chosen.until + timedelta(days=1), time.min, tzinfo=UTC)
        last = _bound(session, actor, end, oldest=False)
        if last is None:
            return None
        where.append(col(ActivityEvent.id) <= last)
    return where


def _bound(session: Session, actor: Actor, moment: datetime, *, oldest: bool) -> int | None:
    """The id of the organization's first event at or after `moment` (oldest), or of its last
    event before it: one step down the (org_id, created_at) index."""
    at = col(ActivityEvent.created_at)
    query = select(ActivityEvent.id).where(
        ActivityEvent.org_id == actor.org_id, at >= moment if oldest else at < moment
    )
    query = query.order_by(at.asc() if oldest else at.desc()).limit(1)
    return session.exec(query).first()


def _query(where: list) -> Any:
    """The events with the name of who acted (nothing for a job or a form's visitor)."""
    return (
        sa.select(
            col(ActivityEvent.id),
            col(ActivityEvent.created_at),
            sa.func.coalesce(User.name, "").label("actor_name"),
            sa.func.coalesce(User.email, "").label("actor_email"),
            col(ActivityEvent.via),
            col(ActivityEvent.via_label),
            col(ActivityEvent.entity_type),
            col(ActivityEvent.entity_id),
            col(ActivityEvent.action),
            col(ActivityEvent.before),
            col(ActivityEvent.after),
        )
        .outerjoin(User, col(User.id) == ActivityEvent.actor_id)
        .where(*where)
    )
