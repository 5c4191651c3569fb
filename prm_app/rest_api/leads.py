"""/leads (what the caller's organization sent: a consultant's leads, a provider's referrals)
and /received-leads (what it received), over services.leads with the key's actor."""

from datetime import date
from typing import Annotated, Literal

from fastapi import APIRouter, Query, Request

from ..models import LeadSource
from ..services import leads
from ..services.integrations import custom_api
from .core import ERRORS, Caller, work
from .custom import CustomIn, CustomOut, LeadOut, ReceivedLead, SentLead, with_custom
from .schemas import (
    Converted,
    ConvertIn,
    Done,
    LeadCreated,
    LeadIn,
    LeadStageIn,
    ListPage,
    LostIn,
    PageNo,
    PageSize,
    PathId,
    QueryId,
    RejectIn,
)

router = APIRouter(tags=["leads"], responses=ERRORS)
Search = Annotated[str, Query(max_length=100)]


@router.get("/leads", response_model=ListPage[SentLead], summary="Leads or referrals sent")
def list_sent(
    request: Request,
    actor: Caller,
    status: Literal["draft", "submitted"] | None = None,
    search: Search = "",
    owner_id: QueryId = None,
    recipient_org_id: QueryId = None,
    created_from: date | None = None,
    created_to: date | None = None,
    sort: Literal["newest", "oldest", "company", "name"] = "newest",
    page: PageNo = 1,
    page_size: PageSize = 25,
):
    with work(request) as session:
        found = leads.list_sent(
            session,
            actor=actor,
            status=status,
            search=search,
            owner_id=owner_id,
            recipient_org_id=recipient_org_id,
            created_from=created_from,
            created_to=created_to,
            sort=sort,
            page=page,
            page_size=page_size,
        )
        custom = custom_api.of_leads(session, actor=actor, lead_ids=[r.id for r in found.rows])
    items = [with_custom(SentLead, row, custom.get(row.id)) for row in found.rows]
    return ListPage(items=items, total=found.total, page=found.page, page_size=page_size)


@router.post("/leads", response_model=LeadCreated, status_code=201, summary="Create and send")
def create(request: Request, actor: Caller, body: LeadIn):
    """A consultant's lead to providers, or a provider's referral to partners (a draft when
    `recipient_org_ids` is empty). `custom` is checked as the form checks it: a draft needs
    no value; sending needs the required fields of the organizations it goes to."""
    data = leads.lead_input(body.model_dump(exclude={"owner_id", "recipient_org_ids", "custom"}))
    owner = body.owner_id or actor.user_id
    to = body.recipient_org_ids
    with work(request) as session:
        fields = custom_api.new_record_fields(
            session, actor=actor, entity=custom_api.lead_entity_of(actor), other_org_ids=to
        )
        with custom_api.api_names(fields):
            if not to:
                lead_id = leads.save_draft(
                    session,
                    actor=actor,
                    data=data,
                    owner_id=owner,
                    source=LeadSource.API,
                    recipient_org_ids=to,
                    custom=body.custom,
                    named_by="key",
                )
                return LeadCreated(lead_id=lead_id, recipient_ids=[])
            lead_id, sent = leads.create_and_submit(
                session,
                actor=actor,
                data=data,
                owner_id=owner,
                source=LeadSource.API,
                recipient_org_ids=to,
                custom=body.custom,
                named_by="key",
            )
    return LeadCreated(lead_id=lead_id, recipient_ids=sent)


@router.get("/leads/{lead_id}", response_model=LeadOut, summary="A lead, from either side")
def detail(request: Request, actor: Caller, lead_id: PathId):
    with work(request) as session:
        found = leads.detail(session, actor=actor, lead_id=lead_id)
        custom = custom_api.lead_custom(session, actor=actor, lead_id=lead_id)
    return with_custom(LeadOut, found, custom)


