"""Fund requests: a partner's manager or admin asks for funds from an allocation for a
marketing activity; the provider's managers and admins approve (possibly a lower amount, which
sets the funds aside) or deny with a reason."""

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import aliased
from sqlmodel import Session, col, func, select

from ...models import (
    BudgetStatus,
    FundRequestStatus,
    LedgerKind,
    MdfAllocation,
    MdfBudget,
    MdfClaim,
    MdfRequest,
    Organization,
    OrgKind,
    utcnow,
)
from ..core import activity, inputs
from ..core.actor import Actor
from ..core.errors import Invalid, NotFound
from . import books, events

NOT_VISIBLE = "That fund request does not exist or is not visible to you."
ACTIVITY_TYPES: dict[str, str] = {
    "event": "Event",
    "webinar": "Webinar",
    "trade_show": "Trade show",
    "digital": "Digital advertising",
    "email": "Email campaign",
    "print": "Print",
    "content": "Content",
    "training": "Training",
    "other": "Other",
}
MAX_LEADS = 1_000_000


def request_funds(
    session: Session,
    *,
    actor: Actor,
    budget_id: object,
    activity_type: object,
    title: object,
    description: object,
    starts_on: object,
    ends_on: object,
    amount: object,
    expected_leads: object = 0,
) -> int:
    """A partner asks for funds of a budget it holds an allocation in; returns the request's
    id. The amount may not exceed what the partner still has available there."""
    books.require_partner(actor)
    budget_key = inputs.record_id(budget_id, what="budget")
    values = inputs.every_field(
        {
            "activity_type": lambda: _activity_type(activity_type),
            "title": lambda: inputs.text(title, field="title", label="Activity", max_len=200),
            "description": lambda: inputs.text(
                description,
                field="description",
                label="Description",
                max_len=2000,
                required=False,
            ),
            "starts_on": lambda: _day(starts_on, "starts_on", "start"),
            "ends_on": lambda: _day(ends_on, "ends_on", "end"),
            "amount": lambda: inputs.amount(amount),
            "expected_leads": lambda: _count(expected_leads, "expected_leads"),
        }
    )
    starts, ends = values["starts_on"], values["ends_on"]
    assert isinstance(starts, date) and isinstance(ends, date)
    if ends < starts:
        raise Invalid("The activity must end on or after its start.", field="ends_on")
    budget = _partner_budget(session, actor, budget_key)
    value = values["amount"]
    assert isinstance(value, Decimal)
    left = books.partner_available(session, budget, actor.org_id)
    if value > left:
        raise Invalid(
            f"That is more than your available funds in {budget.name}: "
            f"{budget.currency} {left:,.2f}.",
            field="amount",
        )
    request = MdfRequest(
        budget_id=budget.id or 0,
        provider_org_id=budget.provider_org_id,
        partner_org_id=actor.org_id,
        activity_type=str(values["activity_type"]),
        title=str(values["title"]),
        description=str(values["description"]),
        starts_on=starts,
        ends_on=ends,
        requested_amount=value,
        currency=budget.currency,
        expected_leads=int(values["expected_leads"]),  # type: ignore[call-overload]
        requested_by_id=actor.user_id,
    )
    session.add(request)
    session.flush()
    books.touched_pair(session, request.provider_org_id, request.partner_org_id)
    activity.record(session, actor=actor, subject=request, action="requested", after=state(request))
    events.requested(session, actor=actor, request=request)
    return request.id or 0


