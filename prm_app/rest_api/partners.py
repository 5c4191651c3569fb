"""/partners (a provider's partners) and /providers (a consultant's providers)."""

from typing import Annotated, Literal

from fastapi import APIRouter, Query, Request

from ..services import partnerships
from ..services.integrations import custom_api
from .core import ERRORS, Caller, work
from .custom import CustomIn, CustomOut, PartnerOut, ProviderOut, with_custom
from .schemas import ListPage, PageNo, PageSize, PathId, QueryId

router = APIRouter(tags=["partners"], responses=ERRORS)


@router.get("/partners", response_model=ListPage[PartnerOut], summary="A provider's partners")
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
        custom = custom_api.of_partnerships(session, actor=actor, ids=[r.id for r in found.rows])
    items = [with_custom(PartnerOut, row, custom.get(row.id)) for row in found.rows]
    return ListPage(items=items, total=found.total, page=found.page, page_size=page_size)


@router.get("/providers", response_model=ListPage[ProviderOut], summary="A consultant's providers")
def my_providers(request: Request, actor: Caller, page: PageNo = 1, page_size: PageSize = 25):
    """A firm has a handful of providers: they are read whole and paged here."""
    with work(request) as session:
        providers = partnerships.my_providers(session, actor=actor)
        start = (page - 1) * page_size
        shown = providers[start : start + page_size]
        custom = custom_api.of_partnerships(session, actor=actor, ids=[p.id for p in shown])
    items = [with_custom(ProviderOut, row, custom.get(row.id)) for row in shown]
    return ListPage(items=items, total=len(providers), page=page, page_size=page_size)


@router.patch(
    "/partnerships/{partnership_id}",
    response_model=CustomOut,
    summary="Change a partnership's custom values",
)
def change(request: Request, actor: Caller, partnership_id: PathId, body: CustomIn):
    """A manager or admin changes the custom fields its side may edit on a partnership (a
    provider's partner, a consultant's provider); fields not named stay as they are."""
    with work(request) as session:
        custom = custom_api.set_partnership_custom(
            session, actor=actor, partnership_id=partnership_id, values=body.custom
        )
    return CustomOut(custom=custom)
