"""Reading the library: the provider's list with its audience counts, a partner's list of what
its audiences allow, and the download (checked on every request, logged for partners)."""

from dataclasses import dataclass
from datetime import date

import sqlalchemy as sa
from sqlmodel import Session, col, select

from ...models import (
    ItemKind,
    LibraryDownload,
    LibraryFile,
    LibraryFolder,
    LibraryItem,
    Organization,
    OrgKind,
)
from ..core import inputs, listing
from ..core.actor import Actor
from ..core.changes import Topic, touched
from ..core.errors import NotFound
from .audience import Reach, admits, live, reach_of, reaches, sizes, today
from .items import AUDIENCES, NOT_VISIBLE, tags_of

MAX_LISTED = 500


@dataclass(frozen=True, slots=True)
class ItemView:
    id: int
    kind: str
    title: str
    description: str
    tags: list[str]
    folder: str
    folder_id: int | None
    file_name: str
    media_type: str
    size: int
    url: str  # a link's address (the partner reaches it through the download route)
    expires_on: date | None
    expired: bool
    provider: str  # the provider's name (for partners)
    audience: str
    audience_label: str
    audience_ids: list[int]
    partners: int = 0  # in the audience today (provider side)
    people: int = 0
    downloads: int = 0  # every download or followed link by partners
    downloaders: int = 0  # distinct people


@dataclass(frozen=True, slots=True)
class FolderView:
    id: int
    name: str


def folders(
    session: Session, *, actor: Actor, provider_org_id: int | None = None
) -> list[FolderView]:
    """The provider's folders (a partner names the provider: only its visible items' folders)."""
    owner = actor.org_id if provider_org_id is None else provider_org_id
    rows = session.exec(
        select(LibraryFolder)
        .where(LibraryFolder.provider_org_id == owner)
        .order_by(col(LibraryFolder.name))
    ).all()
    return [FolderView(f.id, f.name) for f in rows if f.id is not None]


def provider_items(
    session: Session, *, actor: Actor, search: object = "", folder_id: object = None
) -> list[ItemView]:
    """Every item of the provider's library, with who can see it and who downloaded it."""
    actor.require_kind(OrgKind.PROVIDER)
    query = _filtered(
        select(LibraryItem).where(
            LibraryItem.provider_org_id == actor.org_id, col(LibraryItem.archived_at).is_(None)
        ),
        search,
        folder_id,
    )
    items = session.exec(query.order_by(col(LibraryItem.title)).limit(MAX_LISTED)).all()
    counts = sizes(session, items, actor.org_id)
    logged = _downloads(session, [i.id for i in items if i.id is not None])
    names = _folder_names(session, items)
    on = today()
    return [
        _view(item, names, on, size=counts[item.id], logged=logged.get(item.id, (0, 0)))
        for item in items
        if item.id is not None
    ]


def partner_items(
    session: Session, *, actor: Actor, search: object = "", folder_id: object = None
) -> list[ItemView]:
    """What the partner's audiences allow, of every provider it is an active partner of."""
    actor.require_kind(OrgKind.CONSULTANT)
    mine = {r.provider_org_id: r for r in reaches(session, partner_org_id=actor.org_id)}
    if not mine:
        return []
    query = _filtered(
        select(LibraryItem).where(
            col(LibraryItem.provider_org_id).in_(list(mine)),
            col(LibraryItem.archived_at).is_(None),
        ),
        search,
        folder_id,
    )
    on = today()
    items = [
        item
        for item in session.exec(query.order_by(col(LibraryItem.title))).all()
        if admits(item, mine[item.provider_org_id], on)
    ][:MAX_LISTED]
    providers = dict(
        session.exec(
            select(Organization.id, Organization.name).where(col(Organization.id).in_(list(mine)))
        ).all()
    )
    names = _folder_names(session, items)
    return [
        _view(item, names, on, provider=providers.get(item.provider_org_id, ""))
        for item in items
        if item.id is not None
    ]


@dataclass(frozen=True, slots=True)
class Download:
    name: str
    media_type: str
    content: bytes | None  # None for a link
    url: str


