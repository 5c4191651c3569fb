"""The REST API's plumbing: who is calling (an API key), one transaction per request, and the
domain errors as HTTP statuses with the service's message."""

from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from typing import Annotated, Any

from fastapi import Depends, Request
from fastapi.dependencies.models import Dependant
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from fastapi.routing import APIRoute
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from pydantic import BaseModel
from sqlmodel import Session
from starlette.exceptions import HTTPException

from ..services.core.actor import Actor
from ..services.core.errors import (
    Conflict,
    DomainError,
    Invalid,
    NotAllowed,
    NotAuthenticated,
    NotFound,
)
from ..services.core.unit_of_work import unit_of_work

BAD_KEY = "Send a valid API key: Authorization: Bearer prm_..."


class Error(BaseModel):
    """Why a request was refused, in words a person can act on."""

    detail: str
    field: str | None = None


ERRORS: dict[int | str, dict[str, Any]] = {
    400: {"model": Error, "description": "The body could not be read (not JSON)"},
    401: {"model": Error, "description": "No API key, or a revoked or unknown one"},
    403: {"model": Error, "description": "The key's role or organization may not do this"},
    404: {"model": Error, "description": "No such record visible to the key's organization"},
    409: {"model": Error, "description": "The record changed or is in a conflicting state"},
    422: {"model": Error, "description": "Invalid input"},
}

OpenSession = Callable[[], AbstractContextManager[Session]]


def open_session(request: Request) -> OpenSession:
    """The unit-of-work factory (tests put one on app.state; the app uses unit_of_work)."""
    return getattr(request.app.state, "open_session", unit_of_work)


_bearer = HTTPBearer(auto_error=False, description="An API key from Settings: prm_...")


def caller(
    request: Request,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> Actor:
    """The actor behind the request's API key, as rest_api.admission resolved it before the
    body was read (`credentials` only documents the scheme in the OpenAPI document)."""
    actor = getattr(request.state, "actor", None)
    if not isinstance(actor, Actor):
        raise NotAuthenticated(BAD_KEY)
    return actor


Caller = Annotated[Actor, Depends(caller)]


def _query_names(dependant: Dependant) -> set[str]:
    names = {param.alias for param in dependant.query_params}
    for sub in dependant.dependencies:
        names |= _query_names(sub)
    return names


def known_query(request: Request) -> None:
    """Refuse query parameters the route does not take (a misspelt filter would else be
    silently ignored and return everything)."""
    route = request.scope.get("route")
    if not isinstance(route, APIRoute):
        return
    known = _query_names(route.dependant)
    unknown = sorted(set(request.query_params) - known)
    if unknown:
        raise Invalid(f"Unknown query parameter {unknown[0]!r}.", field=unknown[0])


@contextmanager
def work(request: Request) -> Iterator[Session]:
    """The request's transaction: committed on success, rolled back on any error."""
    with open_session(request)() as session:
        yield session


_STATUS = [(NotAuthenticated, 401), (NotAllowed, 403), (NotFound, 404), (Conflict, 409)]


def domain_error(_request: Request, error: Exception) -> JSONResponse:
    status = next((code for kind, code in _STATUS if isinstance(error, kind)), 422)
    field = error.field if isinstance(error, Invalid) else None
    headers = {"WWW-Authenticate": "Bearer"} if status == 401 else None
    return JSONResponse(Error(detail=str(error), field=field).model_dump(), status, headers)


def validation_error(_request: Request, error: Exception) -> JSONResponse:
    """FastAPI's own validation, in the same shape as the services' refusals."""
    problems = error.errors() if isinstance(error, RequestValidationError) else []
    first = problems[0] if problems else {}
    where = [str(part) for part in first.get("loc", ()) if part not in ("body", "query", "path")]
    field = ".".join(where) or None
    message = first.get("msg", "Invalid input.")
    detail = f"{field}: {message}" if field else message
    return JSONResponse(Error(detail=detail, field=field).model_dump(), 422)


def http_error(_request: Request, error: Exception) -> JSONResponse:
    """Starlette's refusals (an unreadable body, an unknown route) in the same shape."""
    status = error.status_code if isinstance(error, HTTPException) else 400
    headers = error.headers if isinstance(error, HTTPException) else None
    detail = str(error.detail) if isinstance(error, HTTPException) else "Bad request."
    return JSONResponse(Error(detail=detail).model_dump(), status, headers)


HANDLERS = {
    DomainError: domain_error,
    RequestValidationError: validation_error,
    HTTPException: http_error,
}
