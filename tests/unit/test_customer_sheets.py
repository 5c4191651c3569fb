"""The customer list from a workbook of several sheets: the service names its sheets and the one
read, refused or not; the Registration tab offers them, imports the one chosen (only one of
them, only for an admin) and forgets them with the file."""

import asyncio
import io

import pytest
from argon2 import PasswordHasher

from prm_app.models import OrgKind, Role
from prm_app.services.core import upload_store
from prm_app.services.core.errors import Invalid
from prm_app.services.customers import existing
from prm_app.services.identity import auth
from prm_app.services.imports import files as csv_files
from prm_app.state import base, upload_guard
from prm_app.state.registration_rules import RegistrationRulesState
from tests.unit.api_support import units_of_work
from tests.unit.factories import colleague, org_admin, signed_in
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


class _Upload:
    """What the handler reads of an rx.UploadFile."""

    def __init__(self, data: bytes):
        self._data = io.BytesIO(data)

    async def read(self, size: int = -1) -> bytes:
        return self._data.read(size)


@pytest.fixture
def tab(session, provider, monkeypatch, tmp_path):
    """The Registration tab of the provider's admin: its units of work savepoints of the test's
    transaction, its uploads kept in a folder of the test's."""
    monkeypatch.setattr(base, "unit_of_work", units_of_work(session))
    monkeypatch.setattr(upload_store, "directory", lambda: tmp_path)
    monkeypatch.setattr(upload_guard, "came_with", lambda token, ticket: True)
    token = signed_in(session, provider)
    monkeypatch.setattr(RegistrationRulesState, "_token", lambda self: token)
    return RegistrationRulesState(_reflex_internal_init=True)


def _upload(tab, data: bytes) -> None:
    asyncio.run(RegistrationRulesState.receive_customers.fn(tab, [_Upload(data)]))


def _choose(tab, form: object):
    return RegistrationRulesState.choose_sheet.fn(tab, form)


def test_the_tab_offers_the_sheets_and_imports_only_one_of_them(session, provider, tab, tmp_path):
    _upload(tab, _book().getvalue())
    assert (tab.sheets, tab.sheet, tab.import_report) == (
        list(SHEETS),
        "Notes",
        existing.NO_COLUMNS,
    )
    assert len(list(tmp_path.iterdir())) == 1  # kept, to read another sheet

    for form in ({"sheet": "Missing"}, {"sheet": ["Customers"]}, {}, None, "Customers"):
        assert _choose(tab, form) is None
        assert (tab.sheet, tab.import_report) == ("Notes", existing.NO_COLUMNS)
    assert _listed(session, provider) == []

    _choose(tab, {"sheet": "Customers"})
    assert (tab.sheet, tab.import_report) == ("Customers", "Added 2 customers.")
    assert [row["name"] for row in tab.customers] == ["Acme Inc", "Globex"]
    _choose(tab, {"sheet": "Empty"})
    assert tab.sheet == "Empty"
    assert tab.import_report == str(csv_files.no_rows("The sheet 'Empty'"))
    assert tab.sheets == list(SHEETS)  # another may still be chosen

    _upload(tab, b"Company\nInitech\n")  # another file: a CSV, no sheets
    assert (tab.sheets, tab.sheet, tab.import_report) == ([], "", "Added 1 customer.")
    assert list(tmp_path.iterdir()) == []
    assert _choose(tab, {"sheet": "Customers"}) is None


def test_only_an_admin_imports_another_sheet_and_a_reset_forgets_the_file(
    session, provider, tab, tmp_path, monkeypatch
):
    _upload(tab, _book().getvalue())
    member = colleague(session, provider, role=Role.MEMBER, email="m@northwind.example")
    token = signed_in(session, member)
    monkeypatch.setattr(RegistrationRulesState, "_token", lambda self: token)
    assert _choose(tab, {"sheet": "Customers"}) is not None  # refused: told in a toast
    assert _listed(session, provider) == []

    RegistrationRulesState.load.fn(tab)
    assert (tab.sheets, tab.sheet, tab.import_report) == ([], "", "")
    assert list(tmp_path.iterdir()) == []
    assert _choose(tab, {"sheet": "Customers"}) is None
