"""Session safety through the running app: cookie flags, sign out everywhere, expired sessions,
and sign-in throttling as a browser meets it (over the websocket)."""

import json

import httpx
from sqlmodel import Session, delete, select, update

from prm_app.models import AuthSession, FailedSignIn, utcnow
from prm_app.services.identity import auth
from tests.harness import DEMO_PASSWORD
from tests.security.hostile_client import HostileClient
from tests.security.test_anonymous_access import api_url
from tests.security.test_session_replay import (
    event,
    portal_origin,
    redeem,
    sign_in_cookie,
    ticket_of,
)

TEAM = "/team"


def team_view(cookie: str) -> str:
    """What a tab presenting `cookie` is sent when it opens the team page."""
    tab = HostileClient(api_url(), cookie=cookie)
    try:
        return json.dumps(tab.exchange(event("team_state.load"), {}, path=TEAM))
    finally:
        tab.close()


def signed_in(view: str, email: str) -> bool:
    return email in view and '"/login"' not in view


def ticket_response(email: str) -> httpx.Response:
    client = HostileClient(api_url())
    try:
        updates = client.exchange(
            event("auth_state.sign_in"), {"form": {"email": email, "password": DEMO_PASSWORD}}
        )
    finally:
        client.close()
    found = ticket_of(updates)
    assert found, json.dumps(updates)[:1000]
    return redeem(*found)


def test_the_session_cookie_is_httponly_samesite_and_secure_when_asked(harness, monkeypatch):
    plain = ticket_response("manager@contoso.example").headers["set-cookie"].lower()
    for flag in ("httponly", "samesite=lax", "path=/", f"max-age={14 * 24 * 3600}"):
        assert flag in plain, plain
    assert "secure" not in plain
    monkeypatch.setenv("PRM_SECURE_COOKIES", "1")  # the backend runs in this process
    secure = ticket_response("manager@contoso.example").headers["set-cookie"].lower()
    assert "; secure" in secure and "httponly" in secure
    cleared = httpx.post(
        f"{api_url()}/auth/signout",
        data={"next": "/login"},
        headers={"Origin": portal_origin()},
        follow_redirects=False,
    )
    assert cleared.status_code == 303
    assert 'prm_session=""' in cleared.headers["set-cookie"] or "max-age=0" in (
        cleared.headers["set-cookie"].lower()
    )


def _tickets(email: str) -> tuple[str, str]:
    client = HostileClient(api_url())
    try:
        form = {"email": email, "password": DEMO_PASSWORD}
        found = ticket_of(client.exchange(event("auth_state.sign_in"), {"form": form}))
    finally:
        client.close()
    assert found
    return found


def test_another_site_cannot_sign_a_browser_into_an_account(harness):
    """Login CSRF: an attacker signs in, and makes the victim's browser redeem the ticket."""
    url, ticket = _tickets("member@contoso.example")
    for origin in ("https://attacker.example", "null", ""):
        refused = redeem(url, ticket, origin=origin or "x")
        assert refused.status_code == 403 and "set-cookie" not in refused.headers
    no_origin = httpx.post(url, data={"ticket": ticket}, follow_redirects=False)
    assert no_origin.status_code == 403 and "set-cookie" not in no_origin.headers
    # A link or an image cannot redeem it either: the route takes only a POST.
    linked = httpx.get(f"{url}?ticket={ticket}", follow_redirects=False)
    assert linked.status_code in (404, 405) and "set-cookie" not in linked.headers
    # The portal's own page still can (the refused attempts did not use the ticket up).
    assert redeem(url, ticket).status_code == 303


def test_another_site_cannot_sign_a_browser_out(harness):
    url = f"{api_url()}/auth/signout"
    for send in (
        lambda: httpx.post(
            url, data={"next": "/login"}, headers={"Origin": "https://evil.example"}
        ),
        lambda: httpx.post(url, data={"next": "/login"}),
        lambda: httpx.get(f"{url}?next=/login"),
    ):
        response = send()
        assert response.status_code in (403, 404, 405) and "set-cookie" not in response.headers


