"""A tab's client token is not a key to its user's data once the session is not presented.

The scenario of GUIDE.md section 3: a signed-in tab disconnects and another client presents
the same client token without the session cookie. It must receive nothing of the first user.
"""

import json
import re

import httpx

from prm_app import settings
from tests.harness import DEMO_PASSWORD
from tests.security.hostile_client import HostileClient
from tests.security.test_anonymous_access import all_handlers, api_url

# The sign-in event answers with a script posting the ticket to the backend's route.
TICKET = re.compile(r'(https?://[^"\\]+/auth/session)\\?", \{\\?"ticket\\?": \\?"([\w-]+)')


def ticket_of(updates: object) -> tuple[str, str] | None:
    """(the exchange route, the ticket) from what the sign-in event sent, or None."""
    found = TICKET.search(updates if isinstance(updates, str) else json.dumps(updates))
    return (found.group(1), found.group(2)) if found else None


def portal_origin() -> str:
    """The origin the portal's own pages are served from (the harness's frontend)."""
    return settings.origins()[0]


def browser_nonce(origin: str | None = None) -> httpx.Response:
    """What a sign-in page's script gets from POST /auth/nonce (the cookie and its hash)."""
    return httpx.post(
        f"{api_url()}/auth/nonce",
        headers={"Origin": origin or portal_origin()},
        follow_redirects=False,
    )


class Browser:
    """A browser signing in as the portal's pages do: its pre-sign-in nonce cookie (set by
    /auth/nonce), handed to its tab's state, then the sign-in event and the ticket exchange."""

    def __init__(self) -> None:
        answer = browser_nonce()
        assert answer.status_code == 200, answer.text
        self.nonce = answer.cookies["prm_signin_nonce"]
        self.nonce_hash = answer.json()["nonce_hash"]

    @property
    def cookie(self) -> str:
        return f"prm_signin_nonce={self.nonce}"

    def tab(self) -> HostileClient:
        """A tab on the sign-in page: its state knows this browser's nonce hash."""
        client = HostileClient(api_url())
        client.exchange(event("auth_state.keep_nonce"), {"nonce_hash": self.nonce_hash})
        return client

    def sign_in(self, email: str, password: str = DEMO_PASSWORD) -> list:
        """The updates of the sign-in event."""
        client = self.tab()
        try:
            form = {"email": email, "password": password}
            return client.exchange(event("auth_state.sign_in"), {"form": form})
        finally:
            client.close()

    def ticket(self, email: str) -> tuple[str, str]:
        found = ticket_of(self.sign_in(email))
        assert found, f"no sign-in ticket for {email}"
        return found


def redeem(
    url: str, ticket: str, origin: str | None = None, cookie: str | None = None
) -> httpx.Response:
    """Post the ticket as the portal's sign-in page does (or from `origin`), with the browser's
    cookies (`cookie`: the nonce cookie of the browser redeeming it, if any)."""
    headers = {"Origin": origin or portal_origin()}
    if cookie:
        headers["Cookie"] = cookie
    return httpx.post(url, data={"ticket": ticket}, headers=headers, follow_redirects=False)


def event(suffix: str) -> str:
    return next(name for name, _, _ in all_handlers() if name.endswith(suffix))


def sign_in_cookie(email: str) -> str:
    """Sign in the way the browser does: the nonce, the websocket event, then the ticket."""
    browser = Browser()
    found = browser.ticket(email)
    response = redeem(*found, cookie=browser.cookie)
    assert response.status_code == 303, response.text
    set_cookie = response.headers["set-cookie"]
    assert "HttpOnly" in set_cookie and "SameSite=lax" in set_cookie
    # The ticket is single use.
    assert redeem(*found, cookie=browser.cookie).status_code == 400
    return set_cookie.split(";", 1)[0]


def test_replayed_client_token_without_the_cookie_gets_nothing(harness):
    cookie = sign_in_cookie("admin@adatum.example")
    owner = HostileClient(api_url(), cookie=cookie)
    token = owner.token
    try:
        shown = json.dumps(owner.send(event("team_state.load"), {}, path="/team"))
    finally:
        owner.close()
    assert "manager@adatum.example" in shown, "the signed-in tab should see its team"

    intruder = HostileClient(api_url(), token=token)
    try:
        hydrate = json.dumps(intruder.send("reflex___state____state.hydrate", {}, path="/team"))
        reload = json.dumps(intruder.send(event("team_state.load"), {}, path="/team"))
    finally:
        intruder.close()
    for sent in (hydrate, reload):
        assert "adatum.example" not in sent
        assert "Adatum" not in sent
    assert '"/login"' in reload


def test_signed_out_session_is_refused(harness):
    cookie = sign_in_cookie("member@northwind.example")
    tab = HostileClient(api_url(), cookie=cookie)
    try:
        tab.send(event("auth_state.sign_out"), {})
        after = json.dumps(tab.send(event("team_state.load"), {}, path="/team"))
    finally:
        tab.close()
    assert '"/login"' in after
    assert "northwind.example" not in after
