"""The security log's CSV download: the organization's admins only, their organization only."""

import csv
import io

import httpx

from tests.security.test_anonymous_access import api_url
from tests.security.test_session_replay import sign_in_cookie

URL = "/files/security/events.csv"


def _get(cookie: str | None, query: str = "") -> httpx.Response:
    headers = {"Cookie": cookie} if cookie else {}
    return httpx.get(f"{api_url()}{URL}{query}", headers=headers, timeout=30)


def test_admins_download_their_organizations_log_and_nobody_else_does(harness):
    member = sign_in_cookie("member@northwind.example")  # each sign-in is an event
    admin = sign_in_cookie("admin@northwind.example")
    stranger = sign_in_cookie("admin@contoso.example")

    response = _get(admin)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/csv")
    assert "attachment" in response.headers["content-disposition"]
    rows = list(csv.reader(io.StringIO(response.text)))
    assert rows[0][:3] == ["When (UTC)", "Event", "Person"]
    people = {row[3] for row in rows[1:]}
    assert {"member@northwind.example", "admin@northwind.example"} <= people
    assert not [p for p in people if p and not p.endswith("@northwind.example")]
    assert "contoso" not in response.text.lower()

    theirs = _get(stranger)
    assert theirs.status_code == 200 and "northwind" not in theirs.text.lower()

    only = list(csv.reader(io.StringIO(_get(admin, "?kind=signed_in").text)))
    assert {row[1] for row in only[1:]} == {"Signed in"}
    assert _get(admin, "?kind=bogus").status_code == 400

    refused = _get(member)
    assert refused.status_code == 403 and "northwind" not in refused.text.lower()
    for cookie in (None, "prm_session=" + "A" * 43):
        assert _get(cookie).status_code == 401
