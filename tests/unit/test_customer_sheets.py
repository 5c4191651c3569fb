"""The customer list from a workbook of several sheets: the service names its sheets and the one
read, refused or not."""

import io

import pytest
from argon2 import PasswordHasher

from prm_app.models import OrgKind
from prm_app.services.core.errors import Invalid
from prm_app.services.customers import existing
from prm_app.services.identity import auth
from prm_app.services.imports import files as csv_files
from tests.unit.factories import org_admin
from tests.unit.test_eligibility import _workbook


@pytest.fixture(autouse=True)
def _cheap_password_hashing(monkeypatch):
    monkeypatch.setattr(auth, "_hasher", PasswordHasher(time_cost=1, memory_cost=8, parallelism=1))


@pytest.fixture
def provider(session):
    return org_admin(session, kind=OrgKind.PROVIDER, org_name="Northwind")


def _book() -> io.BytesIO:
    """A note above the list (read first: the first sheet with a value), the list, an empty
    sheet."""
    return _workbook(
        ("Notes", [["Kept by Kim"], ["Ask her before changing it"]]),
        ("Customers", [["Company", "Domain"], ["Acme Inc", "acme.example"], ["Globex", None]]),
        ("Empty", [["Company", "Domain"]]),
    )


SHEETS = ("Notes", "Customers", "Empty")


def _listed(session, actor) -> list[str]:
    return [c.name for c in existing.customers(session, actor=actor).rows]


def test_the_import_names_the_workbooks_sheets_and_the_one_read(session, provider):
    book = _book()
    with pytest.raises(existing.FileRefused) as refused:
        existing.import_csv(session, actor=provider, file=book)
    assert (str(refused.value), refused.value.field) == (existing.NO_COLUMNS, "file")
    assert (refused.value.sheets, refused.value.sheet) == (SHEETS, "Notes")
    assert _listed(session, provider) == []

    done = existing.import_csv(session, actor=provider, file=book, sheet="Customers")
    assert (done.added, done.already, done.sheets, done.sheet) == (2, 0, SHEETS, "Customers")
    assert _listed(session, provider) == ["Acme Inc", "Globex"]

    with pytest.raises(existing.FileRefused) as refused:
        existing.import_csv(session, actor=provider, file=book, sheet="Empty")
    assert str(refused.value) == str(csv_files.no_rows("The sheet 'Empty'"))
    assert (refused.value.field, refused.value.sheets, refused.value.sheet) == (
        "sheet",
        SHEETS,
        "Empty",
    )
    with pytest.raises(Invalid, match="Choose one of the workbook's sheets") as refused:
        existing.import_csv(session, actor=provider, file=book, sheet="Missing")
    assert not isinstance(refused.value, existing.FileRefused)  # not open: no sheets to offer

    done = existing.import_csv(session, actor=provider, file=io.BytesIO(b"Company\nInitech\n"))
    assert (done.added, done.sheets, done.sheet) == (1, (), "")
    with pytest.raises(existing.FileRefused) as refused:
        existing.import_csv(session, actor=provider, file=io.BytesIO(b"Foo,Bar\n1,2\n"))
    assert (refused.value.sheets, refused.value.sheet) == ((), "")
