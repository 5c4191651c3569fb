"""/p/audit and /c/audit: the organization's audit log, a keyset page at a time, with filters
and a CSV export, and its full exports, live on AUDIT (their progress). Admins only: the
services refuse everyone else, whatever they send."""

import asyncio
from typing import ClassVar, TypedDict
from urllib.parse import urlencode

import reflex as rx

from .. import jobs, routes
from ..services import audit
from ..services.audit import full_export
from ..services.core.changes import Topic
from ..services.core.errors import Invalid
from .base import AppState
from .live import LiveView

FILTERS = ("person", "record_type", "action", "since", "until")
RECORD_TYPES: list[tuple[str, str]] = list(audit.RECORD_TYPES.items())


class AuditRow(TypedDict):
    id: str
    when: str
    who: str
    how: str
    record: str
    action: str
    changes: list[str]


class ExportRow(TypedDict):
    id: str
    status: str
    progress: str
    percent: int
    started: str
    url: str


class AuditState(LiveView, AppState):
    LIVE_TOPIC: ClassVar[Topic] = Topic.AUDIT
    entries: list[AuditRow] = []
    exports: list[ExportRow] = []
    people: list[list[str]] = []  # [id, "name <email>"]
    actions: list[str] = []
    person: str = ""
    record_type: str = ""
    action: str = ""
    since: str = ""
    until: str = ""
    newer: list[str] = []  # the `before` of each page above this one ("" for the first)
    before: str = ""
    older: str = ""  # the next page's `before`, "" at the end
    problem: str = ""

    @rx.event
    def load(self):
        if (redirect := self._enter()) is not None:
            return redirect
        self.person = self.record_type = self.action = self.since = self.until = ""
        self.newer, self.before, self.older, self.problem = [], "", "", ""
        if self.role != "admin":
            self.entries, self.exports = [], []
            return None
        self._watch()
        return self._perform(self._read_options)[1] or self._refresh()

    def _read_options(self, session, *, actor) -> None:
        self.people = [[str(id_), label] for id_, label in audit.people(session, actor=actor)]
        self.actions = audit.actions(session, actor=actor)

    def _refresh(self):
        return self._perform(self._read)[1]

    def _read(self, session, *, actor) -> None:
        self._reading(actor.org_id)
        self._read_exports(session, actor)
        try:
            chosen = audit.filters(**self._chosen())
        except Invalid as error:
            self.problem, self.entries, self.older = str(error), [], ""
            return
        self.problem = ""
        found = audit.page(session, actor=actor, chosen=chosen, before=self.before or None)
        self.older = str(found.older) if found.older else ""
        self.entries = [
            {
                "id": str(e.id),
                "when": e.created_at.strftime("%Y-%m-%d %H:%M:%S"),
                "who": e.actor_name or "—",
                "how": e.how,
                "record": f"{e.record_type} #{e.entity_id}",
                "action": e.action.replace("_", " "),
                "changes": [f"{name}: {old or '—'} → {new or '—'}" for name, old, new in e.changes],
            }
            for e in found.rows
        ]

    def _read_exports(self, session, actor) -> None:
        self.exports = [
            {
                "id": str(x.id),
                "status": x.status,
                "progress": f"{x.tables_done} of {x.tables_total} tables, {x.rows_written:,} rows",
                "percent": x.percent,
                "started": x.created_at.strftime("%Y-%m-%d %H:%M UTC"),
                "url": routes.file_url(routes.full_export_file(x.id))
                if x.status == full_export.READY
                else "",
            }
            for x in full_export.recent(session, actor=actor)
        ]

    def _chosen(self) -> dict[str, str]:
        return {name: getattr(self, name) for name in FILTERS}

    @rx.event
    def set_filter(self, name: str, value: str):
        """A filter changed: back to the newest page (the service validates the values)."""
        if name in FILTERS and isinstance(value, str) and len(value) <= 64:
            setattr(self, name, value)
            self.newer, self.before = [], ""
        return self._refresh()

    @rx.event
    def clear_filters(self):
        self.person = self.record_type = self.action = self.since = self.until = ""
        self.newer, self.before = [], ""
        return self._refresh()

    @rx.event
    def older_page(self):
        if self.older:
            self.newer = [*self.newer, self.before]
            self.before = self.older
        return self._refresh()

    @rx.event
    def newer_page(self):
        if self.newer:
            self.before = self.newer[-1]
            self.newer = self.newer[:-1]
        return self._refresh()

    @rx.var
    def export_url(self) -> str:
        query = urlencode({k: v for k, v in self._chosen().items() if v})
        url = routes.file_url(routes.AUDIT_FILE)
        return url + (f"?{query}" if query else "")

    @rx.event
    def start_export(self):
        """Ask for a full export; the job writes it now (and every worker's sweep would)."""
        started, refusal = self._perform(full_export.start)
        if refusal is not None:
            return refusal
        self._refresh()
        return [AuditState.write_exports, rx.toast.info("Export started.")] if started else None

    @rx.event(background=True)
    async def write_exports(self):
        """Run the export job at once in a thread (its claim makes a concurrent sweep harmless);
        the page follows its progress through the AUDIT pulse."""
        async with self:
            if self.role != "admin":
                return
        await asyncio.to_thread(jobs.run_exports)