@router.patch("/leads/{lead_id}", response_model=CustomOut, summary="Change a lead's custom values")
def change(request: Request, actor: Caller, lead_id: PathId, body: CustomIn):
    """Either side changes the custom fields it may edit; fields not named stay as they are."""
    with work(request) as session:
        custom = custom_api.set_lead_custom(
            session, actor=actor, lead_id=lead_id, values=body.custom
        )
    return CustomOut(custom=custom)


@router.get(
    "/received-leads", response_model=ListPage[ReceivedLead], summary="Leads or referrals received"
)
def list_received(
    request: Request,
    actor: Caller,
    status: Literal["pending", "opened", "accepted", "rejected", "converted", "lost", "returned"]
    | None = None,
    search: Search = "",
    stage_id: QueryId = None,
    owner_id: QueryId = None,
    origin_org_id: QueryId = None,
    created_from: date | None = None,
    created_to: date | None = None,
    sort: Literal["newest", "oldest", "company", "deadline"] = "newest",
    page: PageNo = 1,
    page_size: PageSize = 25,
):
    with work(request) as session:
        found = leads.list_received(
            session,
            actor=actor,
            status=status,
            search=search,
            stage_id=stage_id,
            owner_id=owner_id,
            origin_org_id=origin_org_id,
            created_from=created_from,
            created_to=created_to,
            sort=sort,
            page=page,
            page_size=page_size,
        )
        ids = [r.lead_id for r in found.rows]
        custom = custom_api.of_leads(session, actor=actor, lead_ids=ids)
    items = [with_custom(ReceivedLead, row, custom.get(row.lead_id)) for row in found.rows]
    return ListPage(items=items, total=found.total, page=found.page, page_size=page_size)


@router.post(
    "/received-leads/{recipient_id}/open",
    response_model=Done,
    summary="Open a referral: its contact details become visible",
)
def open_referral(request: Request, actor: Caller, recipient_id: PathId):
    with work(request) as session:
        leads.open_referral(session, actor=actor, recipient_id=recipient_id)
    return Done()


@router.post("/received-leads/{recipient_id}/accept", response_model=Done)
def accept(request: Request, actor: Caller, recipient_id: PathId):
    with work(request) as session:
        leads.accept(session, actor=actor, recipient_id=recipient_id)
    return Done()


@router.post("/received-leads/{recipient_id}/reject", response_model=Done)
def reject(request: Request, actor: Caller, recipient_id: PathId, body: RejectIn):
    with work(request) as session:
        leads.reject(session, actor=actor, recipient_id=recipient_id, reason=body.reason)
    return Done()


@router.post("/received-leads/{recipient_id}/stage", response_model=Done)
def move_stage(request: Request, actor: Caller, recipient_id: PathId, body: LeadStageIn):
    with work(request) as session:
        leads.move_stage(session, actor=actor, recipient_id=recipient_id, stage_id=body.stage_id)
    return Done()


@router.post(
    "/received-leads/{recipient_id}/lost",
    response_model=Done,
    summary="Close an accepted lead as lost, with a reason from the provider's list",
)
def mark_lost(request: Request, actor: Caller, recipient_id: PathId, body: LostIn):
    with work(request) as session:
        leads.mark_lost(
            session, actor=actor, recipient_id=recipient_id, reason=body.reason, note=body.note
        )
    return Done()


@router.post(
    "/received-leads/{recipient_id}/convert",
    response_model=Converted,
    status_code=201,
    summary="Turn an accepted lead into a deal",
)
def convert(request: Request, actor: Caller, recipient_id: PathId, body: ConvertIn):
    """The deal's `custom` needs the required deal fields the caller sees, as Submit Deal."""
    with (
        work(request) as session,
        custom_api.api_names(
            custom_api.convert_fields(session, actor=actor, recipient_id=recipient_id)
        ),
    ):
        deal_id = leads.convert(
            session,
            actor=actor,
            recipient_id=recipient_id,
            amount=body.amount,
            close_date=body.close_date,
            country=body.country,
            region=body.region,
            product_ids=body.product_ids,
            custom_values=body.custom,
            custom_named_by="key",
        )
    return Converted(deal_id=deal_id)