def download(session: Session, *, actor: Actor, item_id: object) -> Download:
    """An item's file (or link) for its provider's people, or a partner its audience admits;
    NotFound for anyone else, the same as for an item that does not exist. A partner's download
    is logged."""
    item_id = inputs.record_id(item_id, what="library item")
    item = session.get(LibraryItem, item_id)
    if item is None:
        raise NotFound(NOT_VISIBLE)
    if actor.org_id == item.provider_org_id:
        if item.archived_at is not None:
            raise NotFound(NOT_VISIBLE)
    else:
        reach = reach_of(session, provider_org_id=item.provider_org_id, partner_org_id=actor.org_id)
        if reach is None or not admits(item, reach):
            raise NotFound(NOT_VISIBLE)
        log(session, actor=actor, item=item, reach=reach)
    if item.kind == ItemKind.LINK:
        return Download(item.title, "", None, item.url)
    content = session.exec(select(LibraryFile.content).where(LibraryFile.item_id == item.id)).one()
    return Download(item.file_name or "file", item.media_type, content, "")


def log(session: Session, *, actor: Actor, item: LibraryItem, reach: Reach) -> None:
    assert item.id is not None
    session.add(
        LibraryDownload(item_id=item.id, partner_org_id=reach.partner_org_id, user_id=actor.user_id)
    )
    touched(session, Topic.LIBRARY, item.provider_org_id)  # the provider's counts


def _filtered(query, search: object, folder_id: object):
    text = listing.search_text(search)
    if text:
        query = query.where(
            sa.or_(
                listing.contains(LibraryItem.title, text),
                listing.contains(LibraryItem.tags, text),
            )
        )
    folder = listing.filter_id(folder_id, "folder_id")
    if folder is not None:
        query = query.where(LibraryItem.folder_id == folder)
    return query


def _downloads(session: Session, item_ids: list[int]) -> dict[int, tuple[int, int]]:
    """(downloads, distinct people) per item."""
    if not item_ids:
        return {}
    rows = session.exec(
        select(
            LibraryDownload.item_id,
            sa.func.count(),
            sa.func.count(sa.distinct(col(LibraryDownload.user_id))),
        )
        .where(col(LibraryDownload.item_id).in_(item_ids))
        .group_by(col(LibraryDownload.item_id))
    ).all()
    return {int(i): (int(n), int(d)) for i, n, d in rows}


def _folder_names(session: Session, items) -> dict[int, str]:
    ids = {i.folder_id for i in items if i.folder_id is not None}
    if not ids:
        return {}
    rows = session.exec(
        select(LibraryFolder.id, LibraryFolder.name).where(col(LibraryFolder.id).in_(ids))
    ).all()
    return {i: n for i, n in rows if i is not None}


def _view(item: LibraryItem, names, on: date, *, size=None, logged=(0, 0), provider="") -> ItemView:
    assert item.id is not None
    return ItemView(
        id=item.id,
        kind=item.kind,
        title=item.title,
        description=item.description,
        tags=tags_of(item),
        folder=names.get(item.folder_id, "") if item.folder_id else "",
        folder_id=item.folder_id,
        file_name=item.file_name,
        media_type=item.media_type,
        size=item.size,
        url=item.url,
        expires_on=item.expires_on,
        expired=not live(item, on),
        provider=provider,
        audience=item.audience,
        audience_label=AUDIENCES.get(item.audience, item.audience),  # type: ignore[call-overload]
        audience_ids=[int(i) for i in item.audience_ids or []],
        partners=size.partners if size else 0,
        people=size.people if size else 0,
        downloads=logged[0],
        downloaders=logged[1],
    )


def partner_names(session: Session, *, actor: Actor) -> list[tuple[int, str]]:
    """The provider's active partners (organization id, name), for a named-partners audience."""
    actor.require_kind(OrgKind.PROVIDER)
    ids = [r.partner_org_id for r in reaches(session, provider_org_id=actor.org_id)]
    if not ids:
        return []
    rows = session.exec(
        select(Organization.id, Organization.name)
        .where(col(Organization.id).in_(ids))
        .order_by(col(Organization.name))
    ).all()
    return [(int(i), n) for i, n in rows if i is not None]
