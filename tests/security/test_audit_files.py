"""The audit log's CSV and the full export's zip: the organization's admins only, their own
organization only, and the zip once."""

import csv
import io
import time
import zipfile

import httpx
from sqlmodel import Session, select

from prm_app import jobs
from prm_app.models import DataExport, Membership, Organization, Role, User
from prm_app.services.audit import full_export
from prm_app.services.core.actor import Actor
from prm_app.services.core.unit_of_work import unit_of_work
from tests.security.test_anonymous_access import api_url
from tests.security.test_session_replay import sign_in_cookie

LOG = "/files/audit/log.csv"


def _get(path: str, cookie: str | None) -> httpx.Response:
    headers = {"Cookie": cookie} if cookie else {}
    return httpx.get(f"{api_url()}{path}", headers=headers, timeout=60)


def test_admins_download_their_organizations_log_and_nobody_else_does(harness):
    member = sign_in_cookie("member@northwind.example")
    admin = sign_in_cookie("admin@northwind.example")
    stranger = sign_in_cookie("admin@contoso.example")

    response = _get(LOG, admin)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/csv")
    assert response.headers["cache-control"] == "no-store"
    rows = list(csv.reader(io.StringIO(response.text)))
    assert rows[0][:3] == ["When (UTC)", "Person", "Person's email"]
    signed_in = {row[2] for row in rows[1:] if row[6] == "signed_in"}
    assert {"member@northwind.example", "admin@northwind.example"} <= signed_in
    assert "admin@contoso.example" not in signed_in

    theirs = list(csv.reader(io.StringIO(_get(LOG, stranger).text)))
    assert "admin@northwind.example" not in {row[2] for row in theirs[1:]}

    only = list(csv.reader(io.StringIO(_get(f"{LOG}?action=signed_in", admin).text)))
    assert len(only) > 1 and {row[6] for row in only[1:]} == {"signed_in"}
    for bad in ("?action=1%20OR%201=1", "?record_type=users", "?since=yesterday", "?person=x"):
        assert _get(LOG + bad, admin).status_code == 400, bad

    refused = _get(LOG, member)
    assert refused.status_code == 403 and "northwind" not in refused.text.lower()
    for cookie in (None, "prm_session=" + "A" * 43):
        assert _get(LOG, cookie).status_code == 401


def _admin(db, email: str) -> Actor:
    with Session(db) as session:
        user, org, role = session.exec(
            select(User, Organization, Membership.role)
            .join(Membership, Membership.user_id == User.id)
            .join(Organization, Organization.id == Membership.org_id)
            .where(User.email == email)
        ).one()
        assert role == Role.ADMIN
        return Actor(user.id, org.id, org.kind, role, user.name, user.email, org.name)


def _status(db, export_id: int) -> str:
    with Session(db) as session:
        row = session.get(DataExport, export_id)
        assert row is not None
        return row.status


def test_the_full_export_is_served_once_to_its_admins_only(harness, db):
    actor = _admin(db, "admin@northwind.example")
    with unit_of_work() as session:
        export = full_export.start(session, actor=actor)
    jobs.run_exports()  # or a sweep of the running app took it: either way, wait for it
    deadline = time.monotonic() + 120
    while _status(db, export.id) != full_export.READY:
        assert time.monotonic() < deadline, _status(db, export.id)
        time.sleep(0.2)
    path = f"/files/audit/exports/{export.id}.zip"
    for cookie, status in [
        (None, 401),
        ("prm_session=" + "A" * 43, 401),
        (sign_in_cookie("member@northwind.example"), 403),
        (sign_in_cookie("admin@contoso.example"), 404),
    ]:
        refused = _get(path, cookie)
        assert refused.status_code == status, (cookie, refused.text)
        assert not refused.content.startswith(b"PK")
    admin = sign_in_cookie("admin@northwind.example")
    served = _get(path, admin)
    assert served.status_code == 200 and served.headers["content-type"] == "application/zip"
    assert "attachment" in served.headers["content-disposition"]
    names = zipfile.ZipFile(io.BytesIO(served.content)).namelist()
    assert {"leads.csv", "deals.csv", "activity_events.csv", "organizations.csv"} <= set(names)
    again = _get(path, admin)
    assert again.status_code == 404
    for bad in ("0", "-1", "abc", "1%20OR%201=1"):
        assert _get(f"/files/audit/exports/{bad}.zip", admin).status_code in (400, 404)
