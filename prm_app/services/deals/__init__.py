"""Deals as each side sees them: the provider that works them and the partner that registered them.

A provider sees the deals it holds with its partners, a consultant firm the deals it holds with
its providers. Managers and admins see all of their organization's deals; members only those
whose owner on their side they are. Deals of other organizations do not exist for the caller.
"""

from dataclasses import dataclass, field, replace
from datetime import date, datetime
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import aliased
from sqlmodel import Session, col, func, select

from ...models import (
    Approval,
    Deal,
    DealProduct,
    Lead,
    LeadDirection,
    LeadRecipient,
    Membership,
    Organization,
    OrgKind,
    Outcome,
    Partnership,
    PartnershipStatus,
    Pipeline,
    Stage,
    TaxonomyTerm,
    TermKind,
    User,
)
from .. import customers, partnerships
from ..core import inputs, listing
from ..core.actor import Actor
from ..core.errors import Invalid, NotAllowed, NotFound
from ..core.listing import Page
from ..views import lists as custom_lists
from .custom import set_custom as set_custom  # the deal page's custom fields

SORTS = ("newest", "oldest", "amount", "close_date", "company")
ONLY_MANAGER_GIVES = "Only a manager can give a deal to someone else."


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
    custom: dict = field(default_factory=dict)  # {field id: value as read}, chosen columns


@dataclass(frozen=True, slots=True)
class _Side:
    """The caller's columns on Deal and the other organization's."""

    own_org: Any
    other_org: Any
    owner: Any


# The organization across and the owner a deal row shows: aliases built once (building them
# costs a list's read as much as the rest of its statement).
OTHER_ORG, OWNER = aliased(Organization), aliased(User)


def side_columns(actor: Actor) -> _Side:
    """The caller's side of a deal: its organization, the one across, its owner column."""
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
    columns: object = (),
    custom_filters: object = (),
) -> Page:
    """The deals of the actor's organization (a member's: those they own), one page of DealRows.

    Filters: approval, outcome, the provider's deal stage, the organization across (the partner
    for a provider, the provider for a consultant), the owner on the caller's side, a search
    of the deal name, company and contact, and custom fields (services.views.lists: `columns`
    read for the page's rows, `custom_filters`, a sort "custom:<id>[:desc]"). One statement per
    page, and one for the custom columns' cells.
    """
    page, page_size = listing.paging(page, page_size)
    choice = custom_lists.choose(
        session, actor=actor, list_name="deals", columns=columns, filters=custom_filters, sort=sort
    )
    if not isinstance(sort, str) or (sort not in SORTS and choice.sort is None):
        raise Invalid("Sort by newest, oldest, amount, close date or company.", field="sort")
    side = side_columns(actor)
    where = scope(
        actor,
        search=search,
        approval=approval,
        outcome=outcome,
        stage_id=stage_id,
        other_org_id=other_org_id,
        owner_id=owner_id,
    )
    where += choice.conditions(Deal.id)
    count = select(func.count()).select_from(Deal).where(*where)
    other, owner = OTHER_ORG, OWNER
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
    }.get(sort) or [*choice.order(Deal.id), col(Deal.id)]
    found = listing.page_of(session, query.order_by(*order), count, page, page_size, DealRow)
    cells = choice.cells(session, Deal.id, Deal.custom, [r.id for r in found.rows])
    if not cells:
        return found
    return replace(found, rows=[replace(r, custom=cells.get(r.id, {})) for r in found.rows])


def scope(
    actor: Actor,
    *,
    search: object = "",
    approval: object = None,
    outcome: object = None,
    stage_id: object = None,
    other_org_id: object = None,
    owner_id: object = None,
) -> list:
    """Conditions on Deal: the actor's deals (a member's: those they own), filtered."""
    side = side_columns(actor)
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
    return where


# one deal ---------------------------------------------------------------------------------------

NOT_VISIBLE = "That deal does not exist or is not visible to you."


@dataclass(frozen=True, slots=True)
class DealDetail:
    """One deal as one side sees it; `allowed` names the changes the caller may make."""

    id: int
    version: int
    side: str  # "provider" or "partner": the caller's side
    name: str
    company: str
    contact_name: str
    contact_email: str
    country: str  # ISO 3166-1 alpha-2, "" when not given
    region: str  # ISO 3166-2, "" when not given
    amount: Decimal
    currency: str
    close_date: date | None
    stage_id: int | None
    stage_name: str
    approval: str
    rejection_reason: str
    outcome: str
    lost_reason: str
    provider_org_id: int
    provider_name: str
    partner_org_id: int
    partner_name: str
    provider_owner_id: int | None
    provider_owner: str
    partner_owner_id: int | None
    partner_owner: str
    registered_by: str  # a person's name to their own organization, else the organization's
    products: list[str]
    product_ids: list[int]
    source_lead_id: int | None
    source_is_referral: bool
    approved_at: datetime | None
    protected_until: datetime | None
    closed_at: datetime | None
    created_at: datetime
    allowed: frozenset[str]
    # Withdrawn by the partner (when, why), and the deal this one resubmits (services.deals.
    # withdrawal).
    withdrawn_at: datetime | None = None
    withdrawal_reason: str = ""
    resubmitted_from_id: int | None = None


