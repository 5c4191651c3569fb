"""Session safety through the running app: cookie flags, sign out everywhere, expired sessions,
and sign-in throttling as a browser meets it (over the websocket)."""

import asyncio
import json
import time
from concurrent.futures import ThreadPoolExecutor

import httpx
from sqlmodel import Session, delete, select, update

from prm_app.models import AuthSession, FailedSignIn, utcnow
from prm_app.services.identity import auth
from prm_app.state import live
from tests.harness import DEMO_PASSWORD
from tests.security.hostile_client import HostileClient
from tests.security.test_anonymous_access import api_url
from tests.security.test_session_replay import (
    Browser,
    browser_nonce,
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
    browser = Browser()
    return redeem(*browser.ticket(email), cookie=browser.cookie)


def test_the_session_cookie_is_httponly_samesite_and_secure_when_asked(harness, monkeypatch):
    plain = ticket_response("manager@contoso.example").headers["set-cookie"].lower()
    for flag in ("httponly", "samesite=lax", "path=/", f"max-age={30 * 24 * 3600}"):
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


def test_another_site_cannot_sign_a_browser_into_an_account(harness):
    """Login CSRF: an attacker signs in, and makes the victim's browser redeem the ticket."""
    attacker = Browser()
    url, ticket = attacker.ticket("member@contoso.example")
    for origin in ("https://attacker.example", "null", ""):
        # Refused by its origin, even with the attacker's own nonce cookie.
        refused = redeem(url, ticket, origin=origin or "x", cookie=attacker.cookie)
        assert refused.status_code == 403 and "set-cookie" not in refused.headers
    no_origin = httpx.post(
        url, data={"ticket": ticket}, headers={"Cookie": attacker.cookie}, follow_redirects=False
    )
    assert no_origin.status_code == 403 and "set-cookie" not in no_origin.headers
    # A link or an image cannot redeem it either: the route takes only a POST.
    linked = httpx.get(f"{url}?ticket={ticket}", follow_redirects=False)
    assert linked.status_code in (404, 405) and "set-cookie" not in linked.headers
    # The victim's browser has its own nonce (or none): refused even from the portal's origin.
    victim = Browser()
    for cookie in (victim.cookie, None, "prm_signin_nonce=", f"prm_signin_nonce={ticket}"):
        refused = redeem(url, ticket, cookie=cookie)
        assert refused.status_code == 400 and "set-cookie" not in refused.headers
        assert "another browser" in refused.text
    # The browser that signed in still can (the refused attempts did not use the ticket up).
    assert redeem(url, ticket, cookie=attacker.cookie).status_code == 303


def test_a_ticket_works_only_in_the_browser_that_signed_in(harness):
    """A ticket that leaks (a log, a proxy, a screenshot) cannot be redeemed elsewhere."""
    laptop, elsewhere = Browser(), Browser()
    assert laptop.nonce != elsewhere.nonce
    url, ticket = laptop.ticket("manager@contoso.example")
    assert redeem(url, ticket, cookie=elsewhere.cookie).status_code == 400
    assert redeem(url, ticket).status_code == 400
    response = redeem(url, ticket, cookie=laptop.cookie)
    assert response.status_code == 303 and "prm_session=" in response.headers["set-cookie"]


def test_a_tab_that_never_got_the_browsers_nonce_gets_no_ticket(harness):
    client = HostileClient(api_url())
    try:
        form = {"email": "manager@contoso.example", "password": DEMO_PASSWORD}
        updates = json.dumps(client.exchange(event("auth_state.sign_in"), {"form": form}))
        forged = client.exchange(event("auth_state.keep_nonce"), {"nonce_hash": "not-a-hash"})
        again = json.dumps(client.exchange(event("auth_state.sign_in"), {"form": form}))
    finally:
        client.close()
    assert ticket_of(updates) is None and "not ready" in updates
    assert "browser_ready" not in json.dumps(forged)
    assert ticket_of(again) is None


def test_the_nonce_is_httponly_for_the_auth_routes_and_only_for_the_portals_pages(harness):
    answer = browser_nonce()
    set_cookie = answer.headers["set-cookie"].lower()
    for flag in ("prm_signin_nonce=", "httponly", "samesite=strict", "path=/auth", "max-age=3600"):
        assert flag in set_cookie, set_cookie
    nonce = answer.cookies["prm_signin_nonce"]
    assert nonce not in answer.text and len(answer.json()["nonce_hash"]) == 64
    # A browser that has one keeps it (two sign-in tabs of one browser agree).
    kept = httpx.post(
        f"{api_url()}/auth/nonce",
        headers={"Origin": portal_origin(), "Cookie": f"prm_signin_nonce={nonce}"},
    )
    assert kept.json() == answer.json()
    for origin in ("https://attacker.example", "null"):
        refused = browser_nonce(origin)
        assert refused.status_code == 403 and "set-cookie" not in refused.headers
    assert httpx.post(f"{api_url()}/auth/nonce").status_code == 403
    linked = httpx.get(f"{api_url()}/auth/nonce")
    assert linked.status_code in (404, 405) and "set-cookie" not in linked.headers


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
    browser = Browser()

    def try_sign_in(email: str, password: str) -> str:
        return json.dumps(browser.sign_in(email, password))

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


def _watchers(topic: str) -> list[str]:
    """The tabs registered for a live topic (read in a thread of its own: Playwright's sync API
    keeps an event loop in this one)."""
    with ThreadPoolExecutor(1) as pool:
        return pool.submit(asyncio.run, live._registry().watching(topic)).result()


def _northwind_org(db) -> int:
    with Session(db) as session:
        return auth.authenticate(
            session, email="admin@northwind.example", password=DEMO_PASSWORD
        ).org_id


def test_a_signed_out_tab_is_told_of_no_more_changes(harness, db):
    # A tab watching its organization's deals is sent each change's version; signed out, or
    # refused as signed out when the next version makes it re-read, it watches nothing more.
    topic = f"deals:{_northwind_org(db)}"
    for leave, payload in (("auth_state.sign_out", {}), ("deals_state.follow", {"version": 10**6})):
        cookie = sign_in_cookie("admin@northwind.example")
        tab = HostileClient(api_url(), cookie=cookie)
        try:
            tab.exchange(event("deals_state.load_provider"), {}, path="/p/deals")
            assert tab.token in _watchers(topic)
            if leave == "deals_state.follow":  # another tab signed this session out
                with Session(db) as session:
                    auth.sign_out(session, token=cookie.split("=", 1)[1])
                    session.commit()
            tab.exchange(event(leave), payload, path="/p/deals")
            assert tab.token not in _watchers(topic), leave
        finally:
            tab.close()


def test_a_board_whose_session_ended_is_pushed_nothing_more(harness, db):
    # A board is pushed to its tabs after each change (state.live's pushed views), read as each
    # tab's session sees it then: a session signed out elsewhere gets no board, and the tab is
    # forgotten.
    from prm_app.services.core import changes
    from prm_app.services.core.unit_of_work import unit_of_work

    org_id = _northwind_org(db)
    topic = f"{live.PUSH}deals:{org_id}"
    cookie = sign_in_cookie("admin@northwind.example")
    tab = HostileClient(api_url(), cookie=cookie)
    try:
        tab.exchange(event("deals_state.load_provider"), {}, path="/p/deals")
        tab.exchange(event("deals_state.set_view"), {"value": "board"}, path="/p/deals")
        assert tab.token in _watchers(topic)
        with Session(db) as session:
            auth.sign_out(session, token=cookie.split("=", 1)[1])
            session.commit()
        with unit_of_work() as session:  # a change of the organization's deals
            changes.deals_changed(session, org_id)
        deadline = time.monotonic() + 10
        while tab.token in _watchers(topic) and time.monotonic() < deadline:
            time.sleep(0.1)
        assert tab.token not in _watchers(topic)
    finally:
        tab.close()
