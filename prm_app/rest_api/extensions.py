"""/deals/{deal_id}/extensions: extensions of a deal's protection (services.deals.extensions),
the partner's requests and the provider's answers, with the key's actor."""

from datetime import date, datetime

from fastapi import APIRouter, Request
from pydantic import BaseModel, Field

from ..services.core.inputs import MAX_ID
from ..services.deals import extensions
from ..services.deals.extensions import MAX_REASON, Outlook
from .core import ERRORS, Caller, work
from .schemas import Body, Done, PathId

router = APIRouter(tags=["deals"], responses=ERRORS)
VERSION = Field(
    ge=1, le=MAX_ID, description="The deal's version as you read it (optimistic locking)"
)


class ExtensionIn(Body):
    version: int = VERSION
    days: int = Field(ge=1, le=3650, description="At most the program's maximum")
    reason: str = Field(max_length=MAX_REASON)


class ExtensionRequested(BaseModel):
    extension_id: int


class ApproveExtensionIn(Body):
    version: int = VERSION
    new_end: date = Field(description="At most the program's maximum after the current end")


class ExtensionApproved(BaseModel):
    protected_until: datetime


class DeclineExtensionIn(Body):
    version: int = VERSION
    reason: str = Field(max_length=MAX_REASON)


@router.get(
    "/deals/{deal_id}/extensions",
    response_model=Outlook,
    summary="A deal's protection extensions",
)
def outlook(request: Request, actor: Caller, deal_id: PathId):
    """Whether the caller may request or answer one now, and every request, newest first."""
    with work(request) as session:
        return extensions.outlook(session, actor=actor, deal_id=deal_id)


@router.post(
    "/deals/{deal_id}/extensions",
    response_model=ExtensionRequested,
    status_code=201,
    summary="Request an extension of a deal's protection",
)
def request_extension(request: Request, actor: Caller, deal_id: PathId, body: ExtensionIn):
    """The partner asks before the protection ends; one request waits at a time."""
    with work(request) as session:
        made = extensions.request(
            session,
            actor=actor,
            deal_id=deal_id,
            version=body.version,
            days=body.days,
            reason=body.reason,
        )
    return ExtensionRequested(extension_id=made)


@router.post(
    "/deals/{deal_id}/extensions/{extension_id}/approve",
    response_model=ExtensionApproved,
    summary="Approve an extension, choosing the new end",
)
def approve_extension(
    request: Request,
    actor: Caller,
    deal_id: PathId,
    extension_id: PathId,
    body: ApproveExtensionIn,
):
    with work(request) as session:
        until = extensions.approve(
            session,
            actor=actor,
            deal_id=deal_id,
            version=body.version,
            extension_id=extension_id,
            new_end=body.new_end,
        )
    return ExtensionApproved(protected_until=until)


@router.post(
    "/deals/{deal_id}/extensions/{extension_id}/decline",
    response_model=Done,
    summary="Decline an extension, with a reason",
)
def decline_extension(
    request: Request,
    actor: Caller,
    deal_id: PathId,
    extension_id: PathId,
    body: DeclineExtensionIn,
):
    with work(request) as session:
        extensions.decline(
            session,
            actor=actor,
            deal_id=deal_id,
            version=body.version,
            extension_id=extension_id,
            reason=body.reason,
        )
    return Done()
