"""Commissions and credits in both portals: balances, the statement, redemption requests, the
provider's commission terms, and one deal's commission (on the deal's page)."""

from typing import ClassVar, TypedDict, cast
from urllib.parse import urlencode

import reflex as rx

from .. import routes
from ..models import OrgKind
from ..services import deals, ledger
from ..services.core.changes import Topic
from ..services.ledger import payouts
from . import view
from .base import AppState, form_value
from .live import LiveView
from .rows import Option

PAGE_SIZE = 20


class BalanceRow(TypedDict):
    """The balances with one organization across, as money text."""

    id: str
    name: str
    pending: str
    commission: str
    credits: str
    requested: str
    available: str
    due: str
    redeemed: str
    threshold: str


class StatementLine(TypedDict):
    """One line of the statement."""

    id: str
    date: str
    other: str
    kind: str
    status: str
    deal: str
    deal_link: str
    memo: str
    amount: str
    effect: str  # "+", "\u2212" or ""
    approvable: str  # "yes" when the caller can approve it


class PayoutRow(TypedDict):
    """A payout or redemption request."""

    id: str
    other: str
    kind: str
    detail: str
    amount: str
    status: str
    note: str
    by: str
    date: str
    word: str  # the button that settles it


class TermsRow(TypedDict):
    """A partner's commission terms (the provider's view)."""

    id: str
    name: str
    kind: str
    value: str
    description: str


class DealMoney(TypedDict):
    """One deal's commission and credit (`{}` before the first read or when not visible)."""

    terms: str
    commission: str
    commission_status: str
    credit: str
    credit_status: str
    refunded: str
    can_refund: str
    can_approve: str
    accrual_id: str


class CommissionsState(LiveView, AppState):
    """/p/commissions and /c/commissions: what the organization earned, holds and redeemed."""

    books: bool = True  # whether the caller reads the books (managers and admins)
    balances: list[BalanceRow] = []
    lines: list[StatementLine] = []
    requests: list[PayoutRow] = []
    terms: list[TermsRow] = []
    others: list[Option] = []
    other_org_id: str = ""
    page: int = 1
    total: int = 0
    request_error: str = ""
    LIVE_TOPIC: ClassVar[Topic] = Topic.LEDGER  # balances, statement and requests, live

    @rx.event
    def load_provider(self):
        return self._load(OrgKind.PROVIDER)

    @rx.event
    def load_consultant(self):
        return self._load(OrgKind.CONSULTANT)

    def _load(self, kind: OrgKind):
        if (redirect := self._enter(kind)) is not None:
            return redirect
        self.page, self.other_org_id, self.request_error = 1, "", ""
        self._watch()
        return self._refresh()

    def _refresh(self):
        return self._perform(self._read)[1]

    def _read(self, session, *, actor) -> None:
        self._reading(actor.org_id)
        self.books = actor.sees_all
        if not self.books:
            self.balances, self.lines, self.requests, self.terms = [], [], [], []
            return
        self.others = [
            {"id": str(key), "name": name} for key, name in deals.counterparts(session, actor=actor)
        ]
        chosen = self.other_org_id or None
        self.balances = [
            {
                "id": str(b.other_org_id),
                "name": b.other_name,
                "pending": view.money(b.pending, b.currency),
                "commission": view.money(b.commission, b.currency),
                "credits": view.money(b.credits, b.currency),
                "requested": view.money(b.requested, b.currency),
                "available": view.money(b.available, b.currency),
                "due": view.money(b.due, b.currency),
                "redeemed": view.money(b.redeemed, b.currency),
                "threshold": view.money(b.threshold, b.currency),
            }
            for b in ledger.balances(session, actor=actor, other_org_id=chosen)
        ]
        found = ledger.statement(
            session, actor=actor, other_org_id=chosen, page=self.page, page_size=PAGE_SIZE
        )
        self.total = found.total
        provider = actor.org_kind == OrgKind.PROVIDER
        self.lines = [
            {
                "id": str(line.id),
                "date": view.day(line.created_at),
                "other": line.other_name,
                "kind": ledger.KIND_LABELS.get(line.kind, line.kind),
                "status": line.status,
                "deal": line.deal_name,
                "deal_link": routes.deal_page(actor.org_kind, line.deal_id) if line.deal_id else "",
                "memo": line.memo,
                "amount": view.money(line.amount, line.currency),
                "effect": "+" if line.effect > 0 else "\u2212" if line.effect < 0 else "",
                "approvable": "yes"
                if provider and line.kind == "commission_accrual" and line.status == "pending"
                else "",
            }
            for line in found.rows
        ]
        self.requests = [
            {
                "id": str(r.id),
                "other": r.other_name,
                "kind": payouts.KINDS.get(r.kind, r.kind),
                "detail": payouts.METHODS.get(r.method, r.invoice_ref),
                "amount": view.money(r.amount, r.currency),
                "status": r.status,
                "note": r.note,
                "by": r.requested_by,
                "date": view.day(r.created_at),
                "word": "Mark paid" if r.kind in ("cash", "mdf") else "Mark applied",
            }
            for r in payouts.list_requests(
                session, actor=actor, other_org_id=chosen, page_size=50
            ).rows
        ]
        self.terms = (
            [
                {
                    "id": str(t.partnership_id),
                    "name": t.partner_name,
                    "kind": t.kind,
                    "value": t.value,
                    "description": t.description,
                }
                for t in ledger.partner_terms(session, actor=actor)
            ]
            if provider
            else []
        )

    @rx.var
    def statement_url(self) -> str:
        query = urlencode({"other_org_id": self.other_org_id} if self.other_org_id else {})
        return routes.file_url(routes.ledger_file("statement")) + (f"?{query}" if query else "")

    @rx.var
    def payouts_url(self) -> str:
        query = urlencode({"other_org_id": self.other_org_id} if self.other_org_id else {})
        return routes.file_url(routes.ledger_file("payouts")) + (f"?{query}" if query else "")

    @rx.event
    def choose_other(self, value: str):
        self.other_org_id = value if isinstance(value, str) and value.isdigit() else ""
        self.page = 1
        return self._refresh()

    @rx.event
    def turn_page(self, delta: int):
        if delta not in (-1, 1):
            return None
        self.page = max(1, self.page + delta)
        return self._refresh()

    @rx.event
    def approve_commission(self, transaction_id: str):
        return self._act_and_reread(
            ledger.approve_commission, "Commission approved.", transaction_id=transaction_id
        )

    @rx.event
    def approve_request(self, request_id: str):
        return self._act_and_reread(payouts.approve, "Request approved.", request_id=request_id)

    @rx.event
    def decline_request(self, form: dict):
        return self._act_and_reread(
            payouts.decline,
            "Request declined.",
            request_id=form_value(form, "id"),
            reason=form_value(form, "reason"),
        )

    @rx.event
    def mark_paid(self, form: dict):
        return self._act_and_reread(
            payouts.mark_paid,
            "Recorded as paid.",
            request_id=form_value(form, "id"),
            reference=form_value(form, "reference") or "",
        )

    @rx.event
    def set_terms(self, form: dict):
        return self._act_and_reread(
            ledger.set_terms,
            "Commission terms saved.",
            partnership_id=form_value(form, "id"),
            kind=form_value(form, "kind"),
            value=form_value(form, "value") or "",
        )

    @rx.event
    def request_payout(self, form: dict):
        _, refusal = self._perform(
            payouts.request,
            error_var="request_error",
            provider_org_id=form_value(form, "provider_org_id"),
            kind=form_value(form, "kind"),
            amount=form_value(form, "amount"),
            method=form_value(form, "method") or "",
            invoice_ref=form_value(form, "invoice_ref") or "",
        )
        if refusal is not None or self.request_error:
            return refusal
        self._refresh()
        return rx.toast.success("Request sent to the provider.")


