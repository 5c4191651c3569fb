"""Market development funds' files: a claim's receipt serves only the managers and admins of the
claim's two organizations (Northwind and Tailspin in the demo); no session, a forged one, a
member, or another organization gets nothing. The CSV exports hold only the caller's own."""

import pytest
from sqlmodel import Session, select

from prm_app.models import MdfReceipt
from prm_app.services.mdf.claims import PNG
from tests.security.test_file_routes import _get
from tests.security.test_session_replay import sign_in_cookie

ACTIVITY = "Regional trade show booth"  # the demo's claimed activity (prm_app/demo/funds.py)


@pytest.fixture(scope="module")
def receipt(harness, db) -> str:
    """The demo's receipt (Tailspin's claim to Northwind), as a path."""
    with Session(db) as session:
        found = session.exec(
            select(MdfReceipt.id).where(MdfReceipt.file_name == "booth-invoice.png")
        ).one()
    return f"/files/mdf/receipts/{found}"


def test_without_a_valid_session_nothing_is_served(receipt):
    for cookie in (None, "prm_session=forged-token", "prm_session="):
        for path in (receipt, "/files/mdf/requests.csv", "/files/mdf/balances.csv"):
            response = _get(path, cookie)
            assert response.status_code == 401, (path, cookie)
            assert ACTIVITY not in response.text


def test_the_two_sides_get_the_receipt_and_no_one_else(receipt):
    for email in ("admin@northwind.example", "manager@tailspin.example"):
        got = _get(receipt, sign_in_cookie(email))
        assert got.status_code == 200, email
        assert got.headers["content-type"] == PNG
        assert got.headers["cache-control"] == "no-store"
        assert got.headers["x-content-type-options"] == "nosniff"
        assert got.headers["content-disposition"].startswith("attachment;")
        assert got.content.startswith(b"\x89PNG")
    # Members do not handle funds; another partner of Northwind and another provider never see it.
    assert _get(receipt, sign_in_cookie("member@tailspin.example")).status_code == 403
    for email in ("admin@fabrikam.example", "admin@contoso.example"):
        refused = _get(receipt, sign_in_cookie(email))
        assert refused.status_code == 404, email
        assert not refused.content.startswith(b"\x89PNG")


def test_exports_hold_the_callers_own_only():
    northwind = _get("/files/mdf/requests.csv", sign_in_cookie("admin@northwind.example"))
    assert northwind.status_code == 200 and ACTIVITY in northwind.text
    tailspin = _get("/files/mdf/balances.csv", sign_in_cookie("admin@tailspin.example"))
    assert tailspin.status_code == 200 and "Northwind" in tailspin.text
    for path in ("/files/mdf/requests.csv", "/files/mdf/balances.csv"):
        other = _get(path, sign_in_cookie("admin@fabrikam.example"))
        assert other.status_code == 200
        assert ACTIVITY not in other.text and "quarter" not in other.text
        contoso = _get(path, sign_in_cookie("admin@contoso.example"))
        assert ACTIVITY not in contoso.text


@pytest.mark.parametrize(
    "path",
    [
        "/files/mdf/receipts/0",
        "/files/mdf/receipts/99999999999999999999",
        "/files/mdf/receipts/1%20OR%201=1",
        "/files/mdf/receipts/-1",
        "/files/mdf/other.csv",
        "/files/mdf/requests.csv?status=bogus",
    ],
)
def test_bad_ids_are_refused_clearly(path):
    response = _get(path, sign_in_cookie("admin@northwind.example"))
    assert response.status_code in (400, 404)
    assert response.text and "Traceback" not in response.text
