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
from . import listing
from .actor import Actor
from .errors import Invalid, NotAllowed
from .listing import Page

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
    page, page_size = listing.paging(page, page_size)
    if not isinstance(sort, str) or sort not in SORTS:
        raise Invalid("Sort by newest, oldest, amount, close date or company.", field="sort")
    where: list = [side.own_org == actor.org_id]
    if not actor.sees_all:
        where.append(side.owner == actor.user_id)
    if (chosen := _choice(approval, Approval, "approval", "an approval")) is not None:
        where.append(Deal.approval == chosen)
    if (chosen := _choice(outcome, Outcome, "outcome", "an outcome")) is not None:
        where.append(Deal.outcome == chosen)
    if (stage_filter := listing.filter_id(stage_id, "stage_id")) is not None:
        where.append(Deal.stage_id == stage_filter)
    if (org_filter := listing.filter_id(other_org_id, "other_org_id")) is not None:
        where.append(side.other_org == org_filter)
    if (owner_filter := listing.filter_id(owner_id, "owner_id")) is not None:
        where.append(side.owner == owner_filter)
    if text := listing.search_text(search):
        searched = (Deal.name, Deal.company, Deal.contact_name, Deal.contact_email)
        where.append(sa.or_(*(listing.contains(column, text) for column in searched)))
    count = select(func.count()).select_from(Deal).where(*where)
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
            listing.total(count),
        )
        .join(other, other.id == side.other_org)
        .outerjoin(Stage, col(Stage.id) == Deal.stage_id)
        .outerjoin(owner, owner.id == side.owner)
        .where(*where)
    )
    order = {
        "newest": [col(Deal.created_at).desc(), col(Deal.id).desc()],
        "oldest": [col(Deal.created_at), col(Deal.id)],
        "amount": [col(Deal.amount).desc(), col(Deal.id).desc()],
        "close_date": [col(Deal.close_date).is_(None), col(Deal.close_date), col(Deal.id)],
        "company": [func.lower(Deal.company), col(Deal.id)],
    }[sort]
    return listing.page_of(session, query.order_by(*order), count, page, page_size, DealRow)


# helpers ---------------------------------------------------------------------------------------


def _choice(value: object, codes: type, field_name: str, what: str) -> str | None:
    """A code of an enumeration, or None for "any" (None or "")."""
    if value is None or value == "":
        return None
    if not isinstance(value, str) or value not in tuple(codes):
        raise Invalid(f"Choose {what} from the list.", field=field_name)
    return value
