"""Lists of partnerships as each side sees them, and where a consultant may send leads."""

from dataclasses import dataclass, replace
from dataclasses import field as dataclass_field
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import aliased
from sqlmodel import Session, col, select

from ...models import Organization, OrgKind, Partnership, TaxonomyTerm, User, utcnow
from ..core import inputs, listing
from ..core.actor import Actor
from ..core.errors import Invalid, NotFound
from ..views import lists as custom_lists
from .common import Status, expired

MAX_SEARCH = 100


SORTS = ("name", "since", "tier")


@dataclass(frozen=True, slots=True)
class InvitationView:
    """An invitation as its sender sees it: the address, never whose it is (no firm name)."""

    id: int
    email: str
    status: str
    message: str
    invited_at: datetime
    expires_at: datetime | None
    expired: bool


@dataclass(frozen=True, slots=True)
class PartnerView:
    id: int
    consultant_org_id: int
    consultant_name: str
    status: str
    since: datetime | None
    partner_type_id: int | None
    partner_type: str
    partner_status_id: int | None
    partner_status: str
    partner_tier_id: int | None
    partner_tier: str
    partner_group_id: int | None
    partner_group: str
    partner_manager_id: int | None
    partner_manager: str
    custom: dict = dataclass_field(
        default_factory=dict
    )  # {field id: value as read}, chosen columns


@dataclass(frozen=True, slots=True)
class ProviderInvitationView:
    id: int
    provider_name: str
    message: str
    invited_at: datetime
    expires_at: datetime | None


@dataclass(frozen=True, slots=True)
class ProviderView:
    id: int
    provider_org_id: int
    provider_name: str
    status: str
    since: datetime | None
    provider_type_id: int | None
    provider_type: str
    proficiency_id: int | None
    proficiency: str
    assigned_user_id: int | None
    assigned_user: str
    categorized: bool


@dataclass(frozen=True, slots=True)
class LeadTargets:
    eligible: list[tuple[int, str]]  # (provider org id, provider name)
    unavailable: list[tuple[str, str]]  # (provider name, why not)


def provider_invitations(session: Session, *, actor: Actor) -> list[InvitationView]:
    """The provider's invitations that are not (yet) partnerships, newest first. They look
    the same whether or not the address has an account (lifecycle: less enumeration)."""
    actor.require_kind(OrgKind.PROVIDER)
    now = utcnow()
    rows = session.exec(
        select(Partnership)
        .where(
            Partnership.provider_org_id == actor.org_id,
            col(Partnership.status).in_([Status.INVITED, Status.REJECTED, Status.REVOKED]),
        )
        .order_by(col(Partnership.invited_at).desc(), col(Partnership.id).desc())
    )
    return [
        InvitationView(
            id=p.id,
            email=p.invite_email,
            status=p.status,
            message=p.invite_message,
            invited_at=p.invited_at,
            expires_at=p.invite_expires_at,
            expired=p.status == Status.INVITED and expired(p, now),
        )
        for p in rows
    ]


def partner_directory(
    session: Session,
    *,
    actor: Actor,
    columns: object = (),
    custom_filters: object = (),
    **filters: Any,
) -> list[PartnerView]:
    """The provider's partners with their categorization, filtered, searched and sorted (the
    filters of `_directory`), with the custom `columns` (services.views.lists) and filters."""
    choice = _choice(session, actor, columns, custom_filters, filters.get("sort"))
    query = _directory(actor, choice=choice, **filters)
    rows = [PartnerView(**row._mapping) for row in session.exec(query)]
    return _with_cells(session, choice, rows)


def partner_directory_page(
    session: Session,
    *,
    actor: Actor,
    page: object = 1,
    page_size: object = 25,
    columns: object = (),
    custom_filters: object = (),
    **filters: Any,
) -> listing.Page:
    """One page of the partner directory, with the number of partners matching."""
    page, page_size = listing.paging(page, page_size)
    choice = _choice(session, actor, columns, custom_filters, filters.get("sort"))
    query = _directory(actor, choice=choice, **filters)
    count = select(sa.func.count()).select_from(query.order_by(None).subquery())
    counted = query.add_columns(sa.func.count().over().label("total"))
    found = listing.page_of(session, counted, count, page, page_size, PartnerView)
    return replace(found, rows=_with_cells(session, choice, found.rows))


