"""Saved views: a list's columns, filters and sort under a name.

A view is personal (its owner's alone) or shared with the owner's organization; shared views
are created, changed and deleted by managers and administrators only. Each person marks at most
one view per list as the one it opens with. A view another person cannot see is NotFound to
them, so a link to a personal view shows nothing to a colleague.

A view's state is checked when it is saved (`state`) and again when it is opened (`open_view`):
a field that has since been archived or hidden from the viewer is dropped, never shown.
"""

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, col, select

from ...models import SavedView, ViewDefault, utcnow
from ..core import activity, inputs
from ..core.actor import Actor
from ..core.errors import Invalid, NotAllowed, NotFound
from .lists import LISTS, MAX_VALUE, PREFIX, check, fields_of

MAX_NAME = 60
MAX_VIEWS = 50  # a person's own, per list
NOT_VISIBLE = "That view does not exist or is not visible to you."
ONLY_MANAGERS = "Only managers and administrators can change the views shared with everyone."

# The built-in filters and sorts each list keeps in a view (the services' own names).
FILTERS: dict[str, tuple[str, ...]] = {
    "sent": ("direction", "status", "search", "owner_id", "recipient_org_id"),
    "received": ("status", "search", "stage_id", "owner_id", "origin_org_id"),
    "deals": ("search", "approval", "outcome", "stage_id", "other_org_id", "owner_id"),
    "board": ("search", "owner_id", "provider_org_id"),
    "partners": (
        "search",
        "partner_type_id",
        "partner_status_id",
        "partner_tier_id",
        "partner_group_id",
    ),
}
SORTS: dict[str, tuple[str, ...]] = {
    "sent": ("newest", "oldest", "company", "name"),
    "received": ("newest", "oldest", "company", "deadline"),
    "deals": ("newest", "oldest", "amount", "close_date", "company"),
    "board": (),
    "partners": ("name", "since", "tier"),
}


@dataclass(frozen=True, slots=True)
class ViewRow:
    id: int
    list_name: str
    name: str
    shared: bool
    mine: bool  # the actor owns it
    changeable: bool  # the actor may rename, share or delete it
    default: bool  # the actor's default for this list
    state: dict


def views(session: Session, *, actor: Actor, list_name: object) -> list[ViewRow]:
    """The views of one list the actor may open: its own and its organization's shared ones,
    by name."""
    name = _list(list_name)
    rows = session.exec(
        select(SavedView).where(
            SavedView.org_id == actor.org_id,
            SavedView.list_name == name,
            sa.or_(col(SavedView.owner_id) == actor.user_id, col(SavedView.shared).is_(True)),
        )
    ).all()
    default = _default_id(session, actor, name)
    return sorted((_row(actor, v, default) for v in rows), key=lambda v: (v.name.casefold(), v.id))


def open_view(session: Session, *, actor: Actor, view_id: object) -> ViewRow:
    """One view the actor may open, its state checked again for the actor (fields it may no
    longer see dropped)."""
    view = _visible(session, actor, view_id)
    row = _row(actor, view, _default_id(session, actor, view.list_name))
    return ViewRow(**{**_fields(row), "state": fitted(session, actor, view.list_name, view.state)})


def default_view(session: Session, *, actor: Actor, list_name: object) -> ViewRow | None:
    """The view the actor's list opens with, if it marked one (and may still see it)."""
    view_id = _default_id(session, actor, _list(list_name))
    if view_id is None:
        return None
    try:
        return open_view(session, actor=actor, view_id=view_id)
    except NotFound:
        return None


def save_view(
    session: Session,
    *,
    actor: Actor,
    list_name: object,
    name: object,
    state: object,
    shared: object = False,
) -> ViewRow:
    """Save a list's state as a new view (shared with the organization: managers only)."""
    list_name = _list(list_name)
    label = _name(name)
    if shared is not False and shared is not True:
        raise Invalid("Choose personal or shared.", field="shared")
    if shared and not actor.sees_all:
        raise NotAllowed(ONLY_MANAGERS)
    checked = state_of(session, actor=actor, list_name=list_name, state=state)
    mine = session.exec(
        select(sa.func.count()).where(
            SavedView.owner_id == actor.user_id, SavedView.list_name == list_name
        )
    ).one()
    if mine >= MAX_VIEWS:
        raise Invalid(f"You can keep at most {MAX_VIEWS} views of a list.", field="name")
    _unique(session, actor, list_name, label, owner=actor.user_id)
    view = SavedView(
        org_id=actor.org_id,
        owner_id=actor.user_id,
        list_name=list_name,
        name=label,
        shared=shared,
        state=checked,
    )
    session.add(view)
    session.flush()
    activity.record(session, actor=actor, subject=view, action="created", after=_summary(view))
    return _row(actor, view, _default_id(session, actor, list_name))


