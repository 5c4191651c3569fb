"""Who is asking, by network address, behind the configured number of trusted proxies.

Each proxy appends the address it received the request from to X-Forwarded-For, so with
PRM_TRUSTED_PROXY_HOPS=n the client is the n-th entry from the right; entries further left were
written by the client itself and prove nothing. Reflex resolves a websocket's
`router.session.client_ip` the same way from the same setting (rxconfig.py).
"""

from starlette.requests import Request

from . import settings


def behind_proxies(peer: str, forwarded_for: str, hops: int) -> str:
    """The client's address: the peer's with no trusted hops, else the entry `hops` from the
    right of X-Forwarded-For (the peer's when the header has fewer entries)."""
    entries = [entry.strip() for entry in forwarded_for.split(",") if entry.strip()]
    if hops and len(entries) >= hops:
        return entries[-hops][:64]
    return peer[:64] or "unknown"


def of(request: Request) -> str:
    """The address of the client behind this HTTP request."""
    peer = request.client.host if request.client else ""
    forwarded = request.headers.get("x-forwarded-for", "")
    return behind_proxies(peer, forwarded, settings.current().trusted_proxy_hops)
