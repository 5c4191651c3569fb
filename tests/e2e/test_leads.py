"""The lead-to-deal flow across two portals: submit to two providers, accept, reject, convert."""

import re
import uuid
from datetime import timedelta
from decimal import Decimal

from playwright.sync_api import Browser, Page, expect
from sqlmodel import Session, select

from prm_app.models import Deal, Lead, LeadRecipient, utcnow
from tests.e2e.dialogs import confirm
from tests.e2e.test_sign_in import sign_in


def received_row(page: Page, company: str):
    page.goto("/p/leads")
    return page.get_by_role("row").filter(has_text=company)


def test_lead_submitted_to_two_providers_accepted_rejected_converted(
    page: Page, browser: Browser, base_url, db
):
    company = f"Blue Yonder {uuid.uuid4().hex[:6]}"
    sign_in(page, "admin@fabrikam.example")
    page.get_by_role("button", name="Submit New Lead").click()
    page.get_by_label("Northwind Software").check()
    page.get_by_label("Contoso HR Cloud").check()
    page.get_by_label("First Name").fill("Maya")
    page.get_by_label("Last Name").fill("Lopez")
    page.get_by_label("Email").fill("maya@blueyonder.example")
    page.get_by_label("Company").fill(company)
    page.get_by_role("button", name="Submit", exact=True).click()
    expect(page.get_by_role("status")).to_contain_text("Submitted.")
    sent = page.get_by_role("row").filter(has_text=company)
    expect(sent).to_contain_text("0/2 accepted")

    northwind = browser.new_context(base_url=base_url).new_page()
    sign_in(northwind, "admin@northwind.example")
    row = received_row(northwind, company)
    expect(row).to_contain_text("Fabrikam Consulting")
    row.get_by_role("button", name=f"Accept the lead for {company}").click()
    expect(row).to_contain_text("accepted")

    contoso = browser.new_context(base_url=base_url).new_page()
    sign_in(contoso, "admin@contoso.example")
    contoso.goto("/p/leads")
    contoso.get_by_label("Search leads").fill(company)  # server-side search and filters
    row = contoso.get_by_role("row").filter(has_text=company)
    expect(contoso.get_by_role("row")).to_have_count(2)  # the header and this lead
    row.get_by_text("Reject…").click()  # behind a disclosure: the row stays readable
    row.get_by_role("button", name=f"Reject the lead for {company}").click()
    # A rejection is final: it asks first; Cancel changes nothing.
    contoso.get_by_role("alertdialog").get_by_role("button", name="Cancel").click()
    row.get_by_role("button", name=f"Reject the lead for {company}").click()
    confirm(contoso, "Reject")
    # A reason is required: the browser refuses the empty field, nothing changes.
    expect(row).to_contain_text("pending")
    row.get_by_label(f"Reason to reject the lead for {company}").fill("Outside our market")
    row.get_by_role("button", name=f"Reject the lead for {company}").click()
    confirm(contoso, "Reject")
    expect(row).to_contain_text("rejected")
    contoso.get_by_label("Status").select_option("accepted")
    expect(contoso.get_by_role("row").filter(has_text=company)).to_have_count(0)
    contoso.get_by_label("Status").select_option("rejected")
    expect(contoso.get_by_role("row").filter(has_text=company)).to_have_count(1)

    row = received_row(northwind, company)
    row.get_by_text("Convert or close…").click()
    row.get_by_role("button", name=f"Convert the lead for {company}").click()
    dialog = northwind.get_by_role("dialog", name="Convert into a deal")
    expect(dialog).to_contain_text(company)
    dialog.get_by_label("Deal amount").fill("25000")
    dialog.get_by_label("Close date").fill("2027-03-31")
    dialog.get_by_role("button", name="Convert").click()
    expect(northwind.get_by_text("Converted into a deal.")).to_be_visible()
    expect(dialog).to_have_count(0)
    expect(northwind.get_by_role("button", name="Open the deal")).to_be_visible()
    expect(row).to_contain_text("converted")

    northwind.goto("/p/deals")  # the provider sees the new deal, awaiting its approval
    deal_row = northwind.get_by_role("row").filter(has_text=company)
    expect(deal_row).to_contain_text("Fabrikam Consulting")
    expect(deal_row).to_contain_text("pending")

    page.reload()
    expect(page.get_by_role("row").filter(has_text=company)).to_contain_text("1/2 accepted")
    with Session(db) as session:
        deal = session.exec(select(Deal).where(Deal.company == company)).one()
    assert deal.amount == Decimal("25000.00")
    assert str(deal.close_date) == "2027-03-31"
    assert deal.approval == "pending"

    # The lead's page: every recipient with its status and reason, and the timeline.
    page.get_by_role("link", name=f"Details of the lead for {company}").click()
    expect(page.get_by_role("heading", name=company)).to_be_visible()
    recipients = page.get_by_role("row")
    expect(recipients.filter(has_text="Northwind Software")).to_contain_text("converted")
    expect(recipients.filter(has_text="Contoso HR Cloud")).to_contain_text("Outside our market")
    timeline = page.get_by_role("listitem")
    expect(timeline.first).to_contain_text("Converted it into a deal")  # newest first
    expect(timeline.last).to_contain_text("Created it as a draft")
    expect(timeline.filter(has_text="Submitted it to")).to_contain_text("Northwind Software")
    expect(timeline.filter(has_text="Converted it into a deal of USD 25,000.00")).to_have_count(1)
    # The converted lead links to its deal (issue 23).
    page.get_by_role("link", name="Open the deal of Northwind Software").click()
    expect(page).to_have_url(re.compile(rf"/c/deals/{deal.id}$"))
    for context in (northwind.context, contoso.context):
        context.close()


