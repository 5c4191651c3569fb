"""Spreadsheet uploads (.xlsx, .xls, .ods): read by their bytes into the Table a CSV gives,
typed cells written as the CSV path expects them, titles and merged header cells, sheets."""

import datetime as dt
import io
import zipfile

import openpyxl
import pytest
import xlwt
from argon2 import PasswordHasher
from odf.opendocument import OpenDocumentSpreadsheet
from odf.table import Table as OdsTable
from odf.table import TableCell, TableRow
from odf.text import P
from sqlmodel import select

from prm_app.models import Deal, Lead, OrgKind
from prm_app.services import imports
from prm_app.services.core.errors import Invalid
from prm_app.services.identity import auth
from prm_app.services.imports import sheets
from tests.unit.factories import org_admin, partners

DEAL_HEADER = ["Opportunity Name", "Account Name", "Contact email", "Amount", "Close Date"]
DEAL_ROWS = [
    ["Rollout", "Contoso", "jane@contoso.com", 12000.5, dt.date(2030, 6, 30)],
    ["Renewal", "Tailspin", "", 800, dt.datetime(2031, 1, 2)],
]
CSV_TWIN = (
    "Opportunity Name,Account Name,Contact email,Amount,Close Date,Provider\n"
    "Rollout,Contoso,jane@contoso.com,12000.50,2030-06-30,Northwind\n"
    "Renewal,Tailspin,,800,2031-01-02,Northwind\n"
)


@pytest.fixture(autouse=True)
def _cheap_password_hashing(monkeypatch):
    monkeypatch.setattr(auth, "_hasher", PasswordHasher(time_cost=1, memory_cost=8, parallelism=1))


@pytest.fixture
def world(session):
    provider = org_admin(session, kind=OrgKind.PROVIDER, org_name="Northwind")
    firm = org_admin(session, kind=OrgKind.CONSULTANT, org_name="Fabrikam")
    partners(session, provider, firm)
    return provider, firm


def _xlsx(build) -> io.BytesIO:
    book = openpyxl.Workbook()
    build(book)
    data = io.BytesIO()
    book.save(data)
    data.seek(0)
    return data


def _two_sheets_with_a_grouped_header(book) -> None:
    """A cover sheet without values, then the list: a title merged over the columns, a
    two-row header whose 'Deal' cell groups two columns, date and number cells."""
    book.active.title = "Cover"
    sheet = book.create_sheet("Deals")
    sheet.append(["Pipeline export, June"])
    sheet.merge_cells("A1:F1")
    sheet.append(["Deal", None, "Contact email", "Amount", "Close Date", "Provider"])
    sheet.merge_cells("A2:B2")
    for column in "CDEF":
        sheet.merge_cells(f"{column}2:{column}3")
    sheet.append(["Opportunity Name", "Account Name"])
    for row in DEAL_ROWS:
        sheet.append([*row, "Northwind"])
    sheet["E4"].number_format = "dd/mm/yyyy"


def _deals(session, batch_id) -> list[tuple]:
    found = session.exec(select(Deal).where(Deal.import_batch_id == batch_id).order_by(Deal.name))
    return [(d.name, d.company, d.contact_email, str(d.amount), d.close_date) for d in found]


def test_an_xlsx_with_two_sheets_merged_headers_and_dates_imports_as_its_csv_twin(session, world):
    _, firm = world
    workbook = _xlsx(_two_sheets_with_a_grouped_header)
    prepared = imports.prepare(session, actor=firm, kind="deals", file=workbook)
    assert (prepared.sheets, prepared.sheet) == (("Cover", "Deals"), "Deals")
    assert prepared.headers == [*DEAL_HEADER, "Provider"]
    twin = imports.prepare(session, actor=firm, kind="deals", file=io.BytesIO(CSV_TWIN.encode()))
    assert prepared.mapping == twin.mapping and prepared.rows == twin.rows == 2
    checked = imports.dry_run(
        session, actor=firm, kind="deals", file=workbook, mapping=prepared.mapping
    )
    assert checked.problems == [] and [p["row"] for p in checked.preview] == [4, 5]
    from_sheet = imports.run(
        session,
        actor=firm,
        kind="deals",
        file=workbook,
        file_name="pipeline.xlsx",
        mapping=prepared.mapping,
        reading=sheets.Reading(sheet="Deals"),
    )
    imported = _deals(session, from_sheet.id)
    imports.undo(session, actor=firm, batch_id=from_sheet.id)  # or the twin's are duplicates
    from_csv = imports.run(
        session,
        actor=firm,
        kind="deals",
        file=io.BytesIO(CSV_TWIN.encode()),
        file_name="pipeline.csv",
        mapping=twin.mapping,
    )
    assert imported == _deals(session, from_csv.id)
    assert imported[0][3:] == ("800.00", dt.date(2031, 1, 2))


def test_typed_cells_are_written_as_the_csv_path_expects_them():
    assert [
        sheets.cell_text(v)
        for v in (
            dt.datetime(2030, 6, 30),
            dt.datetime(2030, 6, 30, 14, 5),
            dt.date(2030, 6, 30),
            12000.0,
            12000.5,
            0.1,
            5550100,
            True,
            None,
            float("nan"),
            "  text ",
        )
    ] == [
        "2030-06-30",
        "2030-06-30 14:05:00",
        "2030-06-30",
        "12000",
        "12000.5",
        "0.1",
        "5550100",
        "TRUE",
        "",
        "",
        "  text ",
    ]


