"""HTTP routes mounted beside Reflex: the only code that sets or clears the session cookie."""

import os
from html import escape
from urllib.parse import urlsplit

from reflex.config import get_config
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse
from starlette.routing import Route

from . import routes
from .services import auth
from .services.db import session_scope
from .services.errors import NotAuthenticated


def secure_cookies() -> bool:
    """Production serves HTTPS and sets PRM_SECURE_COOKIES=1."""
    return os.environ.get("PRM_SECURE_COOKIES", "") == "1"


def same_host(url: str, request: Request) -> bool:
    """Redirect only to a frontend on the host that served this request (no open redirect)."""
    parts = urlsplit(url)
    return parts.scheme in ("http", "https") and parts.hostname == request.url.hostname


def start_session(request: Request) -> RedirectResponse | HTMLResponse:
    """GET /auth/session?ticket=...: exchange a sign-in ticket for the HttpOnly session cookie."""
    try:
        with session_scope() as session:
            token, redirect_to = auth.redeem_ticket(
                session,
                ticket=request.query_params.get("ticket"),
                user_agent=request.headers.get("user-agent", ""),
                ip=request.client.host if request.client else "",
            )
    except NotAuthenticated as error:
        login = escape(f"{get_config().deploy_url}{routes.LOGIN}", quote=True)
        return HTMLResponse(
            f"<p>{escape(str(error))}</p><p><a href='{login}'>Back to sign in</a></p>",
            status_code=400,
        )
    if not same_host(redirect_to, request):
        redirect_to = routes.INDEX
    response = RedirectResponse(redirect_to, status_code=303)
    response.set_cookie(
        auth.SESSION_COOKIE,
        token,
        max_age=int(auth.SESSION_TTL.total_seconds()),
        httponly=True,
        samesite="lax",
        secure=secure_cookies(),
        path="/",
    )
    return response


def clear_cookie(request: Request) -> RedirectResponse:
    """GET /auth/signout?next=...: clear the cookie after the sign-out event revoked its session.

    Revoking happens in the websocket event, never here, so a cross-site link cannot sign anyone
    out; a stale cookie is worthless anyway once its session is revoked.
    """
    target = request.query_params.get("next", "")
    response = RedirectResponse(target if same_host(target, request) else routes.LOGIN, 303)
    response.delete_cookie(auth.SESSION_COOKIE, path="/", httponly=True, samesite="lax")
    return response


api = Starlette(
    routes=[
        Route(routes.AUTH_SESSION, start_session, methods=["GET"]),
        Route(routes.AUTH_SIGNOUT, clear_cookie, methods=["GET"]),
    ]
)
