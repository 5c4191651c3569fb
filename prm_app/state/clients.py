"""Where an event came from, for the security log: the client's address (behind the trusted
proxies, as Reflex resolves it) and its browser's User-Agent (from the websocket handshake)."""

import reflex as rx

from ..services.identity.security_log import Client


def client_of(state: rx.State) -> Client:
    return Client(
        ip=state.router.session.client_ip or "",
        user_agent=state.router.headers.user_agent or "",
    )
