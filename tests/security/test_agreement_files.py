"""The agreements' files serve only the two organizations of a partnership: the signed copy to
Northwind and the partner that signed it, the published version to Northwind and the partners it
is asked of; no session, a forged one, or another organization gets nothing."""

import pytest
from sqlmodel import Session, select

from prm_app.models import AgreementAcceptance, AgreementVersion
from tests.security.test_file_routes import _get
from tests.security.test_session_replay import sign_in_cookie

CLAUSE = "Leads and deals are registered through the partner portal"  # the demo's agreement


@pytest.fixture(scope="module")
def files(harness, db) -> dict[str, str]:
    """The demo's signed agreement (Tailspin's) and its version, as paths."""
    with Session(db) as session:
        acceptance = session.exec(
            select(AgreementAcceptance).where(AgreementAcceptance.typed_name == "Lidia Holloway")
        ).one()
        version = session.get(AgreementVersion, acceptance.version_id)
    return {
        "signed": f"/files/agreements/signed/{acceptance.id}",
        "version": f"/files/agreements/{version.id}",
    }


def test_without_a_valid_session_nothing_is_served(files):
    for cookie in (None, "prm_session=forged-token", "prm_session="):
        for path in files.values():
            response = _get(path, cookie)
            assert response.status_code == 401, (path, cookie)
            assert CLAUSE not in response.text


def test_the_two_sides_get_the_signed_copy_and_no_one_else(files):
    for email in ("admin@northwind.example", "member@northwind.example", "admin@tailspin.example"):
        signed = _get(files["signed"], sign_in_cookie(email))
        assert signed.status_code == 200, email
        assert signed.headers["cache-control"] == "no-store"
        assert signed.headers["content-disposition"].startswith("attachment;")
        assert CLAUSE in signed.text and "By: Lidia Holloway" in signed.text
    # Fabrikam is asked to sign the same agreement: it reads the text, never Tailspin's copy.
    fabrikam = sign_in_cookie("admin@fabrikam.example")
    assert _get(files["version"], fabrikam).status_code == 200
    refused = _get(files["signed"], fabrikam)
    assert refused.status_code == 404 and CLAUSE not in refused.text
    contoso = sign_in_cookie("admin@contoso.example")  # another provider
    for path in files.values():
        response = _get(path, contoso)
        assert response.status_code == 404 and CLAUSE not in response.text


@pytest.mark.parametrize(
    "path",
    [
        "/files/agreements/0",
        "/files/agreements/99999999999999999999",
        "/files/agreements/1%20OR%201=1",
        "/files/agreements/signed/-1",
        "/files/agreements/signed/abc",
    ],
)
def test_bad_ids_are_refused_clearly(path):
    response = _get(path, sign_in_cookie("admin@northwind.example"))
    assert response.status_code in (400, 404)
    assert response.text and "Traceback" not in response.text
