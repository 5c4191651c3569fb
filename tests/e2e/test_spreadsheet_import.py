"""Import a spreadsheet: its sheet chosen on the mapping screen, every row sent to a provider
chosen there (the file has no Provider column, as real exports have none)."""

import uuid

import openpyxl
from playwright.sync_api import Page, expect
from sqlmodel import Session, select

from prm_app.models import ImportBatch, Lead, LeadRecipient, Organization
from tests.e2e.test_sign_in import sign_in

CONSULTANT_ADMIN = "admin@fabrikam.example"
PROVIDER = "Northwind Software"


def _workbook(tmp_path, uid: str):
    """A notes sheet first (it has values, so it is read first), then the contacts as HubSpot
    exports them: no Provider column, the phone typed as a number."""
    book = openpyxl.Workbook()
    book.active.title = "Notes"
    book.active.append(["About", "Value"])
    book.active.append(["Source", "HubSpot"])
    contacts = book.create_sheet("Contacts")
    contacts.append(["First Name", "Last Name", "Email", "Company Name", "Phone Number"])
    contacts.append(["Ana", "Ray", f"ana@one-{uid}.example", f"One {uid}", 5550100])
    contacts.append(["Ben", "Lu", f"ben@two-{uid}.example", f"Two {uid}", 5550101])
    path = tmp_path / f"contacts-{uid}.xlsx"
    book.save(path)
    return path


def test_a_workbooks_sheet_imported_and_sent_to_a_chosen_provider(page: Page, tmp_path, db):
    uid = uuid.uuid4().hex[:8]
    sign_in(page, CONSULTANT_ADMIN)
    page.goto("/c/leads/import")
    expect(page.get_by_role("heading", name="Past imports")).to_be_visible()  # loaded
    expect(page.locator("#csv")).to_have_attribute("data-upload-ready", "true")
    page.locator("#csv input[type=file]").set_input_files(_workbook(tmp_path, uid))

    expect(page.get_by_role("heading", name="Match the columns")).to_be_visible()
    sheet = page.get_by_label("Sheet", exact=True)
    expect(sheet).to_have_value("Notes")
    sheet.select_option("Contacts")
    expect(page.get_by_label("Email", exact=True)).to_have_value("Email")
    expect(page.get_by_label("Company", exact=True)).to_have_value("Company Name")

    submit = page.get_by_label("Submit each lead to the provider in its row")
    submit.click()  # a controlled radio: checked once the server agreed
    expect(submit).to_be_checked()
    send_to = page.get_by_role("group", name="Send every row to").get_by_label(PROVIDER)
    send_to.click()
    expect(send_to).to_be_checked()
    page.get_by_role("button", name="Check the file").click()

    expect(page.get_by_text("2 rows can be imported; 0 have problems")).to_be_visible()
    preview = page.get_by_role("region", name="Preview")
    expect(preview.get_by_role("cell", name="5550100")).to_be_visible()
    expect(preview.get_by_role("cell", name=PROVIDER).first).to_be_visible()
    page.get_by_role("button", name="Import 2 valid rows").click()
    expect(page.get_by_text(f"Imported 2 leads and sent from contacts-{uid}.xlsx.")).to_be_visible()

    with Session(db) as session:
        batch = session.exec(
            select(ImportBatch).where(ImportBatch.file_name == f"contacts-{uid}.xlsx")
        ).one()
        sent = session.exec(
            select(Lead.phone, Organization.name)
            .join(LeadRecipient, LeadRecipient.lead_id == Lead.id)
            .join(Organization, Organization.id == LeadRecipient.org_id)
            .where(Lead.import_batch_id == batch.id)
            .order_by(Lead.phone)
        ).all()
        assert sent == [("5550100", PROVIDER), ("5550101", PROVIDER)]
