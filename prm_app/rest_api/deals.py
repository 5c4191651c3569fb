"""/deals: the caller's organization's deals (either side), over services.deals and
services.deals.lifecycle with the key's actor."""

from typing import Annotated, Literal

from fastapi import APIRouter, Query, Request

from ..models import FieldEntity
from ..services import deals
from ..services.deals import eligibility, withdrawal
from ..services.deals import lifecycle as deal_changes
from ..services.integrations import custom_api
from .core import ERRORS, Caller, work
from .custom import CustomIn, CustomOut, DealListed, DealOut, with_custom
from .schemas import (
    DealCheck,
    DealCheckIn,
    DealCreated,
    DealIn,
    DealResubmitIn,
    DealStageIn,
    Done,
    ListPage,
    PageNo,
    PageSize,
    PathId,
    QueryId,
    WithdrawIn,
)

router = APIRouter(tags=["deals"], responses=ERRORS)


@router.get("/deals", response_model=ListPage[DealListed], summary="Deals")
def list_deals(
    request: Request,
    actor: Caller,
    search: Annotated[str, Query(max_length=100)] = "",
    approval: Literal["pending", "approved", "rejected", "withdrawn"] | None = None,
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
        custom = custom_api.of_deals(session, actor=actor, deal_ids=[r.id for r in found.rows])
    items = [with_custom(DealListed, row, custom.get(row.id)) for row in found.rows]
    return ListPage(items=items, total=found.total, page=found.page, page_size=page_size)


@router.post("/deals", response_model=DealCreated, status_code=201, summary="Register a deal")
def register(request: Request, actor: Caller, body: DealIn):
    """A consultant registers a deal with a provider; a provider records one for a partner.
    `custom` needs the required deal fields of both sides, as the deal form does."""
    form = body.model_dump(exclude={"other_org_id", "custom"})
    with work(request) as session:
        fields = custom_api.new_record_fields(
            session, actor=actor, entity=FieldEntity.DEAL, other_org_ids=[body.other_org_id]
        )
        with custom_api.api_names(fields):
            done = deal_changes.register(
                session,
                actor=actor,
                other_org_id=body.other_org_id,
                form=form,
                custom_values=body.custom,
                custom_named_by="key",
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


@router.get("/deals/{deal_id}", response_model=DealOut, summary="A deal")
def detail(request: Request, actor: Caller, deal_id: PathId):
    with work(request) as session:
        found = deals.detail(session, actor=actor, deal_id=deal_id)
        custom = custom_api.deal_custom(session, actor=actor, deal_id=deal_id)
    return with_custom(DealOut, found, custom)


@router.patch("/deals/{deal_id}", response_model=CustomOut, summary="Change a deal's custom values")
def change(request: Request, actor: Caller, deal_id: PathId, body: CustomIn):
    """Either side changes the custom fields it may edit on an open deal; fields not named stay
    as they are."""
    with work(request) as session:
        custom = custom_api.set_deal_custom(
            session, actor=actor, deal_id=deal_id, values=body.custom
        )
    return CustomOut(custom=custom)


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


@router.post("/deals/{deal_id}/withdraw", response_model=Done, summary="Withdraw a registration")
def withdraw(request: Request, actor: Caller, deal_id: PathId, body: WithdrawIn):
    """The partner withdraws an open registration (pending or approved) with a reason: final,
    its protection of the customer ends now and the provider is told."""
    with work(request) as session:
        withdrawal.withdraw(
            session, actor=actor, deal_id=deal_id, version=body.version, reason=body.reason
        )
    return Done()


@router.post(
    "/deals/{deal_id}/resubmit",
    response_model=DealCreated,
    status_code=201,
    summary="Resubmit a rejected or expired registration",
)
def resubmit(request: Request, actor: Caller, deal_id: PathId, body: DealResubmitIn):
    """The partner registers a rejected registration, or one whose protection ended without
    being won, again: a new pending deal linked to it, up to the provider's cap."""
    with work(request) as session:
        done = withdrawal.resubmit(session, actor=actor, deal_id=deal_id, form=body.model_dump())
    until = done.protected_until.isoformat() if done.protected_until else None
    return DealCreated(deal_id=done.deal_id, protected_elsewhere_until=until)
