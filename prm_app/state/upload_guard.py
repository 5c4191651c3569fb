"""Binds a file upload to the tab that opened the import page, not just to its client token.

`POST /_upload` names its tab by the client token alone and carries no websocket handshake (nor,
across the development ports, any cookie), so inside the upload handler `self.router.headers` are
those of the tab's last websocket event. A client that learnt a tab's client token (it is in the
websocket URL, hence in proxy logs) could otherwise put a file into that person's import page.

So the import page gives its tab a random upload ticket (a state var: only that tab's browser
receives it; a client presenting the token with another session gets the tab's state wiped by
`SessionGuard`, ticket included), the browser sends it as a header with the upload, this ASGI
wrapper notes it by client token, and the handler accepts the upload only when the noted ticket
is the tab's. A note is used once and kept for a short while only. The upload request and its
handler run in the same backend worker (Reflex enqueues the handler where the request arrived),
so a per-process note is enough.
"""

import hmac
import secrets
import time
from collections import OrderedDict

from starlette.datastructures import Headers
from starlette.types import ASGIApp, Receive, Scope, Send

UPLOAD_PATH = "/_upload"
HEADER = "X-PRM-Upload-Ticket"
KEEP_SECONDS = 120.0
MAX_NOTES = 10_000  # a flood of uploads cannot grow the notes without bound

_notes: OrderedDict[str, tuple[str, float]] = OrderedDict()


def new_ticket() -> str:
    return secrets.token_urlsafe(24)


class UploadGuard:
    """The backend app, noting the ticket each upload request carries (an api_transformer)."""

    def __init__(self, app: ASGIApp):
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if _is_upload(scope):
            headers = Headers(scope=scope)
            note(headers.get("reflex-client-token", ""), headers.get(HEADER, ""))
        await self.app(scope, receive, send)


def _is_upload(scope: Scope) -> bool:
    return (
        scope["type"] == "http"
        and scope.get("method") == "POST"
        and scope["path"].rstrip("/").endswith(UPLOAD_PATH)
    )


def note(client_token: str, ticket: str) -> None:
    if not client_token:
        return
    now = time.monotonic()
    _notes[client_token] = (ticket, now)
    _notes.move_to_end(client_token)
    while _notes and (
        len(_notes) > MAX_NOTES or next(iter(_notes.values()))[1] < now - KEEP_SECONDS
    ):
        _notes.popitem(last=False)


def came_with(client_token: str, ticket: str) -> bool:
    """Whether the latest upload for this tab carried its (non-empty) `ticket`; the note is
    used up either way."""
    seen = _notes.pop(client_token, None)
    if seen is None or not ticket:
        return False
    noted, when = seen
    fresh = when >= time.monotonic() - KEEP_SECONDS
    return fresh and hmac.compare_digest(noted.encode(), ticket.encode())
