"""Claims: after the activity, the partner claims up to the approved amount with receipts
(PDF, PNG or JPEG, each read from the private upload store, its type read from its bytes,
never from its name) and results; the provider approves (up to the approved request) or
rejects. An approved claim becomes an approved payout request (kind "mdf") that the provider
settles in its payouts like any other; the rest of the approved request goes back to the
partner's available funds."""

from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, col, select

from ...models import (
    ClaimStatus,
    FundRequestStatus,
    LedgerKind,
    MdfBudget,
    MdfClaim,
    MdfReceipt,
    MdfRequest,
    OrgKind,
    PayoutKind,
    PayoutRequest,
    PayoutStatus,
    utcnow,
)
from ..core import activity, inputs, upload_store
from ..core.actor import Actor
from ..core.errors import Invalid, NotFound
from . import books, events
from .requests import own_request

MAX_RECEIPT = 5 * 1024 * 1024
MAX_RECEIPTS = 5
PDF, PNG, JPEG = "application/pdf", "image/png", "image/jpeg"
EXTENSIONS = {PDF: "pdf", PNG: "png", JPEG: "jpg"}
NOT_A_RECEIPT = "A receipt must be a PDF, PNG or JPEG file."
TOO_BIG = f"Each receipt must be at most {MAX_RECEIPT // (1024 * 1024)} MB."
NOT_VISIBLE = "That claim does not exist or is not visible to you."
RECEIPT_NOT_VISIBLE = "That receipt does not exist or is not visible to you."


def media_type(content: bytes) -> str:
    """The receipt's type, read from its first bytes (a name or a browser's word is not
    trusted); anything else is refused."""
    if content.startswith(b"%PDF-"):
        return PDF
    if content.startswith(b"\x89PNG\r\n\x1a\n"):
        return PNG
    if content.startswith(b"\xff\xd8\xff"):
        return JPEG
    raise Invalid(NOT_A_RECEIPT, field="receipts")


def read_receipts(receipts: object) -> list[tuple[str, str, bytes]]:
    """[(file name, media type, bytes)] of uploads kept in the private store, given as
    [(upload key, file name)]; the stored files are discarded once read."""
    if not isinstance(receipts, list | tuple) or not receipts:
        raise Invalid("Add at least one receipt (PDF, PNG or JPEG).", field="receipts")
    if len(receipts) > MAX_RECEIPTS:
        raise Invalid(f"Add at most {MAX_RECEIPTS} receipts.", field="receipts")
    found = []
    try:
        for item in receipts:
            if not isinstance(item, list | tuple) or len(item) != 2:
                raise Invalid("Add the receipts again.", field="receipts")
            key, name = item
            with upload_store.open_upload(str(key)) as stored:
                content = stored.read(MAX_RECEIPT + 1)
            if len(content) > MAX_RECEIPT:
                raise Invalid(TOO_BIG, field="receipts")
            kind = media_type(content)
            clean = name.strip()[:200] if isinstance(name, str) else ""
            found.append((clean or f"receipt.{EXTENSIONS[kind]}", kind, content))
    finally:
        for item in receipts:
            if isinstance(item, list | tuple) and item:
                upload_store.discard(str(item[0]))
    return found


