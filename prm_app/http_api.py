"""HTTP routes mounted beside Reflex: the only code that sets or clears the session cookie, the
file downloads (served to the signed-in caller from the session cookie), the public web-to-lead
forms (prm_app.web_forms), the partner program's public pages (prm_app.program_pages) and the
REST API (prm_app.rest_api, authenticated by API keys)."""

from collections.abc import Callable, Iterator
from contextlib import ExitStack
from html import escape
from urllib.parse import parse_qsl, quote, urlsplit

from reflex.config import get_config
from sqlmodel import Session
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import (
    HTMLResponse,
    JSONResponse,
    PlainTextResponse,
    RedirectResponse,
    Response,
    StreamingResponse,
)
from starlette.routing import Mount, Route

from . import client_address, program_pages, routes, settings, web_forms
from .rest_api import PREFIX as API_PREFIX
from .rest_api import rest_api
from .services import audit, imports, ledger, library, mdf, onboarding
from .services.audit import full_export
from .services.core import upload_store
from .services.core.actor import Actor
from .services.core.errors import DomainError, Invalid, NotAllowed, NotAuthenticated
from .services.core.unit_of_work import unit_of_work
from .services.identity import auth, security_events
from .services.imports import exports
from .services.ledger import payouts

SIGN_IN_FIRST = "Sign in to download this file."


def secure_cookies() -> bool:
    """Production serves HTTPS and sets PRM_SECURE_COOKIES=1."""
    return settings.current().secure_cookies


def same_host(url: str, request: Request) -> bool:
    """Redirect only to a frontend on the host that served this request (no open redirect)."""
    try:
        parts = urlsplit(url)
        return parts.scheme in ("http", "https") and parts.hostname == request.url.hostname
    except ValueError:  # not a URL at all (say, "http://[::1")
        return False


def trusted_origin(request: Request) -> bool:
    """Whether a POST comes from a page of the portal itself, by its Origin header (which a
    browser always sends with a POST and a page cannot forge): one of the allowed origins
    (settings.origins, the same list as the websocket's)."""
    allowed = settings.origins()
    origin = request.headers.get("origin", "")
    if "*" in allowed:  # an explicit opt-out (refused by the production launcher)
        return same_host(origin, request)
    return origin in allowed


SMALL_FORM = 4096  # the sign-in routes take one short field: nothing longer is read


async def _small_form(request: Request) -> dict[str, str] | None:
    """A urlencoded form of a few short fields, read as it streams; None past SMALL_FORM bytes
    (whatever Content-Length claims, or without one)."""
    body = await web_forms.read_limited(request, SMALL_FORM)
    if body is None:
        return None
    try:
        return dict(parse_qsl(body.decode("utf-8", "replace"), max_num_fields=10))
    except ValueError:  # too many fields
        return {}


def _too_large() -> PlainTextResponse:
    return PlainTextResponse("Refused: the request is too large.", 413)


def _cross_site() -> PlainTextResponse:
    return PlainTextResponse("Refused: this request did not come from the portal.", 403)


async def issue_nonce(request: Request) -> Response:
    """POST /auth/nonce, fetched with credentials by the sign-in, sign-up and join pages: make
    sure this browser holds a pre-sign-in nonce (an HttpOnly, SameSite=Strict cookie for /auth
    only, kept if it already has one) and answer its SHA-256, which the page hands to its state
    for the ticket. The nonce itself never reaches a script (see services.identity.auth)."""
    if not trusted_origin(request):
        return _cross_site()
    nonce = request.cookies.get(auth.NONCE_COOKIE) or ""
    if auth.nonce_hash(nonce) is None:
        nonce = auth.new_token()
    response = JSONResponse(
        {"nonce_hash": auth.hash_token(nonce)}, headers={"Cache-Control": "no-store"}
    )
    response.set_cookie(
        auth.NONCE_COOKIE,
        nonce,
        max_age=int(auth.NONCE_TTL.total_seconds()),
        httponly=True,
        samesite="strict",
        secure=secure_cookies(),
        path=routes.AUTH_PREFIX,
    )
    return response


