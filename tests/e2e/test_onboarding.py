"""Onboarding: Fabrikam's admin signs Northwind's partner agreement by typing their name and
ticks a checklist step, watching the progress move; Northwind sees the signature on its partner
card."""

import re

from playwright.sync_api import Browser, Page, expect
from sqlmodel import Session, select

from prm_app.models import Organization, Partnership
from tests.e2e.test_sign_in import sign_in

CONSULTANT_ADMIN = "admin@fabrikam.example"  # Diego Siciliani
PROVIDER_ADMIN = "admin@northwind.example"


def _partnership_id(db) -> int:
    with Session(db) as session:
        orgs = dict(session.exec(select(Organization.name, Organization.id)).all())
        return session.exec(
            select(Partnership.id).where(
                Partnership.provider_org_id == orgs["Northwind Software"],
                Partnership.consultant_org_id == orgs["Fabrikam Consulting"],
            )
        ).one()


def test_the_partner_admin_signs_and_the_checklist_moves(
    page: Page, browser: Browser, base_url, db
):
    partnership_id = _partnership_id(db)
    sign_in(page, CONSULTANT_ADMIN)
    page.goto(f"/c/providers/{partnership_id}")
    progress = page.get_by_label("Checklist progress")
    expect(progress).to_have_text("2 of 5 steps done")  # categorized, a first lead
    expect(page.get_by_text("not signed yet")).to_be_visible()
    expect(
        page.get_by_text("Leads and deals are registered through the partner portal")
    ).to_be_visible()

    name = page.get_by_label("Your full name")
    name.fill("Diego")
    page.get_by_role("button", name="Sign Partner agreement v1").click()
    expect(page.get_by_role("alert")).to_contain_text("as your account spells it (Diego Siciliani)")
    name.fill("  diego  SICILIANI")
    page.get_by_role("button", name="Sign Partner agreement v1").click()
    expect(page.get_by_text("Signed by diego  SICILIANI on")).to_be_visible()
    expect(progress).to_have_text("3 of 5 steps done")

    page.get_by_role("checkbox", name="Hold the kick-off call").click()
    expect(progress).to_have_text("4 of 5 steps done")

    provider = browser.new_context(base_url=base_url).new_page()
    sign_in(provider, PROVIDER_ADMIN)
    provider.goto(f"/p/partners/{partnership_id}")
    expect(provider.get_by_text("Signed by diego  SICILIANI on")).to_be_visible()
    expect(provider.get_by_label("Checklist progress")).to_have_text("4 of 5 steps done")
    signed = provider.get_by_role("link", name="Signed copy")
    expect(signed).to_have_attribute("href", re.compile(r"/files/agreements/signed/\d+$"))
    provider.context.close()


def test_an_admin_publishes_an_uploaded_pdf_and_sees_who_signed(page: Page, tmp_path):
    pdf = tmp_path / "reseller-terms.pdf"
    pdf.write_bytes(b"%PDF-1.4\n1 0 obj\n<<>>\nendobj\ntrailer\n<<>>\n%%EOF\n")
    sign_in(page, PROVIDER_ADMIN)
    page.goto("/p/onboarding")
    page.get_by_role("button", name="Who signed Partner agreement").click()
    expect(page.get_by_role("cell", name="Tailspin Advisors")).to_be_visible()

    expect(page.locator("#agreement-file")).to_have_attribute("data-upload-ready", "true")
    page.locator("#agreement-file input[type=file]").set_input_files(pdf)
    expect(page.get_by_text("Publishing the file reseller-terms.pdf")).to_be_visible()
    form = page.locator("#new-agreement")
    form.get_by_label("Title").fill("Reseller terms")
    form.get_by_label("Partner type").select_option(label="Reseller")
    form.get_by_role("button", name="Publish version 1").click()
    row = page.get_by_role("row", name=re.compile("Reseller terms"))
    expect(row).to_contain_text("v1 (PDF")
    expect(row).to_contain_text("0 signed")
    expect(row.get_by_role("link", name="Reseller terms")).to_have_attribute(
        "href", re.compile(r"/files/agreements/\d+$")
    )
