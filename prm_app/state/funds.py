"""/p/funds and /c/funds: market development funds. The provider opens budgets, allocates them
to partners or tiers and decides requests and claims; the partner requests funds and claims
them with receipts (kept privately until the claim is sent; see upload_guard). Live on LEDGER
(services.mdf notes its changes there, with the payouts they become)."""

import asyncio
import logging
from typing import BinaryIO, ClassVar, TypedDict

import reflex as rx

from .. import routes
from ..models import OrgKind, TermKind
from ..services import catalog, deals, mdf
from ..services.core import upload_store
from ..services.core.changes import Topic
from ..services.core.errors import DomainError, NotAllowed
from ..services.mdf import claims as mdf_claims
from . import upload_guard, view
from .base import AppState, clear_form, form_value
from .live import LiveView
from .rows import Option

logger = logging.getLogger(__name__)
UPLOAD_ID = "receipts"
BUDGET_FORM, ALLOCATE_FORM, REQUEST_FORM, CLAIM_FORM = (
    "new-budget",
    "new-allocation",
    "new-fund-request",
    "new-claim",
)


class BudgetView(TypedDict):
    id: str
    name: str
    period: str
    status: str
    amount: str
    unallocated: str
    available: str
    committed: str
    spent: str
    expired: str


class FundsRow(TypedDict):
    """One partner's funds in one budget."""

    key: str
    budget: str
    other: str
    allocated: str
    available: str
    committed: str
    spent: str
    expired: str


class FundRequestView(TypedDict):
    id: str
    budget: str
    other: str
    activity: str
    kind: str
    dates: str
    requested: str
    approved: str
    approved_plain: str  # the approved amount as a number, for the claim form
    expected: str
    status: str
    reason: str
    claim_id: str
    claim_status: str
    claim: str
    reimbursement: str


class ReceiptLink(TypedDict):
    id: str
    claim_id: str
    name: str
    url: str


class ReturnView(TypedDict):
    id: str
    activity: str
    other: str
    spent: str
    leads: str
    won: str
    won_amount: str
    ratio: str


