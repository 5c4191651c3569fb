"""Every HTTP route of the running backend, attacked: no session, a forged session, another
organization's session, and (for uploads) a forged client token.

Routes are enumerated from the app's ASGI application (the app's own routes, those another
module adds later, and Reflex's), so a new route is covered automatically. Routes meant to be
public are listed, each with why, in PUBLIC; they are still attacked and must change nothing.
"""

import csv
import io
import json
import queue
import re
import time
import uuid

import httpx
import pytest
from sqlmodel import Session
from starlette.routing import Mount, Route, WebSocketRoute

from prm_app.services import imports, leads
from prm_app.services.identity import auth
from prm_app.state import upload_guard
from tests.harness import DEMO_PASSWORD
from tests.security import attack_surface as surface
from tests.security.hostile_client import HostileClient
from tests.security.test_anonymous_access import api_url, outbox_settled
from tests.security.test_session_replay import event, sign_in_cookie
from tests.support import report

# Public on purpose. Everything else must refuse a caller without a valid session.
PUBLIC = {
    "/ping": "liveness probe, answers 'pong'",
    "/_health": "health probe, reports only up/down of the database and state manager",
    "/auth/nonce": "POST from the portal's pages only: this browser's pre-sign-in nonce",
    "/auth/session": "POST from the portal's pages only: a single-use ticket for the cookie",
    "/auth/signout": "POST from the portal's pages only: clears the cookie (revoked in the event)",
    "/_event": "the websocket; every event handler is attacked by test_hostile_handlers",
    # Reflex serves its public upload folder here; the app never writes to it (imports stream
    # to a private folder), so there is nothing to read: checked below.
    "/_upload/{path:path}": "Reflex's static folder of public uploads (empty)",
    # Reflex's own build-time route list (no data).
    "/_all_routes": "the frontend's page routes",
    # The REST API's documentation (its operations need a key: attacked like every route).
    "/api/v1/openapi.json": "the OpenAPI document, public at a stable URL",
    "/api/v1/docs": "the interactive documentation page",
    "/api/v1/docs/oauth2-redirect": "part of the interactive documentation",
    "/api/v1/redoc": "the reference documentation page",
    # Web-to-lead: anyone may fill in a provider's form; an unknown token finds nothing.
    "/forms/{token}": "a provider's public form, by its unguessable token",
    "/forms/{token}/thanks": "the thank-you page after a submission",
    # The partner program (prm_app.program_pages): a provider's pages by its chosen slug, 404
    # while off; tested in tests/unit/test_program_pages.py.
    "/apply/{slug}": "a provider's 'Become a partner' form",
    "/apply/{slug}/thanks": "the page after an application",
    "/apply/{slug}/confirm": "the applicant's mailed link, by its unguessable token",
    "/partners/{slug}": "a provider's published partner locator",
    "/partners/{slug}/{listing_id}/contact": "a listed partner's contact form",
}
# Reflex answers 202 to every upload and streams it to the event handler it names, which
# refuses it unless signed in: for this route, nothing stored is the refusal (checked below).
STREAMED_TO_A_HANDLER = "/_upload"
PARAM = re.compile(r"{([a-z_]+)(?::[a-z]+)?}")


def _walk(routes, prefix=""):
    for route in routes:
        if router := getattr(route, "original_router", None):  # FastAPI's include_router
            yield from _walk(router.routes, prefix + route.include_context.prefix)
        elif isinstance(route, Mount):
            inner = getattr(route.app, "routes", None)
            if inner is None and hasattr(route.app, "app"):  # a middleware around a router
                inner = getattr(route.app.app, "routes", None)
            if inner:
                yield from _walk(inner, prefix + route.path)
            else:
                yield prefix + route.path + "/{path:path}", {"GET"}
        elif isinstance(route, Route):
            yield prefix + route.path, set(route.methods or {"GET"}) - {"HEAD"}
        elif isinstance(route, WebSocketRoute):
            yield prefix + route.path, {"WEBSOCKET"}


def all_routes(harness) -> dict[str, set[str]]:
    """{path template: methods} of the running backend."""
    app = harness.app_asgi
    found: dict[str, set[str]] = {}
    for path, methods in _walk(app.routes):
        found.setdefault(path or "/", set()).update(methods)
    return found


def _filled(path: str, values: dict[str, str]) -> str:
    return PARAM.sub(lambda m: values.get(m.group(1), "1"), path)


