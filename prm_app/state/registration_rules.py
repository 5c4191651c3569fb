"""Settings > Registration (providers): the registration rules partners see before submitting a
deal, and the list of existing customers (one by one or from a CSV file or a spreadsheet, whose
other sheets may be read after it). Admins change them; other members read them. Every handler
goes through the services, which check the role again."""

import logging
from typing import Any, TypedDict, cast

import reflex as rx

from ..models import OrgKind
from ..services import deals
from ..services.core import upload_store
from ..services.core.errors import NotFound
from ..services.customers import existing
from ..services.deals import registration_rules as rules
from ..services.imports import files as csv_files
from . import upload_guard, view
from .base import AppState, clear_form, form_value
from .rows import Option

logger = logging.getLogger(__name__)

# Every rule, in the order the check lists them (the page draws one form per rule).
RULE_ORDER = tuple(kind.rule for kind in rules.KINDS)
LABELS = {kind.rule: kind.label for kind in rules.KINDS}
REQUIRABLE = tuple(rules.REQUIRABLE.items())
UPLOAD_ID = "customers-csv"
_CHUNK = 1024 * 1024  # an upload's copy is written by the megabyte
PAGE_SIZE = 25


class RuleRow(TypedDict):
    """One rule as its form shows it (lists as text, codes comma-separated)."""

    rule: str
    enabled: str  # "on" or ""
    hard: str  # "on" or ""
    message: str
    default_message: str
    countries: str
    regions: str
    amount: str
    product_ids: list[str]
    limits: dict[str, str]  # tier id ("" = any other) to a cap
    fields: list[str]


class CustomerRow(TypedDict):
    id: str
    name: str
    domain: str


def _row(rule: rules.Rule) -> RuleRow:
    return {
        "rule": rule.rule,
        "enabled": "on" if rule.enabled else "",
        "hard": "on" if rule.hard else "",
        "message": rule.message,
        "default_message": rule.default_message,
        "countries": ", ".join(rule.countries),
        "regions": ", ".join(rule.regions),
        "amount": "" if rule.amount is None else f"{rule.amount:.2f}",
        "product_ids": [str(p) for p in rule.product_ids],
        "limits": {tier: str(cap) for tier, cap in rule.limits.items()},
        "fields": list(rule.fields),
    }


def _empty(code: str) -> RuleRow:
    """A rule's row before the first read."""
    return {
        "rule": code,
        "enabled": "",
        "hard": "on",
        "message": "",
        "default_message": "",
        "countries": "",
        "regions": "",
        "amount": "",
        "product_ids": [],
        "limits": {},
        "fields": [],
    }