async def start_session(request: Request) -> Response:
    """POST /auth/session (form field `ticket`), from the portal's own page: exchange a sign-in
    ticket for the HttpOnly session cookie, in the browser that signed in only (its nonce
    cookie must be the ticket's). Another site cannot make a browser redeem a ticket (its own,
    to sign the browser into the attacker's account): its Origin is refused, and its ticket is
    bound to the attacker's browser anyway. A session starts here: a security event says so."""
    if not trusted_origin(request):
        return _cross_site()
    fields = await _small_form(request)
    if fields is None:
        return _too_large()
    ticket = fields.get("ticket")
    try:
        with unit_of_work() as session:
            started = auth.redeem_ticket(
                session,
                ticket=ticket if isinstance(ticket, str) else None,
                nonce=request.cookies.get(auth.NONCE_COOKIE),
                user_agent=request.headers.get("user-agent", ""),
                ip=client_address.of(request),
            )
    except NotAuthenticated as error:
        login = escape(f"{get_config().deploy_url}{routes.LOGIN}", quote=True)
        return HTMLResponse(
            f"<p>{escape(str(error))}</p><p><a href='{login}'>Back to sign in</a></p>",
            status_code=400,
        )
    redirect_to = started.redirect_to
    if not same_host(redirect_to, request):
        redirect_to = routes.INDEX
    response = RedirectResponse(redirect_to, status_code=303)
    response.set_cookie(
        auth.SESSION_COOKIE,
        started.token,
        max_age=started.max_age,
        httponly=True,
        samesite="lax",
        secure=secure_cookies(),
        path="/",
    )
    return response


async def clear_cookie(request: Request) -> Response:
    """POST /auth/signout (form field `next`), from the portal's own page: clear the cookie after
    the sign-out event revoked its session. Revoking happens in the websocket event, never here,
    and another site's link or form is refused, so it cannot sign anyone out."""
    if not trusted_origin(request):
        return _cross_site()
    fields = await _small_form(request)
    if fields is None:
        return _too_large()
    target = fields.get("next")
    target = target if isinstance(target, str) else ""
    response = RedirectResponse(target if same_host(target, request) else routes.LOGIN, 303)
    response.delete_cookie(auth.SESSION_COOKIE, path="/", httponly=True, samesite="lax")
    return response


def import_errors(request: Request) -> Response:
    """GET /files/imports/{id}/errors.csv: an import's failed rows with their errors, in the
    upload's encoding (services.imports.batches.error_report)."""
    with unit_of_work() as session:
        actor = auth.resolve(session, token=request.cookies.get(auth.SESSION_COOKIE))
        if actor is None:
            return PlainTextResponse(SIGN_IN_FIRST, status_code=401)
        try:
            found = imports.error_report(
                session, actor=actor, batch_id=request.path_params["batch_id"]
            )
        except DomainError as error:
            return _refused(error)
    return Response(
        found.data,
        media_type=f"text/csv; charset={found.charset}",
        headers=_attachment(found.name),
    )


def export_list(request: Request) -> Response:
    """GET /files/exports/{sent|received|deals}.csv?filters: the list as its page filters it."""

    def produce(session: Session, actor: Actor) -> tuple[str, Iterator[str]]:
        list_name = request.path_params["list_name"]
        filters = {k: v for k, v in request.query_params.items() if v != ""}
        pieces = exports.export_csv(session, actor=actor, list_name=list_name, filters=filters)
        return exports.file_name(list_name), pieces

    return _streamed_csv(request, produce)


def ledger_file(request: Request) -> Response:
    """GET /files/ledger/{statement|payouts}.csv?other_org_id=: the caller's statement (per-deal
    line items) or redemption requests (for finance)."""

    def produce(session: Session, actor: Actor) -> tuple[str, Iterator[str]]:
        name = request.path_params["name"]
        other = request.query_params.get("other_org_id") or None
        if name == "statement":
            pieces = ledger.statement_csv(session, actor=actor, other_org_id=other)
        elif name == "payouts":
            status = request.query_params.get("status") or None
            pieces = payouts.requests_csv(session, actor=actor, other_org_id=other, status=status)
        else:
            raise Invalid("Choose the statement or the payouts to download.")
        return f"{name}-{exports.file_name('ledger').removeprefix('ledger-')}", pieces

    return _streamed_csv(request, produce)


def security_events_file(request: Request) -> Response:
    """GET /files/security/events.csv?kind=: the organization's security events (admins)."""

    def produce(session: Session, actor: Actor) -> tuple[str, Iterator[str]]:
        kind = request.query_params.get("kind") or None
        pieces = security_events.export_csv(session, actor=actor, kind=kind)
        return exports.file_name("security-events"), pieces

    return _streamed_csv(request, produce)


