"""What every API request passes before a route runs, in this order:
1. a valid API key (else 401 at once: a stranger's body is never read, let alone parsed);
2. a body of at most MAX_BODY bytes (else 413, counted as it arrives, whatever Content-Length
   claims);
3. for a write with an Idempotency-Key, the replay of an earlier response to the same request
   (services.integrations.idempotency).
The documentation pages and the OpenAPI document are public.
"""

from collections.abc import Awaitable, Callable
from typing import Any

from fastapi.responses import JSONResponse
from starlette._utils import get_route_path
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from ..services.core.actor import Actor
from ..services.core.errors import DomainError
from ..services.identity import api_keys
from ..services.integrations import idempotency
from .core import BAD_KEY, Error, domain_error, open_session

MAX_BODY = 1024 * 1024
TOO_LARGE = f"The request body is larger than {MAX_BODY // 1024} KiB."
WRITES = {"POST", "PUT", "PATCH", "DELETE"}
REPLAYED = "Idempotent-Replayed"


class _TooLarge(Exception):
    pass


class Admission:
    """ASGI middleware of the REST API (see the module docstring)."""

    def __init__(self, app: ASGIApp, public: Callable[[str], bool]):
        self.app = app
        self.public = public  # whether anyone may read a path (the docs)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or self.public(get_route_path(scope)):
            await self.app(scope, receive, send)
            return
        request = Request(scope)
        actor = await run_in_threadpool(_resolve, request)
        if actor is None:
            headers = {"WWW-Authenticate": "Bearer"}
            await _refusal(401, BAD_KEY, headers=headers)(scope, receive, send)
            return
        scope.setdefault("state", {})["actor"] = actor  # the routes' `Caller` reads it
        try:
            body = await _read_body(request, receive)
        except _TooLarge:
            await _refusal(413, TOO_LARGE)(scope, receive, send)
            return
        replay = _replaying(body)
        key = request.headers.get(idempotency.HEADER)
        if key is None or request.method not in WRITES:
            await self.app(scope, replay, send)
            return
        await _idempotent(self.app, request, actor, key, body, replay, send)


def _resolve(request: Request) -> Actor | None:
    scheme, _, key = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() != "bearer":
        return None
    with open_session(request)() as session:
        return api_keys.resolve(session, key=key.strip())


async def _read_body(request: Request, receive: Receive) -> bytes:
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > MAX_BODY:
        raise _TooLarge
    chunks, size = [], 0
    while True:
        message = await receive()
        if message["type"] != "http.request":
            break
        chunk = message.get("body", b"")
        size += len(chunk)
        if size > MAX_BODY:
            raise _TooLarge
        chunks.append(chunk)
        if not message.get("more_body", False):
            break
    return b"".join(chunks)


def _replaying(body: bytes) -> Receive:
    """A receive that hands the app the body already read, then waits as the server would."""
    sent = False

    async def receive() -> Message:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        return {"type": "http.disconnect"}

    return receive


async def _idempotent(
    app: ASGIApp,
    request: Request,
    actor: Actor,
    key: str,
    body: bytes,
    receive: Receive,
    send: Send,
) -> None:
    scope = request.scope
    fingerprint = idempotency.fingerprint(
        request.method, get_route_path(scope), request.url.query, body
    )

    def begin() -> idempotency.Response | None:
        with open_session(request)() as session:
            return idempotency.begin(
                session,
                org_id=actor.org_id,
                key=idempotency.checked_key(key),
                fingerprint=fingerprint,
            )

    try:
        stored = await run_in_threadpool(begin)
    except DomainError as error:
        await domain_error(request, error)(scope, receive, send)
        return
    if stored is not None:
        headers = {REPLAYED: "true", "content-type": stored.content_type or "application/json"}
        await Response(stored.body, stored.status_code, headers)(scope, receive, send)
        return
    captured: dict[str, Any] = {"status": None, "type": "", "body": []}

    async def capture(message: Message) -> None:
        if message["type"] == "http.response.start":
            captured["status"] = message["status"]
            headers = dict(message.get("headers", []))
            captured["type"] = headers.get(b"content-type", b"").decode("latin-1")
        elif message["type"] == "http.response.body":
            captured["body"].append(message.get("body", b""))
        await send(message)

    def settle(response: idempotency.Response | None) -> None:
        with open_session(request)() as session:
            if response is None:
                idempotency.abandon(session, org_id=actor.org_id, key=key)
            else:
                idempotency.finish(session, org_id=actor.org_id, key=key, response=response)

    try:
        await app(scope, receive, capture)
    except BaseException:
        await run_in_threadpool(settle, None)
        raise
    status = captured["status"]
    answer = idempotency.Response(status, captured["type"], b"".join(captured["body"]))
    await run_in_threadpool(settle, answer if status is not None else None)


def _refusal(
    status: int, detail: str, headers: dict[str, str] | None = None
) -> Callable[[Scope, Receive, Send], Awaitable[None]]:
    return JSONResponse(Error(detail=detail).model_dump(), status, headers)
