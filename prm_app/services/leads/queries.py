"""The sent and received lists: their filters, sorts and pages."""

from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import aliased
from sqlmodel import Session, col, func, select

from ...models import (
    Lead,
    LeadDirection,
    LeadRecipient,
    LeadStatus,
    Organization,
    OrgKind,
    RecipientStatus,
    Stage,
    User,
)
from ..core import inputs, listing
from ..core.actor import Actor
from ..core.errors import Invalid
from ..core.listing import Page
from ..customers import leads_protected_elsewhere
from ..views import lists as custom_lists
from .access import Status
from .search import counted_along, scope_column, searched

SENT_SORTS = ("newest", "oldest", "company", "name")
RECEIVED_SORTS = ("newest", "oldest", "company", "deadline")
# A row's sending organization and owner: aliases built once (building them costs a list's
# read as much as the rest of its statements).
_ORIGIN, _OWNER = aliased(Organization), aliased(User)


@dataclass(frozen=True, slots=True)
class SentRow:
    id: int
    direction: str
    status: str
    first_name: str
    last_name: str
    email: str
    company: str
    owner_id: int
    owner_name: str
    recipients: int
    accepted: int  # recipients that accepted (or went on to convert or be lost)
    created_at: datetime
    submitted_at: datetime | None
    custom: dict = field(default_factory=dict)  # {field id: value as read}, chosen columns


@dataclass(frozen=True, slots=True)
class ReceivedRow:
    """A lead as one receiving organization sees it (contact "" while a referral is unopened)."""

    recipient_id: int
    lead_id: int
    direction: str
    status: str
    origin_org_id: int
    origin_org_name: str
    company: str
    first_name: str
    last_name: str
    email: str
    phone: str
    contact_hidden: bool
    stage_id: int | None
    stage_name: str
    owner_id: int | None
    owner_name: str
    deadline_at: datetime | None
    created_at: datetime
    protected_elsewhere: bool = False  # a provider's lead: the customer is another partner's
    custom: dict = field(default_factory=dict)  # {field id: value as read}, chosen columns


def list_sent(
    session: Session,
    *,
    actor: Actor,
    direction: object = None,
    status: object = None,
    search: object = "",
    owner_id: object = None,
    recipient_org_id: object = None,
    created_from: object = None,
    created_to: object = None,
    page: object = 1,
    page_size: object = 25,
    sort: object = "newest",
    columns: object = (),
    custom_filters: object = (),
) -> Page:
    """The actor's organization's leads (or referrals), one page, with recipient counts.

    Filters: direction, status, owner, an organization it was sent to, the day range it was
    created in (UTC, both ends included), a search of the contact and company, and custom
    fields (services.views.lists: `columns` read for the page's rows, `custom_filters`, a
    sort "custom:<id>[:desc]").
    """
    page, page_size = listing.paging(page, page_size)
    choice = custom_lists.choose(
        session, actor=actor, list_name="sent", columns=columns, filters=custom_filters, sort=sort
    )
    if sort not in SENT_SORTS and choice.sort is None:
        raise Invalid("Sort by newest, oldest, company or name.", field="sort")
    custom_where = choice.conditions(Lead.id)
    filters = {
        "direction": direction,
        "status": status,
        "search": search,
        "owner_id": owner_id,
        "recipient_org_id": recipient_org_id,
        "created_from": created_from,
        "created_to": created_to,
    }
    where = [*sent_scope(actor, **filters), *custom_where]
    order = {
        "newest": [col(Lead.created_at).desc(), col(Lead.id).desc()],
        "oldest": [col(Lead.created_at), col(Lead.id)],
        "company": [col(Lead.company_norm), col(Lead.id)],  # ix_leads_origin_org_company
        "name": [func.lower(Lead.last_name), func.lower(Lead.first_name), col(Lead.id)],
    }.get(str(sort)) or [*choice.order(Lead.id), col(Lead.id)]
    owner = _OWNER
    accepted = (Status.ACCEPTED, Status.CONVERTED, Status.LOST)
    # Counted per listed lead (correlated), never aggregated over the whole recipients table.
    recipients = (
        select(func.count())
        .where(LeadRecipient.lead_id == Lead.id)
        .correlate(Lead)
        .scalar_subquery()
    )
    accepted_count = (
        select(func.count())
        .where(LeadRecipient.lead_id == Lead.id, col(LeadRecipient.status).in_(accepted))
        .correlate(Lead)
        .scalar_subquery()
    )
    count = (
        select(func.count())
        .select_from(Lead)
        .where(*sent_scope(actor, **filters, every_match=True), *custom_where)
    )
    keys = select(Lead.id).where(*where).order_by(*order)

    def display(chosen: Any) -> Any:
        return (
            select(
                Lead.id,
                Lead.direction,
                Lead.status,
                Lead.first_name,
                Lead.last_name,
                Lead.email,
                Lead.company,
                Lead.owner_id,
                col(owner.name).label("owner_name"),
                recipients.label("recipients"),
                accepted_count.label("accepted"),
                Lead.created_at,
                Lead.submitted_at,
                chosen.c.total,
            )
            .select_from(chosen)
            .join(Lead, col(Lead.id) == chosen.c.id)
            .join(owner, owner.id == Lead.owner_id)
            .order_by(*order)
        )

    along = counted_along(session, filters["search"]) or choice.sort is not None
    found = listing.keyed_page(
        session, keys, count, page, page_size, SentRow, display, counted_along=along
    )
    return _with_cells(session, choice, found, "id")


