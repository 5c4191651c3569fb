"""Web-to-lead: a provider sets up a public form routed to a chosen partner; an anonymous
visitor submits it; the referral arrives in that partner's portal."""

import uuid

from playwright.sync_api import Browser, Page, expect
from sqlmodel import Session, select

from prm_app.models import Lead, LeadRecipient, Organization
from prm_app.services.leads import forms as lead_forms
from tests.e2e.dialogs import confirm
from tests.e2e.test_sign_in import sign_in


def test_a_public_form_submission_reaches_the_chosen_partner(
    page: Page, browser: Browser, base_url, db
):
    tag = uuid.uuid4().hex[:6]
    name, company = f"Website {tag}", f"Form Co {tag}"
    sign_in(page, "admin@northwind.example")
    page.goto("/p/settings")
    page.get_by_role("tab", name="Integrations").click()
    page.get_by_label("Form name").fill(name)
    page.get_by_label("Phone", exact=True).check()
    page.get_by_label("Routing", exact=True).select_option("partner")
    page.get_by_label("Partner (chosen partner routing)").select_option(label="Fabrikam Consulting")
    page.get_by_role("button", name="Create form").click()
    link = page.get_by_role("link", name=f"Link of {name}")
    expect(link).to_be_visible()
    expect(page.get_by_label(f"Embed code of {name}")).to_contain_text("<iframe src=")
    form_url = link.get_attribute("href")

    visitor = browser.new_context().new_page()  # anonymous: no session at all
    visitor.goto(form_url)
    expect(visitor.get_by_role("heading", name=name)).to_be_visible()
    visitor.get_by_label("First name").fill("Ola")
    visitor.get_by_label("Last name").fill("Nordmann")
    # An address the server accepts and type="email" refused (issue 23).
    visitor.get_by_label("Email").fill(f"björn-{tag}@formco.example")
    visitor.get_by_label("Company").fill(company)
    visitor.get_by_label("Phone").fill("+47 555 0100")
    visitor.wait_for_timeout(lead_forms.MIN_FILL.total_seconds() * 1000)  # a person's pace
    visitor.get_by_role("button", name="Send").click()
    expect(visitor.get_by_role("heading", name="Thank you!")).to_be_visible()

    partner = browser.new_context(base_url=base_url).new_page()
    sign_in(partner, "admin@fabrikam.example")
    partner.goto("/c/referrals")
    row = partner.get_by_role("row").filter(has_text=company)
    expect(row).to_be_visible()
    expect(row).to_contain_text("Northwind Software")

    # The provider sees the referral counted, and renames the form: its link stays the same.
    page.reload()
    page.get_by_role("tab", name="Integrations").click()
    expect(page.get_by_role("row").filter(has_text=name)).to_contain_text("Fabrikam Consulting")
    page.get_by_role("button", name=f"Edit form {name}").click()
    page.locator("#edit-form-name").fill(f"{name} v2")
    page.get_by_role("button", name="Save form").click()
    expect(page.get_by_text("Form saved")).to_be_visible()
    renamed = page.get_by_role("link", name=f"Link of {name} v2")
    expect(renamed).to_have_attribute("href", form_url)

    with Session(db) as session:
        lead, recipient_org = session.exec(
            select(Lead, Organization.name)
            .join(LeadRecipient, LeadRecipient.lead_id == Lead.id)
            .join(Organization, Organization.id == LeadRecipient.org_id)
            .where(Lead.company == company)
        ).one()
    assert (lead.source, lead.phone, lead.email, recipient_org) == (
        "web_form",
        "+47 555 0100",
        f"björn-{tag}@formco.example",
        "Fabrikam Consulting",
    )
    visitor.context.close()
    partner.context.close()


def test_an_api_key_from_settings_works_until_revoked(page: Page):
    from reflex.config import get_config

    api = f"{get_config().api_url}/api/v1"
    tag = uuid.uuid4().hex[:6]
    sign_in(page, "admin@contoso.example")
    page.goto("/p/settings")
    page.get_by_role("tab", name="Integrations").click()
    page.get_by_label("Key name").fill(f"CRM {tag}")
    page.get_by_label("Key role").select_option("manager")
    page.get_by_role("button", name="Create key").click()
    shown = page.get_by_label("Your new API key (shown only once)")
    expect(shown).to_contain_text("prm_")
    key = shown.inner_text().strip()
    headers = {"Authorization": f"Bearer {key}"}

    me = page.request.get(f"{api}/me", headers=headers)
    assert me.status == 200
    assert (me.json()["org_name"], me.json()["role"]) == ("Contoso HR Cloud", "manager")
    assert page.request.get(f"{api}/openapi.json").json()["info"]["title"] == "PRM portal API"
    assert page.request.get(f"{api}/leads").status == 401

    page.get_by_role("button", name="Done").click()
    expect(shown).to_have_count(0)
    page.get_by_role("button", name=f"Revoke key CRM {tag}").click()
    confirm(page, "Revoke key")
    expect(page.get_by_text("API key revoked.")).to_be_visible()
    assert page.request.get(f"{api}/me", headers=headers).status == 401

    # A webhook to a private address is refused, with the reason.
    page.get_by_label("Webhook URL").fill("http://127.0.0.1:9/hook")
    page.get_by_label("A deal was closed as won").check()
    page.get_by_role("button", name="Add webhook").click()
    expect(page.get_by_text("resolves to a private or local address")).to_be_visible()
