"""The provider's side of the library: folders, files and links, their audience and expiry.

Admins and managers of the provider change the library; every person of the provider reads it.
Each change writes an ActivityEvent and notes the LIBRARY topic for the provider and every
active partner (their lists may change).
"""

from datetime import date
from urllib.parse import urlsplit

from sqlmodel import Session, col, select

from ...models import (
    Audience,
    ItemKind,
    LibraryFile,
    LibraryFolder,
    LibraryItem,
    OrgKind,
    Partnership,
    TaxonomyTerm,
    TermKind,
)
from ...models.base import utcnow
from ..core import activity, changes, inputs
from ..core.actor import Actor
from ..core.changes import Topic
from ..core.errors import Invalid, NotFound
from ..partnerships.common import require_manager
from .audience import reaches
from .content import from_upload

NOT_VISIBLE = "That library item does not exist or is not visible to you."
MAX_TITLE, MAX_DESCRIPTION, MAX_TAGS, MAX_TAG = 200, 2000, 10, 40
AUDIENCES = {
    Audience.EVERYONE: "Every partner",
    Audience.TIERS: "Partners of chosen tiers",
    Audience.TYPES: "Partners of chosen types",
    Audience.GROUPS: "Partners of chosen groups",
    Audience.PARTNERS: "Named partners",
    Audience.NOBODY: "No one (draft)",
}
_TERM_KINDS = {
    Audience.TIERS: TermKind.PARTNER_TIER,
    Audience.TYPES: TermKind.PARTNER_TYPE,
    Audience.GROUPS: TermKind.PARTNER_GROUP,
}


def require_editor(actor: Actor) -> None:
    require_manager(actor, OrgKind.PROVIDER)


def touch(session: Session, provider_org_id: int) -> None:
    """The provider's library changed: its views and every active partner's."""
    partners = [r.partner_org_id for r in reaches(session, provider_org_id=provider_org_id)]
    changes.touched(session, Topic.LIBRARY, provider_org_id, *partners)


def add_folder(session: Session, *, actor: Actor, name: object) -> int:
    require_editor(actor)
    name = inputs.text(name, field="name", label="Folder name", max_len=80)
    taken = session.exec(
        select(LibraryFolder.id).where(
            LibraryFolder.provider_org_id == actor.org_id, LibraryFolder.name == name
        )
    ).first()
    if taken is not None:
        raise Invalid("A folder of that name exists already.", field="name")
    folder = LibraryFolder(provider_org_id=actor.org_id, name=name)
    session.add(folder)
    session.flush()
    activity.record(session, actor=actor, subject=folder, action="created", after={"name": name})
    touch(session, actor.org_id)
    assert folder.id is not None
    return folder.id


def add_file(
    session: Session,
    *,
    actor: Actor,
    title: object,
    upload_key: object,
    file_name: object,
    **details: object,
) -> int:
    """A file from the private upload store, its type read from its bytes: the item's id."""
    require_editor(actor)
    item = _new(session, actor, ItemKind.FILE, title, details)
    content, item.media_type, item.file_name = from_upload(upload_key, file_name)
    item.size = len(content)
    return _add(session, actor, item, content)


def add_link(
    session: Session, *, actor: Actor, title: object, url: object, **details: object
) -> int:
    require_editor(actor)
    item = _new(session, actor, ItemKind.LINK, title, details)
    item.url = link(url)
    return _add(session, actor, item, None)


def update(session: Session, *, actor: Actor, item_id: object, **details: object) -> None:
    """Change an item's title, description, tags, folder, audience or expiry."""
    require_editor(actor)
    item = own(session, actor, item_id, lock=True)
    before = snapshot(item)
    _apply(session, actor, item, details)
    if "title" in details:
        item.title = _title(details["title"])
    after = snapshot(item)
    changed = [k for k in after if before[k] != after[k]]
    if changed:
        session.add(item)
        activity.record(
            session,
            actor=actor,
            subject=item,
            action="updated",
            before={k: before[k] for k in changed},
            after={k: after[k] for k in changed},
        )
        touch(session, actor.org_id)


def archive(session: Session, *, actor: Actor, item_id: object) -> None:
    """Take an item out of the library (its download log stays)."""
    require_editor(actor)
    item = own(session, actor, item_id, lock=True)
    item.archived_at = utcnow()
    session.add(item)
    activity.record(
        session,
        actor=actor,
        subject=item,
        action="archived",
        after={"archived_at": item.archived_at.isoformat()},
    )
    touch(session, actor.org_id)


def own(session: Session, actor: Actor, item_id: object, *, lock: bool = False) -> LibraryItem:
    """An item of the actor's (provider) organization, not archived."""
    item_id = inputs.record_id(item_id, what="library item")
    query = select(LibraryItem).where(
        LibraryItem.id == item_id,
        LibraryItem.provider_org_id == actor.org_id,
        col(LibraryItem.archived_at).is_(None),
    )
    item = session.exec(query.with_for_update() if lock else query).first()
    if item is None:
        raise NotFound(NOT_VISIBLE)
    return item