def _call(method: str, path: str, cookie: str | None, headers: dict | None = None):
    all_headers = {"Cookie": cookie} if cookie else {}
    all_headers |= headers or {}
    files = {"files": ("leads.csv", b"First name,Email\nEve,eve@evil.example\n", "text/csv")}
    if method == "POST":
        return httpx.post(f"{api_url()}{path}", headers=all_headers, files=files, timeout=30)
    return httpx.request(method, f"{api_url()}{path}", headers=all_headers, timeout=30)


def upload_headers() -> dict[str, str]:
    """A forged client token and the real import handler, as Reflex's upload endpoint wants."""
    return {"Reflex-Client-Token": str(uuid.uuid4()), "Reflex-Event-Handler": import_upload()}


def import_upload() -> str:
    """The import page's upload handler (the onboarding page has one of the same name)."""
    return next(
        h.event
        for h in surface.all_handlers()
        if h.name == "receive_file" and h.event.endswith("import_state.receive_file")
    )


def stored_uploads(folder) -> list:
    return sorted(p.name for p in folder.iterdir())


def a_victims_batch(db) -> int:
    """An import of Fabrikam's with a failed row, of its own (unique rows)."""
    tag = uuid.uuid4().hex[:6]
    with Session(db) as session:
        actor = auth.authenticate(session, email="admin@fabrikam.example", password=DEMO_PASSWORD)
        batch = imports.run(
            session,
            actor=actor,
            kind="leads",
            file=io.BytesIO(
                f"First name,Last name,Email,Company\n"
                f"Sly,Secret,sly{tag}@secret-co{tag}.example,Secret Co {tag}\n"
                f"Bad,Row,not-an-email,Hidden Industries\n".encode()
            ),
            file_name="secret.csv",
            mapping={
                "first_name": "First name",
                "last_name": "Last name",
                "email": "Email",
                "company": "Company",
            },
        )
        session.commit()
        return batch.id


def test_every_route_refuses_callers_without_a_valid_session(harness, db, tmp_path, monkeypatch):
    monkeypatch.setenv("PRM_UPLOAD_DIR", str(tmp_path))  # the backend runs in this process
    routes = all_routes(harness)
    attacker = "admin@adatum.example"
    _, adatum, members = surface.org_of(db, attacker)
    secrets = surface.secrets(db, attacker_org=adatum) | {"Hidden Industries"}
    values = {"batch_id": str(a_victims_batch(db)), "list_name": "deals", "name": "statement"}
    sessions = {
        "no session": None,
        "forged session": "prm_session=" + "A" * 43,
        "empty session": "prm_session=",
        "another organization's session": sign_in_cookie(attacker),
    }
    outbox_settled(db)
    before = surface.digest(db, orgs={adatum}, users=members)
    failures, calls = [], 0
    for template, methods in sorted(routes.items()):
        if "WEBSOCKET" in methods:
            continue
        path = _filled(template, values | {"path": "leads.csv"})
        for method in sorted(methods):
            for label, cookie in sessions.items():
                headers = upload_headers() if method == "POST" else None
                response = _call(method, path, cookie, headers)
                calls += 1
                text = response.text
                if leaked := sorted(s for s in secrets if s in text):
                    failures.append(f"{method} {template} with {label} revealed {leaked[:3]}")
                if "Traceback" in text or response.status_code >= 500:
                    failures.append(f"{method} {template} with {label}: {response.status_code}")
                if template in PUBLIC or label == "another organization's session":
                    continue
                if template == STREAMED_TO_A_HANDLER and response.status_code == 202:
                    time.sleep(0.5)  # the handler runs in the background
                    if stored := stored_uploads(tmp_path):
                        failures.append(f"{method} {template} with {label} stored {stored}")
                elif response.status_code < 400:
                    failures.append(
                        f"{method} {template} with {label} answered {response.status_code}"
                    )
    after = surface.digest(db, orgs={adatum}, users=members)
    if after != before:
        failures.append("the database changed")
    report(
        f"HTTP sweep: {len(routes)} routes ({len(PUBLIC)} public on purpose), "
        f"{calls} requests ({len(sessions)} kinds of caller each)"
    )
    assert len(routes) >= 8, f"route enumeration found too few routes: {sorted(routes)}"
    assert not failures, "\n".join(failures)


def test_an_upload_with_a_forged_client_token_stores_and_imports_nothing(
    harness, db, tmp_path, monkeypatch
):
    monkeypatch.setenv("PRM_UPLOAD_DIR", str(tmp_path))
    before = surface.digest(db)
    for cookie in (None, "prm_session=forged"):
        response = _call("POST", "/_upload", cookie, upload_headers())
        assert response.status_code in (202, 400, 401, 403, 404), response.status_code
        assert "Traceback" not in response.text
    time.sleep(1)
    assert stored_uploads(tmp_path) == []
    assert surface.digest(db) == before