def list_received(
    session: Session,
    *,
    actor: Actor,
    status: object = None,
    search: object = "",
    stage_id: object = None,
    owner_id: object = None,
    origin_org_id: object = None,
    created_from: object = None,
    created_to: object = None,
    page: object = 1,
    page_size: object = 25,
    sort: object = "newest",
    columns: object = (),
    custom_filters: object = (),
) -> Page:
    """Leads (or referrals) received by the actor's organization, one page.

    Filters: status, stage, assignee, the sending organization, the day range it was received
    in (UTC, both ends included), a search of the company and visible contact details, and
    custom fields (as list_sent's).

    Unopened referrals show their company but not their contact, and search does not look into
    contact details it would not show.
    """
    page, page_size = listing.paging(page, page_size)
    choice = custom_lists.choose(
        session,
        actor=actor,
        list_name="received",
        columns=columns,
        filters=custom_filters,
        sort=sort,
    )
    if sort not in RECEIVED_SORTS and choice.sort is None:
        raise Invalid("Sort by newest, oldest, company or deadline.", field="sort")
    where, on_lead = received_scope(
        actor,
        status=status,
        search=search,
        stage_id=stage_id,
        owner_id=owner_id,
        origin_org_id=origin_org_id,
        created_from=created_from,
        created_to=created_to,
    )
    where += choice.conditions(LeadRecipient.lead_id)
    by_field = [*choice.order(LeadRecipient.lead_id), col(LeadRecipient.id)]
    hidden = hidden_contact()
    order = {
        "newest": [col(LeadRecipient.created_at).desc(), col(LeadRecipient.id).desc()],
        "oldest": [col(LeadRecipient.created_at), col(LeadRecipient.id)],
        # The lead's company_norm, copied onto its recipients (ix_lead_recipients_org_company);
        # one recipient row per lead and organization, so the lead id breaks ties.
        "company": [col(LeadRecipient.company_norm), col(LeadRecipient.lead_id)],
        "deadline": [col(LeadRecipient.deadline_at).asc().nulls_last(), col(LeadRecipient.id)],
    }.get(str(sort), by_field)
    count = select(func.count()).select_from(LeadRecipient).where(*where, *on_lead)
    keys = select(LeadRecipient.id).where(*where, *on_lead).order_by(*order)
    if on_lead:
        count = count.join(Lead, col(Lead.id) == LeadRecipient.lead_id)
        keys = keys.join(Lead, col(Lead.id) == LeadRecipient.lead_id)
    origin, owner = _ORIGIN, _OWNER
    shown = [
        sa.case((hidden, ""), else_=column).label(column.key)
        for column in (*_CONTACT_COLUMNS, Lead.phone)
    ]

    def display(chosen: Any) -> Any:
        return (
            select(
                col(LeadRecipient.id).label("recipient_id"),
                col(Lead.id).label("lead_id"),
                Lead.direction,
                LeadRecipient.status,
                Lead.origin_org_id,
                col(origin.name).label("origin_org_name"),
                Lead.company,
                *shown,
                hidden.label("contact_hidden"),
                LeadRecipient.stage_id,
                func.coalesce(Stage.name, "").label("stage_name"),
                LeadRecipient.owner_id,
                func.coalesce(owner.name, "").label("owner_name"),
                LeadRecipient.deadline_at,
                LeadRecipient.created_at,
                chosen.c.total,
            )
            .select_from(chosen)
            .join(LeadRecipient, col(LeadRecipient.id) == chosen.c.id)
            .join(Lead, col(Lead.id) == LeadRecipient.lead_id)
            .join(origin, origin.id == Lead.origin_org_id)
            .outerjoin(Stage, col(Stage.id) == LeadRecipient.stage_id)
            .outerjoin(owner, owner.id == LeadRecipient.owner_id)
            .order_by(*order)
        )

    along = counted_along(session, search) or choice.sort is not None
    found = listing.keyed_page(
        session, keys, count, page, page_size, ReceivedRow, display, counted_along=along
    )
    found = _with_cells(session, choice, found, "lead_id")
    if actor.org_kind != OrgKind.PROVIDER or not found.rows:
        return found
    flagged = leads_protected_elsewhere(session, actor.org_id, [r.lead_id for r in found.rows])
    rows = [replace(r, protected_elsewhere=r.lead_id in flagged) for r in found.rows]
    return replace(found, rows=rows)


