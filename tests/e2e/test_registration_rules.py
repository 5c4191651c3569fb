"""Settings > Registration: a provider's admin sets its registration rules and customer list
(by hand, from a CSV and from a workbook's chosen sheet), and a partner's registration of an existing customer is refused with
the rule's message, next to the field, until it names a new customer."""

import uuid

from openpyxl import Workbook
from playwright.sync_api import Browser, Page, expect
from sqlmodel import Session

from prm_app.models import OrgKind
from tests.e2e.test_sign_in import sign_in
from tests.unit.factories import PASSWORD, org_admin, partners

NOT_CUSTOMER = (
    "This company is already the provider's customer: registrations are for new customers."
)


def test_a_provider_sets_its_rules_and_customers_and_a_partner_is_held_to_them(
    page: Page, browser: Browser, base_url, db, tmp_path
):
    tag = uuid.uuid4().hex[:6]
    with Session(db) as session:
        provider = org_admin(
            session,
            kind=OrgKind.PROVIDER,
            org_name=f"Rulesoft {tag}",
            email=f"p{tag}@rules.example",
        )
        consultant = org_admin(
            session,
            kind=OrgKind.CONSULTANT,
            org_name=f"Ruleparts {tag}",
            email=f"c{tag}@rules.example",
        )
        session.commit()  # the invitation's rate limit counts on its own connection
        partners(session, provider, consultant)
        session.commit()

    sign_in(page, provider.email, PASSWORD)
    page.goto("/p/settings")
    page.get_by_role("tab", name="Registration").click()
    territory = page.get_by_role("form", name="Territory rule")
    territory.get_by_label("Use this rule").check()
    territory.get_by_label("Countries").fill("us, Germany")
    territory.get_by_label("When it fails").select_option(label="Warn only")
    territory.get_by_role("button", name="Save territory").click()
    expect(page.get_by_text("Territory: saved.")).to_be_visible()
    expect(territory).to_contain_text("Germany; United States")
    page.reload()
    page.get_by_role("tab", name="Registration").click()
    expect(territory.get_by_label("Countries")).to_have_value("DE, US")
    expect(territory.get_by_label("Use this rule")).to_be_checked()

    existing = page.get_by_role("form", name="Not an existing customer rule")
    existing.get_by_label("Use this rule").check()
    existing.get_by_role("button", name="Save not an existing customer").click()
    expect(page.get_by_text("Not an existing customer: saved.")).to_be_visible()
    page.get_by_label("Company", exact=True).fill(f"Globex {tag}")
    page.get_by_label("Domain", exact=True).fill("gmail.com")
    page.get_by_role("button", name="Add", exact=True).click()
    expect(page.get_by_role("alert")).to_contain_text("shared by unrelated people")
    page.get_by_label("Domain", exact=True).fill(f"https://www.globex{tag}.example/")
    page.get_by_role("button", name="Add", exact=True).click()
    expect(page.get_by_role("row").filter(has_text=f"globex{tag}.example")).to_be_visible()
    csv = tmp_path / "customers.csv"
    csv.write_text(f"Company,Website\nInitech {tag} Inc,initech{tag}.example\n,not a domain\n")
    page.locator("#customers-csv input[type=file]").set_input_files(str(csv))
    expect(page.get_by_role("status")).to_contain_text("Added 1 customer; 1 row refused")
    expect(page.get_by_role("row").filter(has_text=f"Initech {tag} Inc")).to_be_visible()
    book = Workbook()
    book.active.title = "Notes"
    book.active.append(["Exported from our CRM", "see the second sheet"])
    book.create_sheet("Customers").append(["Company", "Domain"])
    book["Customers"].append([f"Umbrella {tag} Corp", f"umbrella{tag}.example"])
    book.save(tmp_path / "customers.xlsx")
    page.locator("#customers-csv input[type=file]").set_input_files(
        str(tmp_path / "customers.xlsx")
    )
    expect(page.get_by_role("status")).to_contain_text("Sheet 'Notes'")  # no Company column
    page.get_by_label("Sheet", exact=True).select_option("Customers")
    page.get_by_role("button", name="Import this sheet").click()
    expect(page.get_by_role("status")).to_contain_text("Sheet 'Customers': Added 1 customer")
    expect(page.get_by_role("row").filter(has_text=f"Umbrella {tag} Corp")).to_be_visible()
    page.set_viewport_size({"width": 390, "height": 844})  # the tab fits a phone
    expect(territory.get_by_label("Countries")).to_be_visible()
    assert page.evaluate("document.scrollingElement.scrollWidth - window.innerWidth") <= 0

    partner = browser.new_context(base_url=base_url).new_page()
    sign_in(partner, consultant.email, PASSWORD)
    partner.goto("/c/deals")
    partner.get_by_role("button", name="Submit deal").click()
    form = partner.get_by_role("form", name="Submit a deal")
    form.get_by_label("Provider").select_option(label=f"Rulesoft {tag}")
    form.get_by_label("Deal name").fill(f"Initech rollout {tag}")
    form.get_by_label("Customer company").fill(f"initech {tag}")
    submit = form.get_by_role("button", name="Submit deal")
    expect(form).to_contain_text(NOT_CUSTOMER)  # the live check names it before submitting
    expect(submit).to_be_disabled()  # (the server's own refusal: tests/unit/test_eligibility.py)
    form.get_by_label("Customer company").fill(f"Hooli {tag}")
    expect(submit).to_be_enabled()
    submit.click()
    expect(partner.get_by_text("Deal registered.")).to_be_visible()
    partner.context.close()
