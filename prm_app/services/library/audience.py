"""Who is in an item's audience: the one rule behind the partners' list, the download route and
the provider's counts.

An item's audience is among the provider's *active* partnerships: everyone, those of chosen
tiers, partner types or groups, named partner organizations, or no one. An archived item, or one
whose expiry day has come, reaches no partner (the provider still sees it). People are the
active members (active accounts) of the partner organizations reached.
"""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date

import sqlalchemy as sa
from sqlmodel import Session, col, select

from ...models import Audience, LibraryItem, Membership, Partnership, PartnershipStatus, User
from ...models.base import utcnow


@dataclass(frozen=True, slots=True)
class Reach:
    """What the audience rule reads of one active partnership."""

    partnership_id: int
    provider_org_id: int
    partner_org_id: int
    tier_id: int | None
    type_id: int | None
    group_id: int | None


def today() -> date:
    return utcnow().date()


def live(item: LibraryItem, on: date | None = None) -> bool:
    """Whether the item can reach partners at all: not archived, not expired."""
    on = on or today()
    return item.archived_at is None and (item.expires_on is None or item.expires_on > on)


def admits(item: LibraryItem, reach: Reach, on: date | None = None) -> bool:
    """Whether this partnership's partner may see and download the item: the one rule."""
    if reach.provider_org_id != item.provider_org_id or not live(item, on):
        return False
    chosen = {int(i) for i in item.audience_ids or [] if isinstance(i, int)}
    match item.audience:
        case Audience.EVERYONE:
            return True
        case Audience.TIERS:
            return reach.tier_id in chosen
        case Audience.TYPES:
            return reach.type_id in chosen
        case Audience.GROUPS:
            return reach.group_id in chosen
        case Audience.PARTNERS:
            return reach.partner_org_id in chosen
    return False  # NOBODY, or a code this version does not know


def reaches(
    session: Session, *, provider_org_id: int | None = None, partner_org_id: int | None = None
) -> list[Reach]:
    """The active partnerships of a provider, or of a partner organization."""
    table = Partnership.__table__.c  # type: ignore[attr-defined]
    query = sa.select(
        table.id,
        table.provider_org_id,
        table.consultant_org_id,
        table.partner_tier_id,
        table.partner_type_id,
        table.partner_group_id,
    ).where(table.status == PartnershipStatus.ACTIVE, table.consultant_org_id.is_not(None))
    if provider_org_id is not None:
        query = query.where(table.provider_org_id == provider_org_id)
    if partner_org_id is not None:
        query = query.where(table.consultant_org_id == partner_org_id)
    return [Reach(*row) for row in session.execute(query).all()]


def reach_of(session: Session, *, provider_org_id: int, partner_org_id: int) -> Reach | None:
    """The active partnership between these two organizations, if any."""
    found = reaches(session, provider_org_id=provider_org_id, partner_org_id=partner_org_id)
    return found[0] if found else None


def people(session: Session, partner_org_ids: Iterable[int]) -> dict[int, int]:
    """How many active people each of these organizations has."""
    ids = sorted(set(partner_org_ids))
    if not ids:
        return {}
    rows = session.exec(
        select(Membership.org_id, sa.func.count())
        .join(User, col(User.id) == Membership.user_id)
        .where(
            col(Membership.org_id).in_(ids),
            col(Membership.is_active).is_(True),
            col(User.is_active).is_(True),
        )
        .group_by(col(Membership.org_id))
    ).all()
    return {int(org_id): int(n) for org_id, n in rows}


@dataclass(frozen=True, slots=True)
class Size:
    partners: int
    people: int


def sizes(session: Session, items: Sequence[LibraryItem], provider_org_id: int) -> dict[int, Size]:
    """For each item (by id): how many partners and people its audience holds today.

    The partnerships are read once and indexed by tier, type, group and organization, so an
    item looks only at the candidates its audience names; `admits` still decides each one."""
    everyone = reaches(session, provider_org_id=provider_org_id)
    heads = people(session, (r.partner_org_id for r in everyone))
    by: dict[str, dict[int | None, list[Reach]]] = {
        kind: {} for kind in (Audience.TIERS, Audience.TYPES, Audience.GROUPS, Audience.PARTNERS)
    }
    for r in everyone:
        by[Audience.TIERS].setdefault(r.tier_id, []).append(r)
        by[Audience.TYPES].setdefault(r.type_id, []).append(r)
        by[Audience.GROUPS].setdefault(r.group_id, []).append(r)
        by[Audience.PARTNERS].setdefault(r.partner_org_id, []).append(r)
    on = today()
    result: dict[int, Size] = {}
    for item in items:
        assert item.id is not None
        if item.audience in by:
            index = by[item.audience]
            candidates = [r for i in set(item.audience_ids or []) for r in index.get(i, [])]
        else:
            candidates = everyone
        inside = [r for r in candidates if admits(item, r, on)]
        result[item.id] = Size(
            partners=len(inside), people=sum(heads.get(r.partner_org_id, 0) for r in inside)
        )
    return result
