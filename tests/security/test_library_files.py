"""The library's download route serves an item only to its provider and the partners its
audience admits: the demo's Gold-only price list reaches Fabrikam (Gold), never Tailspin
(Silver), Contoso (another provider) or a caller without a valid session; nor is it listed to
them. Each partner download is logged."""

import pytest
from sqlmodel import Session, select

from prm_app.models import LibraryDownload, LibraryItem
from prm_app.services import library
from prm_app.services.identity import auth
from tests.harness import DEMO_PASSWORD
from tests.security.test_file_routes import _get
from tests.security.test_session_replay import sign_in_cookie

PRICE_ROW = "ERP Core,12000,9600"  # in the demo's Gold partner price list


@pytest.fixture(scope="module")
def price_list(harness, db) -> int:
    with Session(db) as session:
        return session.exec(
            select(LibraryItem.id).where(LibraryItem.title == "Gold partner price list")
        ).one()


def _downloads(db, item_id: int) -> int:
    with Session(db) as session:
        return len(
            session.exec(select(LibraryDownload).where(LibraryDownload.item_id == item_id)).all()
        )


def test_only_the_audience_downloads_it(db, price_list):
    path = f"/files/library/{price_list}"
    for cookie in (None, "prm_session=forged-token", "prm_session="):
        response = _get(path, cookie)
        assert response.status_code == 401 and PRICE_ROW not in response.text
    before = _downloads(db, price_list)
    for email in ("admin@tailspin.example", "member@tailspin.example", "admin@contoso.example"):
        refused = _get(path, sign_in_cookie(email))
        assert refused.status_code == 404, email
        assert PRICE_ROW not in refused.text
    assert _downloads(db, price_list) == before  # a refusal logs nothing
    served = _get(path, sign_in_cookie("member@fabrikam.example"))
    assert served.status_code == 200 and PRICE_ROW in served.text
    assert served.headers["content-disposition"].startswith("attachment;")
    assert served.headers["cache-control"] == "no-store"
    assert _downloads(db, price_list) == before + 1
    assert _get(path, sign_in_cookie("admin@northwind.example")).status_code == 200


def test_outside_the_audience_it_is_never_listed(db, price_list):
    with Session(db) as session:
        for email, listed in (
            ("member@fabrikam.example", True),
            ("member@tailspin.example", False),
        ):
            actor = auth.authenticate(session, email=email, password=DEMO_PASSWORD)
            titles = {i.title for i in library.partner_items(session, actor=actor)}
            assert ("Gold partner price list" in titles) is listed, email
            assert "2027 roadmap (draft)" not in titles


@pytest.mark.parametrize("item", ["0", "abc", "-1", "99999999999999999999", "1%20OR%201=1"])
def test_bad_ids_are_refused_clearly(item):
    response = _get(f"/files/library/{item}", sign_in_cookie("admin@fabrikam.example"))
    assert response.status_code in (400, 404)
    assert response.text and "Traceback" not in response.text
