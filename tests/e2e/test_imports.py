"""Import CSV through the file picker: map, check, import the valid rows, download the failed
ones, undo; and the exports of the lists."""

import csv
import io
import re
import uuid

from playwright.sync_api import Page, expect
from sqlmodel import Session, func, select

from prm_app.models import ImportBatch, Lead
from tests.e2e.dialogs import confirm
from tests.e2e.test_sign_in import sign_in

CONSULTANT_ADMIN = "admin@fabrikam.example"


def _leads_csv(tmp_path, uid: str):
    path = tmp_path / f"leads-{uid}.csv"
    path.write_text(
        "Given name,Surname,E-mail,Client firm,Vendor,Comments\n"
        f"Ana,Ray,ana@one-{uid}.example,One {uid},Northwind Software,first\n"
        f"Ben,Lu,not-an-email,Two {uid},Northwind Software,\n"
        f"Cy,Po,cy@three-{uid}.example,Three {uid},Northwind Software,\n",
        encoding="utf-8",
    )
    return path


def test_import_leads_through_the_file_picker_then_undo(page: Page, tmp_path, db):
    uid = uuid.uuid4().hex[:8]
    sign_in(page, CONSULTANT_ADMIN)
    page.goto("/c/leads")
    page.get_by_role("link", name="Import CSV").click()
    expect(page.get_by_role("heading", name="Import leads", level=1)).to_be_visible()
    expect(page.get_by_role("heading", name="Past imports")).to_be_visible()  # loaded

    with page.expect_download() as template:
        page.get_by_role("button", name="Download the template").click()
    header = template.value.path().read_text().splitlines()[0].split(",")
    assert header[0] == "Provider" and {"Email", "Company"} <= set(header)

    # The page has handed the tab its upload ticket.
    expect(page.locator("#csv")).to_have_attribute("data-upload-ready", "true")
    picker = page.locator("#csv input[type=file]")
    picker.set_input_files(_leads_csv(tmp_path, uid))
    expect(page.get_by_role("heading", name="Match the columns")).to_be_visible()
    company = page.get_by_label("Company", exact=True)
    expect(company).to_have_value("")  # "Client firm" is no name for a company it knows
    expect(page.get_by_label("Email", exact=True)).to_have_value("E-mail")
    company.select_option("Client firm")
    submit = page.get_by_label("Submit each lead to the provider in its row")
    submit.click()  # a controlled radio: checked once the server agreed
    expect(submit).to_be_checked()
    page.get_by_role("button", name="Check the file").click()

    expect(page.get_by_text("2 rows can be imported; 1 has problems")).to_be_visible()
    preview = page.get_by_role("region", name="Preview")
    expect(preview.get_by_role("cell", name=f"One {uid}")).to_be_visible()
    expect(preview.get_by_role("cell", name=f"Three {uid}")).to_be_visible()
    problem = page.get_by_role("region", name="Problems").get_by_role("row").nth(1)
    expect(problem.get_by_role("cell").nth(0)).to_have_text("3")
    expect(problem.get_by_role("cell").nth(1)).to_have_text("E-mail")

    page.get_by_role("button", name="Import 2 valid rows").click()
    expect(page.get_by_text(f"Imported 2 leads and sent from leads-{uid}.csv.")).to_be_visible()
    with Session(db) as session:
        batch = session.exec(
            select(ImportBatch).where(ImportBatch.file_name == f"leads-{uid}.csv")
        ).one()
        assert (batch.rows_imported, batch.rows_failed) == (2, 1)
        assert _leads_of(session, batch.id) == 2

    with page.expect_download() as errors:
        page.get_by_role(
            "link", name=f"Download the rows of leads-{uid}.csv that were not imported"
        ).click()
    rows = list(csv.reader(io.StringIO(errors.value.path().read_text(encoding="utf-8-sig"))))
    assert rows[0] == [
        "Given name",
        "Surname",
        "E-mail",
        "Client firm",
        "Vendor",
        "Comments",
        "error",
    ]
    assert rows[1][:4] == ["Ben", "Lu", "not-an-email", f"Two {uid}"]
    assert "E-mail" in rows[1][6]
    assert len(rows) == 2

    page.get_by_role("button", name=f"Undo the import of leads-{uid}.csv").click()
    confirm(page, "Undo import")
    expect(page.get_by_text("Import undone: 2 leads removed.")).to_be_visible()
    expect(
        page.get_by_role("row", name=f"leads-{uid}.csv").get_by_text("undone", exact=True)
    ).to_be_visible()
    with Session(db) as session:
        assert _leads_of(session, batch.id) == 0


def test_a_file_over_the_limit_is_refused_by_the_server(page: Page, tmp_path, monkeypatch):
    """The browser sets no limit here: the server stops reading past PRM_IMPORT_MAX_BYTES
    (the backend runs in this process) and keeps nothing."""
    monkeypatch.setenv("PRM_IMPORT_MAX_BYTES", "4096")
    monkeypatch.setenv("PRM_UPLOAD_DIR", str(tmp_path / "uploads"))
    big = tmp_path / "big.csv"
    big.write_text("Email,Company\n" + "x@y.example,Y\n" * 2_000)
    sign_in(page, CONSULTANT_ADMIN)
    page.goto("/c/deals/import")
    expect(page.get_by_role("heading", name="Past imports")).to_be_visible()
    # The page has handed the tab its upload ticket.
    expect(page.locator("#csv")).to_have_attribute("data-upload-ready", "true")
    picker = page.locator("#csv input[type=file]")
    picker.set_input_files(big)
    expect(page.get_by_role("alert")).to_contain_text("The file is over 0.0 MB")
    expect(page.get_by_text("Choose a file")).to_be_visible()  # the box takes a file again
    assert list((tmp_path / "uploads").iterdir()) == []


def test_the_lists_export_what_their_filters_show(page: Page):
    sign_in(page, CONSULTANT_ADMIN)
    page.goto("/c/leads")
    expect(page.get_by_text("in all")).to_be_visible()
    page.locator("#filter-status").select_option("draft")
    link = page.get_by_role("link", name="Export these leads as CSV")
    expect(link).to_have_attribute("href", re.compile(r"/files/exports/sent\.csv\?status=draft$"))
    with page.expect_download() as export:
        link.click()
    rows = list(csv.reader(io.StringIO(export.value.path().read_text(encoding="utf-8"))))
    assert rows[0][:3] == ["ID", "Type", "Status"]
    status = rows[0].index("Status")
    assert rows[1:] and all(row[status] == "draft" for row in rows[1:])


def _leads_of(session: Session, batch_id: int) -> int:
    return session.exec(
        select(func.count()).select_from(Lead).where(Lead.import_batch_id == batch_id)
    ).one()