def visible(session: Session, *, actor: Actor, deal_id: object, lock: bool = False) -> Deal:
    """A deal of either side of the caller's organization; a member's only when they own it.

    Deals of other organizations, and a member's colleagues' deals, are NotFound.
    """
    deal_id = inputs.record_id(deal_id, what="deal")
    side = side_columns(actor)
    query = select(Deal).where(Deal.id == deal_id, side.own_org == actor.org_id)
    if not actor.sees_all:
        query = query.where(side.owner == actor.user_id)
    deal = session.exec(query.with_for_update() if lock else query).first()
    if deal is None:
        raise NotFound(NOT_VISIBLE)
    return deal


def allowed(actor: Actor, deal: Deal) -> frozenset[str]:
    """What the caller may do to the deal now (the services check it again on every change)."""
    if deal.outcome == Outcome.WON or deal.approval == Approval.WITHDRAWN:
        return frozenset()  # complete, or withdrawn by its partner: read-only for everyone
    provider = actor.org_kind == OrgKind.PROVIDER
    can: set[str] = set()
    if not provider and deal.outcome == Outcome.OPEN and deal.approval != Approval.REJECTED:
        can.add("withdraw")  # services.deals.withdrawal
    if deal.approval != Approval.REJECTED:
        can |= {"edit", "move"}
        if provider:
            can.add("win")
    if provider and deal.approval == Approval.PENDING:
        can.add("approve")
    if provider and deal.approval != Approval.REJECTED:
        can.add("reject")
    if actor.sees_all:
        can.add("assign")
    return frozenset(can)


def detail(session: Session, *, actor: Actor, deal_id: object) -> DealDetail:
    """Every field of a visible deal, with names resolved in a few queries."""
    deal = visible(session, actor=actor, deal_id=deal_id)
    side = "provider" if actor.org_kind == OrgKind.PROVIDER else "partner"
    names = _names(session, [deal.provider_owner_id, deal.partner_owner_id, deal.registered_by_id])
    orgs = dict(
        session.exec(
            select(Organization.id, Organization.name).where(
                col(Organization.id).in_([deal.provider_org_id, deal.partner_org_id])
            )
        ).all()
    )
    registered_in_own_org = session.exec(
        select(Membership.user_id).where(
            Membership.user_id == deal.registered_by_id, Membership.org_id == actor.org_id
        )
    ).first()
    stage_name = session.exec(select(Stage.name).where(Stage.id == deal.stage_id)).first() or ""
    products = session.exec(
        select(TaxonomyTerm.id, TaxonomyTerm.name)
        .join(DealProduct, col(DealProduct.product_id) == TaxonomyTerm.id)
        .where(DealProduct.deal_id == deal.id)
        .order_by(col(TaxonomyTerm.position), col(TaxonomyTerm.id))
    ).all()
    source = None
    if deal.source_recipient_id is not None:
        source = session.exec(
            select(Lead.id, Lead.direction)
            .join(LeadRecipient, col(LeadRecipient.lead_id) == Lead.id)
            .where(LeadRecipient.id == deal.source_recipient_id)
        ).first()
    other = deal.partner_org_id if side == "provider" else deal.provider_org_id
    return DealDetail(
        id=deal.id,
        version=deal.version,
        side=side,
        name=deal.name,
        company=deal.company,
        contact_name=deal.contact_name,
        contact_email=deal.contact_email,
        country=deal.country,
        region=deal.region,
        amount=deal.amount,
        currency=deal.currency,
        close_date=deal.close_date,
        stage_id=deal.stage_id,
        stage_name=stage_name,
        approval=deal.approval,
        rejection_reason=deal.rejection_reason,
        outcome=deal.outcome,
        lost_reason=deal.lost_reason,
        provider_org_id=deal.provider_org_id,
        provider_name=orgs.get(deal.provider_org_id, ""),
        partner_org_id=deal.partner_org_id,
        partner_name=orgs.get(deal.partner_org_id, ""),
        provider_owner_id=deal.provider_owner_id,
        provider_owner=names.get(deal.provider_owner_id, ""),
        partner_owner_id=deal.partner_owner_id,
        partner_owner=names.get(deal.partner_owner_id, ""),
        registered_by=(
            names.get(deal.registered_by_id, "") if registered_in_own_org else orgs.get(other, "")
        ),
        products=[name for _, name in products],
        product_ids=[product_id for product_id, _ in products],
        source_lead_id=source[0] if source else None,
        source_is_referral=bool(source) and source[1] == LeadDirection.PROVIDER_TO_PARTNER,
        approved_at=deal.approved_at,
        protected_until=deal.protected_until,
        closed_at=deal.closed_at,
        created_at=deal.created_at,
        allowed=allowed(actor, deal),
        withdrawn_at=deal.withdrawn_at,
        withdrawal_reason=deal.withdrawal_reason,
        resubmitted_from_id=deal.resubmitted_from_id,
    )


