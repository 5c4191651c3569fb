"""/p/library and /c/library: the content library. The provider's admins and managers add files
(streamed into the private upload store, their type read on adding) and links, choose each
item's audience and expiry, and see who can see and who downloaded each; a partner sees what its
audiences allow. Downloads go through the backend route (routes.LIBRARY_FILE). Live on LIBRARY."""

import logging
from typing import ClassVar, TypedDict

import reflex as rx

from .. import routes
from ..models import OrgKind, TermKind
from ..services import catalog, library
from ..services.core import upload_store
from ..services.core.changes import Topic
from ..services.core.errors import DomainError
from . import upload_guard
from .base import AppState, clear_form, form_value
from .live import LiveView
from .rows import Option
from .stored_upload import store_one

logger = logging.getLogger(__name__)
ADD_FORM, EDIT_FORM, FOLDER_FORM, SEARCH_FORM = (
    "library-add",
    "library-edit",
    "library-folder",
    "library-search",
)
UPLOAD_ID = "library-file"
PICK = "pick_"  # the audience checkboxes: pick_<term or organization id>
AUDIENCE_KINDS: list[Option] = [{"id": k, "name": v} for k, v in library.AUDIENCES.items()]


class LibraryRow(TypedDict):
    id: str
    title: str
    description: str
    tags: str
    folder: str
    provider: str
    what: str  # "Link", or the file's name and size
    link: str  # "yes" for a link
    expires: str
    expired: str  # "yes" once expired
    audience: str
    partners: str
    people: str
    downloads: str
    url: str  # the download route


def _size(n: int) -> str:
    return f"{n / 1024 / 1024:.1f} MB" if n >= 1024 * 1024 else f"{max(1, n // 1024)} KB"


def _row(item: library.ItemView) -> LibraryRow:
    return {
        "id": str(item.id),
        "title": item.title,
        "description": item.description,
        "tags": ", ".join(item.tags),
        "folder": item.folder,
        "provider": item.provider,
        "what": "Link" if item.kind == "link" else f"{item.file_name} ({_size(item.size)})",
        "link": "yes" if item.kind == "link" else "",
        "expires": item.expires_on.isoformat() if item.expires_on else "",
        "expired": "yes" if item.expired else "",
        "audience": item.audience_label,
        "partners": str(item.partners),
        "people": str(item.people),
        "downloads": f"{item.downloads} by {item.downloaders}",
        "url": routes.file_url(routes.library_file(item.id)),
    }


def _picked(form: object) -> list[str]:
    if not isinstance(form, dict):
        return []
    return [k.removeprefix(PICK) for k, v in form.items() if str(k).startswith(PICK) and v][:500]


