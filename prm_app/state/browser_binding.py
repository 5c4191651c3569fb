"""The page's half of binding a sign-in to the browser (services.identity.auth explains it):
fetch the pre-sign-in nonce's hash from the backend, with the browser's cookies, and hand it
to the state. The nonce itself stays in an HttpOnly cookie that no script reads."""

import json

import reflex as rx
from reflex.config import get_config
from reflex.event import EventSpec

from .. import routes


def nonce_script(callback) -> EventSpec:
    """Run in the page: POST /auth/nonce (same site, with credentials); `callback` receives the
    hash, or "" when the backend refused or could not be reached."""
    url = json.dumps(f"{get_config().api_url}{routes.AUTH_NONCE}")
    return rx.call_script(
        f"fetch({url}, {{method: 'POST', credentials: 'include'}})"
        ".then((r) => (r.ok ? r.json() : {})).then((d) => d.nonce_hash || '')"
        ".catch(() => '')",
        callback=callback,
    )