class FundsState(LiveView, AppState):
    LIVE_TOPIC: ClassVar[Topic] = Topic.LEDGER
    books: bool = True  # managers and admins only
    budgets: list[BudgetView] = []
    balances: list[FundsRow] = []
    requests: list[FundRequestView] = []
    receipts: list[ReceiptLink] = []
    returns: list[ReturnView] = []
    partners: list[Option] = []
    tiers: list[Option] = []
    budget_options: list[Option] = []  # a partner's budgets to request from
    claimable: list[Option] = []  # a partner's approved requests
    activity_types: list[Option] = [{"id": k, "name": v} for k, v in mdf.ACTIVITY_TYPES.items()]
    budget_error: str = ""
    allocate_error: str = ""
    request_error: str = ""
    claim_error: str = ""
    # Receipts chosen for the next claim: kept privately until it is sent (upload_store).
    upload_ticket: str = ""
    receipt_names: list[str] = []
    _receipts: list[tuple[str, str]] = []

    @rx.event
    def load_provider(self):
        return self._load(OrgKind.PROVIDER)

    @rx.event
    def load_consultant(self):
        return self._load(OrgKind.CONSULTANT)

    def _load(self, kind: OrgKind):
        if (redirect := self._enter(kind)) is not None:
            return redirect
        self.budget_error, self.allocate_error = "", ""
        self.request_error, self.claim_error = "", ""
        self.upload_ticket = self.upload_ticket or upload_guard.new_ticket()
        self._watch()
        return self._refresh()

    def _refresh(self):
        return self._perform(self._read)[1]

    def _read(self, session, *, actor) -> None:
        self._reading(actor.org_id)
        self.books = actor.sees_all
        if not self.books:
            self.budgets, self.balances, self.requests, self.receipts, self.returns = (
                [],
                [],
                [],
                [],
                [],
            )
            return
        provider = actor.org_kind == OrgKind.PROVIDER
        if provider:
            self.budgets = [_budget(b) for b in mdf.list_budgets(session, actor=actor)]
            self.partners = [
                {"id": f"p:{key}", "name": name}
                for key, name in deals.counterparts(session, actor=actor)
            ]
            self.tiers = [
                {"id": f"t:{t.id}", "name": f"Every partner in tier {t.name}"}
                for t in catalog.terms(session, actor=actor, kind=TermKind.PARTNER_TIER)
                if not t.archived
            ]
        else:
            self.budget_options = [
                {"id": str(b), "name": name}
                for b, name, _ in mdf.open_budgets(session, actor=actor)
            ]
        self.balances = [
            {
                "key": f"{b.budget_id}-{b.other_org_id}",
                "budget": b.budget_name,
                "other": b.other_name,
                "allocated": view.money(b.allocated, b.currency),
                "available": view.money(b.available, b.currency),
                "committed": view.money(b.committed, b.currency),
                "spent": view.money(b.spent, b.currency),
                "expired": view.money(b.expired, b.currency),
            }
            for b in mdf.balances(session, actor=actor)
        ]
        rows = mdf.list_requests(session, actor=actor)
        self.requests = [_request(r) for r in rows]
        self.claimable = [
            {"id": str(r.id), "name": f"{r.title} ({view.money(r.approved_amount, r.currency)})"}
            for r in rows
            if r.status == "approved"
            and r.approved_amount is not None
            and r.claim_status != "submitted"
        ]
        claim_ids = [r.claim_id for r in rows if r.claim_id]
        self.receipts = [
            {
                "id": str(x.id),
                "claim_id": str(x.claim_id),
                "name": x.file_name,
                "url": routes.file_url(routes.mdf_receipt(x.id)),
            }
            for x in mdf.receipts_of(session, actor=actor, claim_ids=claim_ids)
        ]
        self.returns = [
            {
                "id": str(r.request_id),
                "activity": r.title,
                "other": r.other_name,
                "spent": view.money(r.spent, r.currency),
                "leads": str(r.leads),
                "won": str(r.won_deals),
                "won_amount": view.money(r.won_amount, r.currency),
                "ratio": f"{r.ratio}x" if r.ratio is not None else "",
            }
            for r in mdf.returns(session, actor=actor)
        ]

    @rx.var
    def requests_url(self) -> str:
        return routes.file_url(routes.mdf_file("requests"))

    @rx.var
    def balances_url(self) -> str:
        return routes.file_url(routes.mdf_file("balances"))

    def _change(self, operation, error_var: str, form_id: str, done: str, **arguments):
        _, refusal = self._perform(operation, error_var=error_var, **arguments)
        if refusal is not None or getattr(self, error_var):
            return refusal
        self._refresh()
        return [clear_form(form_id), rx.toast.success(done)]

    # the provider -------------------------------------------------------------------------------

    @rx.event
    def create_budget(self, form: dict):
        return self._change(
            mdf.create_budget,
            "budget_error",
            BUDGET_FORM,
            "Budget opened.",
            name=form_value(form, "name"),
            period_start=form_value(form, "period_start"),
            period_end=form_value(form, "period_end"),
            amount=form_value(form, "amount"),
        )

    @rx.event
    def allocate(self, form: dict):
        target = form_value(form, "target")
        partner = tier = None
        if isinstance(target, str) and target.startswith("p:"):
            partner = target[2:]
        elif isinstance(target, str) and target.startswith("t:"):
            tier = target[2:]
        return self._change(
            mdf.allocate,
            "allocate_error",
            ALLOCATE_FORM,
            "Funds allocated.",
            budget_id=form_value(form, "budget_id"),
            amount=form_value(form, "amount"),
            partner_org_id=partner,
            tier_id=tier,
        )

    @rx.event
    def approve_request(self, form: dict):
        return self._act_and_reread(
            mdf.approve_request,
            "Request approved.",
            request_id=form_value(form, "id"),
            amount=form_value(form, "amount") or None,
        )

    @rx.event
    def deny_request(self, form: dict):
        return self._act_and_reread(
            mdf.deny_request,
            "Request denied.",
            request_id=form_value(form, "id"),
            reason=form_value(form, "reason"),
        )

    @rx.event
    def approve_claim(self, form: dict):
        return self._act_and_reread(
            mdf.approve_claim,
            "Claim approved: it waits in your payouts.",
            claim_id=form_value(form, "id"),
            amount=form_value(form, "amount") or None,
        )

    @rx.event
    def reject_claim(self, form: dict):
        return self._act_and_reread(
            mdf.reject_claim,
            "Claim rejected.",
            claim_id=form_value(form, "id"),
            reason=form_value(form, "reason"),
        )

    # the partner --------------------------------------------------------------------------------

    @rx.event
    def request_funds(self, form: dict):
        return self._change(
            mdf.request_funds,
            "request_error",
            REQUEST_FORM,
            "Request sent to the provider.",
            budget_id=form_value(form, "budget_id"),
            activity_type=form_value(form, "activity_type"),
            title=form_value(form, "title"),
            description=form_value(form, "description") or "",
            starts_on=form_value(form, "starts_on"),
            ends_on=form_value(form, "ends_on"),
            amount=form_value(form, "amount"),
            expected_leads=form_value(form, "expected_leads") or 0,
        )

    @rx.event
    def submit_claim(self, form: dict):
        receipts = list(self._receipts)
        _, refusal = self._perform(
            mdf.submit_claim,
            error_var="claim_error",
            request_id=form_value(form, "request_id"),
            amount=form_value(form, "amount"),
            results=form_value(form, "results") or "",
            actual_leads=form_value(form, "actual_leads") or 0,
            receipts=receipts,
        )
        self._forget_receipts()  # read once (or refused): choose them again
        if refusal is not None or self.claim_error:
            return refusal
        self._refresh()
        return [clear_form(CLAIM_FORM), rx.toast.success("Claim sent to the provider.")]

    @rx.event
    def forget_receipts(self):
        self._forget_receipts()

    def _forget_receipts(self) -> None:
        for key, _ in self._receipts:
            upload_store.discard(key)
        self._receipts, self.receipt_names = [], []

    @rx.event(background=True)
    async def receive_receipts(self, chunks: rx.UploadChunkIterator):
        """Stream the chosen receipts into private temp files, refusing any larger than allowed
        (the browser's limit is only a courtesy); their type is read when the claim is sent."""
        if not isinstance(chunks, rx.UploadChunkIterator):  # an event sent by hand
            return
        async with self:
            if not upload_guard.came_with(self.router.session.client_token, self.upload_ticket):
                logger.warning("an upload without its tab's ticket was refused")
                return
            try:
                actor = self._require(OrgKind.CONSULTANT)
                if not actor.sees_all:
                    raise NotAllowed("Only managers and admins claim funds.")
            except DomainError as error:
                self.claim_error = str(error)
                return
            self.claim_error = ""
            held = len(self._receipts)
        files: dict[str, tuple[str, BinaryIO]] = {}
        refusal = ""
        try:
            async for chunk in chunks:
                name = str(chunk.filename or "receipt")[:200]
                if name not in files:
                    if held + len(files) >= mdf_claims.MAX_RECEIPTS:
                        refusal = f"Add at most {mdf_claims.MAX_RECEIPTS} receipts."
                        break
                    key, handle = await asyncio.to_thread(upload_store.create)
                    files[name] = (key, handle)
                key, handle = files[name]
                handle.write(chunk.data)
                if handle.tell() > mdf_claims.MAX_RECEIPT:
                    refusal = mdf_claims.TOO_BIG
                    break
        except BaseException:  # the browser went away mid-upload: keep nothing
            for key, handle in files.values():
                handle.close()
                upload_store.discard(key)
            raise
        for _, handle in files.values():
            handle.close()
        async with self:
            if refusal:
                for key, _ in files.values():
                    upload_store.discard(key)
                self.claim_error = refusal
                return
            for name, (key, _) in files.items():
                self._receipts = [*self._receipts, (key, name)]
                self.receipt_names = [*self.receipt_names, name]