def approve_request(
    session: Session, *, actor: Actor, request_id: object, amount: object = None
) -> None:
    """The provider approves the request for its amount or less (never more than the partner
    still has available): the funds are set aside for it in the ledger."""
    request = _decidable(session, actor, request_id)
    value = request.requested_amount if amount in (None, "") else inputs.amount(amount)
    if value > request.requested_amount:
        raise Invalid(
            f"Approve at most the amount requested ({request.currency} "
            f"{request.requested_amount:,.2f}).",
            field="amount",
        )
    budget = _locked_budget(session, request.budget_id)
    left = books.partner_available(session, budget, request.partner_org_id)
    if value > left:
        raise Invalid(
            f"The partner has only {request.currency} {left:,.2f} available in {budget.name}: "
            "approve less, allocate more, or deny it.",
            field="amount",
        )
    before = state(request)
    books.post_mdf(
        session,
        kind=LedgerKind.MDF_COMMITMENT,
        budget=budget,
        partner_org_id=request.partner_org_id,
        legs=books.commitment_legs(budget.id or 0, value),
        memo=f"MDF request approved: {request.title}",
        actor=actor,
    )
    request.status, request.approved_amount = FundRequestStatus.APPROVED, value
    request.decided_by_id, request.decided_at = actor.user_id, utcnow()
    session.add(request)
    activity.record(
        session,
        actor=actor,
        subject=request,
        action="approved",
        before=before,
        after=state(request),
    )
    events.request_decided(session, actor=actor, request=request)


def deny_request(session: Session, *, actor: Actor, request_id: object, reason: object) -> None:
    """The provider denies the request, saying why; nothing moves in the ledger."""
    request = _decidable(session, actor, request_id)
    before = state(request)
    request.decision_reason = inputs.text(reason, field="reason", label="Reason", max_len=1000)
    request.status = FundRequestStatus.DENIED
    request.decided_by_id, request.decided_at = actor.user_id, utcnow()
    session.add(request)
    books.touched_pair(session, request.provider_org_id, request.partner_org_id)
    activity.record(
        session, actor=actor, subject=request, action="denied", before=before, after=state(request)
    )
    events.request_decided(session, actor=actor, request=request)


@dataclass(frozen=True, slots=True)
class RequestRow:
    id: int
    budget_id: int
    budget_name: str
    other_org_id: int
    other_name: str
    activity_type: str
    title: str
    description: str
    starts_on: date
    ends_on: date
    requested_amount: Decimal
    approved_amount: Decimal | None
    currency: str
    expected_leads: int
    status: str
    decision_reason: str
    created_at: datetime
    claim_id: int | None  # the latest claim, if any
    claim_status: str
    claim_amount: Decimal | None
    claim_approved: Decimal | None
    payout_request_id: int | None


def list_requests(
    session: Session, *, actor: Actor, status: object = None, limit: int = 200
) -> list[RequestRow]:
    """The organization's fund requests (made or received), newest first, each with its
    latest claim."""
    query = requests_query(actor, status)
    rows = session.exec(query.order_by(col(MdfRequest.id).desc()).limit(limit)).all()
    return [RequestRow(**dict(row._mapping)) for row in rows]


def requests_query(actor: Actor, status: object) -> Any:
    books.require_managers(actor)
    provider = actor.org_kind == OrgKind.PROVIDER
    own = MdfRequest.provider_org_id if provider else MdfRequest.partner_org_id
    other = MdfRequest.partner_org_id if provider else MdfRequest.provider_org_id
    where: list[Any] = [own == actor.org_id]
    if status not in (None, ""):
        if status not in tuple(FundRequestStatus):
            raise Invalid("Choose a status from the list.", field="status")
        where.append(MdfRequest.status == status)
    org = aliased(Organization)
    latest = (
        select(MdfClaim.id)
        .where(MdfClaim.request_id == MdfRequest.id)
        .order_by(col(MdfClaim.id).desc())
        .limit(1)
        .correlate(MdfRequest)
        .scalar_subquery()
    )
    return (
        sa.select(
            *_columns(
                MdfRequest.id,
                MdfRequest.budget_id,
                col(MdfBudget.name).label("budget_name"),
                col(other).label("other_org_id"),
                col(org.name).label("other_name"),
                MdfRequest.activity_type,
                MdfRequest.title,
                MdfRequest.description,
                MdfRequest.starts_on,
                MdfRequest.ends_on,
                MdfRequest.requested_amount,
                MdfRequest.approved_amount,
                MdfRequest.currency,
                MdfRequest.expected_leads,
                MdfRequest.status,
                MdfRequest.decision_reason,
                MdfRequest.created_at,
                col(MdfClaim.id).label("claim_id"),
                func.coalesce(MdfClaim.status, "").label("claim_status"),
                col(MdfClaim.amount).label("claim_amount"),
                col(MdfClaim.approved_amount).label("claim_approved"),
                col(MdfClaim.payout_request_id).label("payout_request_id"),
            )
        )
        .join(MdfBudget, col(MdfBudget.id) == MdfRequest.budget_id)
        .join(org, col(org.id) == col(other))
        .outerjoin(MdfClaim, col(MdfClaim.id) == latest)
        .where(*where)
    )


