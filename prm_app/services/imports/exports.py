"""CSV exports of the lists: leads and referrals sent, received, and deals.

An export takes the filters its list takes and honors the same visibility (a member's own
records; a referral's contact hidden from its recipient until opened). It is read in chunks of
EXPORT_CHUNK rows by id (keyset), written as CSV text chunk by chunk, every value neutralized
against formula injection. Consume the returned iterator inside the session it was given.

Custom fields follow the fixed columns, one column per field the exporter's organization sees
(services.imports.custom_columns); each cell holds a value only when its field is one the
organization sees on that record.
"""

from collections.abc import Iterator
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import aliased
from sqlmodel import Session, col, func, select

from ...models import (
    Deal,
    FieldEntity,
    Lead,
    LeadDirection,
    LeadRecipient,
    Organization,
    OrgKind,
    Stage,
    User,
    utcnow,
)
from .. import deals, leads
from ..core import listing
from ..core.actor import Actor
from ..core.errors import Invalid
from ..custom_fields.batch import lead_records
from .custom_columns import CustomColumns
from .files import csv_chunks

EXPORT_CHUNK = 1_000
LISTS = ("sent", "received", "deals")
_FILTERS = {
    "sent": (
        "direction",
        "status",
        "search",
        "owner_id",
        "recipient_org_id",
        "created_from",
        "created_to",
    ),
    "received": (
        "status",
        "search",
        "stage_id",
        "owner_id",
        "origin_org_id",
        "created_from",
        "created_to",
    ),
    "deals": ("search", "approval", "outcome", "stage_id", "other_org_id", "owner_id"),
}


def export_csv(
    session: Session, *, actor: Actor, list_name: object, filters: object = None
) -> Iterator[str]:
    """The list as CSV text, in pieces (header first), newest first.

    `filters` holds keyword arguments of the list's function (leads.list_sent,
    leads.list_received, deals.list_deals), checked as they check them: an Invalid is raised
    here, before the first piece.
    """
    if not isinstance(list_name, str) or list_name not in LISTS:
        raise Invalid("Choose the sent, received or deals list to export.", field="list_name")
    filters = {} if filters is None else filters
    if not isinstance(filters, dict) or any(k not in _FILTERS[list_name] for k in filters):
        raise Invalid("The list's filters could not be read: reload the page.", field="filters")
    if list_name == "sent":
        return _sent(session, actor, leads.sent_scope(actor, **filters, every_match=True))
    if list_name == "received":
        return _received(session, actor, *leads.received_scope(actor, **filters))
    return _deals(session, actor, deals.scope(actor, **filters))


def file_name(list_name: str) -> str:
    """A download name for the export of a list, dated today (UTC)."""
    return f"{list_name}-{utcnow().date().isoformat()}.csv"


def _sent(session: Session, actor: Actor, where: list) -> Iterator[str]:
    owner = aliased(User)
    query = (
        select(
            Lead.id,
            Lead.direction,
            Lead.status,
            Lead.first_name,
            Lead.last_name,
            Lead.email,
            Lead.company,
            Lead.phone,
            Lead.title,
            col(owner.name).label("owner"),
            Lead.created_at,
            Lead.submitted_at,
        )
        .add_columns(Lead.origin_org_id, Lead.draft_recipient_ids, Lead.custom)
        .join(owner, owner.id == Lead.owner_id)
        .where(*where)
    )
    custom = CustomColumns(session, actor.org_id, _entities(session, query))
    header = ["ID", "Type", "Status", "First name", "Last name", "Email", "Company", "Phone"]
    header += ["Title", "Owner", "Sent to", "Created", "Submitted", *custom.header]

    def rows() -> Iterator[list[list[Any]]]:
        for chunk in _keyset(session, query, Lead.id):
            sent_to = _recipients(session, [row.id for row in chunk])
            records = lead_records(session, actor.org_id, chunk)
            cells = custom.cells(records, [row.custom for row in chunk])
            yield [
                [
                    *(row.id, _kind(row.direction), row.status, row.first_name, row.last_name),
                    *(row.email, row.company, row.phone, row.title, row.owner),
                    "; ".join(sent_to.get(row.id, [])),
                    *(_text(row.created_at), _text(row.submitted_at)),
                    *values,
                ]
                for row, values in zip(chunk, cells, strict=True)
            ]

    return csv_chunks(header, rows(), phones={header.index("Phone")})