def test_draft_is_saved_and_deleted(page: Page):
    company = f"Draft Co {uuid.uuid4().hex[:6]}"
    sign_in(page, "member@fabrikam.example")
    page.get_by_role("button", name="Submit New Lead").click()
    page.get_by_label("First Name").fill("Dan")
    page.get_by_label("Last Name").fill("Draft")
    page.get_by_label("Email").fill("dan@draft")  # passes the browser, not the service
    page.get_by_label("Company").fill(company)
    page.get_by_role("button", name="Save as draft").click()
    expect(page.get_by_role("alert")).to_contain_text("valid email")
    page.get_by_label("Email").fill("dan@draft.example")
    page.get_by_role("button", name="Save as draft").click()
    row = page.get_by_role("row").filter(has_text=company)
    expect(row).to_contain_text("draft")
    row.get_by_role("button", name=f"Edit the draft for {company}").click()
    expect(page.get_by_role("heading", name="Edit draft lead")).to_be_visible()
    expect(page.get_by_label("Company")).to_have_value(company)
    page.get_by_label("Last Name").fill("Drafted")
    page.get_by_role("button", name="Save as draft").click()
    expect(row).to_contain_text("Dan Drafted")
    expect(page.get_by_role("row").filter(has_text=company)).to_have_count(1)  # not a copy
    row.get_by_role("button", name=f"Delete the draft for {company}").click()
    confirm(page, "Delete draft")
    expect(page.get_by_role("row").filter(has_text=company)).to_have_count(0)


def send_referral(page: Page, company: str, email: str) -> None:
    page.goto("/p/referrals")
    page.get_by_role("button", name="Submit New Referral").click()
    page.get_by_label("Fabrikam Consulting").check()
    page.get_by_label("First Name").fill("Rita")
    page.get_by_label("Last Name").fill("Referral")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Company").fill(company)
    page.get_by_role("button", name="Submit", exact=True).click()
    expect(page.get_by_role("status")).to_contain_text("Submitted.")


def test_referral_hidden_until_opened_then_lost_and_another_converted(
    page: Page, browser: Browser, base_url, db
):
    lost, won = f"Lost Co {uuid.uuid4().hex[:6]}", f"Won Co {uuid.uuid4().hex[:6]}"
    sign_in(page, "admin@northwind.example")
    send_referral(page, lost, "rita@lostco.example")
    send_referral(page, won, "rita@wonco.example")
    expect(page.get_by_role("row").filter(has_text=won)).to_contain_text("0/1 accepted")

    partner = browser.new_context(base_url=base_url).new_page()
    sign_in(partner, "admin@fabrikam.example")
    partner.goto("/c/referrals")
    row = partner.get_by_role("row").filter(has_text=lost)
    expect(row).to_contain_text("Open to see the contact")
    expect(partner.get_by_text("rita@lostco.example")).to_have_count(0)
    row.get_by_role("button", name=f"Open the referral for {lost}").click()
    expect(row).to_contain_text("rita@lostco.example")
    expect(row).to_contain_text("opened")
    row.get_by_role("button", name=f"Accept the referral for {lost}").click()
    expect(row).to_contain_text("accepted")
    # The lost reason comes from the provider's list; a note is optional.
    row.get_by_text("Convert or close…").click()
    row.get_by_label(f"Lost reason for {lost}").select_option("Not a fit")
    row.get_by_label(f"Lost note for {lost}").fill("Budget frozen")
    row.get_by_role("button", name=f"Close as lost the referral for {lost}").click()
    confirm(partner, "Close as lost")
    expect(row).to_contain_text("lost")

    row = partner.get_by_role("row").filter(has_text=won)
    row.get_by_role("button", name=f"Accept the referral for {won}").click()
    expect(row).to_contain_text("rita@wonco.example")  # accepting reveals the contact

    # The provider sees the outcomes, and converts the won one from its own portal.
    page.reload()
    expect(page.get_by_role("row").filter(has_text=won)).to_contain_text("1/1 accepted")
    page.get_by_role("link", name=f"Details of the referral for {lost}").click()
    expect(page.get_by_role("row").filter(has_text="Fabrikam")).to_contain_text(
        "Not a fit: Budget frozen"
    )
    page.goto("/p/referrals")
    page.get_by_role("link", name=f"Details of the referral for {won}").click()
    page.get_by_role("button", name=f"Convert the lead for {won}").click()
    page.get_by_role("dialog").get_by_label("Deal amount").fill("12000")
    page.get_by_role("dialog").get_by_role("button", name="Convert").click()
    expect(page.get_by_role("row").filter(has_text="Fabrikam")).to_contain_text("converted")
    page.goto("/p/deals")  # directly in the deals list, approved: no further step
    expect(page.get_by_role("row").filter(has_text=won)).to_contain_text("approved")
    with Session(db) as session:
        deal = session.exec(select(Deal).where(Deal.company == won)).one()
    assert (deal.amount, deal.approval) == (Decimal("12000.00"), "approved")
    partner.context.close()


