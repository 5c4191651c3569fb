"""/partners (a provider's partners) and /providers (a consultant's providers)."""

from typing import Annotated, Literal

from fastapi import APIRouter, Query, Request

from ..services import partnerships
from ..services.partnerships import PartnerView, ProviderView
from .core import ERRORS, Caller, work
from .schemas import ListPage, PageNo, PageSize, QueryId

router = APIRouter(tags=["partners"], responses=ERRORS)


@router.get("/partners", response_model=ListPage[PartnerView], summary="A provider's partners")
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
    page: PageNo = 1,
    page_size: PageSize = 25,
):
    with work(request) as session:
        found = partnerships.partner_directory_page(
            session,
            actor=actor,
            partner_type_id=partner_type_id,
            partner_status_id=partner_status_id,
            partner_tier_id=partner_tier_id,
            partner_group_id=partner_group_id,
            search=search,
            sort=sort,
            include_ended=include_ended,
            page=page,
            page_size=page_size,
        )
    return ListPage(items=found.rows, total=found.total, page=found.page, page_size=page_size)


@router.get("/providers", response_model=ListPage[ProviderView], summary="A consultant's providers")
def my_providers(request: Request, actor: Caller, page: PageNo = 1, page_size: PageSize = 25):
    """A firm has a handful of providers: they are read whole and paged here."""
    with work(request) as session:
        providers = partnerships.my_providers(session, actor=actor)
    start = (page - 1) * page_size
    items = providers[start : start + page_size]
    return ListPage(items=items, total=len(providers), page=page, page_size=page_size)
