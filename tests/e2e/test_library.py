"""The content library: Northwind's admin uploads a battlecard for Silver partners only; Tailspin
(Silver), whose library page is open, sees it arrive, and Fabrikam (Gold) never sees it, while
the demo's Gold-only price list shows to Fabrikam and not to Tailspin."""

import re

from playwright.sync_api import Browser, Page, expect

from tests.e2e.test_sign_in import sign_in

PROVIDER_ADMIN = "admin@northwind.example"
SILVER_PARTNER = "admin@tailspin.example"
GOLD_PARTNER = "admin@fabrikam.example"
PDF = b"%PDF-1.4\n% Silver battlecard\n%%EOF\n"


def test_a_tier_only_file_reaches_that_tier_only(page: Page, browser: Browser, base_url, tmp_path):
    silver = browser.new_context(base_url=base_url).new_page()
    sign_in(silver, SILVER_PARTNER)
    silver.goto("/c/library")
    expect(silver.get_by_role("link", name="Download Product overview")).to_be_visible()
    expect(silver.get_by_text("Gold partner price list")).to_have_count(0)

    sign_in(page, PROVIDER_ADMIN)
    page.goto("/p/library")
    expect(page.get_by_role("link", name="Download Gold partner price list")).to_be_visible(
        timeout=30_000
    )
    card = tmp_path / "battlecard.pdf"
    card.write_bytes(PDF)
    upload = page.locator("#library-file")
    expect(upload).to_have_attribute("data-upload-ready", "true")
    upload.locator("input[type=file]").set_input_files(str(card))
    expect(page.get_by_text("Adding the file battlecard.pdf.")).to_be_visible()
    page.locator("#library-title").fill("Silver battlecard")
    page.locator("#library-tags").fill("competition, sales")
    page.get_by_label("Who can see it").select_option(label="Partners of chosen tiers")
    page.get_by_role("checkbox", name="Silver", exact=True).check()
    page.get_by_role("button", name="Add", exact=True).click()
    row = page.get_by_role("row").filter(has_text="Silver battlecard")
    expect(row).to_contain_text("Partners of chosen tiers")
    expect(row.get_by_role("cell").nth(5)).to_have_text("1")  # Tailspin, the Silver partner

    # Tailspin's open page follows the library: the battlecard arrives without a reload.
    link = silver.get_by_role("link", name="Download Silver battlecard")
    expect(link).to_be_visible()
    expect(link).to_have_attribute("href", re.compile(r"/files/library/\d+$"))
    silver.get_by_label("Search by title or tag").fill("competition")
    silver.get_by_role("button", name="Search").click()
    expect(silver.get_by_role("link", name="Download Product overview")).to_have_count(0)
    expect(link).to_be_visible()
    silver.context.close()

    gold = browser.new_context(base_url=base_url).new_page()
    sign_in(gold, GOLD_PARTNER)
    gold.goto("/c/library")
    expect(gold.get_by_role("link", name="Download Gold partner price list")).to_be_visible()
    expect(gold.get_by_text("Silver battlecard")).to_have_count(0)
    gold.context.close()
