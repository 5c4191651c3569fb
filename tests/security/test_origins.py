"""Only the portal's own pages may talk to the backend: a page on another origin (a sibling
port, another site) can neither open the websocket with a signed-in person's cookie nor read a
download through CORS. The development default lists the frontend's own origin, never "*"."""

import httpx
import pytest
import socketio

from prm_app import settings
from tests.security.hostile_client import NAMESPACE
from tests.security.test_anonymous_access import api_url
from tests.security.test_session_replay import sign_in_cookie
from tests.support import report

FOREIGN = ["http://127.0.0.1:1", "http://localhost:3001", "https://evil.example", "null"]


def _connects(origin: str, cookie: str) -> bool:
    client = socketio.Client(reconnection=False, websocket_extra_options={"origin": origin})
    headers = {"Cookie": cookie}
    try:
        client.connect(
            f"{api_url()}?token=origin-check",
            socketio_path=NAMESPACE,
            namespaces=[NAMESPACE],
            transports=["websocket"],
            headers=headers,
            wait_timeout=10,
        )
    except socketio.exceptions.ConnectionError:
        return False
    client.disconnect()
    return True


def test_a_page_on_another_origin_cannot_open_the_websocket(harness):
    cookie = sign_in_cookie("admin@fabrikam.example")
    (own,) = settings.origins()
    assert _connects(own, cookie), "the portal's own pages must connect"
    for origin in FOREIGN:
        assert not _connects(origin, cookie), f"{origin} opened the websocket"
    report(f"Origins: {len(FOREIGN)} foreign origins refused the websocket with a valid cookie")


@pytest.mark.parametrize("origin", FOREIGN)
def test_a_page_on_another_origin_cannot_read_a_download(harness, origin):
    cookie = sign_in_cookie("admin@fabrikam.example")
    response = httpx.get(
        f"{api_url()}/files/exports/sent.csv", headers={"Cookie": cookie, "Origin": origin}
    )
    # Without Access-Control-Allow-Origin naming it, a browser does not let that page read it.
    assert "access-control-allow-origin" not in response.headers


def test_development_defaults_to_the_frontends_own_origin(monkeypatch):
    monkeypatch.delenv("PRM_ALLOWED_ORIGINS", raising=False)
    monkeypatch.delenv("REFLEX_FRONTEND_PORT", raising=False)
    assert settings.origins() == ["http://localhost:3000", "http://127.0.0.1:3000"]
    monkeypatch.setenv("REFLEX_FRONTEND_PORT", "4000")
    assert settings.origins() == ["http://localhost:4000", "http://127.0.0.1:4000"]
    monkeypatch.setenv("PRM_ALLOWED_ORIGINS", "https://prm.example.com/, https://b.example")
    assert settings.origins() == ["https://prm.example.com", "https://b.example"]