def mdf_file(request: Request) -> Response:
    """GET /files/mdf/{name}.csv: the organization's fund requests (with their claims) or its
    funds balances per budget (managers and admins)."""

    def produce(session: Session, actor: Actor) -> tuple[str, Iterator[str]]:
        name = request.path_params["name"]
        if name == "requests":
            status = request.query_params.get("status") or None
            pieces = mdf.requests_csv(session, actor=actor, status=status)
        elif name == "balances":
            pieces = mdf.balances_csv(session, actor=actor)
        else:
            raise Invalid("Choose the fund requests or the balances to download.")
        return exports.file_name(f"mdf-{name}"), pieces

    return _streamed_csv(request, produce)


def audit_file(request: Request) -> Response:
    """GET /files/audit/log.csv?person=&record_type=&action=&since=&until=: the organization's
    audit log, filtered (admins)."""

    def produce(session: Session, actor: Actor) -> tuple[str, Iterator[str]]:
        names = ("person", "record_type", "action", "since", "until")
        chosen = audit.filters(**{n: request.query_params.get(n) or None for n in names})
        return exports.file_name("audit-log"), audit.export_csv(session, actor=actor, chosen=chosen)

    return _streamed_csv(request, produce)


def mdf_receipt_file(request: Request) -> Response:
    """GET /files/mdf/receipts/{receipt_id}: a claim's receipt, for the managers and admins of
    the claim's two organizations only (404 to everyone else)."""
    return _agreement(
        request,
        lambda session, actor: mdf.receipt_file(
            session, actor=actor, receipt_id=request.path_params["receipt_id"]
        ),
    )


def full_export_file(request: Request) -> Response:
    """GET /files/audit/exports/{export_id}.zip: a full export, once, for the admins of its
    organization; the file is deleted once sent (or if the download breaks off)."""
    with unit_of_work() as session:
        actor = auth.resolve(session, token=request.cookies.get(auth.SESSION_COOKIE))
        if actor is None:
            return PlainTextResponse(SIGN_IN_FIRST, status_code=401)
        try:
            name, key = full_export.take_download(
                session, actor=actor, export_id=request.path_params["export_id"]
            )
        except DomainError as error:
            return _refused(error)
    try:
        opened = upload_store.open_upload(key)
    except DomainError as error:
        return _refused(error)

    def body():
        try:
            with opened:
                while piece := opened.read(1 << 20):
                    yield piece
        finally:
            upload_store.discard(key)

    return StreamingResponse(body(), media_type="application/zip", headers=_attachment(name))


def agreement_file(request: Request) -> Response:
    """GET /files/agreements/{version_id}: an agreement's version as published (its provider,
    and the partners it is asked of)."""
    return _agreement(
        request,
        lambda session, actor: onboarding.version_file(
            session, actor=actor, version_id=request.path_params["version_id"]
        ),
    )


def signed_agreement_file(request: Request) -> Response:
    """GET /files/agreements/signed/{acceptance_id}: a signed agreement, for the two
    organizations of the partnership only."""
    return _agreement(
        request,
        lambda session, actor: onboarding.signed_file(
            session, actor=actor, acceptance_id=request.path_params["acceptance_id"]
        ),
    )


def _agreement(
    request: Request, produce: Callable[[Session, Actor], onboarding.File | mdf.File]
) -> Response:
    with unit_of_work() as session:
        actor = auth.resolve(session, token=request.cookies.get(auth.SESSION_COOKIE))
        if actor is None:
            return PlainTextResponse(SIGN_IN_FIRST, status_code=401)
        try:
            file = produce(session, actor)
        except DomainError as error:
            return _refused(error)
    media_type = (
        f"{file.media_type}; charset=utf-8" if file.media_type == "text/plain" else file.media_type
    )
    return Response(file.content, media_type=media_type, headers=_attachment(file.name))