def _with_cells(session: Session, choice: custom_lists.Choice, found: Page, lead_id: str) -> Page:
    """The page's rows with their chosen custom columns, read for those rows only."""
    ids = [getattr(r, lead_id) for r in found.rows]
    cells = choice.cells(session, Lead.id, Lead.custom, ids)
    if not cells:
        return found
    rows = [replace(r, custom=cells.get(getattr(r, lead_id), {})) for r in found.rows]
    return replace(found, rows=rows)


def sent_scope(
    actor: Actor,
    *,
    direction: object = None,
    status: object = None,
    search: object = "",
    owner_id: object = None,
    recipient_org_id: object = None,
    created_from: object = None,
    created_to: object = None,
    every_match: bool = False,
) -> list:
    """Conditions on Lead of the sent list: the organization's (a member's own), filtered.

    every_match: for a caller that reads every match (a count, an export): a search's
    candidates then lead the way on SQLite (scope_column).
    """
    text = listing.search_text(search)
    org = scope_column(Lead.origin_org_id, text) if every_match else Lead.origin_org_id
    where: list = [org == actor.org_id]
    if not actor.sees_all:
        where.append(Lead.owner_id == actor.user_id)
    if direction is not None and direction != "":
        if direction not in tuple(LeadDirection):
            raise Invalid("Choose leads or referrals.", field="direction")
        where.append(Lead.direction == direction)
    if status is not None and status != "":
        if status not in tuple(LeadStatus):
            raise Invalid("Choose draft or submitted.", field="status")
        where.append(Lead.status == status)
    if (owner_filter := listing.filter_id(owner_id, "owner_id")) is not None:
        where.append(Lead.owner_id == owner_filter)
    if (org_filter := listing.filter_id(recipient_org_id, "recipient_org_id")) is not None:
        if every_match:  # their ids, read once from ix_lead_recipients_org_origin_created
            sent_to = select(LeadRecipient.lead_id).where(
                LeadRecipient.org_id == org_filter, LeadRecipient.origin_org_id == actor.org_id
            )
            where.append(col(Lead.id).in_(sent_to))
        else:  # a page stops at its last lead: each lead's recipients probed
            where.append(
                sa.exists().where(
                    LeadRecipient.lead_id == Lead.id, LeadRecipient.org_id == org_filter
                )
            )
    where += _created_between(Lead.created_at, created_from, created_to)
    if text:
        where.append(
            sa.or_(
                *(listing.contains(column, text) for column in _CONTACT_COLUMNS),
                listing.contains(Lead.company, text),
            )
        )
        where.append(searched(text))
    return where