def snapshot(item: LibraryItem) -> dict[str, object]:
    return {
        "title": item.title,
        "description": item.description,
        "tags": tags_of(item),
        "folder_id": item.folder_id,
        "audience": item.audience,
        "audience_ids": list(item.audience_ids or []),
        "expires_on": item.expires_on.isoformat() if item.expires_on else None,
    }


def tags_of(item: LibraryItem) -> list[str]:
    return [t for t in item.tags.split(",") if t]


def link(value: object) -> str:
    url = inputs.text(value, field="url", label="The link", max_len=500)
    try:
        parts = urlsplit(url)
    except ValueError:
        parts = None
    if parts is None or parts.scheme not in ("http", "https") or not parts.hostname:
        raise Invalid("Enter the link as a web address (https://...).", field="url")
    return url


def _title(value: object) -> str:
    return inputs.text(value, field="title", label="Title", max_len=MAX_TITLE)


def _new(
    session: Session, actor: Actor, kind: ItemKind, title: object, details: dict[str, object]
) -> LibraryItem:
    item = LibraryItem(
        provider_org_id=actor.org_id, kind=kind, title=_title(title), created_by_id=actor.user_id
    )
    _apply(session, actor, item, {"audience": Audience.NOBODY, **details})
    return item


def _add(session: Session, actor: Actor, item: LibraryItem, content: bytes | None) -> int:
    session.add(item)
    session.flush()
    assert item.id is not None
    if content is not None:
        session.add(LibraryFile(item_id=item.id, content=content))
    activity.record(session, actor=actor, subject=item, action="created", after=snapshot(item))
    touch(session, actor.org_id)
    return item.id


def _apply(session: Session, actor: Actor, item: LibraryItem, details: dict[str, object]) -> None:
    unknown = set(details) - {
        "title",
        "description",
        "tags",
        "folder_id",
        "audience",
        "audience_ids",
        "expires_on",
    }
    if unknown:
        raise Invalid("Unknown fields: " + ", ".join(sorted(map(str, unknown))))
    if "description" in details:
        item.description = inputs.text(
            details["description"],
            field="description",
            label="Description",
            max_len=MAX_DESCRIPTION,
            required=False,
        )
    if "tags" in details:
        item.tags = _tags(details["tags"])
    if "folder_id" in details:
        item.folder_id = _folder(session, actor, details["folder_id"])
    if "expires_on" in details:
        item.expires_on = _expiry(details["expires_on"])
    if "audience" in details or "audience_ids" in details:
        audience = details.get("audience", item.audience)
        ids = details.get("audience_ids", item.audience_ids)
        item.audience, item.audience_ids = _audience(session, actor, audience, ids)


def _tags(value: object) -> str:
    text = inputs.text(value, field="tags", label="Tags", max_len=500, required=False)
    found: list[str] = []
    for tag in (t.strip().lower() for t in text.split(",")):
        if tag and tag not in found:
            if len(tag) > MAX_TAG:
                raise Invalid(f"A tag must be at most {MAX_TAG} characters.", field="tags")
            found.append(tag)
    if len(found) > MAX_TAGS:
        raise Invalid(f"Give at most {MAX_TAGS} tags.", field="tags")
    return f",{','.join(found)}," if found else ""


def _folder(session: Session, actor: Actor, value: object) -> int | None:
    if value in (None, ""):
        return None
    folder_id = inputs.record_id(value, what="folder")
    found = session.exec(
        select(LibraryFolder.id).where(
            LibraryFolder.id == folder_id, LibraryFolder.provider_org_id == actor.org_id
        )
    ).first()
    if found is None:
        raise NotFound("That folder does not exist or is not visible to you.")
    return folder_id


def _expiry(value: object) -> date | None:
    day = inputs.day(value, field="expires_on", label="expiry date")
    if day is not None and day <= utcnow().date():
        raise Invalid("The expiry date must be in the future.", field="expires_on")
    return day


def _audience(
    session: Session, actor: Actor, audience: object, ids: object
) -> tuple[str, list[int]]:
    try:
        kind = Audience(audience) if isinstance(audience, str) else None
    except ValueError:
        kind = None
    if kind is None:
        raise Invalid("Choose who can see this item.", field="audience")
    if kind in (Audience.EVERYONE, Audience.NOBODY):
        return kind, []
    if not isinstance(ids, list | tuple) or len(ids) > 500:
        raise Invalid("Choose at least one.", field="audience_ids")
    chosen = sorted({inputs.record_id(i, what="choice") for i in ids})
    if not chosen:
        raise Invalid("Choose at least one.", field="audience_ids")
    if kind == Audience.PARTNERS:
        known = set(
            session.exec(
                select(Partnership.consultant_org_id).where(
                    Partnership.provider_org_id == actor.org_id,
                    col(Partnership.consultant_org_id).in_(chosen),
                )
            ).all()
        )
    else:
        known = set(
            session.exec(
                select(TaxonomyTerm.id).where(
                    TaxonomyTerm.org_id == actor.org_id,
                    TaxonomyTerm.kind == _TERM_KINDS[kind],
                    col(TaxonomyTerm.id).in_(chosen),
                )
            ).all()
        )
    if known != set(chosen):
        raise Invalid("Choose from the list.", field="audience_ids")
    return kind, chosen