def _choice(
    session: Session, actor: Actor, columns: object, custom_filters: object, sort: object
) -> custom_lists.Choice:
    actor.require_kind(OrgKind.PROVIDER)
    return custom_lists.choose(
        session,
        actor=actor,
        list_name="partners",
        columns=columns,
        filters=custom_filters,
        sort=sort,
    )


def _with_cells(
    session: Session, choice: custom_lists.Choice, rows: list[PartnerView]
) -> list[PartnerView]:
    """The rows with their chosen custom columns, read for those rows only."""
    cells = choice.cells(session, Partnership.id, Partnership.custom, [r.id for r in rows])
    return [replace(r, custom=cells.get(r.id, {})) for r in rows] if cells else rows


def _directory(
    actor: Actor,
    *,
    partner_type_id: object = None,
    partner_status_id: object = None,
    partner_tier_id: object = None,
    partner_group_id: object = None,
    search: object = "",
    sort: object = "name",
    include_ended: bool = False,
    choice: custom_lists.Choice | None = None,
) -> Any:
    actor.require_kind(OrgKind.PROVIDER)
    choice = choice or custom_lists.Choice(fields=())
    if sort not in SORTS and choice.sort is None:
        raise Invalid("Sort by name, since or tier.", field="sort")
    search = inputs.text(search, field="search", label="Search", max_len=MAX_SEARCH, required=False)
    kind, standing, tier, group = (aliased(TaxonomyTerm) for _ in range(4))
    manager = aliased(User)
    name = sa.func.lower(Organization.name)
    statuses = [Status.ACTIVE, Status.ENDED] if include_ended is True else [Status.ACTIVE]
    query = (
        select(
            Partnership.id,
            Partnership.consultant_org_id,
            col(Organization.name).label("consultant_name"),
            Partnership.status,
            col(Partnership.responded_at).label("since"),
            Partnership.partner_type_id,
            _name(kind, "partner_type"),
            Partnership.partner_status_id,
            _name(standing, "partner_status"),
            Partnership.partner_tier_id,
            _name(tier, "partner_tier"),
            Partnership.partner_group_id,
            _name(group, "partner_group"),
            Partnership.partner_manager_id,
            _name(manager, "partner_manager"),
        )
        .join(Organization, col(Organization.id) == Partnership.consultant_org_id)
        .outerjoin(kind, kind.id == Partnership.partner_type_id)
        .outerjoin(standing, standing.id == Partnership.partner_status_id)
        .outerjoin(tier, tier.id == Partnership.partner_tier_id)
        .outerjoin(group, group.id == Partnership.partner_group_id)
        .outerjoin(manager, manager.id == Partnership.partner_manager_id)
        .where(
            Partnership.provider_org_id == actor.org_id,
            col(Partnership.status).in_(statuses),
        )
    )
    for field, value in (
        ("partner_type_id", partner_type_id),
        ("partner_status_id", partner_status_id),
        ("partner_tier_id", partner_tier_id),
        ("partner_group_id", partner_group_id),
    ):
        if (term_id := listing.filter_id(value, field)) is not None:
            query = query.where(getattr(Partnership, field) == term_id)
    if search:
        query = query.where(name.contains(search.lower(), autoescape=True))
    query = query.where(*choice.conditions(Partnership.id))
    order = {
        "name": [],
        "since": [col(Partnership.responded_at).desc().nulls_last()],
        "tier": [tier.position.is_(None), tier.position],
    }.get(str(sort)) or choice.order(Partnership.id)
    return query.order_by(*order, name, col(Partnership.id))


def consultant_invitations(session: Session, *, actor: Actor) -> list[ProviderInvitationView]:
    """Pending, unexpired invitations to the consultant's firm, newest first."""
    actor.require_kind(OrgKind.CONSULTANT)
    rows = session.exec(
        select(
            Partnership.id,
            Organization.name,
            Partnership.invite_message,
            Partnership.invited_at,
            Partnership.invite_expires_at,
        )
        .join(Organization, col(Organization.id) == Partnership.provider_org_id)
        .where(
            Partnership.consultant_org_id == actor.org_id,
            Partnership.status == Status.INVITED,
            col(Partnership.invite_expires_at) > utcnow(),
        )
        .order_by(col(Partnership.invited_at).desc(), col(Partnership.id).desc())
    )
    return [ProviderInvitationView(*row) for row in rows]