def submit_claim(
    session: Session,
    *,
    actor: Actor,
    request_id: object,
    amount: object,
    results: object,
    actual_leads: object,
    receipts: object,
) -> int:
    """The partner claims the activity's cost (at most the approved amount) with receipts."""
    books.require_partner(actor)
    request = own_request(session, actor, request_id, lock=True)
    value = inputs.amount(amount)
    summary = inputs.text(results, field="results", label="Results", max_len=2000, required=False)
    leads = _count(actual_leads)
    if request.status != FundRequestStatus.APPROVED or request.approved_amount is None:
        raise Invalid(f"Only an approved request is claimed; this one is {request.status}.")
    if value > request.approved_amount:
        raise Invalid(
            f"A claim cannot exceed the approved amount ({request.currency} "
            f"{request.approved_amount:,.2f}).",
            field="amount",
        )
    waiting = session.exec(
        select(MdfClaim.id).where(
            MdfClaim.request_id == request.id, MdfClaim.status == ClaimStatus.SUBMITTED
        )
    ).first()
    if waiting is not None:
        raise Invalid("A claim for this request is already waiting for the provider's decision.")
    files = read_receipts(receipts)
    claim = MdfClaim(
        request_id=request.id or 0,
        provider_org_id=request.provider_org_id,
        partner_org_id=request.partner_org_id,
        amount=value,
        currency=request.currency,
        results=summary,
        actual_leads=leads,
        submitted_by_id=actor.user_id,
    )
    session.add(claim)
    session.flush()
    session.add_all(
        MdfReceipt(
            claim_id=claim.id or 0,
            file_name=name,
            media_type=kind,
            size=len(content),
            content=content,
            uploaded_by_id=actor.user_id,
        )
        for name, kind, content in files
    )
    books.touched_pair(session, claim.provider_org_id, claim.partner_org_id)
    activity.record(
        session,
        actor=actor,
        subject=claim,
        action="submitted",
        after={**_state(claim), "receipts": [name for name, _, _ in files]},
    )
    events.claimed(session, actor=actor, claim=claim, request=request)
    return claim.id or 0


def approve_claim(
    session: Session, *, actor: Actor, claim_id: object, amount: object = None
) -> int:
    """The provider approves the claim for its amount or less (never more than the request's
    approved amount): it is due to the partner as an approved payout request, and the rest of
    the request's funds go back to the partner's available funds. Returns the payout request."""
    claim, request = _decidable(session, actor, claim_id)
    approved = request.approved_amount or books.ZERO
    value = claim.amount if amount in (None, "") else inputs.amount(amount)
    if value > claim.amount or value > approved:
        raise Invalid(
            f"Approve at most the amount claimed ({claim.currency} {claim.amount:,.2f}) "
            f"and approved ({request.currency} {approved:,.2f}).",
            field="amount",
        )
    budget = session.exec(
        select(MdfBudget).where(MdfBudget.id == request.budget_id).with_for_update()
    ).one()
    now = utcnow()
    payout = PayoutRequest(
        provider_org_id=claim.provider_org_id,
        partner_org_id=claim.partner_org_id,
        kind=PayoutKind.MDF,
        amount=value,
        currency=claim.currency,
        status=PayoutStatus.APPROVED,
        note=f"MDF claim for {request.title}"[:500],
        requested_by_id=claim.submitted_by_id,
        decided_by_id=actor.user_id,
        decided_at=now,
    )
    session.add(payout)
    session.flush()
    books.post_mdf(
        session,
        kind=LedgerKind.MDF_CLAIM,
        budget=budget,
        partner_org_id=claim.partner_org_id,
        legs=books.claim_legs(budget.id or 0, approved, value),
        memo=f"MDF claim approved: {request.title}",
        actor=actor,
        payout_request_id=payout.id,
    )
    activity.record(
        session,
        actor=actor,
        subject=payout,
        action="approved",
        after={"kind": payout.kind, "amount": str(value), "status": payout.status},
    )
    before = _state(claim)
    claim.status, claim.approved_amount, claim.payout_request_id = (
        ClaimStatus.APPROVED,
        value,
        payout.id,
    )
    claim.decided_by_id, claim.decided_at = actor.user_id, now
    session.add(claim)
    request.status = FundRequestStatus.CLAIMED
    session.add(request)
    activity.record(
        session, actor=actor, subject=claim, action="approved", before=before, after=_state(claim)
    )
    events.claim_decided(session, actor=actor, claim=claim, request=request)
    return payout.id or 0