def update_view(
    session: Session,
    *,
    actor: Actor,
    view_id: object,
    name: object = None,
    state: object = None,
    shared: object = None,
) -> ViewRow:
    """Rename a view, replace its state, or share or unshare it (None: unchanged)."""
    view = _changeable(session, actor, view_id)
    before = _summary(view)
    if shared is not None:
        if shared is not False and shared is not True:
            raise Invalid("Choose personal or shared.", field="shared")
        if shared != view.shared and not actor.sees_all:
            raise NotAllowed(ONLY_MANAGERS)
        if not shared and view.owner_id != actor.user_id:
            raise NotAllowed("Only its owner can make a shared view personal again.")
        view.shared = shared
    if name is not None:
        view.name = _name(name)
    if name is not None or shared is not None:
        _unique(session, actor, view.list_name, view.name, owner=view.owner_id, besides=view.id)
    if state is not None:
        view.state = state_of(session, actor=actor, list_name=view.list_name, state=state)
    after = _summary(view)
    if after != before:
        view.updated_at = utcnow()
        session.add(view)
        activity.record(
            session, actor=actor, subject=view, action="updated", before=before, after=after
        )
    return _row(actor, view, _default_id(session, actor, view.list_name))


def delete_view(session: Session, *, actor: Actor, view_id: object) -> None:
    """Delete a view (and anyone's default on it)."""
    view = _changeable(session, actor, view_id)
    activity.record(session, actor=actor, subject=view, action="deleted", before=_summary(view))
    for default in session.exec(select(ViewDefault).where(ViewDefault.view_id == view.id)):
        session.delete(default)
    session.delete(view)
    session.flush()


def set_default(
    session: Session, *, actor: Actor, list_name: object, view_id: object = None
) -> None:
    """Mark a view the actor may open as its default for the list (None: no default)."""
    list_name = _list(list_name)
    current = session.exec(
        select(ViewDefault).where(
            ViewDefault.user_id == actor.user_id, ViewDefault.list_name == list_name
        )
    ).first()
    if view_id is None or view_id == "":
        if current is not None:
            session.delete(current)
            session.flush()
        return
    view = _visible(session, actor, view_id)
    if view.list_name != list_name:
        raise NotFound(NOT_VISIBLE)
    assert view.id is not None
    if current is None:
        current = ViewDefault(user_id=actor.user_id, list_name=list_name, view_id=view.id)
    current.view_id = view.id
    session.add(current)
    session.flush()


# --- a view's state -------------------------------------------------------------------------


def state_of(session: Session, *, actor: Actor, list_name: str, state: object) -> dict:
    """A list's state, checked: {"columns": [field ids], "filters": {built-in filter: text},
    "custom_filters": [{"field", "op", "value"}], "sort": a sort of the list or "custom:<id>"}.
    A field the actor may not see is refused."""
    if not isinstance(state, Mapping) or set(state) - {
        "columns",
        "filters",
        "custom_filters",
        "sort",
    }:
        raise Invalid("That view cannot be saved.", field="state")
    filters = state.get("filters") or {}
    if not isinstance(filters, Mapping):
        raise Invalid("That view cannot be saved.", field="filters")
    kept: dict[str, str] = {}
    for key, value in filters.items():
        if key not in FILTERS[list_name]:
            raise Invalid("That filter does not belong to this list.", field="filters")
        if value is None or value == "":
            continue
        if not isinstance(value, str | int) or isinstance(value, bool):
            raise Invalid("That filter's value cannot be saved.", field="filters")
        kept[key] = inputs.text(str(value), field="filters", label="A filter", max_len=MAX_VALUE)
    sort = state.get("sort") or ""
    if not isinstance(sort, str) or (
        sort and sort not in SORTS[list_name] and not sort.startswith(PREFIX)
    ):
        raise Invalid("Choose a sort from the list.", field="sort")
    fields = fields_of(session, actor=actor, list_name=list_name)
    choice = check(
        fields, columns=state.get("columns") or [], filters=state.get("custom_filters") or [],
        sort=sort,
    )  # fmt: skip
    return {
        "columns": [f.name for f in choice.columns],
        "filters": kept,
        "custom_filters": [
            {"field": f.field.name, "op": f.op, "value": f.value} for f in choice.filters
        ],
        "sort": sort,
    }