def my_providers(session: Session, *, actor: Actor) -> list[ProviderView]:
    """The consultant's providers: active ones (uncategorized first), then ended ones."""
    actor.require_kind(OrgKind.CONSULTANT)
    provider_type, proficiency = aliased(TaxonomyTerm), aliased(TaxonomyTerm)
    assigned = aliased(User)
    categorized = col(Partnership.categorized_at).is_not(None)
    rows = session.exec(
        select(
            Partnership.id,
            Partnership.provider_org_id,
            col(Organization.name).label("provider_name"),
            Partnership.status,
            col(Partnership.responded_at).label("since"),
            Partnership.provider_type_id,
            _name(provider_type, "provider_type"),
            Partnership.proficiency_id,
            _name(proficiency, "proficiency"),
            Partnership.assigned_user_id,
            _name(assigned, "assigned_user"),
            categorized.label("categorized"),
        )
        .join(Organization, col(Organization.id) == Partnership.provider_org_id)
        .outerjoin(provider_type, provider_type.id == Partnership.provider_type_id)
        .outerjoin(proficiency, proficiency.id == Partnership.proficiency_id)
        .outerjoin(assigned, assigned.id == Partnership.assigned_user_id)
        .where(
            Partnership.consultant_org_id == actor.org_id,
            col(Partnership.status).in_([Status.ACTIVE, Status.ENDED]),
        )
        .order_by(
            Partnership.status != Status.ACTIVE,
            categorized,
            sa.func.lower(Organization.name),
            col(Partnership.id),
        )
    )
    return [ProviderView(**row._mapping) for row in rows]


def lead_targets(session: Session, *, actor: Actor) -> LeadTargets:
    """The providers the consultant may submit leads to, and the others with the reason."""
    actor.require_kind(OrgKind.CONSULTANT)
    rows = session.exec(
        select(
            Partnership.provider_org_id,
            Organization.name,
            Partnership.status,
            col(Partnership.categorized_at).is_not(None),
        )
        .join(Organization, col(Organization.id) == Partnership.provider_org_id)
        .where(
            Partnership.consultant_org_id == actor.org_id,
            sa.or_(
                col(Partnership.status).in_([Status.ACTIVE, Status.ENDED]),
                (Partnership.status == Status.INVITED)
                & (col(Partnership.invite_expires_at) > utcnow()),
            ),
        )
        .order_by(sa.func.lower(Organization.name), col(Partnership.id))
    )
    targets = LeadTargets(eligible=[], unavailable=[])
    for provider_id, name, status, categorized in rows:
        if status == Status.ACTIVE and categorized:
            targets.eligible.append((provider_id, name))
        elif status == Status.ACTIVE:
            targets.unavailable.append((name, "waiting to be categorized"))
        elif status == Status.INVITED:
            targets.unavailable.append((name, "invitation not accepted yet"))
        else:
            targets.unavailable.append((name, "partnership ended"))
    return targets


def can_submit_to(session: Session, *, consultant_org_id: object, provider_org_id: object) -> bool:
    """Whether the consultant may submit leads to the provider: active and categorized."""
    try:
        consultant_org_id = inputs.record_id(consultant_org_id)
        provider_org_id = inputs.record_id(provider_org_id)
    except NotFound:
        return False
    found = session.exec(
        select(Partnership.id).where(
            Partnership.consultant_org_id == consultant_org_id,
            Partnership.provider_org_id == provider_org_id,
            Partnership.status == Status.ACTIVE,
            col(Partnership.categorized_at).is_not(None),
        )
    ).first()
    return found is not None


def _name(table: Any, label: str) -> sa.ColumnElement[str]:
    """An outer-joined name, "" when there is none."""
    return sa.func.coalesce(table.name, "").label(label)
