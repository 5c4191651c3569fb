"""Deals as each side sees them: the provider that works them and the partner that registered them.

A provider sees the deals it holds with its partners, a consultant firm the deals it holds with
its providers. Managers and admins see all of their organization's deals; members only those
whose owner on their side they are. Deals of other organizations do not exist for the caller.
"""

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import aliased
from sqlmodel import Session, col, func, select

from ..models import Approval, Deal, Organization, OrgKind, Outcome, Stage, User
from . import inputs
from .actor import Actor
from .errors import Invalid, NotAllowed, NotFound
from .leads import Page

MAX_SEARCH = 100
MAX_PAGE_SIZE = 100
MAX_PAGE = 100_000
SORTS = ("newest", "oldest", "amount", "close_date", "company")


@dataclass(frozen=True, slots=True)
class DealRow:
    """One deal in a list, seen from the caller's side ("other" is the organization across)."""

    id: int
    name: str
    company: str
    other_org_id: int
    other_org_name: str
    amount: Decimal
    currency: str
    stage_id: int | None
    stage_name: str
    approval: str
    outcome: str
    close_date: date | None
    protected_until: datetime | None
    owner_id: int | None
    owner_name: str
    created_at: datetime


@dataclass(frozen=True, slots=True)
class _Side:
    """The caller's columns on Deal and the other organization's."""

    own_org: Any
    other_org: Any
    owner: Any


def _side(actor: Actor) -> _Side:
    if actor.org_kind == OrgKind.PROVIDER:
        return _Side(Deal.provider_org_id, Deal.partner_org_id, Deal.provider_owner_id)
    if actor.org_kind == OrgKind.CONSULTANT:
        return _Side(Deal.partner_org_id, Deal.provider_org_id, Deal.partner_owner_id)
    raise NotAllowed("Your organization has no deals.")


def list_deals(
    session: Session,
    *,
    actor: Actor,
    search: object = "",
    approval: object = None,
    outcome: object = None,
    stage_id: object = None,
    other_org_id: object = None,
    owner_id: object = None,
    page: object = 1,
    page_size: object = 25,
    sort: object = "newest",
) -> Page:
    """The deals of the actor's organization (a member's: those they own), one page of DealRows.

    Filters: approval, outcome, the provider's deal stage, the organization across (the partner
    for a provider, the provider for a consultant), the owner on the caller's side, and a search
    of the deal name, company and contact. One statement per page.
    """
    side = _side(actor)
    page, page_size = _paging(page, page_size)
    if not isinstance(sort, str) or sort not in SORTS:
        raise Invalid("Sort by newest, oldest, amount, close date or company.", field="sort")
    other, owner = aliased(Organization), aliased(User)
    query = (
        select(
            Deal.id,
            Deal.name,
            Deal.company,
            col(side.other_org).label("other_org_id"),
            col(other.name).label("other_org_name"),
            Deal.amount,
            Deal.currency,
            Deal.stage_id,
            func.coalesce(Stage.name, "").label("stage_name"),
            Deal.approval,
            Deal.outcome,
            Deal.close_date,
            Deal.protected_until,
            col(side.owner).label("owner_id"),
            func.coalesce(owner.name, "").label("owner_name"),
            Deal.created_at,
            func.count().over().label("total"),
        )
        .join(other, other.id == side.other_org)
        .outerjoin(Stage, col(Stage.id) == Deal.stage_id)
        .outerjoin(owner, owner.id == side.owner)
        .where(side.own_org == actor.org_id)
    )
    if not actor.sees_all:
        query = query.where(side.owner == actor.user_id)
    if (chosen := _choice(approval, Approval, "approval", "an approval")) is not None:
        query = query.where(Deal.approval == chosen)
    if (chosen := _choice(outcome, Outcome, "outcome", "an outcome")) is not None:
        query = query.where(Deal.outcome == chosen)
    if (stage_filter := _filter_id(stage_id, "stage_id")) is not None:
        query = query.where(Deal.stage_id == stage_filter)
    if (org_filter := _filter_id(other_org_id, "other_org_id")) is not None:
        query = query.where(side.other_org == org_filter)
    if (owner_filter := _filter_id(owner_id, "owner_id")) is not None:
        query = query.where(side.owner == owner_filter)
    if text := _search(search):
        query = query.where(
            sa.or_(
                *(
                    _contains(column, text)
                    for column in (Deal.name, Deal.company, Deal.contact_name, Deal.contact_email)
                )
            )
        )
    order = {
        "newest": [col(Deal.created_at).desc(), col(Deal.id).desc()],
        "oldest": [col(Deal.created_at), col(Deal.id)],
        "amount": [col(Deal.amount).desc(), col(Deal.id).desc()],
        "close_date": [col(Deal.close_date).is_(None), col(Deal.close_date), col(Deal.id)],
        "company": [func.lower(Deal.company), col(Deal.id)],
    }[sort]
    return _page(session, query.order_by(*order), page, page_size)


# helpers: values and paging (deliberately local: the leads module's are private) ---------------


def _choice(value: object, codes: type, field_name: str, what: str) -> str | None:
    """A code of an enumeration, or None for "any" (None or "")."""
    if value is None or value == "":
        return None
    if not isinstance(value, str) or value not in tuple(codes):
        raise Invalid(f"Choose {what} from the list.", field=field_name)
    return value


def _search(value: object) -> str:
    return inputs.text(value, field="search", label="Search", max_len=MAX_SEARCH, required=False)


def _contains(column: Any, text: str) -> sa.ColumnElement[bool]:
    return func.lower(column).contains(text.lower(), autoescape=True)


def _filter_id(value: object, field_name: str) -> int | None:
    if value is None or value == "":
        return None
    try:
        return inputs.record_id(value)
    except NotFound:
        raise Invalid("Choose a value from the list.", field=field_name) from None


def _whole(value: object, *, field_name: str, label: str, high: int) -> int:
    if isinstance(value, str):
        digits = value.strip()
        value = int(digits) if digits.isascii() and digits.isdigit() and len(digits) < 10 else None
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= high:
        raise Invalid(f"{label} must be a whole number from 1 to {high}.", field=field_name)
    return value


def _paging(page: object, page_size: object) -> tuple[int, int]:
    return (
        _whole(page, field_name="page", label="Page", high=MAX_PAGE),
        _whole(page_size, field_name="page_size", label="Page size", high=MAX_PAGE_SIZE),
    )


def _page(session: Session, query: Any, page: int, page_size: int) -> Page:
    """One page of `query` (which carries a `total` window count) as DealRows."""
    rows = session.exec(query.limit(page_size).offset((page - 1) * page_size)).all()
    if rows:
        total = rows[0].total
    elif page > 1:  # past the end: count without the window
        total = session.exec(
            select(func.count()).select_from(query.order_by(None).subquery())
        ).one()
    else:
        total = 0
    found = [DealRow(**{k: v for k, v in row._mapping.items() if k != "total"}) for row in rows]
    return Page(rows=found, total=total, page=page, page_size=page_size)
