"""Approving a deal whose customer another partner holds asks the provider to decide (issue 23):
the choice dialog, then both partners see the outcome in their own terms, live, never each
other's name. On the code before, Approve approved at once, leaving two partners protected."""

import re
import uuid

from playwright.sync_api import Browser, Page, expect
from sqlmodel import Session

from prm_app.models import Approval, Deal
from prm_app.services.deals import lifecycle as deal_changes
from prm_app.services.identity import auth
from tests.e2e.test_sign_in import sign_in
from tests.harness import DEMO_PASSWORD

PROVIDER_ADMIN = "admin@northwind.example"
FIRST = "admin@tailspin.example"  # Tailspin Advisors: protected first
SECOND = "admin@fabrikam.example"  # Fabrikam Consulting: registers the same customer after
DAY = re.compile(r"\d{4}-\d{2}-\d{2}")


def _register(session, email: str, provider, company: str, domain: str, name: str) -> int:
    partner = auth.authenticate(session, email=email, password=DEMO_PASSWORD)
    return deal_changes.register(
        session,
        actor=partner,
        other_org_id=provider.org_id,
        form={
            "name": name,
            "company": company,
            "contact_name": "Jo Conflict",
            "contact_email": f"jo@{domain}",
            "amount": "20000",
            "close_date": "2031-05-31",
            "product_ids": [],
        },
    ).deal_id


def conflicting_deals(db, tag: str) -> tuple[int, int]:
    """Tailspin's deal for a customer, approved (protected); Fabrikam's for the same one."""
    company, domain = f"Clash Corp {tag}", f"clash{tag}.example"
    with Session(db) as session:
        provider = auth.authenticate(session, email=PROVIDER_ADMIN, password=DEMO_PASSWORD)
        first = _register(session, FIRST, provider, company, domain, f"Tailspin bid {tag}")
        deal_changes.approve(session, actor=provider, deal_id=first, version=1)
        second = _register(session, SECOND, provider, f"{company} Inc", domain, f"Fab bid {tag}")
        session.commit()
    return first, second


def test_approving_a_conflicting_deal_asks_for_a_decision_and_both_sides_see_it(
    page: Page, browser: Browser, base_url, db
):
    tag = uuid.uuid4().hex[:6]
    first, second = conflicting_deals(db, tag)

    fabrikam = browser.new_context(base_url=base_url).new_page()
    tailspin = browser.new_context(base_url=base_url).new_page()
    try:
        sign_in(fabrikam, SECOND)
        fabrikam.goto(f"/c/deals/{second}")
        protection = fabrikam.get_by_role("heading", name="Customer protection").locator("..")
        expect(protection).to_contain_text(re.compile(r"Protected for another partner until \d"))
        expect(protection).to_contain_text("Not protected yet")
        sign_in(tailspin, FIRST)
        tailspin.goto(f"/c/deals/{first}")
        expect(tailspin.get_by_text(re.compile(r"^Protected until \d"))).to_be_visible()

        page.set_viewport_size({"width": 390, "height": 844})
        sign_in(page, PROVIDER_ADMIN)
        page.goto(f"/p/deals/{second}")
        expect(page.get_by_role("link", name="Tailspin Advisors").first).to_be_visible()
        page.get_by_role("button", name="Approve…").click()
        dialog = page.get_by_role("dialog")
        expect(dialog).to_contain_text("already protected for another partner")
        box = dialog.bounding_box()
        assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= 390
        submit = dialog.get_by_role("button", name="Choose what happens")
        expect(submit).to_be_disabled()  # no decision, no approval
        # by keyboard: Space picks the focused choice, the arrow keys move through them
        keep = dialog.get_by_role("radio", name="Keep the existing protection")
        waive = dialog.get_by_role("radio", name="Approve without protection")
        transfer = dialog.get_by_role("radio", name="Transfer the protection to this partner")
        keep.focus()
        page.keyboard.press("Space")
        expect(keep).to_be_checked()
        expect(dialog.get_by_role("button", name="Reject this deal")).to_be_enabled()
        for choice, button in (
            (waive, "Approve without protection"),
            (transfer, "Transfer protection and approve"),
        ):
            page.keyboard.press("ArrowDown")
            expect(choice).to_be_focused()
            page.keyboard.press("Space")
            expect(choice).to_be_checked()
            expect(dialog.get_by_role("button", name=button)).to_be_enabled()
        dialog.get_by_label("Reason").fill("The first registration went quiet for months")
        dialog.get_by_role("button", name="Transfer protection and approve").click()
        expect(page.get_by_role("dialog")).to_have_count(0)
        timeline = page.get_by_role("list", name="Timeline")
        expect(timeline).to_contain_text(
            "Approved the registration and transferred the customer's protection to it: "
            "The first registration went quiet for months"
        )
        expect(page.get_by_role("button", name=re.compile("^Approve"))).to_have_count(0)

        # the second partner: approved, protected, live (no reload)
        expect(fabrikam.get_by_text(re.compile(r"^Protected until \d"))).to_be_visible()
        expect(fabrikam.get_by_label("Approval")).to_have_text("approved")
        # the first partner: its protection ended, the customer is another partner's now
        tail = tailspin.get_by_role("heading", name="Customer protection").locator("..")
        expect(tail).to_contain_text(re.compile(r"Protected for another partner until \d"))
        expect(tail).to_contain_text("Protection ended on")
        expect(tailspin.get_by_role("list", name="Timeline")).to_contain_text(
            "Transferred the customer's protection to another partner"
        )
        for own, other in ((fabrikam, "Tailspin"), (tailspin, "Fabrikam")):
            main = own.locator("main")
            expect(main).not_to_contain_text(other)
            expect(main).not_to_contain_text("Fab bid" if other == "Fabrikam" else "Tailspin bid")
    finally:
        fabrikam.context.close()
        tailspin.context.close()
    with Session(db) as session:
        assert session.get(Deal, second).approval == Approval.APPROVED