def own_request(session: Session, actor: Actor, request_id: object, *, lock: bool = False):
    """One of the caller's organization's requests (either side)."""
    books.require_managers(actor)
    request_id = inputs.record_id(request_id, what="fund request")
    own = (
        MdfRequest.provider_org_id
        if actor.org_kind == OrgKind.PROVIDER
        else MdfRequest.partner_org_id
    )
    query = select(MdfRequest).where(MdfRequest.id == request_id, own == actor.org_id)
    found = session.exec(query.with_for_update() if lock else query).first()
    if found is None:
        raise NotFound(NOT_VISIBLE)
    return found


def state(request: MdfRequest) -> dict[str, Any]:
    return {
        "title": request.title,
        "activity_type": request.activity_type,
        "requested_amount": str(request.requested_amount),
        "approved_amount": None
        if request.approved_amount is None
        else str(request.approved_amount),
        "status": request.status,
        "reason": request.decision_reason,
    }


# helpers ---------------------------------------------------------------------------------------


def _decidable(session: Session, actor: Actor, request_id: object) -> MdfRequest:
    books.require_provider(actor)
    request = own_request(session, actor, request_id, lock=True)
    if request.status != FundRequestStatus.REQUESTED:
        raise Invalid(f"This request is already {request.status}.")
    return request


def _locked_budget(session: Session, budget_id: int) -> MdfBudget:
    budget = session.exec(
        select(MdfBudget).where(MdfBudget.id == budget_id).with_for_update()
    ).one()
    return budget


def _partner_budget(session: Session, actor: Actor, budget_id: int) -> MdfBudget:
    budget = session.exec(
        select(MdfBudget)
        .where(
            MdfBudget.id == budget_id,
            col(MdfBudget.id).in_(
                select(MdfAllocation.budget_id).where(MdfAllocation.partner_org_id == actor.org_id)
            ),
        )
        .with_for_update()
    ).first()
    if budget is None:
        raise NotFound("That budget does not exist or holds no funds for you.")
    if budget.status != BudgetStatus.OPEN:
        raise Invalid("That budget's period has ended.", field="budget_id")
    return budget


def _activity_type(value: object) -> str:
    if not isinstance(value, str) or value not in ACTIVITY_TYPES:
        raise Invalid("Choose the type of activity from the list.", field="activity_type")
    return value


def _day(value: object, field: str, which: str) -> date:
    found = inputs.day(value, field=field, label=f"activity's {which}")
    if found is None:
        raise Invalid(f"Enter the activity's {which} (YYYY-MM-DD).", field=field)
    return found


def _count(value: object, field: str) -> int:
    if value in (None, ""):
        return 0
    if isinstance(value, str) and value.strip().isdigit():
        value = int(value.strip())
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= MAX_LEADS:
        raise Invalid(f"Enter a whole number from 0 to {MAX_LEADS:,}.", field=field)
    return value


def _columns(*columns: Any) -> list[Any]:
    """Columns of a wide select (past the typed overloads of `select`)."""
    return list(columns)