class RegistrationRulesState(AppState):
    rules: dict[str, RuleRow] = {code: _empty(code) for code in RULE_ORDER}
    products: list[Option] = []
    tiers: list[Option] = []
    customers: list[CustomerRow] = []
    customer_total: int = 0
    customer_page: int = 1
    customer_search: str = ""
    customer_error: str = ""
    import_report: str = ""
    sheets: list[str] = []  # the uploaded workbook's sheets, while it has several
    sheet: str = ""  # the one read
    sheet_reads: int = 0  # bumped by every read: the sheet picker keys on it
    _upload: str = ""  # that workbook's private copy (services.core.upload_store)
    upload_ticket: str = ""  # what this tab's uploads must carry (see upload_guard)
    # Bumped on every read: the forms key on it, so their inputs show the stored values again.
    revision: int = 0

    @rx.event
    def load(self):
        """When the tab is shown: the rules and the first page of customers."""
        if (redirect := self._enter(OrgKind.PROVIDER)) is not None:
            return redirect
        self.customer_error, self.import_report = "", ""
        self._forget_file()
        self.upload_ticket = self.upload_ticket or upload_guard.new_ticket()
        return self._perform(self._read)[1]

    def _read(self, session, *, actor) -> None:
        self.revision += 1
        self.rules = {r.rule: _row(r) for r in rules.rules(session, actor=actor)}
        self.products = view.options(
            deals.products_of(session, actor=actor, provider_org_id=actor.org_id)
        )
        self.tiers = view.options(rules.tier_choices(session, actor=actor))
        self._read_customers(session, actor=actor)

    def _read_customers(self, session, *, actor) -> None:
        found = existing.customers(
            session,
            actor=actor,
            search=self.customer_search,
            page=self.customer_page,
            page_size=PAGE_SIZE,
        )
        self.customer_total = found.total
        self.customers = [{"id": str(c.id), "name": c.name, "domain": c.domain} for c in found.rows]

    # rules ---------------------------------------------------------------------------------

    @rx.event
    def save_rule(self, form: dict):
        rule = form_value(form, "rule")
        rule = rule if isinstance(rule, str) and rule in RULE_ORDER else ""
        items = form.items() if isinstance(form, dict) else []
        ticked = [k for k, v in items if isinstance(k, str) and v]
        limits = {
            k.removeprefix("limit-"): v
            for k, v in items
            if isinstance(k, str) and k.startswith("limit-")
        }
        _, refusal = self._perform(
            rules.save_rule,
            rule=rule,
            enabled=form_value(form, "enabled") or "",
            hard=form_value(form, "hard") or "",
            message=form_value(form, "message") or "",
            countries=form_value(form, "countries") or "",
            regions=form_value(form, "regions") or "",
            amount=form_value(form, "amount"),
            product_ids=[k.removeprefix("product-") for k in ticked if k.startswith("product-")],
            limits=limits,
            fields=[k.removeprefix("field-") for k in ticked if k.startswith("field-")],
        )
        if refusal is not None:
            return refusal
        self._perform(self._read)
        return rx.toast.success(f"{LABELS.get(rule, 'Rule')}: saved.")

    # the customer list ---------------------------------------------------------------------

    @rx.event
    def add_customer(self, form: dict):
        _, refusal = self._perform(
            existing.add,
            error_var="customer_error",
            name=form_value(form, "name") or "",
            domain=form_value(form, "domain") or "",
        )
        if refusal is not None:
            return refusal
        self._perform(self._read_customers)
        return clear_form("add-customer")

    @rx.event
    def remove_customer(self, customer_id: str):
        _, refusal = self._perform(existing.remove, customer_id=customer_id)
        return refusal or self._perform(self._read_customers)[1]

    @rx.event
    def search_customers(self, value: str):
        self.customer_search = value[:100] if isinstance(value, str) else ""
        self.customer_page = 1
        return self._perform(self._read_customers)[1]

    @rx.event
    def next_customers(self):
        return self._turn(1)

    @rx.event
    def previous_customers(self):
        return self._turn(-1)

    def _turn(self, step: int):
        last = max(1, -(-self.customer_total // PAGE_SIZE))
        self.customer_page = min(max(1, self.customer_page + step), last)
        return self._perform(self._read_customers)[1]

    @rx.event
    async def receive_customers(self, files: list[rx.UploadFile]):
        """A list of customers (Company and/or Domain columns), CSV or spreadsheet, copied to a
        private file up to the lead import's limit (services.imports.files), then imported."""
        if not isinstance(files, list) or len(files) != 1:
            return None
        if not upload_guard.came_with(self.router.session.client_token, self.upload_ticket):
            logger.warning("an upload without its tab's ticket was refused")
            return None
        self._forget_file()  # another file: the previous one's sheets are no longer offered
        limit, too_large = csv_files.max_bytes(), False
        self._upload, copy = upload_store.create()
        try:
            with copy:
                while chunk := await files[0].read(_CHUNK):
                    if too_large := copy.tell() + len(chunk) > limit:
                        break
                    copy.write(chunk)
        except BaseException:  # the browser went away mid-upload: keep nothing
            self._forget_file()
            raise
        if too_large:
            self._forget_file()
            self.import_report = csv_files.too_large(limit)
            return None
        return self._import(None)

    @rx.event
    def choose_sheet(self, form: dict):
        """Import another sheet of the uploaded workbook (one of those it holds)."""
        name = form_value(form, "sheet")
        if self._upload and isinstance(name, str) and name in self.sheets:
            return self._import(name)
        return None

    def _import(self, sheet: str | None):
        """Import the uploaded file's `sheet` (None: its first with a value) and say what it
        read; the file is kept while it is a workbook of several sheets, to read another."""
        found, refusal = self._perform(self._import_kept, error_var="import_report", sheet=sheet)
        self.sheet_reads += 1
        if len(self.sheets) < 2:
            self._forget_file()
        if found is None:
            return refusal
        done = cast(Any, found)
        self.import_report = _report(done.added, done.already, done.refused)
        return self._perform(self._read_customers)[1]

    def _import_kept(self, session, *, actor, sheet: str | None) -> existing.Imported:
        try:
            with upload_store.open_upload(self._upload) as file:
                done = existing.import_csv(session, actor=actor, file=file, sheet=sheet)
        except existing.FileRefused as refused:  # a workbook's other sheets may still be read
            self.sheets, self.sheet = list(refused.sheets), refused.sheet
            raise
        except NotFound:  # swept: nothing left to read
            self.sheets = []
            raise
        self.sheets, self.sheet = list(done.sheets), done.sheet
        return done

    def _forget_file(self) -> None:
        upload_store.discard(self._upload)
        self._upload, self.sheets, self.sheet = "", [], ""


def _report(added: int, already: int, refused: list[str]) -> str:
    said = f"Added {added:,} customer{'s' if added != 1 else ''}"
    if already:
        said += f"; {already:,} already on the list"
    if refused:
        said += f"; {len(refused)} row{'s' if len(refused) != 1 else ''} refused: " + " ".join(
            refused
        )
    return said + "."
