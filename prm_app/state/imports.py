"""Import of leads, referrals and deals from a CSV or a spreadsheet: choose a file (and a
sheet), map its columns, check, import.

The file streams into a private temp file (services.core.upload_store) whose key never leaves the
server; every step re-reads it. Checking and importing run in a worker thread of a background
event, so the page (and everyone else on this worker) stays responsive while a progress bar
moves. The state holds the mapping, a preview of 20 rows, one page of the problems' causes
(the rest server-side only, up to causes.MAX_CAUSES) and one page of past imports: never the file.
"""

import asyncio
import logging
import threading
import time
from collections.abc import Callable
from dataclasses import replace
from typing import Any, ClassVar

import reflex as rx

from .. import routes
from ..models import ImportKind, OrgKind
from ..services import deals, imports
from ..services.core import upload_store
from ..services.core.actor import Actor
from ..services.core.changes import Topic
from ..services.core.errors import DomainError, NotAuthenticated
from ..services.core.unit_of_work import unit_of_work
from ..services.identity import team
from ..services.imports import columns as import_columns
from ..services.imports import custom_import, locales, matching
from ..services.imports import files as csv_files
from ..services.imports.sheets import Reading
from . import import_review, import_steps, upload_guard, view
from .base import AppState
from .import_rows import BatchRow, ImportField, ImportProblem, PreviewField, text
from .import_steps import Job
from .live import LiveView
from .rows import Option

logger = logging.getLogger(__name__)
PROBLEMS_SHOWN = 100  # causes of problems a page
ENCODINGS = csv_files.ENCODINGS  # what the encoding picker offers
SEPARATORS = {d: name.capitalize() for d, name in csv_files.DELIMITERS.items()}
NUMBERS = {"": "As the file shows", **locales.NUMBERS}  # how amounts are written
DATES = {"": "As the file shows", **locales.DATES}  # how dates are written
MODES = matching.MODES  # create, update or both
STALE_AFTER_SECONDS = 30 * 60  # a step "running" longer than this died with its worker
_FAILED = "The import failed and nothing was written. Try again in a moment."