class LibraryState(LiveView, AppState):
    LIVE_TOPIC: ClassVar[Topic] = Topic.LIBRARY
    items: list[LibraryRow] = []
    folders: list[Option] = []
    search: str = ""
    folder_filter: str = ""
    error: str = ""
    # The provider's choices for an audience, and the audience kind shown in each form.
    choices: dict[str, list[Option]] = {}
    add_audience: str = "nobody"
    edit_audience: str = "nobody"
    editing: str = ""  # the item whose audience and expiry are being changed
    editing_title: str = ""
    editing_picked: list[str] = []
    editing_expires: str = ""
    # A file chosen for the next item: kept privately until added (services.core.upload_store);
    # uploads must carry this tab's ticket (see upload_guard).
    upload_ticket: str = ""
    upload_name: str = ""
    _upload: str = ""
    _side: str = ""

    @rx.event
    def load_provider(self):
        return self._load(OrgKind.PROVIDER)

    @rx.event
    def load_consultant(self):
        return self._load(OrgKind.CONSULTANT)

    def _load(self, kind: OrgKind):
        if (redirect := self._enter(kind)) is not None:
            return redirect
        self._side = kind
        self.items, self.error, self.editing = [], "", ""
        self.search, self.folder_filter = "", ""
        if kind == OrgKind.PROVIDER:
            self.upload_ticket = self.upload_ticket or upload_guard.new_ticket()
            self._forget_file()
        self._watch()
        return self._refresh()

    def _refresh(self):
        return self._perform(self._read)[1]

    def _read(self, session, *, actor) -> None:
        self._reading(actor.org_id)
        if actor.org_kind == OrgKind.PROVIDER:
            found = library.provider_items(
                session, actor=actor, search=self.search, folder_id=self.folder_filter
            )
            self.folders = [
                {"id": str(f.id), "name": f.name} for f in library.folders(session, actor=actor)
            ]
            self.choices = _choices(session, actor)
        else:
            found = library.partner_items(session, actor=actor, search=self.search)
        self.items = [_row(i) for i in found]

    @rx.event
    def find(self, form: dict):
        """Search by title and tag (and, for the provider, within a folder)."""
        search, folder = form_value(form, "search"), form_value(form, "folder")
        self.search = search if isinstance(search, str) else ""
        self.folder_filter = folder if isinstance(folder, str) else ""
        return self._refresh()

    @rx.event
    def choose_add_audience(self, value: str):
        self.add_audience = (
            value if isinstance(value, str) and value in library.AUDIENCES else "nobody"
        )

    @rx.event
    def choose_edit_audience(self, value: str):
        self.edit_audience = (
            value if isinstance(value, str) and value in library.AUDIENCES else "nobody"
        )

    @rx.event
    def forget_file(self):
        self._forget_file()

    def _forget_file(self) -> None:
        upload_store.discard(self._upload)
        self._upload, self.upload_name = "", ""

    @rx.event(background=True)
    async def receive_file(self, chunks: rx.UploadChunkIterator):
        """Stream the chosen file into a private temp file, refusing it once larger than
        allowed (the browser's limit is only a courtesy); its type is read when it is added."""
        if not isinstance(chunks, rx.UploadChunkIterator):  # an event sent by hand
            return
        async with self:
            if not upload_guard.came_with(self.router.session.client_token, self.upload_ticket):
                logger.warning("an upload without its tab's ticket was refused")
                return
            try:
                actor = self._require(OrgKind.PROVIDER)
                library.require_editor(actor)
            except DomainError as error:
                self.error = str(error)
                return
            self._forget_file()
            self.error = ""
        stored = await store_one(
            chunks,
            limit=library.MAX_FILE,
            too_big=library.TOO_BIG,
            none="Choose a file.",
            default_name="file",
        )
        async with self:
            if stored.refusal:
                self.error = stored.refusal
                return
            self._upload, self.upload_name = stored.key, stored.name

    def _change(self, operation, form_id: str | None = None):
        _, refusal = self._perform(operation, error_var="error")
        if form_id == ADD_FORM:  # a chosen file is read once: choose again
            self._forget_file()
        if refusal is not None:
            return refusal
        self._refresh()
        return [clear_form(form_id), rx.toast.success("Saved.")] if form_id else None

    @rx.event
    def add_item(self, form: dict):
        """A file (when one was chosen) or a link, with its audience and expiry."""
        details = {
            "title": form_value(form, "title"),
            "description": form_value(form, "description"),
            "tags": form_value(form, "tags"),
            "folder_id": form_value(form, "folder_id"),
            "expires_on": form_value(form, "expires_on"),
            "audience": self.add_audience,
            "audience_ids": _picked(form),
        }
        upload, name = self._upload, self.upload_name

        def add(session, *, actor):
            if upload:
                return library.add_file(
                    session, actor=actor, upload_key=upload, file_name=name, **details
                )
            return library.add_link(session, actor=actor, url=form_value(form, "url"), **details)

        result = self._change(add, ADD_FORM)
        if self.error == "":
            self.add_audience = "nobody"
        return result

    @rx.event
    def add_folder(self, form: dict):
        return self._change(
            lambda session, *, actor: library.add_folder(
                session, actor=actor, name=form_value(form, "name")
            ),
            FOLDER_FORM,
        )

    @rx.event
    def edit(self, item_id: str):
        """Open the audience and expiry of one item for change."""
        found = next((i for i in self.items if i["id"] == item_id), None)
        if found is None or self._side != OrgKind.PROVIDER:
            return
        item, refusal = self._perform(
            lambda session, *, actor: library.own(session, actor, item_id)
        )
        if refusal is not None or item is None:
            return refusal
        self.editing, self.editing_title = item_id, found["title"]
        self.edit_audience = item.audience  # type: ignore[attr-defined]
        self.editing_picked = [str(i) for i in item.audience_ids or []]  # type: ignore[attr-defined]
        self.editing_expires = found["expires"]

    @rx.event
    def stop_editing(self):
        self.editing = ""

    @rx.event
    def save_edit(self, form: dict):
        item_id = self.editing
        result = self._change(
            lambda session, *, actor: library.update(
                session,
                actor=actor,
                item_id=item_id,
                audience=self.edit_audience,
                audience_ids=_picked(form),
                expires_on=form_value(form, "expires_on"),
            )
        )
        if self.error == "":
            self.editing = ""
        return result

    @rx.event
    def remove(self, item_id: str):
        if self.editing == item_id:
            self.editing = ""
        return self._change(
            lambda session, *, actor: library.archive(session, actor=actor, item_id=item_id)
        )


def _choices(session, actor) -> dict[str, list[Option]]:
    def terms(kind: TermKind) -> list[Option]:
        return [
            {"id": str(t.id), "name": t.name}
            for t in catalog.terms(session, actor=actor, kind=kind)
            if not t.archived
        ]

    return {
        "tiers": terms(TermKind.PARTNER_TIER),
        "types": terms(TermKind.PARTNER_TYPE),
        "groups": terms(TermKind.PARTNER_GROUP),
        "partners": [
            {"id": str(org_id), "name": name}
            for org_id, name in library.partner_names(session, actor=actor)
        ],
    }