def library_file(request: Request) -> Response:
    """GET /files/library/{item_id}: a library file (or a link, redirected to), for its
    provider's people and the partners its audience admits (404 for anyone else); a partner's
    download is logged in the same transaction."""
    with unit_of_work() as session:
        actor = auth.resolve(session, token=request.cookies.get(auth.SESSION_COOKIE))
        if actor is None:
            return PlainTextResponse(SIGN_IN_FIRST, status_code=401)
        try:
            file = library.download(session, actor=actor, item_id=request.path_params["item_id"])
        except DomainError as error:
            return _refused(error)
    if file.content is None:
        return RedirectResponse(file.url, status_code=303, headers={"Cache-Control": "no-store"})
    media_type = (
        f"{file.media_type}; charset=utf-8" if file.media_type == "text/plain" else file.media_type
    )
    headers = _attachment(file.name) | {"Content-Security-Policy": "sandbox"}
    return Response(file.content, media_type=media_type, headers=headers)


def _streamed_csv(
    request: Request, produce: Callable[[Session, Actor], tuple[str, Iterator[str]]]
) -> Response:
    """A CSV streamed from the database for the signed-in caller: `produce` checks its
    arguments (a DomainError refuses the request) and returns the file name and the pieces,
    read inside the session this keeps open until the last piece is sent."""
    stack = ExitStack()
    try:
        session = stack.enter_context(unit_of_work())
        actor = auth.resolve(session, token=request.cookies.get(auth.SESSION_COOKIE))
        if actor is None:
            stack.close()
            return PlainTextResponse(SIGN_IN_FIRST, status_code=401)
        name, pieces = produce(session, actor)
    except DomainError as error:
        stack.close()
        return _refused(error)
    except BaseException:
        stack.close()
        raise

    def body():
        with stack:
            yield from pieces

    return StreamingResponse(
        body(), media_type="text/csv; charset=utf-8", headers=_attachment(name)
    )


def _attachment(name: str) -> dict[str, str]:
    return {
        "Content-Disposition": f"attachment; filename*=UTF-8''{quote(name)}",
        "Cache-Control": "no-store",
        "X-Content-Type-Options": "nosniff",
    }


def _refused(error: DomainError) -> PlainTextResponse:
    status = 400 if isinstance(error, Invalid) else 403 if isinstance(error, NotAllowed) else 404
    return PlainTextResponse(str(error), status_code=status)


api = Starlette(
    routes=[
        Route(routes.AUTH_NONCE, issue_nonce, methods=["POST"]),
        Route(routes.AUTH_SESSION, start_session, methods=["POST"]),
        Route(routes.AUTH_SIGNOUT, clear_cookie, methods=["POST"]),
        Route(routes.IMPORT_ERRORS, import_errors, methods=["GET"]),
        Route(routes.EXPORT, export_list, methods=["GET"]),
        Route(routes.LEDGER_FILE, ledger_file, methods=["GET"]),
        Route(routes.SECURITY_EVENTS_FILE, security_events_file, methods=["GET"]),
        Route(routes.MDF_RECEIPT, mdf_receipt_file, methods=["GET"]),
        Route(routes.MDF_FILE, mdf_file, methods=["GET"]),
        Route(routes.AUDIT_FILE, audit_file, methods=["GET"]),
        Route(routes.FULL_EXPORT_FILE, full_export_file, methods=["GET"]),
        Route(routes.AGREEMENT_FILE, agreement_file, methods=["GET"]),
        Route(routes.SIGNED_AGREEMENT_FILE, signed_agreement_file, methods=["GET"]),
        Route(routes.LIBRARY_FILE, library_file, methods=["GET"]),
        Route(routes.LEAD_FORM, web_forms.show_form, methods=["GET"]),
        Route(routes.LEAD_FORM, web_forms.take_submission, methods=["POST"]),
        Route(routes.LEAD_FORM_THANKS, web_forms.thanks, methods=["GET"]),
        Route(routes.APPLY, program_pages.show_apply, methods=["GET"]),
        Route(routes.APPLY, program_pages.take_application, methods=["POST"]),
        Route(routes.APPLY_THANKS, program_pages.apply_thanks, methods=["GET"]),
        Route(routes.APPLY_CONFIRM, program_pages.confirm_application, methods=["GET"]),
        Route(routes.LOCATOR, program_pages.show_locator, methods=["GET"]),
        Route(routes.LOCATOR_CONTACT, program_pages.show_contact, methods=["GET"]),
        Route(routes.LOCATOR_CONTACT, program_pages.take_contact, methods=["POST"]),
        Mount(API_PREFIX, app=rest_api),  # the REST API, authenticated by API keys
    ]
)