def test_sign_out_everywhere_ends_the_other_browsers_sessions(harness):
    email = "manager@northwind.example"
    laptop, phone = sign_in_cookie(email), sign_in_cookie(email)
    colleague = sign_in_cookie("admin@northwind.example")
    assert signed_in(team_view(phone), email)
    tab = HostileClient(api_url(), cookie=laptop)
    try:
        left = json.dumps(tab.exchange(event("auth_state.sign_out_everywhere"), {}, path=TEAM))
    finally:
        tab.close()
    assert "/auth/signout" in left
    for cookie in (laptop, phone):
        view = team_view(cookie)
        assert '"/login"' in view and email not in view
        token = cookie.split("=", 1)[1]
        response = httpx.get(f"{api_url()}/files/exports/deals.csv", headers={"Cookie": cookie})
        assert response.status_code == 401, token
    assert signed_in(team_view(colleague), "admin@northwind.example")


def test_an_expired_session_is_refused(harness, db):
    email = "member@contoso.example"
    cookie = sign_in_cookie(email)
    assert signed_in(team_view(cookie), email)
    token_hash = auth.hash_token(cookie.split("=", 1)[1])
    with Session(db) as session:
        session.exec(
            update(AuthSession)
            .where(AuthSession.token_hash == token_hash)
            .values(expires_at=utcnow().replace(year=2000))
        )
        session.commit()
    view = team_view(cookie)
    assert '"/login"' in view and email not in view
    response = httpx.get(f"{api_url()}/files/exports/deals.csv", headers={"Cookie": cookie})
    assert response.status_code == 401


def test_repeated_failed_sign_ins_are_throttled_without_revealing_the_account(harness, db):
    def try_sign_in(email: str, password: str) -> str:
        client = HostileClient(api_url())
        try:
            form = {"email": email, "password": password}
            return json.dumps(client.exchange(event("auth_state.sign_in"), {"form": form}))
        finally:
            client.close()

    try:
        for email in ("admin@tailspin.example", "nobody@tailspin.example"):
            for _ in range(5):
                assert "Wrong email or password." in try_sign_in(email, "not the password")
            refused = try_sign_in(email, DEMO_PASSWORD)
            assert "Too many failed sign-ins. Try again in 15 minutes." in refused
            assert ticket_of(refused) is None
        # Another person signing in from the same address is not affected.
        assert ticket_of(try_sign_in("manager@tailspin.example", DEMO_PASSWORD))
        with Session(db) as session:
            stored = session.exec(select(FailedSignIn.email_hash)).all()
        assert len(stored) >= 10 and not any("tailspin" in s for s in stored)
    finally:
        with Session(db) as session:  # later tests sign in as Tailspin's admin
            session.exec(delete(FailedSignIn))
            session.commit()


def test_a_signed_out_tab_is_told_of_no_more_changes(harness, db):
    # A tab watching its organization's deals is sent each change's version; signed out, or
    # refused as signed out when the next version makes it re-read, it watches nothing more.
    import asyncio
    from concurrent.futures import ThreadPoolExecutor

    from prm_app.state import live

    def watchers(topic: str) -> list[str]:
        # In a thread of its own: Playwright's sync API keeps an event loop in this one.
        with ThreadPoolExecutor(1) as pool:
            return pool.submit(asyncio.run, live._registry().watching(topic)).result()

    with Session(db) as session:
        northwind = auth.authenticate(
            session, email="admin@northwind.example", password=DEMO_PASSWORD
        )
    topic = f"deals:{northwind.org_id}"
    for leave, payload in (("auth_state.sign_out", {}), ("deals_state.follow", {"version": 10**6})):
        cookie = sign_in_cookie("admin@northwind.example")
        tab = HostileClient(api_url(), cookie=cookie)
        try:
            tab.exchange(event("deals_state.load_provider"), {}, path="/p/deals")
            assert tab.token in watchers(topic)
            if leave == "deals_state.follow":  # another tab signed this session out
                with Session(db) as session:
                    auth.sign_out(session, token=cookie.split("=", 1)[1])
                    session.commit()
            tab.exchange(event(leave), payload, path="/p/deals")
            assert tab.token not in watchers(topic), leave
        finally:
            tab.close()
