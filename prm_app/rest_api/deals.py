"""/deals: the caller's organization's deals (either side), over services.deals and
services.deals.lifecycle with the key's actor."""

from typing import Annotated, Literal

from fastapi import APIRouter, Query, Request

from ..services import deals
from ..services.deals import DealDetail, DealRow, eligibility
from ..services.deals import lifecycle as deal_changes
from .core import ERRORS, Caller, work
from .schemas import (
    DealCheck,
    DealCheckIn,
    DealCreated,
    DealIn,
    DealStageIn,
    Done,
    ListPage,
    PageNo,
    PageSize,
    PathId,
    QueryId,
)

router = APIRouter(tags=["deals"], responses=ERRORS)


@router.get("/deals", response_model=ListPage[DealRow], summary="Deals")
def list_deals(
    request: Request,
    actor: Caller,
    search: Annotated[str, Query(max_length=100)] = "",
    approval: Literal["pending", "approved", "rejected"] | None = None,
    outcome: Literal["open", "won", "lost"] | None = None,
    stage_id: QueryId = None,
    other_org_id: QueryId = None,
    owner_id: QueryId = None,
    sort: Literal["newest", "oldest", "amount", "close_date", "company"] = "newest",
    page: PageNo = 1,
    page_size: PageSize = 25,
):
    with work(request) as session:
        found = deals.list_deals(
            session,
            actor=actor,
            search=search,
            approval=approval,
            outcome=outcome,
            stage_id=stage_id,
            other_org_id=other_org_id,
            owner_id=owner_id,
            sort=sort,
            page=page,
            page_size=page_size,
        )
    return ListPage(items=found.rows, total=found.total, page=found.page, page_size=page_size)


@router.post("/deals", response_model=DealCreated, status_code=201, summary="Register a deal")
def register(request: Request, actor: Caller, body: DealIn):
    """A consultant registers a deal with a provider; a provider records one for a partner."""
    form = body.model_dump(exclude={"other_org_id"})
    with work(request) as session:
        done = deal_changes.register(
            session, actor=actor, other_org_id=body.other_org_id, form=form
        )
    until = done.protected_until.isoformat() if done.protected_until else None
    return DealCreated(deal_id=done.deal_id, protected_elsewhere_until=until)


@router.post("/deals/check", response_model=DealCheck, summary="Check a registration's rules")
def check(request: Request, actor: Caller, body: DealCheckIn):
    """The provider's registration rules in force, each with its verdict on this registration,
    as the deal form shows them (hard rules block a registration, soft ones warn). Nothing is
    saved. A customer protected for another partner reads "already protected until DATE"."""
    form = body.model_dump(exclude={"other_org_id"}, mode="json")
    form["amount"] = "" if body.amount is None else str(body.amount)
    with work(request) as session:
        verdicts = eligibility.check(
            session, actor=actor, other_org_id=body.other_org_id, form=form
        )
    return DealCheck(ok=not any(v.hard and not v.passed for v in verdicts), verdicts=verdicts)


@router.get("/deals/{deal_id}", response_model=DealDetail, summary="A deal")
def detail(request: Request, actor: Caller, deal_id: PathId):
    with work(request) as session:
        return deals.detail(session, actor=actor, deal_id=deal_id)


@router.post("/deals/{deal_id}/stage", response_model=Done, summary="Move a deal's stage")
def move_stage(request: Request, actor: Caller, deal_id: PathId, body: DealStageIn):
    """Closed Lost needs a reason from the provider's list; a stale `version` is a 409."""
    with work(request) as session:
        deal_changes.move_stage(
            session,
            actor=actor,
            deal_id=deal_id,
            version=body.version,
            stage_id=body.stage_id,
            reason=body.reason,
            note=body.note,
        )
    return Done()