def fitted(session: Session, actor: Actor, list_name: str, state: Mapping[str, Any]) -> dict:
    """A stored state as the actor may use it now: columns, filters and a sort on fields it no
    longer sees (archived, hidden since) dropped."""
    known = {f.name for f in fields_of(session, actor=actor, list_name=list_name)}
    sort = str(state.get("sort") or "")
    if sort.startswith(PREFIX) and sort.removeprefix(PREFIX).partition(":")[0] not in known:
        sort = ""
    filters = state.get("filters") or {}
    return {
        "columns": [c for c in state.get("columns") or [] if c in known],
        "filters": {k: v for k, v in filters.items() if k in FILTERS[list_name]},
        "custom_filters": [f for f in state.get("custom_filters") or [] if f["field"] in known],
        "sort": sort,
    }


# --- helpers --------------------------------------------------------------------------------


def _list(value: object) -> str:
    if value not in LISTS:
        raise Invalid("Choose a list.", field="list_name")
    return str(value)


def _name(value: object) -> str:
    return inputs.text(value, field="name", label="Name", max_len=MAX_NAME)


def _visible(session: Session, actor: Actor, view_id: object) -> SavedView:
    try:
        wanted = inputs.record_id(view_id)
    except NotFound:
        raise NotFound(NOT_VISIBLE) from None
    view = session.get(SavedView, wanted)
    if (
        view is None
        or view.org_id != actor.org_id
        or (not view.shared and view.owner_id != actor.user_id)
    ):
        raise NotFound(NOT_VISIBLE)
    return view


def _changeable(session: Session, actor: Actor, view_id: object) -> SavedView:
    view = _visible(session, actor, view_id)
    if not _may_change(actor, view):
        raise NotAllowed(ONLY_MANAGERS)
    return view


def _may_change(actor: Actor, view: SavedView) -> bool:
    return actor.sees_all if view.shared else view.owner_id == actor.user_id


def _unique(
    session: Session,
    actor: Actor,
    list_name: str,
    name: str,
    *,
    owner: int,
    besides: int | None = None,
) -> None:
    """No two views the owner sees on one list share a name: not its own, nor a shared one."""
    same = select(SavedView.id).where(
        SavedView.org_id == actor.org_id,
        SavedView.list_name == list_name,
        sa.func.lower(SavedView.name) == name.lower(),
        sa.or_(col(SavedView.shared).is_(True), col(SavedView.owner_id) == owner),
    )
    if besides is not None:
        same = same.where(SavedView.id != besides)
    if session.exec(same).first() is not None:
        raise Invalid(f"A view named \u201c{name}\u201d already exists.", field="name")


def _default_id(session: Session, actor: Actor, list_name: str) -> int | None:
    return session.exec(
        select(ViewDefault.view_id).where(
            ViewDefault.user_id == actor.user_id, ViewDefault.list_name == list_name
        )
    ).first()


def _row(actor: Actor, view: SavedView, default: int | None) -> ViewRow:
    assert view.id is not None
    return ViewRow(
        id=view.id,
        list_name=view.list_name,
        name=view.name,
        shared=view.shared,
        mine=view.owner_id == actor.user_id,
        changeable=_may_change(actor, view),
        default=view.id == default,
        state=dict(view.state),
    )


def _fields(row: ViewRow) -> dict:
    return {name: getattr(row, name) for name in ViewRow.__dataclass_fields__}


def _summary(view: SavedView) -> dict:
    return {"name": view.name, "list": view.list_name, "shared": view.shared}
