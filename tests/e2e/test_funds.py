"""Market development funds, the whole story in both portals: Northwind opens a budget and
allocates part of it to Tailspin; Tailspin requests funds for a webinar; Northwind approves a
lower amount; Tailspin claims with a receipt; Northwind approves the claim, which waits in its
payouts, and marks it paid; Tailspin sees the reimbursement paid."""

import re
from datetime import date, timedelta

from playwright.sync_api import Browser, Page, expect

from tests.e2e.test_sign_in import sign_in

PROVIDER_ADMIN = "admin@northwind.example"
PARTNER_ADMIN = "admin@tailspin.example"  # not Fabrikam: other tests count its balances
PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c6360f8cfc0f01f0005000201e2219bc90000000049454e44ae426082"
)


def _day(days: int) -> str:
    return (date.today() + timedelta(days=days)).isoformat()


def test_budget_to_reimbursement(page: Page, browser: Browser, base_url, tmp_path):
    receipt = tmp_path / "webinar-invoice.png"
    receipt.write_bytes(PNG)
    sign_in(page, PROVIDER_ADMIN)
    page.goto("/p/funds")
    budget = page.locator("#new-budget")
    budget.get_by_label("Name").fill("E2E budget")
    budget.get_by_label("Period start").fill(_day(-5))
    budget.get_by_label("Period end").fill(_day(60))
    budget.get_by_label("Amount").fill("5000")
    budget.get_by_role("button", name="Open budget").click()
    row = page.locator("#budgets").get_by_role("row", name=re.compile("E2E budget"))
    expect(row).to_contain_text("USD 5,000.00")

    allocation = page.locator("#new-allocation")
    allocation.get_by_label("Budget").select_option(label="E2E budget")
    allocation.get_by_label("To").select_option(label="Tailspin Advisors")
    allocation.get_by_label("Amount (each)").fill("2000")
    allocation.get_by_role("button", name="Allocate").click()
    expect(row).to_contain_text("USD 3,000.00")  # unallocated

    partner = browser.new_context(base_url=base_url).new_page()
    sign_in(partner, PARTNER_ADMIN)
    partner.goto("/c/funds")
    ask = partner.locator("#new-fund-request")
    ask.get_by_label("Budget").select_option(label="E2E budget")
    ask.get_by_label("Activity type").select_option(label="Webinar")
    ask.get_by_label("Activity", exact=True).fill("E2E webinar")
    ask.get_by_label("Starts").fill(_day(3))
    ask.get_by_label("Ends").fill(_day(3))
    ask.get_by_label("Amount").fill("800")
    ask.get_by_label("Expected leads").fill("20")
    ask.get_by_role("button", name="Request").click()
    mine = partner.locator("#fund-requests").get_by_role("row", name=re.compile("E2E webinar"))
    expect(mine).to_contain_text("requested")

    page.goto("/p/funds")
    theirs = page.locator("#fund-requests").get_by_role("row", name=re.compile("E2E webinar"))
    theirs.get_by_label(re.compile("Amount to approve of request")).fill("600")
    theirs.get_by_role("button", name=re.compile("^Approve request")).click()
    expect(theirs).to_contain_text("USD 600.00")
    expect(theirs).to_contain_text("approved")

    partner.goto("/c/funds")
    expect(partner.locator("#receipts")).to_have_attribute("data-upload-ready", "true")
    partner.locator("#receipts input[type=file]").set_input_files(receipt)
    expect(partner.locator("#chosen-receipts")).to_contain_text("webinar-invoice.png")
    claim = partner.locator("#new-claim")
    claim.get_by_label("Approved request").select_option(label="E2E webinar (USD 600.00)")
    claim.get_by_label("Amount").fill("500")
    claim.get_by_label("Results").fill("85 attendees")
    claim.get_by_label("Leads generated").fill("9")
    claim.get_by_role("button", name="Send claim").click()
    expect(mine).to_contain_text("submitted")

    page.goto("/p/funds")
    expect(theirs.get_by_role("link", name="webinar-invoice.png")).to_have_attribute(
        "href", re.compile(r"/files/mdf/receipts/\d+$")
    )
    theirs.get_by_role("button", name=re.compile("^Approve the claim")).click()
    expect(theirs).to_contain_text("Payout request")

    page.goto("/p/commissions")
    # In the payout requests (the statement below gets a "Paid MDF reimbursement" line too).
    payout = page.locator("#requests").get_by_role(
        "row", name=re.compile(r"MDF reimbursement.*USD 500\.00")
    )
    expect(payout).to_contain_text("approved")
    payout.get_by_role("button", name="Mark paid").click()
    expect(payout.get_by_text("paid", exact=True)).to_be_visible()

    partner.goto("/c/commissions")
    expect(
        partner.locator("#requests").get_by_role(
            "row", name=re.compile(r"MDF reimbursement.*USD 500\.00")
        )
    ).to_contain_text("paid")
    partner.goto("/c/funds")
    balance = partner.locator("#fund-balances").get_by_role("row", name=re.compile("E2E budget"))
    expect(balance).to_contain_text(
        "USD 500.00"  # spent; the other 100 of the 600 went back to available (1,500)
    )
    partner.context.close()