def _budget(b: mdf.BudgetRow) -> BudgetView:
    return {
        "id": str(b.id),
        "name": b.name,
        "period": f"{view.day(b.period_start)} to {view.day(b.period_end)}",
        "status": b.status,
        "amount": view.money(b.amount, b.currency),
        "unallocated": view.money(b.unallocated, b.currency),
        "available": view.money(b.available, b.currency),
        "committed": view.money(b.committed, b.currency),
        "spent": view.money(b.spent, b.currency),
        "expired": view.money(b.expired, b.currency),
    }


def _request(r: mdf.RequestRow) -> FundRequestView:
    paid = r.claim_status == "approved" and r.payout_request_id
    return {
        "id": str(r.id),
        "budget": r.budget_name,
        "other": r.other_name,
        "activity": r.title,
        "kind": mdf.ACTIVITY_TYPES.get(r.activity_type, r.activity_type),
        "dates": f"{view.day(r.starts_on)} to {view.day(r.ends_on)}",
        "requested": view.money(r.requested_amount, r.currency),
        "approved": view.money(r.approved_amount, r.currency)
        if r.approved_amount is not None
        else "",
        "approved_plain": str(r.approved_amount or ""),
        "expected": str(r.expected_leads),
        "status": r.status,
        "reason": r.decision_reason,
        "claim_id": str(r.claim_id or ""),
        "claim_status": r.claim_status,
        "claim": view.money(r.claim_amount, r.currency) if r.claim_amount is not None else "",
        "reimbursement": f"Payout request {r.payout_request_id}" if paid else "",
    }