def _received(session: Session, actor: Actor, where: list, on_lead: list) -> Iterator[str]:
    hidden = leads.hidden_contact()
    origin, owner = aliased(Organization), aliased(User)
    contact = [
        sa.case((hidden, ""), else_=column).label(column.key)
        for column in (Lead.first_name, Lead.last_name, Lead.email, Lead.phone, Lead.title)
    ]
    query = (
        select(
            col(LeadRecipient.id).label("id"),
            Lead.direction,
            col(origin.name).label("origin"),
            LeadRecipient.status,
            Lead.company,
            *contact,
            func.coalesce(Stage.name, "").label("stage"),
            func.coalesce(owner.name, "").label("owner"),
            LeadRecipient.deadline_at,
            LeadRecipient.created_at,
        )
        .add_columns(Lead.origin_org_id, Lead.custom)
        .select_from(LeadRecipient)
        .join(Lead, col(Lead.id) == LeadRecipient.lead_id)
        .join(origin, origin.id == Lead.origin_org_id)
        .outerjoin(Stage, col(Stage.id) == LeadRecipient.stage_id)
        .outerjoin(owner, owner.id == LeadRecipient.owner_id)
        .where(*where, *on_lead)
    )
    custom = CustomColumns(session, actor.org_id, _entities(session, query))
    header = ["ID", "Type", "From", "Status", "Company", "First name", "Last name", "Email"]
    header += ["Phone", "Title", "Stage", "Assigned to", "Deadline", "Received", *custom.header]

    def rows() -> Iterator[list[list[Any]]]:
        for chunk in _keyset(session, query, LeadRecipient.id):
            records = [(_entity(row.direction), [row.origin_org_id]) for row in chunk]
            cells = custom.cells(records, [row.custom for row in chunk])
            yield [
                [
                    *(row.id, _kind(row.direction), row.origin, row.status, row.company),
                    *(row.first_name, row.last_name, row.email, row.phone, row.title),
                    *(row.stage, row.owner, _text(row.deadline_at), _text(row.created_at)),
                    *values,
                ]
                for row, values in zip(chunk, cells, strict=True)
            ]

    return csv_chunks(header, rows(), phones={header.index("Phone")})


def _deals(session: Session, actor: Actor, where: list) -> Iterator[str]:
    side = deals.side_columns(actor)
    other, owner = aliased(Organization), aliased(User)
    query = (
        select(
            Deal.id,
            Deal.name,
            Deal.company,
            col(other.name).label("other"),
            Deal.contact_name,
            Deal.contact_email,
            Deal.amount,
            Deal.currency,
            func.coalesce(Stage.name, "").label("stage"),
            Deal.approval,
            Deal.outcome,
            Deal.close_date,
            Deal.protected_until,
            func.coalesce(owner.name, "").label("owner"),
            Deal.created_at,
        )
        .add_columns(Deal.country, Deal.region, Deal.custom)
        .add_columns(side.other_org.label("other_org_id"))
        .join(other, other.id == side.other_org)
        .outerjoin(Stage, col(Stage.id) == Deal.stage_id)
        .outerjoin(owner, owner.id == side.owner)
        .where(*where)
    )
    across = "Partner" if actor.org_kind == OrgKind.PROVIDER else "Provider"
    header = ["ID", "Deal", "Company", across, "Contact", "Contact email", "Country", "Region"]
    header += ["Amount", "Currency"]
    header += ["Stage", "Approval", "Outcome", "Close date", "Protected until", "Owner"]
    custom = CustomColumns(session, actor.org_id, [FieldEntity.DEAL])
    header += ["Created", *custom.header]

    def rows() -> Iterator[list[list[Any]]]:
        for chunk in _keyset(session, query, Deal.id):
            records = [(FieldEntity.DEAL.value, [row.other_org_id]) for row in chunk]
            cells = custom.cells(records, [row.custom for row in chunk])
            yield [
                [
                    *(row.id, row.name, row.company, row.other, row.contact_name),
                    *(row.contact_email, row.country, row.region),
                    *(_text(row.amount), row.currency, row.stage),
                    *(row.approval, row.outcome, _text(row.close_date)),
                    *(_text(row.protected_until), row.owner, _text(row.created_at)),
                    *values,
                ]
                for row, values in zip(chunk, cells, strict=True)
            ]

    return csv_chunks(header, rows())


def _keyset(session: Session, query: Any, id_column: Any) -> Iterator[list]:
    return listing.newest_first(session, query, id_column, EXPORT_CHUNK)


def _recipients(session: Session, lead_ids: list[int]) -> dict[int, list[str]]:
    found: dict[int, list[str]] = {}
    rows = session.exec(
        select(LeadRecipient.lead_id, Organization.name)
        .join(Organization, col(Organization.id) == LeadRecipient.org_id)
        .where(col(LeadRecipient.lead_id).in_(lead_ids))
        .order_by(col(LeadRecipient.lead_id), func.lower(Organization.name))
    )
    for lead_id, name in rows:
        found.setdefault(lead_id, []).append(name)
    return found


def _entities(session: Session, query: Any) -> list[str]:
    """The kinds of custom fields of the leads `query` lists (leads, referrals or both)."""
    found = session.exec(query.with_only_columns(Lead.direction).distinct()).all()
    return [_entity(direction) for direction in found]


def _entity(direction: str) -> str:
    return (
        FieldEntity.REFERRAL if direction == LeadDirection.PROVIDER_TO_PARTNER else FieldEntity.LEAD
    )


def _kind(direction: str) -> str:
    return "referral" if direction == LeadDirection.PROVIDER_TO_PARTNER else "lead"


def _text(value: object) -> str:
    """Times to the minute (UTC), dates and amounts as ISO and plain numbers."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M")
    return str(value)
