"""The ledger's files (statement, payouts) serve only the signed-in organization's managers and
admins their own lines: no session, a forged one, a member or another organization get none."""

import pytest

from tests.security.test_file_routes import _get
from tests.security.test_session_replay import sign_in_cookie

PATHS = ["/files/ledger/statement.csv", "/files/ledger/payouts.csv"]
WON = "Trey Research finance suite"  # the demo's won deal: Northwind's, with Tailspin


@pytest.mark.usefixtures("harness")
def test_without_a_valid_session_nothing_is_served():
    for cookie in (None, "prm_session=forged-token", "prm_session="):
        for path in PATHS:
            response = _get(path, cookie)
            assert response.status_code == 401, (path, cookie)
            assert WON not in response.text


@pytest.mark.usefixtures("harness")
def test_the_two_sides_get_their_statement_and_no_one_else():
    for email in ("admin@northwind.example", "admin@tailspin.example"):
        statement = _get(PATHS[0], sign_in_cookie(email))
        assert statement.status_code == 200, email
        assert statement.headers["content-type"].startswith("text/csv")
        assert statement.headers["cache-control"] == "no-store"
        assert WON in statement.text and "Commission accrued" in statement.text
    for email in ("admin@fabrikam.example", "admin@contoso.example"):
        for path in PATHS:
            response = _get(path, sign_in_cookie(email))
            assert response.status_code == 200
            assert WON not in response.text
    member = sign_in_cookie("member@northwind.example")
    for path in PATHS:
        response = _get(path, member)
        assert response.status_code == 403
        assert WON not in response.text


@pytest.mark.usefixtures("harness")
@pytest.mark.parametrize(
    "query",
    [
        "/files/ledger/everything.csv",
        "/files/ledger/statement.csv?other_org_id=1%20OR%201=1",
        "/files/ledger/statement.csv?other_org_id=-1",
        "/files/ledger/payouts.csv?status=bogus",
        "/files/ledger/payouts.csv?other_org_id=abc",
    ],
)
def test_bad_requests_are_refused_clearly(query):
    response = _get(query, sign_in_cookie("admin@northwind.example"))
    assert response.status_code in (400, 403, 404)
    assert response.text and "Traceback" not in response.text