@pytest.mark.usefixtures("harness")
def test_the_public_upload_folder_serves_nothing():
    for name in ("leads.csv", "../prm.db", "..%2F..%2Fetc%2Fpasswd"):
        assert httpx.get(f"{api_url()}/_upload/{name}").status_code == 404


def test_exported_csv_cells_cannot_run_as_formulas(harness, db):
    """Text a partner typed that a spreadsheet would run is exported with a leading apostrophe."""
    tag = uuid.uuid4().hex[:6]
    formulas = {
        "first_name": "=cmd|' /C calc'!A0",
        "last_name": "+1+1",
        "company": f"@SUM(1,2) Formula Co {tag}",
        "notes": "-2+3",
    }
    with Session(db) as session:
        fabrikam = auth.authenticate(
            session, email="admin@fabrikam.example", password=DEMO_PASSWORD
        )
        leads.save_draft(
            session,
            actor=fabrikam,
            data=leads.lead_input({**formulas, "email": f"f{tag}@formula.example"}),
            owner_id=fabrikam.user_id,
        )
        session.commit()
    cookie = sign_in_cookie("admin@fabrikam.example")
    response = _call("GET", f"/files/exports/sent.csv?search={tag}", cookie)
    assert response.status_code == 200
    rows = list(csv.reader(io.StringIO(response.text)))
    cells = [cell for row in rows[1:] for cell in row]
    assert f"'@SUM(1,2) Formula Co {tag}" in cells
    assert "'=cmd|' /C calc'!A0" in cells or "'+1+1" in cells
    assert not [c for c in cells if c[:1] in ("=", "+", "-", "@", "\t", "\r")]


def _ticket_of(tab: HostileClient, timeout: float = 30.0) -> str:
    """The upload ticket the import page handed its tab, read from the tab's own updates as they
    arrive (a busy server may fold the page's delta into a later update)."""
    deadline = time.time() + timeout
    while (left := deadline - time.time()) > 0:
        try:
            update = tab.updates.get(timeout=left)
        except queue.Empty:
            break
        if found := re.findall(r'"upload_ticket(?:_rx_state_)?": "([^"]+)"', json.dumps(update)):
            return found[-1]
    raise AssertionError("the import page gave its tab no upload ticket")


def test_a_client_knowing_only_a_tabs_token_cannot_upload_into_it(harness, tmp_path, monkeypatch):
    """A signed-in tab on its import page; a stranger who learnt the tab's client token (from a
    proxy log, say) posts a file under it, with no cookie or with their own session: the tab's
    import page receives nothing. The same post with the tab's ticket does reach it (the attack
    path is real)."""
    monkeypatch.setenv("PRM_UPLOAD_DIR", str(tmp_path))
    victim = sign_in_cookie("admin@fabrikam.example")
    stranger = sign_in_cookie("admin@adatum.example")
    tab = HostileClient(api_url(), cookie=victim)
    try:
        tab.emit(event("import_state.load_leads"), {}, path="/c/leads/import")
        ticket = _ticket_of(tab)
        as_the_tab = {"Reflex-Client-Token": tab.token, "Reflex-Event-Handler": import_upload()}
        attempts = {
            "no cookie, no ticket": (None, {}),
            "the stranger's session": (stranger, {}),
            "a made-up ticket": (None, {upload_guard.HEADER: "A" * 32}),
        }
        for label, (cookie, extra) in attempts.items():
            response = _call("POST", "/_upload", cookie, as_the_tab | extra)
            assert response.status_code < 500, label
            after = json.dumps(tab.sync())
            assert "leads.csv" not in after, f"{label}: the file reached the tab"
            assert '"map"' not in after, f"{label}: the tab moved on to mapping"
        # The control: with the tab's own ticket the same request is the tab's upload.
        _call("POST", "/_upload", None, as_the_tab | {upload_guard.HEADER: ticket})
        deadline = time.time() + 15
        seen = ""
        while time.time() < deadline and "leads.csv" not in seen:
            seen += json.dumps(tab.sync())
        assert "leads.csv" in seen, "the tab's own upload should have reached it"
        report(f"Uploads: {len(attempts)} uploads into a signed-in tab by its client token refused")
    finally:
        tab.close()
