"""The file routes (import error files, list exports) serve only the signed-in organization's
own records: no session, a forged session or another organization's batch gets nothing."""

import io

import httpx
import pytest
from sqlmodel import Session

from prm_app.services import imports
from prm_app.services.identity import auth
from tests.harness import DEMO_PASSWORD
from tests.security.test_anonymous_access import api_url, secrets_in_db
from tests.security.test_session_replay import sign_in_cookie
from tests.support import report

FABRIKAM = "admin@fabrikam.example"


@pytest.fixture(scope="module")
def fabrikam_batch(harness, db) -> int:
    """An import of Fabrikam's with one failed row (its error file names the bad row)."""
    with Session(db) as session:
        actor = auth.authenticate(session, email=FABRIKAM, password=DEMO_PASSWORD)
        batch = imports.run(
            session,
            actor=actor,
            kind="leads",
            file=io.BytesIO(
                b"First name,Last name,Email,Company\n"
                b"Sly,Secret,sly@secret-co.example,Secret Co\n"
                b"Bad,Row,not-an-email,Hidden Industries\n"
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


def _get(path: str, cookie: str | None = None) -> httpx.Response:
    headers = {"Cookie": cookie} if cookie else {}
    return httpx.get(f"{api_url()}{path}", headers=headers)


def test_without_a_valid_session_no_file_is_served(fabrikam_batch, db):
    paths = [
        f"/files/imports/{fabrikam_batch}/errors.csv",
        "/files/exports/sent.csv",
        "/files/exports/received.csv",
        "/files/exports/deals.csv",
    ]
    secrets = secrets_in_db(db) | {"Hidden Industries"}
    for cookie in (None, "prm_session=forged-token", "prm_session="):
        for path in paths:
            response = _get(path, cookie)
            assert response.status_code == 401, (path, cookie, response.status_code)
            assert not [s for s in secrets if s in response.text]
    report(f"file routes tried: {len(paths)} paths x 3 sessions")


def test_another_organizations_batch_does_not_exist(fabrikam_batch):
    northwind = sign_in_cookie("admin@northwind.example")
    response = _get(f"/files/imports/{fabrikam_batch}/errors.csv", northwind)
    assert response.status_code == 404
    assert "Hidden Industries" not in response.text
    for hostile in ("0", "-1", "abc", "1%3B%20DROP", "99999999999999999999999"):
        assert _get(f"/files/imports/{hostile}/errors.csv", northwind).status_code in (400, 404)


def test_the_owner_gets_the_error_file_and_exports(fabrikam_batch):
    fabrikam = sign_in_cookie(FABRIKAM)
    errors = _get(f"/files/imports/{fabrikam_batch}/errors.csv", fabrikam)
    assert errors.status_code == 200
    assert errors.headers["content-type"].startswith("text/csv")
    assert "attachment" in errors.headers["content-disposition"]
    assert errors.headers["cache-control"] == "no-store"
    assert "Hidden Industries" in errors.text and "Secret Co" not in errors.text
    export = _get("/files/exports/sent.csv?search=Secret%20Co", fabrikam)
    assert export.status_code == 200 and "Secret Co" in export.text
    assert (
        "Secret Co"
        not in _get("/files/exports/sent.csv", sign_in_cookie("admin@adatum.example")).text
    )


@pytest.mark.parametrize(
    "query",
    [
        "/files/exports/everything.csv",
        "/files/exports/sent.csv?org_id=1",
        "/files/exports/sent.csv?created_from=yesterday",
    ],
)
def test_bad_export_requests_are_refused_clearly(query):
    response = _get(query, sign_in_cookie(FABRIKAM))
    assert response.status_code in (400, 403, 404)
    assert response.text and "Traceback" not in response.text