def test_a_merged_header_cell_without_a_row_of_names_below_names_its_columns():
    def build(book):
        sheet = book.active
        sheet.append(["Name", None, "Email"])
        sheet.merge_cells("A1:B1")
        sheet.append(["Jane", "Doe", "jane@contoso.com"])

    table = sheets.read_table(_xlsx(build))
    assert table.headers == ["Name", "Name 2", "Email"]
    assert table.rows.loc[2].tolist() == ["Jane", "Doe", "jane@contoso.com"]


def test_the_chosen_sheet_is_read_and_an_unknown_or_empty_one_refused():
    def build(book):
        book.active.title = "Leads"
        book.active.append(["Email"])
        book.active.append(["a@contoso.com"])
        other = book.create_sheet("Old")
        other.append(["Email", "Company"])
        other.append(["b@contoso.com", "Contoso"])
        book.create_sheet("Empty")

    workbook = _xlsx(build)
    assert sheets.read_table(workbook).rows["Email"].tolist() == ["a@contoso.com"]
    assert sheets.read_table(workbook, sheet="Old").rows["Company"].tolist() == ["Contoso"]
    for sheet, message in (("Nope", "Choose one of the workbook"), ("Empty", "is empty")):
        with pytest.raises(Invalid, match=message) as refused:
            sheets.read_table(workbook, sheet=sheet)
        assert refused.value.field == "sheet"


def test_xls_and_ods_are_read_by_their_bytes_whatever_their_name():
    book = xlwt.Workbook()
    sheet = book.add_sheet("Leads")
    dated = xlwt.easyxf(num_format_str="YYYY-MM-DD")
    for column, value in enumerate(["Email", "Phone", "Since"]):
        sheet.write(0, column, value)
    sheet.write(1, 0, "jane@contoso.com")
    sheet.write(1, 1, 5550100)
    sheet.write(1, 2, dt.date(2030, 6, 30), dated)
    xls = io.BytesIO()
    book.save(xls)
    xls.seek(0)
    assert sheets.spreadsheet_kind(xls) == sheets.XLS
    assert sheets.read_table(xls).rows.loc[2].tolist() == [
        "jane@contoso.com",
        "5550100",
        "2030-06-30",
    ]

    document = OpenDocumentSpreadsheet()
    table = OdsTable(name="Leads")
    for values in (["Email", "Phone"], ["jane@contoso.com", 5550100]):
        row = TableRow()
        for value in values:
            if isinstance(value, int):
                cell = TableCell(valuetype="float", value=value)
            else:
                cell = TableCell(valuetype="string")
            cell.addElement(P(text=str(value)))
            row.addElement(cell)
        table.addElement(row)
    document.spreadsheet.addElement(table)
    ods = io.BytesIO()
    document.write(ods)
    ods.seek(0)
    assert sheets.spreadsheet_kind(ods) == sheets.ODS
    found = sheets.read_table(ods)
    assert (found.sheets, found.rows.loc[2].tolist()) == (
        ("Leads",),
        ["jane@contoso.com", "5550100"],
    )


def test_a_spreadsheet_under_a_csv_name_and_a_csv_under_a_spreadsheet_name(session, world):
    _, firm = world
    workbook = _xlsx(lambda book: book.active.append(["First name"]) or None)
    # A workbook of a header only: read as a spreadsheet (refused for having no rows), not as text.
    with pytest.raises(Invalid, match="has a header but no rows"):
        imports.prepare(session, actor=firm, kind="leads", file=workbook)
    text = io.BytesIO(b"First name,Last name,Email,Company\nJane,Doe,jane@contoso.com,Contoso\n")
    batch = imports.run(
        session,
        actor=firm,
        kind="leads",
        file=text,
        file_name="leads.xlsx",
        mapping={
            "first_name": "First name",
            "last_name": "Last name",
            "email": "Email",
            "company": "Company",
        },
    )
    lead = session.exec(select(Lead).where(Lead.import_batch_id == batch.id)).one()
    assert lead.email == "jane@contoso.com"


@pytest.mark.parametrize(
    ("members", "message"),
    [
        ({"readme.txt": b"hello"}, "a zip archive, not a spreadsheet"),
        ({"xl/workbook.xml": b"\0" * 2_000_000}, "cannot be read"),  # inflates 100x and more
        ({"xl/workbook.xml": b"<workbook/>"}, "xlsx file cannot be read"),
    ],
    ids=["zip", "zip-bomb", "damaged-xlsx"],
)
def test_zips_that_are_no_workbook_are_refused(members, message):
    data = io.BytesIO()
    with zipfile.ZipFile(data, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in members.items():
            archive.writestr(name, content)
    with pytest.raises(Invalid, match=message):
        sheets.read_table(data)


def test_a_sheet_over_the_row_limit_is_refused(monkeypatch):
    monkeypatch.setenv("PRM_IMPORT_MAX_ROWS", "3")

    def build(book):
        book.active.append(["Email"])
        for n in range(4):
            book.active.append([f"p{n}@contoso.com"])

    with pytest.raises(Invalid, match="more than 3 rows"):
        sheets.read_table(_xlsx(build))
