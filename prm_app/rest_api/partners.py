"""/partners (a provider's partners) and /providers (a consultant's providers)."""

from typing import Annotated, Literal

from fastapi import APIRouter, Query, Request

from ..services import partnerships
from ..services.partnerships import PartnerView, ProviderView
from .core import ERRORS, Caller, work
from .schemas import QueryId

router = APIRouter(tags=["partners"], responses=ERRORS)


@router.get("/partners", response_model=list[PartnerView], summary="A provider's partners")
def partner_directory(
    request: Request,
    actor: Caller,
    partner_type_id: QueryId = None,
    partner_status_id: QueryId = None,
    partner_tier_id: QueryId = None,
    partner_group_id: QueryId = None,
    search: Annotated[str, Query(max_length=100)] = "",
    sort: Literal["name", "since", "tier"] = "name",
    include_ended: bool = False,
):
    with work(request) as session:
        return partnerships.partner_directory(
            session,
            actor=actor,
            partner_type_id=partner_type_id,
            partner_status_id=partner_status_id,
            partner_tier_id=partner_tier_id,
            partner_group_id=partner_group_id,
            search=search,
            sort=sort,
            include_ended=include_ended,
        )


@router.get("/providers", response_model=list[ProviderView], summary="A consultant's providers")
def my_providers(request: Request, actor: Caller):
    with work(request) as session:
        return partnerships.my_providers(session, actor=actor)
