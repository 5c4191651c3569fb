"""The deals list in both portals: a converted lead appears on each side; search and filter."""

import re
import uuid

from playwright.sync_api import Browser, Page, expect
from sqlmodel import Session

from prm_app.services import leads
from prm_app.services.deals import lifecycle as deal_changes
from prm_app.services.identity import auth
from prm_app.services.leads import LeadInput
from tests.e2e.test_sign_in import sign_in
from tests.harness import DEMO_PASSWORD

PROVIDER_ADMIN = "admin@northwind.example"
CONSULTANT_ADMIN = "admin@fabrikam.example"
LISTED = re.compile(r"Page 1 · \d+ in all")


def converted_deal(db, company: str) -> None:
    """Through the services: Fabrikam submits a lead to Northwind, which accepts and converts it."""
    with Session(db) as session:
        consultant = auth.authenticate(session, email=CONSULTANT_ADMIN, password=DEMO_PASSWORD)
        provider = auth.authenticate(session, email=PROVIDER_ADMIN, password=DEMO_PASSWORD)
        _, [recipient_id] = leads.create_and_submit(
            session,
            actor=consultant,
            data=LeadInput(
                first_name="Olga",
                last_name="Orbit",
                email=f"olga@{company.split()[-1]}.example",
                company=company,
            ),
            owner_id=consultant.user_id,
            recipient_org_ids=[provider.org_id],
        )
        leads.accept(session, actor=provider, recipient_id=recipient_id)
        leads.convert(
            session,
            actor=provider,
            recipient_id=recipient_id,
            amount="48250.50",
            close_date="2031-06-30",
        )
        session.commit()


def deals_page(page: Page, path: str) -> None:
    page.goto(path)
    expect(page.get_by_role("heading", name="Deals", level=1)).to_be_visible()
    expect(page.get_by_text(LISTED)).to_be_visible()  # on_load has listed the first page


def test_a_converted_lead_is_listed_on_both_sides_and_a_search_can_miss(
    page: Page, browser: Browser, base_url, db
):
    company = f"Orbit Labs {uuid.uuid4().hex[:6]}"
    converted_deal(db, company)

    sign_in(page, PROVIDER_ADMIN)
    deals_page(page, "/p/deals")
    row = page.get_by_role("row").filter(has_text=company)
    expect(row).to_have_count(1)  # the newest deal, on the first page
    for text in (
        "Fabrikam Consulting",
        "USD 48,250.50",
        "Qualification",
        "pending",
        "2031-06-30",
        "Nancy Davolio",  # the provider admin accepted it: the owner on this side
    ):
        expect(row).to_contain_text(text)

    search = page.get_by_label("Search deals")
    search.fill(company)
    expect(page.get_by_role("row")).to_have_count(2)  # the header and the deal
    approval = page.get_by_label("Approval", exact=True)
    approval.select_option("approved")
    expect(page.get_by_text("No deals match")).to_be_visible()
    approval.select_option("pending")
    expect(page.get_by_role("row").filter(has_text=company)).to_contain_text("pending")
    search.fill(f"{company} nowhere")
    expect(page.get_by_text("No deals match")).to_be_visible()
    expect(page.get_by_role("table")).to_have_count(0)
    page.get_by_role("button", name="Clear search and filter").click()
    expect(search).to_have_value("")
    expect(page.get_by_role("row").filter(has_text=company)).to_have_count(1)

    consultant = browser.new_context(base_url=base_url).new_page()
    sign_in(consultant, CONSULTANT_ADMIN)
    deals_page(consultant, "/c/deals")
    row = consultant.get_by_role("row").filter(has_text=company)
    for text in ("Northwind Software", "USD 48,250.50", "pending", "Diego Siciliani"):
        expect(row).to_contain_text(text)
    expect(consultant.get_by_role("columnheader", name="Provider")).to_be_visible()
    consultant.get_by_label("Search deals").fill("no such deal anywhere")
    expect(consultant.get_by_text("No deals match")).to_be_visible()
    consultant.context.close()


def test_the_other_portals_deals_page_sends_users_home(page: Page):
    sign_in(page, CONSULTANT_ADMIN)
    page.goto("/p/deals")
    expect(page.get_by_role("heading", name="Leads", level=1)).to_be_visible()


def test_a_partners_raise_of_an_approved_deal_is_shown_and_sent_back_for_approval(
    page: Page, browser: Browser, base_url, db
):
    company = f"Raise Co {uuid.uuid4().hex[:6]}"
    with Session(db) as session:
        consultant = auth.authenticate(session, email=CONSULTANT_ADMIN, password=DEMO_PASSWORD)
        provider = auth.authenticate(session, email=PROVIDER_ADMIN, password=DEMO_PASSWORD)
        form = {"name": company, "company": company, "amount": "5000", "close_date": "2031-01-31"}
        deal_id = deal_changes.register(
            session,
            actor=consultant,
            other_org_id=provider.org_id,
            form={**form, "contact_name": "", "contact_email": "", "product_ids": []},
        ).deal_id
        deal_changes.approve(session, actor=provider, deal_id=deal_id, version=1)
        session.commit()

    sign_in(page, PROVIDER_ADMIN)
    page.goto("/p/settings")
    page.get_by_role("tab", name="Rules").click()
    threshold = page.get_by_label("Re-approve a partner's raise", exact=False)
    threshold.fill("10")
    page.get_by_role("button", name="Save rules").click()
    expect(page.get_by_text("Program rules saved.")).to_be_visible()
    try:
        partner = browser.new_context(base_url=base_url).new_page()
        sign_in(partner, CONSULTANT_ADMIN)
        partner.goto(f"/c/deals/{deal_id}")
        partner.get_by_role("button", name="Edit details").click()
        partner.get_by_label("Amount", exact=True).fill("9000")
        partner.get_by_role("button", name="Save").click()
        timeline = partner.get_by_role("list", name="Timeline")
        expect(timeline).to_contain_text("Amount: USD 5,000.00 -> USD 9,000.00")
        expect(timeline).to_contain_text("Sent it back for approval")
        expect(partner.get_by_text("awaits the provider's approval again")).to_be_visible()
        partner.context.close()

        page.goto(f"/p/deals/{deal_id}")
        expect(page.get_by_role("list", name="Timeline")).to_contain_text(
            "Edited the deal: Amount: USD 5,000.00 -> USD 9,000.00"
        )
        expect(page.get_by_label("Approval", exact=True)).to_have_text("pending")
    finally:
        page.goto("/p/settings")
        page.get_by_role("tab", name="Rules").click()
        page.get_by_label("Re-approve a partner's raise", exact=False).fill("")
        page.get_by_role("button", name="Save rules").click()
        expect(page.get_by_text("Program rules saved.")).to_be_visible()
