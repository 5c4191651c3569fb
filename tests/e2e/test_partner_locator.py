"""The partner locator, end to end: a partner's admin opts in on its provider page, a visitor
finds it on the provider's public locator and contacts it, and the message arrives as the
provider's referral in the partner's portal."""

import uuid

from playwright.sync_api import Browser, Page, expect
from sqlmodel import Session, select

from prm_app import routes
from prm_app.models import Organization, Partnership
from prm_app.services.core import public_forms
from tests.e2e.test_sign_in import sign_in


def test_a_partner_opts_in_and_a_visitors_message_becomes_its_referral(
    page: Page, browser: Browser, db
):
    tag = uuid.uuid4().hex[:6]
    description, company = f"Retail ERP specialists {tag}", f"Locator Co {tag}"
    with Session(db) as session:
        partnership_id = session.exec(
            select(Partnership.id)
            .join(Organization, Organization.id == Partnership.provider_org_id)
            .where(
                Organization.name == "Northwind Software",
                Partnership.consultant_org_id
                == select(Organization.id)
                .where(Organization.name == "Tailspin Advisors")
                .scalar_subquery(),
            )
        ).first()
    assert partnership_id is not None, "the demo partners Tailspin with Northwind"

    sign_in(page, "admin@tailspin.example")
    page.goto(f"{routes.Consultant.PROVIDERS}/{partnership_id}")
    listing = page.get_by_role("heading", name="Partner locator")
    expect(listing).to_be_visible()
    page.get_by_label("List my firm on this provider's locator").check()
    page.get_by_label("Public description").fill(description)
    page.get_by_label("Country").fill("Belgium")
    page.get_by_label("Northwind ERP Cloud").check()
    page.get_by_role("button", name="Save listing").click()
    expect(page.get_by_text("Listing saved.")).to_be_visible()

    visitor = browser.new_context().new_page()  # no account
    visitor.goto(routes.file_url(routes.locator("northwind")) + "?country=Belgium")
    card = visitor.get_by_role("article").filter(has_text=description)
    expect(card).to_contain_text("Products: Northwind ERP Cloud")
    expect(visitor.get_by_role("article")).to_have_count(1)  # the country filter
    card.get_by_role("link", name="Contact Tailspin Advisors").click()
    visitor.get_by_label("First name").fill("Lou")
    visitor.get_by_label("Last name").fill("Cator")
    visitor.get_by_label("Email").fill(f"lou-{tag}@locator.example")
    visitor.get_by_label("Company").fill(company)
    visitor.get_by_label("Message").fill("We need an ERP rollout in Belgium.")
    visitor.wait_for_timeout(public_forms.MIN_FILL.total_seconds() * 1000)  # a person's pace
    visitor.get_by_role("button", name="Send").click()
    expect(visitor.get_by_role("heading", name="Thank you!")).to_be_visible()
    visitor.context.close()

    page.goto(routes.Consultant.REFERRALS)
    row = page.get_by_role("row").filter(has_text=company)
    expect(row).to_contain_text("Northwind Software")