def test_an_overdue_referral_returns_and_is_sent_on_to_another_partner(page: Page, db):
    company = f"Late Co {uuid.uuid4().hex[:6]}"
    sign_in(page, "admin@northwind.example")
    send_referral(page, company, "lee@lateco.example")
    with Session(db) as session:  # its acceptance deadline passes
        recipient = session.exec(
            select(LeadRecipient)
            .join(Lead, Lead.id == LeadRecipient.lead_id)
            .where(Lead.company == company)
        ).one()
        recipient.deadline_at = utcnow() - timedelta(minutes=1)
        session.add(recipient)
        session.commit()
    page.get_by_role("link", name=f"Details of the referral for {company}").click()
    row = page.get_by_role("row").filter(has_text="Fabrikam")
    for _ in range(15):  # the background job runs every second in tests
        if "returned" in row.inner_text():
            break
        page.wait_for_timeout(1000)
        page.reload()
    expect(row).to_contain_text("returned")
    returned = page.get_by_role("listitem").filter(has_text="Returned it: not accepted in time")
    expect(returned).to_have_count(1)
    send_on = page.get_by_role("form", name="Send it on")
    send_on.get_by_label("Tailspin Advisors").check()
    send_on.get_by_role("button", name="Send").click()
    expect(page.get_by_role("row")).to_have_count(3)  # the header, returned, and the new one
    expect(page.get_by_role("row").filter(has_text="pending")).to_have_count(1)


def test_protected_customer_is_flagged_without_naming_the_holder(page: Page):
    # The demo's Globex deal is approved and protected for Fabrikam with Northwind.
    sign_in(page, "admin@tailspin.example")
    page.get_by_role("button", name="Submit New Lead").click()
    page.get_by_label("Northwind Software").check()
    page.get_by_label("First Name").fill("Gina")
    page.get_by_label("Last Name").fill("Globex")
    page.get_by_label("Email").fill("gina@globex.example")
    page.get_by_label("Company").fill("Globex Inc.")
    page.get_by_role("button", name="Submit", exact=True).click()
    notice = page.get_by_role("status")
    expect(notice).to_contain_text("Northwind Software: this customer is already protected until")
    expect(notice).not_to_contain_text("Fabrikam")


def test_the_provider_decides_with_the_protected_deal_beside_the_lead(
    page: Page, browser: Browser, base_url
):
    company = f"Globex {uuid.uuid4().hex[:6]}"
    sign_in(page, "admin@tailspin.example")
    page.get_by_role("button", name="Submit New Lead").click()
    page.get_by_label("Northwind Software").check()
    page.get_by_label("First Name").fill("Gus")
    page.get_by_label("Last Name").fill("Globex")
    page.get_by_label("Email").fill("gus@globex.example")  # the protected customer's domain
    page.get_by_label("Company").fill(company)
    page.get_by_role("button", name="Submit", exact=True).click()
    expect(page.get_by_role("status")).to_contain_text("already protected until")

    page = browser.new_context(base_url=base_url).new_page()
    sign_in(page, "admin@northwind.example")
    row = received_row(page, company)
    expect(row).to_contain_text("Protected for another partner")
    row.get_by_role("link", name=f"Details of the lead for {company}").click()
    conflict = page.get_by_role("region", name="Protection conflict")
    expect(conflict).to_contain_text(company)
    expect(conflict).to_contain_text("Fabrikam Consulting, protected until")
    page.get_by_label(f"Reason to reject the lead for {company}").fill("Fabrikam holds it")
    page.get_by_role("button", name=f"Reject the lead for {company}").click()
    confirm(page, "Reject")
    expect(page.get_by_role("row").filter(has_text="Northwind")).to_contain_text("rejected")
    page.context.close()