class DealMoneyState(AppState):
    """A deal's commission terms and earnings, on the deal's page of either portal."""

    money: DealMoney = cast(DealMoney, {})

    def _deal_id(self) -> str:
        raw = self.router.page.params.get("deal_id", "")
        return raw if isinstance(raw, str) and raw.isdigit() and len(raw) < 19 else "0"

    @rx.event
    def load(self):
        self.money = cast(DealMoney, {})
        return self._refresh()

    @rx.event
    def follow(self, _version: int):
        """Re-read when the organization's deals changed (the page's DealsPulse moved)."""
        return self._refresh()

    def _refresh(self):
        _, refusal = self._perform(self._read)
        if refusal is not None:
            self.money = cast(DealMoney, {})
        return None  # the deal's own state tells the user when the deal is not visible

    def _read(self, session, *, actor) -> None:
        seen = ledger.deal_money(session, actor=actor, deal_id=self._deal_id())
        self.money = {
            "terms": seen.terms,
            "commission": view.money(seen.commission, seen.currency) if seen.commission else "",
            "commission_status": seen.commission_status,
            "credit": view.money(seen.credit, seen.currency) if seen.credit else "",
            "credit_status": seen.credit_status,
            "refunded": "yes" if seen.refunded else "",
            "can_refund": "yes" if seen.can_refund else "",
            "can_approve": "yes" if seen.can_approve else "",
            "accrual_id": str(seen.accrual_id or ""),
        }

    @rx.event
    def approve(self):
        _, refusal = self._perform(
            ledger.approve_commission, transaction_id=self.money.get("accrual_id", "")
        )
        self._refresh()
        return refusal or rx.toast.success("Commission approved.")

    @rx.event
    def refund(self, form: dict):
        _, refusal = self._perform(
            ledger.refund_deal, deal_id=self._deal_id(), reason=form_value(form, "reason")
        )
        self._refresh()
        return refusal or rx.toast.success("Refund recorded: commission and credit reversed.")
