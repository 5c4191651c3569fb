"""Forms that guide (issue 23): required markers, the server's message next to each field,
messages that go once the field is fixed, drafts that keep their recipients, and an invitation
form that does not keep a success line after a failure."""

import uuid

from playwright.sync_api import Page, expect

from tests.e2e.test_sign_in import sign_in


def test_the_lead_form_tells_each_field_and_forgets_what_was_fixed(page: Page):
    sign_in(page, "admin@fabrikam.example")
    page.get_by_role("button", name="Submit New Lead").click()
    form = page.get_by_role("form").or_(page.locator("form")).first
    expect(form.get_by_text("Required", exact=False).first).to_be_visible()
    page.get_by_role("button", name="Submit", exact=True).click()
    # The server's messages, next to their fields, not a browser pop-up.
    providers = page.get_by_text("Choose from 1 to 20 organizations to send it to.")
    expect(providers).to_be_visible()
    expect(page.get_by_text("First name is required.")).to_be_visible()
    expect(page.get_by_text("Company is required.")).to_be_visible()
    expect(page.get_by_label("First Name")).to_have_attribute("aria-invalid", "true")

    page.get_by_label("Northwind Software").check()
    expect(providers).to_have_count(0)
    page.get_by_label("First Name").fill("Ada")
    page.get_by_label("First Name").press("Tab")
    expect(page.get_by_text("First name is required.")).to_have_count(0)
    expect(page.get_by_text("Company is required.")).to_be_visible()  # not fixed yet

    page.get_by_label("Email").fill("björn@example.com")  # the server accepts it: so does the form
    page.get_by_label("Last Name").fill("Lovelace")
    page.get_by_label("Company").fill(f"Guided {uuid.uuid4().hex[:6]}")
    page.get_by_role("button", name="Submit", exact=True).click()
    expect(page.get_by_role("status")).to_contain_text("Submitted.")
    expect(page.get_by_role("alert")).to_have_count(0)


def test_a_draft_keeps_the_providers_ticked(page: Page):
    company = f"Draft Ticks {uuid.uuid4().hex[:6]}"
    sign_in(page, "admin@fabrikam.example")
    page.get_by_role("button", name="Submit New Lead").click()
    page.get_by_label("Northwind Software").check()
    page.get_by_label("First Name").fill("Dora")
    page.get_by_label("Last Name").fill("Draft")
    page.get_by_label("Email").fill("dora@draftticks.example")
    page.get_by_label("Company").fill(company)
    page.get_by_role("button", name="Save as draft").click()
    row = page.get_by_role("row").filter(has_text=company)
    expect(row).to_contain_text("draft")
    row.get_by_role("button", name=f"Edit the draft for {company}").click()
    expect(page.get_by_role("heading", name="Edit draft lead")).to_be_visible()
    expect(page.get_by_label("Northwind Software")).to_be_checked()
    expect(page.get_by_label("Contoso HR Cloud")).not_to_be_checked()
    page.get_by_role("button", name="Submit", exact=True).click()
    expect(page.get_by_role("status")).to_contain_text("Submitted.")
    expect(page.get_by_role("row").filter(has_text=company)).to_contain_text("0/1 accepted")


def test_the_invitation_form_forgets_its_success_after_a_failure(page: Page):
    sign_in(page, "admin@northwind.example")
    page.goto("/p/partners")
    page.get_by_role("tab", name="Invitations").click()
    email = page.get_by_label("Email of someone at the firm")
    email.fill(f"new-{uuid.uuid4().hex[:6]}@firm.example")
    page.get_by_role("button", name="Send invitation").click()
    expect(page.get_by_role("status")).to_contain_text("Invitation sent to")
    expect(email).to_have_value("")  # emptied once sent

    email.fill("not an address")
    page.get_by_role("button", name="Send invitation").click()
    expect(page.get_by_text("is not a valid email address")).to_be_visible()
    expect(page.get_by_text("Invitation sent to")).to_have_count(0)
    expect(email).to_have_value("not an address")  # kept, to be corrected
    email.fill(f"fixed-{uuid.uuid4().hex[:6]}@firm.example")
    email.press("Tab")
    expect(page.get_by_text("is not a valid email address")).to_have_count(0)


def test_submit_deal_tells_each_field(page: Page):
    sign_in(page, "admin@fabrikam.example")
    page.goto("/c/deals")
    page.get_by_role("button", name="Submit deal").click()
    dialog = page.get_by_role("dialog")
    dialog.get_by_label("Amount").fill("abc")
    dialog.get_by_role("button", name="Submit deal").click()
    expect(dialog.get_by_text("Deal name is required.")).to_be_visible()
    expect(dialog.get_by_text("Company is required.")).to_be_visible()
    expect(dialog.get_by_label("Deal name")).to_have_attribute("aria-invalid", "true")
    dialog.get_by_label("Deal name").fill("Guided deal")
    dialog.get_by_label("Deal name").press("Tab")
    expect(dialog.get_by_text("Deal name is required.")).to_have_count(0)
