"""A HubSpot contacts export imported by a consultant (issue 23): its "Contact owner" column is
mapped to Owner, its owners are another firm's sales people, and 148 of 150 rows import (the two
genuinely bad rows do not), with one warning per unknown owner instead of an error per row."""

import uuid

from playwright.sync_api import Page, expect
from sqlmodel import Session, select

from prm_app.models import ImportBatch, Lead, User
from tests.e2e.test_sign_in import sign_in
from tests.unit.hubspot import SALES_PEOPLE, contacts_export

CONSULTANT_ADMIN = "admin@fabrikam.example"


def test_a_hubspot_export_imports_148_of_150_rows_to_the_default_owner(page: Page, tmp_path, db):
    tag = uuid.uuid4().hex[:6]
    path = tmp_path / f"hubspot-{tag}.csv"
    path.write_text(contacts_export(150, tag=tag), encoding="utf-8")
    sign_in(page, CONSULTANT_ADMIN)
    page.goto("/c/leads/import")
    expect(page.get_by_role("heading", name="Past imports")).to_be_visible()
    expect(page.locator("#csv")).to_have_attribute("data-upload-ready", "true")
    page.locator("#csv input[type=file]").set_input_files(path)
    expect(page.get_by_role("heading", name="Match the columns")).to_be_visible()
    expect(page.get_by_label("Owner email", exact=True)).to_have_value("Contact owner")
    default_owner = page.get_by_label("Owner of rows whose owner is not in your organization")
    with Session(db) as session:
        me = session.exec(select(User).where(User.email == CONSULTANT_ADMIN)).one()
    expect(default_owner).to_have_value(str(me.id))  # the importer, unless changed

    page.get_by_role("button", name="Check the file").click()
    expect(page.get_by_text("148 rows can be imported; 2 have problems")).to_be_visible()
    problems = page.get_by_role("region", name="Problems")
    warnings = problems.get_by_role("row").filter(has_text="Warning:")
    expect(warnings).to_have_count(len(SALES_PEOPLE))  # one per owner, not one per row
    expect(warnings.first).to_contain_text("its 50 rows go to")
    expect(problems.get_by_role("row").filter(has_text="is not an active member")).to_have_count(
        len(SALES_PEOPLE)
    )

    page.get_by_role("button", name="Import 148 valid rows").click()
    expect(
        page.get_by_text(f"Imported 148 leads as drafts from hubspot-{tag}.csv.")
    ).to_be_visible()
    expect(page.get_by_text("2 rows were not imported")).to_be_visible()
    with Session(db) as session:
        batch = session.exec(
            select(ImportBatch).where(ImportBatch.file_name == f"hubspot-{tag}.csv")
        ).one()
        assert (batch.rows_imported, batch.rows_failed) == (148, 2)
        owners = session.exec(select(Lead.owner_id).where(Lead.import_batch_id == batch.id)).all()
        assert len(owners) == 148 and set(owners) == {me.id}
