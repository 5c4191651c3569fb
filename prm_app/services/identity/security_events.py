"""The organization's security events as its admins read them: a page at a time, newest
first, filtered by kind, or the whole log as CSV (formula-safe, streamed by keyset).

People are named only as members of the admin's own organization."""

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import aliased
from sqlmodel import Session, col, func, select

from ...models import Membership, SecurityEvent, User
from ..core import listing
from ..core.actor import Actor
from ..core.errors import Invalid
from ..imports.files import csv_chunks
from . import devices
from .security_log import KINDS

PAGE_SIZE = 25
EXPORT_CHUNK = 1_000
CSV_HEADER = ["When (UTC)", "Event", "Person", "Person's email", "By", "By email"]
CSV_HEADER += ["Address", "Device", "Details"]


@dataclass(frozen=True, slots=True)
class EventView:
    id: int
    created_at: datetime
    kind: str
    user_name: str
    user_email: str
    actor_name: str
    actor_email: str
    ip: str
    user_agent: str
    detail: str

    @property
    def what(self) -> str:
        return KINDS.get(self.kind, self.kind)

    @property
    def device(self) -> str:
        return devices.describe(self.user_agent) if self.user_agent else ""


def kind_filter(value: object) -> str | None:
    """A kind of event to show, or None for every kind."""
    if value is None or value == "":
        return None
    if not isinstance(value, str) or value not in KINDS:
        raise Invalid("Choose a kind of event from the list.", field="kind")
    return value


def page(session: Session, *, actor: Actor, kind: object = None, page: object = 1) -> listing.Page:
    """One page of the organization's events, newest first (admins)."""
    actor.require_admin()
    number, size = listing.paging(page, PAGE_SIZE)
    where = _where(actor, kind_filter(kind))
    count = select(func.count()).select_from(SecurityEvent).where(*where)
    query = _query(actor, where).add_columns(listing.total(count))
    query = query.order_by(col(SecurityEvent.id).desc())
    return listing.page_of(session, query, count, number, size, EventView)


def export_csv(session: Session, *, actor: Actor, kind: object = None) -> Iterator[str]:
    """Every event of the organization (of `kind`), newest first, as CSV text pieces (admins).
    Consume the iterator inside `session`."""
    actor.require_admin()
    query = _query(actor, _where(actor, kind_filter(kind)))

    def rows() -> Iterator[list[list[Any]]]:
        for chunk in listing.newest_first(session, query, SecurityEvent.id, EXPORT_CHUNK):
            views = [EventView(**row._mapping) for row in chunk]
            yield [
                [
                    *(view.created_at.strftime("%Y-%m-%d %H:%M:%S"), view.what),
                    *(view.user_name, view.user_email, view.actor_name, view.actor_email),
                    *(view.ip, view.device, view.detail),
                ]
                for view in views
            ]

    return csv_chunks(CSV_HEADER, rows())


def _where(actor: Actor, kind: str | None) -> list:
    where = [col(SecurityEvent.org_id) == actor.org_id]
    if kind is not None:
        where.append(col(SecurityEvent.kind) == kind)
    return where


def _query(actor: Actor, where: list) -> Any:
    """The events with the names of the people concerned, when they belong to the caller's
    organization (an outer join through their membership of it)."""
    subject_m, subject = aliased(Membership), aliased(User)
    by_m, by = aliased(Membership), aliased(User)
    return (
        sa.select(
            col(SecurityEvent.id),
            col(SecurityEvent.created_at),
            col(SecurityEvent.kind),
            func.coalesce(subject.name, "").label("user_name"),
            func.coalesce(subject.email, "").label("user_email"),
            func.coalesce(by.name, "").label("actor_name"),
            func.coalesce(by.email, "").label("actor_email"),
            col(SecurityEvent.ip),
            col(SecurityEvent.user_agent),
            col(SecurityEvent.detail),
        )
        .outerjoin(
            subject_m,
            (col(subject_m.user_id) == SecurityEvent.user_id)
            & (col(subject_m.org_id) == actor.org_id),
        )
        .outerjoin(subject, col(subject.id) == subject_m.user_id)
        .outerjoin(
            by_m,
            (col(by_m.user_id) == SecurityEvent.actor_user_id) & (col(by_m.org_id) == actor.org_id),
        )
        .outerjoin(by, col(by.id) == by_m.user_id)
        .where(*where)
    )
