"""Every list and detail page is live: a change made in one browser shows in another without a
reload, through the one after-commit publishing (state.live). One test per page family: each
waits for the other browser to show the change with no reload, so it fails when that topic is
not published (the page would only show it after a reload).
"""

import re
import uuid
from decimal import Decimal

from playwright.sync_api import Browser, Page, expect
from sqlmodel import Session, select

from prm_app.models import Deal, Stage
from prm_app.services.deals import lifecycle as deal_changes
from prm_app.services.identity import auth
from tests.e2e.dialogs import confirm
from tests.e2e.test_commissions import approved_deal_from_a_lead
from tests.e2e.test_imports import _leads_csv
from tests.e2e.test_leads import send_referral
from tests.e2e.test_recruitment import PASSWORD, invite, new_consultant_firm
from tests.e2e.test_sign_in import sign_in
from tests.harness import DEMO_PASSWORD

PROVIDER_ADMIN = "admin@northwind.example"
CONSULTANT_ADMIN = "admin@fabrikam.example"


def _other(browser: Browser, base_url: str, email: str, password: str = DEMO_PASSWORD) -> Page:
    other = browser.new_context(base_url=base_url).new_page()
    sign_in(other, email, password)
    return other


def test_invitations_and_the_partner_directory_are_live(page: Page, browser: Browser, base_url, db):
    firm = f"Live Advisory {uuid.uuid4().hex[:4]}"
    email, _ = new_consultant_firm(db, firm)
    consultant = _other(browser, base_url, email, PASSWORD)
    consultant.goto("/c/providers")
    expect(consultant.get_by_text("No providers yet")).to_be_visible()

    sign_in(page, PROVIDER_ADMIN)
    invite(page, email, "Live invitation")
    expect(page.get_by_role("status")).to_have_text(f"Invitation sent to {email}.")
    # My Providers shows the invitation without a reload.
    accept = consultant.get_by_role("button", name="Accept the invitation of Northwind Software")
    expect(accept).to_be_visible()
    pending = page.get_by_role("row").filter(has_text=email)
    expect(pending).to_contain_text("invited")

    page.get_by_role("tab", name="Directory").click()  # a tab of the page: no reload
    expect(page.get_by_role("group", name=firm)).to_have_count(0)
    accept.click()
    # The provider's directory shows the new partner, and its invitations the answer.
    expect(page.get_by_role("group", name=firm)).to_be_visible()
    page.get_by_role("tab", name="Invitations").click()
    expect(pending).to_have_count(0)  # answered: no longer pending

    # The partnership's own page follows the other side's decision to end it.
    page.get_by_role("tab", name="Directory").click()
    page.get_by_role("link", name=f"Details of {firm}").click()
    expect(page).to_have_url(re.compile(r"/p/partners/\d+$"))
    expect(page.get_by_role("heading", name=firm, level=2)).to_be_visible()
    expect(page.get_by_text("active", exact=True)).to_be_visible()
    card = consultant.get_by_role("group", name="Northwind Software")
    card.get_by_role("button", name="End the partnership with Northwind Software").click()
    confirm(consultant, "End partnership")
    expect(page.get_by_text("ended", exact=True)).to_be_visible()
    consultant.context.close()


def _submit_lead(page: Page, company: str) -> None:
    page.goto("/c/leads")
    page.get_by_role("button", name="Submit New Lead").click()
    page.get_by_label("Northwind Software").check()
    page.get_by_label("First Name").fill("Liv")
    page.get_by_label("Last Name").fill("Live")
    page.get_by_label("Email").fill(f"liv@{company.split()[-1]}.example")
    page.get_by_label("Company").fill(company)
    page.get_by_role("button", name="Submit", exact=True).click()
    expect(page.get_by_role("status")).to_contain_text("Submitted.")


def test_leads_list_and_detail_are_live(page: Page, browser: Browser, base_url):
    company = f"Live Lead {uuid.uuid4().hex[:6]}"
    provider = _other(browser, base_url, PROVIDER_ADMIN)
    provider.goto("/p/leads")
    expect(provider.get_by_role("heading", name="Leads", level=1)).to_be_visible()

    sign_in(page, CONSULTANT_ADMIN)
    _submit_lead(page, company)
    # The provider's list of received leads shows it without a reload.
    row = provider.get_by_role("row").filter(has_text=company)
    expect(row).to_contain_text("pending")

    page.get_by_role("link", name=f"Details of the lead for {company}").click()
    recipient = page.get_by_role("row").filter(has_text="Northwind Software")
    expect(recipient).to_contain_text("pending")
    row.get_by_role("button", name=f"Accept the lead for {company}").click()
    expect(row).to_contain_text("accepted")
    # The consultant's lead page follows the provider's decision.
    expect(recipient).to_contain_text("accepted")
    page.goto("/c/leads")
    sent = page.get_by_role("row").filter(has_text=company)
    expect(sent).to_contain_text("1/1 accepted")
    provider.context.close()