def conflicts_for(session: Session, *, actor: Actor, deal_id: object) -> list:
    """For the provider: the same customer protected for other partners, side by side.

    A partner is never told who else holds its customer (an empty list).
    """
    deal = visible(session, actor=actor, deal_id=deal_id)
    if actor.org_kind != OrgKind.PROVIDER:
        return []
    return customers.conflicts(
        session,
        provider_org_id=deal.provider_org_id,
        company_norm=deal.company_norm,
        email_domain=deal.email_domain,
        exclude_partner_org_id=deal.partner_org_id,
    )


def counterparts(session: Session, *, actor: Actor) -> list[tuple[int, str]]:
    """The organizations the caller may register deals with: its active partners (a provider's)
    or its categorized active providers (a consultant's), by name."""
    if actor.org_kind == OrgKind.CONSULTANT:
        return partnerships.lead_targets(session, actor=actor).eligible
    side_columns(actor)  # refuses organizations of no known kind
    return list(
        session.exec(
            select(Organization.id, Organization.name)
            .join(Partnership, col(Partnership.consultant_org_id) == Organization.id)
            .where(
                Partnership.provider_org_id == actor.org_id,
                Partnership.status == PartnershipStatus.ACTIVE,
            )
            .order_by(func.lower(Organization.name), col(Organization.id))
        ).all()
    )


def products_of(
    session: Session, *, actor: Actor, provider_org_id: object
) -> list[tuple[int, str]]:
    """A provider's active products, for the caller's deal form: its own, or a provider it may
    register deals with (else none)."""
    provider = inputs.record_id(provider_org_id, what="organization")
    if actor.org_kind == OrgKind.PROVIDER and provider != actor.org_id:
        return []
    if actor.org_kind == OrgKind.CONSULTANT and not partnerships.can_submit_to(
        session, consultant_org_id=actor.org_id, provider_org_id=provider
    ):
        return []
    return list(
        session.exec(
            select(TaxonomyTerm.id, TaxonomyTerm.name)
            .where(
                TaxonomyTerm.org_id == provider,
                TaxonomyTerm.kind == TermKind.PRODUCT,
                col(TaxonomyTerm.archived_at).is_(None),
            )
            .order_by(col(TaxonomyTerm.position), col(TaxonomyTerm.id))
        ).all()
    )


def stage_choices(session: Session, *, actor: Actor, deal_id: object) -> list[tuple[int, str]]:
    """The deal's provider's active deal stages, in order (for a visible deal)."""
    deal = visible(session, actor=actor, deal_id=deal_id)
    return list(
        session.exec(
            select(Stage.id, Stage.name)
            .where(
                Stage.org_id == deal.provider_org_id,
                Stage.pipeline == Pipeline.DEAL,
                col(Stage.archived_at).is_(None),
            )
            .order_by(col(Stage.position), col(Stage.id))
        ).all()
    )


def won_stage_ids(session: Session, *, actor: Actor, deal_id: object) -> list[int]:
    """The stages of stage_choices that close the deal as won: final, so the page asks first."""
    deal = visible(session, actor=actor, deal_id=deal_id)
    found = session.exec(
        select(Stage.id).where(
            Stage.org_id == deal.provider_org_id,
            Stage.pipeline == Pipeline.DEAL,
            col(Stage.is_won).is_(True),
        )
    ).all()
    return [stage_id for stage_id in found if stage_id is not None]


# helpers ---------------------------------------------------------------------------------------


def _choice(value: object, codes: type, field_name: str, what: str) -> str | None:
    """A code of an enumeration, or None for "any" (None or "")."""
    if value is None or value == "":
        return None
    if not isinstance(value, str) or value not in tuple(codes):
        raise Invalid(f"Choose {what} from the list.", field=field_name)
    return value


def _names(session: Session, user_ids: list[int | None]) -> dict[int, str]:
    ids = {i for i in user_ids if i is not None}
    if not ids:
        return {}
    return dict(session.exec(select(User.id, User.name).where(col(User.id).in_(ids))).all())