def reject_claim(session: Session, *, actor: Actor, claim_id: object, reason: object) -> None:
    """The provider rejects the claim, saying why; the request stays approved, so the partner
    may claim again (with better receipts, say)."""
    claim, request = _decidable(session, actor, claim_id)
    before = _state(claim)
    claim.decision_reason = inputs.text(reason, field="reason", label="Reason", max_len=1000)
    claim.status = ClaimStatus.REJECTED
    claim.decided_by_id, claim.decided_at = actor.user_id, utcnow()
    session.add(claim)
    books.touched_pair(session, claim.provider_org_id, claim.partner_org_id)
    activity.record(
        session, actor=actor, subject=claim, action="rejected", before=before, after=_state(claim)
    )
    events.claim_decided(session, actor=actor, claim=claim, request=request)


@dataclass(frozen=True, slots=True)
class ReceiptRow:
    id: int
    claim_id: int
    file_name: str
    media_type: str
    size: int


def receipts_of(session: Session, *, actor: Actor, claim_ids: list[int]) -> list[ReceiptRow]:
    """The receipts of these claims of the caller's organization."""
    books.require_managers(actor)
    if not claim_ids:
        return []
    own = (
        MdfClaim.provider_org_id if actor.org_kind == OrgKind.PROVIDER else MdfClaim.partner_org_id
    )
    query: Any = (
        sa.select(
            *_columns(
                MdfReceipt.id,
                MdfReceipt.claim_id,
                MdfReceipt.file_name,
                MdfReceipt.media_type,
                MdfReceipt.size,
            )
        )
        .join(MdfClaim, col(MdfClaim.id) == MdfReceipt.claim_id)
        .where(col(MdfReceipt.claim_id).in_(claim_ids), col(own) == actor.org_id)
        .order_by(col(MdfReceipt.id))
    )
    rows = session.exec(query).all()
    return [ReceiptRow(*row) for row in rows]


@dataclass(frozen=True, slots=True)
class File:
    name: str
    media_type: str
    content: bytes


def receipt_file(session: Session, *, actor: Actor, receipt_id: object) -> File:
    """A receipt, for the managers and admins of the claim's two organizations only."""
    books.require_managers(actor)
    receipt_key = inputs.record_id(receipt_id, what="receipt")
    row = session.exec(
        select(MdfReceipt, MdfClaim)
        .join(MdfClaim, col(MdfClaim.id) == MdfReceipt.claim_id)
        .where(MdfReceipt.id == receipt_key)
    ).first()
    if row is None:
        raise NotFound(RECEIPT_NOT_VISIBLE)
    receipt, claim = row
    if actor.org_id not in (claim.provider_org_id, claim.partner_org_id):
        raise NotFound(RECEIPT_NOT_VISIBLE)
    return File(receipt.file_name, receipt.media_type, receipt.content)


# helpers ---------------------------------------------------------------------------------------


def _decidable(session: Session, actor: Actor, claim_id: object) -> tuple[MdfClaim, MdfRequest]:
    books.require_provider(actor)
    claim_key = inputs.record_id(claim_id, what="claim")
    claim = session.exec(
        select(MdfClaim)
        .where(MdfClaim.id == claim_key, MdfClaim.provider_org_id == actor.org_id)
        .with_for_update()
    ).first()
    if claim is None:
        raise NotFound(NOT_VISIBLE)
    if claim.status != ClaimStatus.SUBMITTED:
        raise Invalid(f"This claim is already {claim.status}.")
    request = own_request(session, actor, claim.request_id, lock=True)
    return claim, request


def _count(value: object) -> int:
    if value in (None, ""):
        return 0
    if isinstance(value, str) and value.strip().isdigit():
        value = int(value.strip())
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= 1_000_000:
        raise Invalid("Enter a whole number from 0 to 1,000,000.", field="actual_leads")
    return value


def _state(claim: MdfClaim) -> dict[str, object]:
    return {
        "amount": str(claim.amount),
        "approved_amount": None if claim.approved_amount is None else str(claim.approved_amount),
        "status": claim.status,
        "reason": claim.decision_reason,
        "actual_leads": claim.actual_leads,
    }


def _columns(*columns: Any) -> list[Any]:
    """Columns of a wide select (past the typed overloads of `select`)."""
    return list(columns)