def test_referrals_list_and_detail_are_live(page: Page, browser: Browser, base_url):
    company = f"Live Referral {uuid.uuid4().hex[:6]}"
    partner = _other(browser, base_url, CONSULTANT_ADMIN)
    partner.goto("/c/referrals")
    expect(partner.get_by_role("heading", name="Referrals", level=1)).to_be_visible()

    sign_in(page, PROVIDER_ADMIN)
    send_referral(page, company, f"rita@{company.split()[-1]}.example")
    # The partner's list of referrals shows the new one without a reload.
    row = partner.get_by_role("row").filter(has_text=company)
    expect(row).to_contain_text("Open to see the contact")

    page.get_by_role("link", name=f"Details of the referral for {company}").click()
    recipient = page.get_by_role("row").filter(has_text="Fabrikam")
    expect(recipient).to_contain_text("pending")
    row.get_by_role("button", name=f"Accept the referral for {company}").click()
    expect(recipient).to_contain_text("accepted")  # the provider's referral page follows
    row.get_by_text("Convert or close…").click()
    row.get_by_label(f"Lost reason for {company}").select_option("Not a fit")
    row.get_by_label(f"Lost note for {company}").fill("Went elsewhere")
    row.get_by_role("button", name=f"Close as lost the referral for {company}").click()
    confirm(partner, "Close as lost")
    expect(recipient).to_contain_text("Not a fit: Went elsewhere")
    partner.context.close()


def test_commissions_and_requests_are_live(page: Page, browser: Browser, base_url, db):
    company = f"Live Ledger {uuid.uuid4().hex[:6]}"
    deal_id = approved_deal_from_a_lead(db, company)
    with Session(db) as session:  # won: the partner holds USD 300 of referral credit more
        provider = auth.authenticate(session, email=PROVIDER_ADMIN, password=DEMO_PASSWORD)
        won = session.exec(
            select(Stage.id).where(Stage.org_id == provider.org_id, Stage.is_won)
        ).first()
        version = session.get(Deal, deal_id).version
        deal_changes.move_stage(
            session, actor=provider, deal_id=deal_id, version=version, stage_id=won
        )
        session.commit()
    amount = Decimal(100 + uuid.uuid4().int % 100) + Decimal("0.37")  # one row of its own
    shown = f"USD {amount:,.2f}"

    sign_in(page, PROVIDER_ADMIN)
    page.goto("/p/commissions")
    received = page.locator("#requests")
    expect(page.get_by_role("heading", name="Commissions", level=1)).to_be_visible()
    expect(received.get_by_role("row").filter(has_text=shown)).to_have_count(0)

    consultant = _other(browser, base_url, CONSULTANT_ADMIN)
    consultant.goto("/c/commissions")
    form = consultant.get_by_role("form", name="Request a redemption")
    form.get_by_label("Provider").select_option(label="Northwind Software")
    form.get_by_label("How to redeem").select_option("cash")
    form.get_by_label("Amount").fill(str(amount))
    form.get_by_label("Payment method").select_option(label="PayPal")
    form.get_by_role("button", name="Request").click()
    mine = consultant.locator("#requests").get_by_role("row").filter(has_text=shown)
    expect(mine).to_contain_text("requested")

    # The provider's requests show it without a reload; its approval reaches the partner.
    request = received.get_by_role("row").filter(has_text=shown)
    expect(request).to_contain_text("requested")
    request.get_by_role("button", name="Approve").click()
    expect(request).to_contain_text("approved")
    expect(mine).to_contain_text("approved")
    consultant.context.close()


def test_the_notifications_page_is_live(page: Page, browser: Browser, base_url):
    company = f"Live Note {uuid.uuid4().hex[:6]}"
    partner = _other(browser, base_url, CONSULTANT_ADMIN)
    partner.goto("/notifications")
    expect(partner.get_by_role("heading", name="Notifications", level=1)).to_be_visible()
    text = f"Northwind Software sent you a referral: {company}."
    expect(partner.get_by_role("link", name=f"Open: {text}")).to_have_count(0)

    sign_in(page, PROVIDER_ADMIN)
    send_referral(page, company, f"nora@{company.split()[-1]}.example")
    expect(partner.get_by_role("link", name=f"Open: {text}")).to_be_visible()  # no reload
    partner.context.close()


def test_imports_are_live(page: Page, browser: Browser, base_url, tmp_path):
    uid = uuid.uuid4().hex[:8]
    colleague = _other(browser, base_url, CONSULTANT_ADMIN)  # another browser of the firm
    colleague.goto("/c/leads/import")
    expect(colleague.get_by_role("heading", name="Past imports")).to_be_visible()
    provider = _other(browser, base_url, PROVIDER_ADMIN)
    provider.goto("/p/leads")
    expect(provider.get_by_role("heading", name="Leads", level=1)).to_be_visible()

    sign_in(page, CONSULTANT_ADMIN)
    page.goto("/c/leads/import")
    expect(page.locator("#csv")).to_have_attribute("data-upload-ready", "true")
    page.locator("#csv input[type=file]").set_input_files(_leads_csv(tmp_path, uid))
    page.get_by_label("Company", exact=True).select_option("Client firm")
    submit = page.get_by_label("Submit each lead to the provider in its row")
    submit.click()
    expect(submit).to_be_checked()
    page.get_by_role("button", name="Check the file").click()
    page.get_by_role("button", name="Import 2 valid rows").click()
    expect(page.get_by_text(f"Imported 2 leads and sent from leads-{uid}.csv.")).to_be_visible()

    # The colleague's history shows the import, and the provider the leads, without a reload.
    batch = colleague.get_by_role("row", name=f"leads-{uid}.csv")
    expect(batch.get_by_text("imported", exact=True)).to_be_visible()
    expect(provider.get_by_role("row").filter(has_text=f"One {uid}")).to_be_visible()

    page.get_by_role("button", name=f"Undo the import of leads-{uid}.csv").click()
    confirm(page, "Undo import")
    expect(page.get_by_text("Import undone: 2 leads removed.")).to_be_visible()
    expect(batch.get_by_text("undone", exact=True)).to_be_visible()
    expect(provider.get_by_role("row").filter(has_text=f"One {uid}")).to_have_count(0)
    colleague.context.close()
    provider.context.close()