def received_scope(
    actor: Actor,
    *,
    status: object = None,
    search: object = "",
    stage_id: object = None,
    owner_id: object = None,
    origin_org_id: object = None,
    created_from: object = None,
    created_to: object = None,
) -> tuple[list, list]:
    """Conditions of the received list: (on LeadRecipient, on its Lead, which they join)."""
    hidden = hidden_contact()
    text = listing.search_text(search)
    where: list = [LeadRecipient.org_id == actor.org_id]
    on_lead: list = []  # conditions that need the lead row joined
    if not actor.sees_all:
        where.append(LeadRecipient.owner_id == actor.user_id)
    if status is not None and status != "":
        if status not in tuple(RecipientStatus):
            raise Invalid("Choose a status from the list.", field="status")
        where.append(LeadRecipient.status == status)
    if (stage_filter := listing.filter_id(stage_id, "stage_id")) is not None:
        where.append(LeadRecipient.stage_id == stage_filter)
    if (owner_filter := listing.filter_id(owner_id, "owner_id")) is not None:
        where.append(LeadRecipient.owner_id == owner_filter)
    if (org_filter := listing.filter_id(origin_org_id, "origin_org_id")) is not None:
        where.append(LeadRecipient.origin_org_id == org_filter)  # the lead's, copied
    where += _created_between(LeadRecipient.created_at, created_from, created_to)
    if text:
        contact = sa.or_(*(listing.contains(column, text) for column in _CONTACT_COLUMNS))
        on_lead.append(
            sa.or_(listing.contains(Lead.company, text), sa.and_(sa.not_(hidden), contact))
        )
        on_lead.append(searched(text))
    return where, on_lead


def hidden_contact() -> sa.ColumnElement[bool]:
    """Whether a received row's contact is hidden from its recipient: an unopened referral."""
    return _hidden(Lead.direction, LeadRecipient.opened_at)


def _created_between(column: Any, start: object, end: object) -> list:
    """Conditions for a day range (ISO dates, either end optional, both included, UTC)."""
    first = _day(start, field_name="created_from", label="From")
    last = _day(end, field_name="created_to", label="To")
    if first and last and first > last:
        raise Invalid("The start date is after the end date.", field="created_from")
    conditions = []
    if first:
        conditions.append(col(column) >= datetime.combine(first, time.min, UTC))
    if last and last < date.max:
        conditions.append(col(column) < datetime.combine(last + timedelta(days=1), time.min, UTC))
    return conditions


def _day(value: object, *, field_name: str, label: str) -> date | None:
    try:
        return inputs.day(value, field=field_name, label="date")
    except Invalid:
        raise Invalid(f"{label}: enter a date as YYYY-MM-DD.", field=field_name) from None


_CONTACT_COLUMNS = (Lead.first_name, Lead.last_name, Lead.email)


def _hidden(direction: Any, opened_at: Any) -> sa.ColumnElement[bool]:
    """Whether a received row's contact is hidden: an unopened referral."""
    return sa.and_(direction == LeadDirection.PROVIDER_TO_PARTNER, col(opened_at).is_(None))