class ImportState(LiveView, AppState):
    """One import at a time per tab: step is pick, map, review or done."""

    kind: str = ""
    step: str = "pick"
    file_name: str = ""
    row_count: int = 0
    headers: list[str] = []
    sheets: list[str] = []  # a spreadsheet's worksheets
    sheet: str = ""  # the one read
    encoding: str = ""  # a CSV's, as read (files.ENCODINGS)
    delimiter: str = ""  # a CSV's, as read (files.DELIMITERS)
    samples: dict[str, str] = {}  # header: its first values, as shown beside it
    numbers: str = ""  # how amounts are written, as chosen (NUMBERS; "": detected)
    dates: str = ""  # how dates are written, as chosen (DATES; "": detected)
    formats: bool = False  # whether fields hold amounts or dates (imports.Prepared.formats)
    fields: list[ImportField] = []
    mapping: dict[str, str] = {}  # field name to header
    submit: bool = False
    mode: str = "create"  # create, update or both (services.imports.matching.MODES)
    match_key: str = ""  # what rows are matched on ("": the kind's first key)
    changes: list[import_review.ImportChange] = []  # the updates' before and after
    busy: bool = False
    progress: int = 0  # percent
    progress_label: str = ""
    time_left: str = ""  # "About 2 min left", once the progress allows an estimate
    error: str = ""
    rows_valid: int = 0
    rows_failed: int = 0
    checked_summary: str = ""  # "148 rows can be imported; 2 have problems and will not be."
    import_label: str = ""  # "Import 148 valid rows"
    preview_fields: list[PreviewField] = []
    preview: list[dict[str, str]] = []  # field name to value: the keys vary with the file
    problems: list[ImportProblem] = []  # one page of the causes ("row": the rows with it)
    problem_page: int = 1
    problem_total: int = 0  # causes kept
    problems_note: str = ""  # "150 problems of 12 kinds"
    _causes: list[ImportProblem] = []  # every cause kept, server-side only
    result: str = ""
    batches: list[BatchRow] = []
    page: int = 1
    total: int = 0
    upload_ticket: str = ""  # what this tab's uploads must carry (see upload_guard)
    # Who gets the rows whose owner is no active member (the importer unless changed).
    default_owner: str = ""
    owners: list[Option] = []
    targets: list[Option] = []  # where every row may be sent
    send_to: list[str] = []  # the ones chosen (ids)
    _upload: str = ""  # the private file's key
    _started: float = 0.0  # when the running step started (time.time())
    _stop: bool = False  # the person asked to cancel the running step
    _opened_as: str = ""  # the portal it was opened in, a copy (tests/unit/test_state_loading)
    LIVE_TOPIC: ClassVar[Topic] = Topic.IMPORTS  # the history: colleagues' imports and undos

    @rx.var
    def field_samples(self) -> dict[str, str]:
        """Each mapped field's first values in the file, shown beside its column."""
        return {name: self.samples.get(header, "") for name, header in self.mapping.items()}

    # pages ---------------------------------------------------------------------------------

    @rx.event
    def load_leads(self):
        return self._open(OrgKind.CONSULTANT, ImportKind.LEADS)

    @rx.event
    def load_referrals(self):
        return self._open(OrgKind.PROVIDER, ImportKind.REFERRALS)

    @rx.event
    def load_provider_deals(self):
        return self._open(OrgKind.PROVIDER, ImportKind.DEALS)

    @rx.event
    def load_consultant_deals(self):
        return self._open(OrgKind.CONSULTANT, ImportKind.DEALS)

    def _open(self, org_kind: OrgKind, kind: ImportKind):
        if redirect := self._enter(org_kind):
            return redirect
        if self.busy and time.time() - self._started < STALE_AFTER_SECONDS:
            return None  # a reload while checking or importing: let it finish
        self._forget_file()
        self._end("")
        self.kind, self.page, self._opened_as = kind.value, 1, org_kind.value
        # One ticket for the tab's life (a reload or reconnect keeps it; another session's
        # presentation wipes it with the rest of the state, see SessionGuard).
        self.upload_ticket = self.upload_ticket or upload_guard.new_ticket()
        self._watch()
        return self._perform(self._read_choices)[1] or self._read_batches()

    def _read_choices(self, session, *, actor) -> None:
        """Who may get the rows of unknown owners: the active members (a member: themselves);
        where every row may be sent: the organizations that can receive them."""
        self.targets = view.options(deals.counterparts(session, actor=actor))
        self.owners = view.options(
            (m.user_id, m.name)
            for m in team.members(session, actor=actor)
            if m.is_active and (actor.sees_all or m.user_id == actor.user_id)
        )
        self.default_owner = str(actor.user_id)

    @rx.event
    def set_default_owner(self, value: str):
        """Choose the default owner among the people offered (the service checks it again)."""
        if not self.busy and isinstance(value, str) and value in {o["id"] for o in self.owners}:
            self.default_owner, self.step, self.error = value, "map", ""

    # the file ------------------------------------------------------------------------------

    @rx.event
    def download_template(self):
        """A CSV with the expected columns (the organization's custom fields too) and one
        example row."""
        try:
            actor = self._require()
            with unit_of_work() as session:
                text = custom_import.template(session, actor=actor, kind=self.kind)
        except DomainError as error:
            return self._refuse(error)
        return rx.download(data=text, filename=f"{self.kind}-template.csv", mime_type="text/csv")

    @rx.event
    def upload_progress(self, progress: dict):
        """The browser's upload progress (any client may send anything: numbers only)."""
        share = progress.get("progress") if isinstance(progress, dict) else None
        if self.busy and isinstance(share, (int, float)) and 0 <= share <= 1:
            self.progress, self.progress_label = int(share * 100), "Uploading the file"

    @rx.event(background=True)
    async def receive_file(self, chunks: rx.UploadChunkIterator):
        """Stream the chosen file into a private temp file, refusing it as soon as it is larger
        than allowed (the browser's own limit is only a courtesy), then read its columns."""
        if not isinstance(chunks, rx.UploadChunkIterator):  # an event sent by hand
            return
        async with self:
            if not upload_guard.came_with(self.router.session.client_token, self.upload_ticket):
                logger.warning("an upload without its tab's ticket was refused")
                return
            actor = self._begin("Uploading the file")  # never while another step runs
            if actor is None:
                return
            self._forget_file()
        limit, received, names = csv_files.max_bytes(), 0, set()
        key, handle = await asyncio.to_thread(upload_store.create)
        refusal = ""
        try:
            async for chunk in chunks:
                names.add(chunk.filename)
                received += len(chunk.data)
                if len(names) > 1:
                    refusal = "Choose one file at a time."
                elif received > limit:
                    refusal = csv_files.too_large(limit)
                if refusal:
                    break
                await asyncio.to_thread(handle.write, chunk.data)
        except BaseException:  # the browser went away mid-upload: keep nothing
            upload_store.discard(key)
            async with self:
                self._end("The upload was interrupted: choose the file again.")
            raise
        finally:
            handle.close()
        if refusal or not names:
            upload_store.discard(key)
            async with self:
                self._end(refusal or csv_files.CHOOSE_A_FILE)
            return
        async with self:
            self._upload, self.file_name = key, next(iter(names)) or "import.csv"
            job = self._job(actor)
        prepared, problem = await self._work(import_steps.prepare, job)
        async with self:
            if prepared is None:
                self._forget_file()
                self._end(problem)
                return
            self._show_prepared(prepared)

    @rx.event(background=True)
    async def choose_sheet(self, name: str):
        """Read another sheet of the workbook (one of those it holds) and map its columns."""
        async with self:
            if self.step not in ("map", "review") or not isinstance(name, str):
                return
            if name not in self.sheets or name == self.sheet:
                return
            actor = self._begin("Reading the sheet")
            if actor is None:
                return
            job = replace(self._job(actor), reading=Reading(sheet=name))
        return await self._reread(job)

    @rx.event(background=True)
    async def read_csv_as(self, encoding: str, delimiter: str):
        """Read the CSV in another encoding or with another separator (the service refuses
        an encoding the file is not in, and anything it does not offer)."""
        async with self:
            if self.step not in ("map", "review") or self.sheets:
                return
            actor = self._begin("Reading the file")
            if actor is None:
                return
            how = Reading(encoding=encoding, delimiter=delimiter)
            job = replace(self._job(actor), reading=how)
        return await self._reread(job)

    async def _reread(self, job: Job) -> None:
        """Read the file again as the person chose, and map its columns anew."""
        prepared, problem = await self._work(import_steps.prepare, job)
        async with self:
            if prepared is None:
                self._end(problem)
                return
            self._show_prepared(prepared)

    def _show_prepared(self, prepared: imports.Prepared) -> None:
        self.sheets, self.sheet = list(prepared.sheets), prepared.sheet
        self.encoding, self.delimiter = prepared.encoding, prepared.delimiter
        self.samples = {h: ", ".join(values) for h, values in prepared.samples.items()}
        self.headers, self.row_count = prepared.headers, prepared.rows
        self.fields = [{"name": f.name, "label": f.label, "note": f.note} for f in prepared.fields]
        self.formats = prepared.formats  # amounts or dates: how they are written is offered
        self.mapping, self.step = prepared.mapping, "map"
        if any(prepared.mapping.get(name) for name in import_columns.COUNTERPARTS):
            self.send_to = []  # the file's column says where rows go
        self._end("")

    @rx.event
    def cancel(self):
        """Import nothing: forget the file and start again."""
        if not self.busy:
            self._forget_file()

    @rx.event
    def stop(self):
        """Cancel the running check or import (rolled back: nothing is written)."""
        if self.busy and not self._stop:
            self._stop, self.progress_label, self.time_left = True, "Cancelling…", ""

    # mapping -------------------------------------------------------------------------------

    @rx.event
    def map_column(self, field: str, header: str):
        """Choose the file's column for a field ("" for none). The service checks the mapping
        again at every step; this only keeps what the page can show."""
        if self.busy or self.step not in ("map", "review"):
            return
        if not isinstance(field, str) or not isinstance(header, str):
            return
        if field not in {f["name"] for f in self.fields}:
            return
        if header and header not in self.headers:
            return
        mapping = {name: chosen for name, chosen in self.mapping.items() if chosen != header}
        mapping[field] = header  # "": not imported, as the next file's mapping remembers
        if header and field in import_columns.COUNTERPARTS:  # a column says where rows go
            self.send_to = []
        self.mapping, self.step, self.error = mapping, "map", ""

    @rx.event
    def toggle_send_to(self, org_id: str):
        """Send every row to this organization too, or no longer (a deal goes to one: it
        replaces the one chosen). The service checks the choice again at every step."""
        if self.busy or self.step not in ("map", "review"):
            return
        if not isinstance(org_id, str) or org_id not in {o["id"] for o in self.targets}:
            return
        if org_id in self.send_to:
            chosen = [o for o in self.send_to if o != org_id]
        elif self.kind == ImportKind.DEALS:
            chosen = [org_id]
        else:
            chosen = [*self.send_to, org_id]
        if chosen:  # rather than a column
            self.mapping = {
                k: v for k, v in self.mapping.items() if k not in import_columns.COUNTERPARTS
            }
        self.send_to, self.step, self.error = chosen, "map", ""

    @rx.event
    def check_again(self):
        """Back from the check to the mapping."""
        if not self.busy and self.step == "review":
            self.step = "map"

    @rx.event
    def set_numbers(self, value: str):
        """How the file writes amounts, when the values leave both readings open."""
        if not self.busy and isinstance(value, str) and value in NUMBERS:
            self.numbers, self.step, self.error = value, "map", ""

    @rx.event
    def set_dates(self, value: str):
        """How the file writes dates, when the values leave both readings open."""
        if not self.busy and isinstance(value, str) and value in DATES:
            self.dates, self.step, self.error = value, "map", ""

    @rx.event
    def set_mode(self, value: str):
        """Create records, update existing ones, or both."""
        if not self.busy and isinstance(value, str) and value in matching.MODES:
            self.mode, self.step, self.error = value, "map", ""

    @rx.event
    def set_match_key(self, value: str):
        """What a row names an existing record by (matching.KEYS of the kind)."""
        if not self.busy and isinstance(value, str) and value in {o["id"] for o in self.match_keys}:
            self.match_key, self.step, self.error = value, "map", ""

    @rx.var
    def required_fields(self) -> list[str]:
        """The fields to map as chosen so far: the mode, sent or drafts, where rows go (the
        service's one rule, columns.required, which checks the mapping again at every step)."""
        if not self.kind or not self._opened_as:
            return []
        try:
            kind = ImportKind(self.kind)
            mode = matching.mode_of(kind, self.mode, self.match_key)
            return import_columns.required(
                kind, self._opened_as, submit=self.submit, sent_to_all=bool(self.send_to), mode=mode
            )
        except (ValueError, DomainError):  # a kind this organization does not import
            return []

    @rx.var
    def match_keys(self) -> list[Option]:
        keys = matching.KEYS.get(ImportKind(self.kind), {}) if self.kind else {}
        return [{"id": key, "name": name} for key, name in keys.items()]

    @rx.event
    def set_submit(self, value: str):
        if not self.busy and self.kind != ImportKind.DEALS and value in ("draft", "submit"):
            self.submit, self.step, self.error = value == "submit", "map", ""
            self.send_to = self.send_to if self.submit else []  # drafts go nowhere yet

    # check and import ----------------------------------------------------------------------

    @rx.event(background=True)
    async def check(self):
        """The dry run: every problem by row, and a preview of the rows as they will land."""
        async with self:
            actor = self._begin("Reading the file") if self.step == "map" else None
            if actor is None:
                return
            job = self._job(actor)
        found, problem = await self._work(import_steps.dry_run, job)
        async with self:
            if found is None:
                self._end(problem)
                return
            self._show_checked(found)
            self.step = "review"
            self._end("")

    def _show_checked(self, found: imports.DryRun) -> None:
        self.rows_valid, self.rows_failed = found.rows_valid, found.rows_failed
        self.checked_summary = import_review.checked_summary(found, self.mode)
        self.import_label = import_review.import_label(found, self.mode)
        previewed = set(found.preview[0]) if found.preview else set()
        self.preview_fields = [
            {"name": f["name"], "label": f["label"]} for f in self.fields if f["name"] in previewed
        ]
        self.preview = [{k: text(v) for k, v in row.items()} for row in found.preview]
        self.changes = import_review.changes(found)
        self._causes = import_review.causes(found)  # type: ignore[assignment]
        self.problem_total, self.problem_page = len(self._causes), 1
        self.problems_note = import_review.problems_note(found)
        self._show_problem_page()

    @rx.event
    def turn_problem_page(self, delta: int):
        """Page through the causes of problems."""
        pages = max(1, -(-self.problem_total // PROBLEMS_SHOWN))
        if delta in (-1, 1) and self.step == "review":
            self.problem_page = min(pages, max(1, self.problem_page + delta))
            self._show_problem_page()

    def _show_problem_page(self) -> None:
        start = (self.problem_page - 1) * PROBLEMS_SHOWN
        self.problems = self._causes[start : start + PROBLEMS_SHOWN]

    @rx.event(background=True)
    async def import_rows(self):
        """Import the valid rows (checked again), all of them or none."""
        async with self:
            actor = self._begin("Reading the file") if self.step == "review" else None
            if actor is None:
                return None
            job = self._job(actor)
        batch, problem = await self._work(import_steps.import_rows, job)
        async with self:
            if batch is None:
                self._end(problem)
                return
            self.result = import_review.summary(batch, job.submit)
            self._forget_file()
            self.step, self.page = "done", 1
            self._end("")
            return self._read_batches()

    # past imports --------------------------------------------------------------------------

    @rx.event
    def turn_page(self, delta: int):
        if delta in (-1, 1):
            self.page = max(1, self.page + delta)
        return self._read_batches()

    @rx.event(background=True)
    async def undo(self, batch_id: str):
        """Remove a whole batch while none of its records was touched."""
        async with self:
            actor = self._begin("Undoing the import")
            if actor is None:
                return None
            job = self._job(actor)

        def remove(session, job: Job, progress) -> imports.BatchRow:
            return imports.undo(session, actor=job.actor, batch_id=batch_id)

        batch, problem = await self._work(remove, job)
        async with self:
            self._end("")
            if batch is None:
                return rx.toast.error(problem)
            noun = import_review.NOUNS.get(batch.kind, "rows")
            back = f", {batch.rows_updated:,} restored" if batch.rows_updated else ""
            return self._read_batches() or rx.toast.success(
                f"Import undone: {batch.rows_imported:,} {noun} removed{back}."
            )

    def _read_batches(self):
        return self._perform(self._batches)[1]

    def _refresh(self):  # what LiveView.follow re-reads: the history
        return self._read_batches()

    def _batches(self, session, *, actor) -> None:
        self._reading(actor.org_id)
        found = imports.list_batches(
            session, actor=actor, kind=self.kind, page=self.page, page_size=view.PAGE_SIZE
        )
        self.page, self.total = found.page, found.total
        self.batches = [
            {
                "id": str(row.id),
                "file_name": row.file_name,
                "status": row.status,
                "imported": f"{row.rows_imported:,}",
                "failed": f"{row.rows_failed:,}" if row.rows_failed else "",
                "by": row.created_by_name,
                "when": row.created_at.strftime("%Y-%m-%d %H:%M"),
                "errors_url": routes.file_url(routes.import_errors(row.id)),
            }
            for row in found.rows
        ]

    # running work --------------------------------------------------------------------------

    def _begin(self, label: str) -> Actor | None:
        """Start a step (under the state lock): only for a signed-in member of an organization
        that imports this kind, and one step at a time. Returns the verified caller."""
        if self.busy and time.time() - self._started < STALE_AFTER_SECONDS:
            return None
        try:
            actor = self._require()
            import_columns.fields(self.kind, actor.org_kind)
        except NotAuthenticated:
            self.error = "Your session has ended: sign in again."
            return None
        except DomainError as error:
            self.error = str(error)
            return None
        self.busy, self.progress, self.progress_label, self.error = True, 0, label, ""
        self.result, self._started, self._stop, self.time_left = "", time.time(), False, ""
        return actor

    def _job(self, actor: Actor) -> Job:
        return Job(
            actor=actor,
            upload=self._upload,
            kind=self.kind,
            file_name=self.file_name,
            mapping=dict(self.mapping),
            submit=self.submit,
            default_owner=self.default_owner,
            reading=Reading(
                sheet=self.sheet,
                encoding=self.encoding,
                delimiter=self.delimiter,
                numbers=self.numbers,
                dates=self.dates,
            ),
            send_to=list(self.send_to),
            mode=self.mode,
            match_key=self.match_key,
        )

    def _end(self, error: str) -> None:
        self.busy, self.progress, self.progress_label, self.error = False, 0, "", error
        self.time_left, self._stop = "", False

    async def _work(self, operation: Callable, job: Job) -> tuple[Any, str]:
        """Run `operation(session, job, progress)` in a thread, in one transaction, while its
        progress reaches the page; (result, "") or (None, what to tell the user)."""
        latest: list[Any] = [self.progress_label, 0.0]
        stop = threading.Event()

        def progress(step: str, share: float) -> None:
            if stop.is_set():  # between chunks: the transaction is rolled back
                raise imports.Cancelled()
            latest[:] = [step, share]

        def transaction():
            with unit_of_work() as session:
                return operation(session, job, progress)

        task = asyncio.ensure_future(asyncio.to_thread(transaction))
        while not task.done():
            await asyncio.wait({task}, timeout=0.25)
            async with self:
                if self._stop:
                    stop.set()
                    continue
                self.progress_label, self.progress = latest[0], int(latest[1] * 100)
                self.time_left = import_steps.time_left(time.time() - self._started, latest[1])
        try:
            result = task.result()
        except DomainError as error:
            return None, str(error)
        except Exception:
            logger.exception("import step failed")
            return None, _FAILED
        return result, ""

    def _forget_file(self) -> None:
        upload_store.discard(self._upload)
        self._upload, self.file_name, self.row_count = "", "", 0
        self.headers, self.fields, self.mapping = [], [], {}
        self.sheets, self.sheet, self.send_to = [], "", []
        self.encoding, self.delimiter, self.samples = "", "", {}
        self.numbers = self.dates = ""
        self.preview_fields, self.preview, self.problems = [], [], []
        self._causes, self.problem_total, self.problems_note = [], 0, ""
        self.rows_valid = self.rows_failed = 0
        self.mode, self.match_key, self.changes = "create", "", []
        self.step, self.error = "pick", ""
