"""Commissions, credits and payouts in both portals, and the dashboards that chart them:
close a deal as won, see its commission and credit on both sides, request a payout (one below
the threshold is refused), the provider approves it and marks it paid; the dashboards show the
won deal."""

import re
import uuid
from decimal import Decimal

from playwright.sync_api import Browser, Page, expect
from sqlmodel import Session

from prm_app.models import Deal, OrgSettings, utcnow
from prm_app.services import leads
from prm_app.services.deals import lifecycle as deal_changes
from prm_app.services.identity import auth
from prm_app.services.leads import LeadInput
from tests.e2e.dialogs import confirm
from tests.e2e.test_sign_in import sign_in
from tests.harness import DEMO_PASSWORD

PROVIDER_ADMIN = "admin@northwind.example"
CONSULTANT_ADMIN = "admin@fabrikam.example"


def approved_deal_from_a_lead(db, company: str) -> int:
    """Fabrikam's lead to Northwind, accepted, converted (USD 10,000) and approved; Northwind
    awards USD 300 of referral credit per won lead."""
    with Session(db) as session:
        consultant = auth.authenticate(session, email=CONSULTANT_ADMIN, password=DEMO_PASSWORD)
        provider = auth.authenticate(session, email=PROVIDER_ADMIN, password=DEMO_PASSWORD)
        settings = session.get(OrgSettings, provider.org_id)
        settings.referral_credit_amount, settings.payout_threshold = Decimal(300), Decimal(100)
        session.add(settings)
        _, [recipient_id] = leads.create_and_submit(
            session,
            actor=consultant,
            data=LeadInput("Lena", "Ledger", f"lena@{uuid.uuid4().hex[:8]}.example", company),
            owner_id=consultant.user_id,
            recipient_org_ids=[provider.org_id],
        )
        leads.accept(session, actor=provider, recipient_id=recipient_id)
        deal_id = leads.convert(session, actor=provider, recipient_id=recipient_id, amount="10000")
        deal = session.get(Deal, deal_id)
        deal_changes.approve(session, actor=provider, deal_id=deal_id, version=deal.version)
        session.commit()
        return deal_id


def commission_card(page: Page):
    return page.locator("#deal-money")


def test_won_deal_commission_credit_payout_and_dashboards(
    page: Page, browser: Browser, base_url, db
):
    company = f"Ledger Labs {uuid.uuid4().hex[:6]}"
    deal_id = approved_deal_from_a_lead(db, company)

    # The provider sees the terms of the accepted deal, and closes it as won.
    sign_in(page, PROVIDER_ADMIN)
    page.goto(f"/p/deals/{deal_id}")
    card = commission_card(page)
    expect(card).to_contain_text("12% of the deal amount")
    expect(card).to_contain_text("USD 1,200.00")
    expect(card).to_contain_text("expected")
    move = page.get_by_role("form", name="Move the deal")
    move.get_by_label("Stage").select_option(label="Closed Won")
    move.get_by_role("button", name="Move").click()
    confirm(page, "Close as won")
    expect(page.get_by_text("Closed Won · complete")).to_be_visible()
    expect(page.locator("#deal-commission")).to_have_text("USD 1,200.00")
    expect(card).to_contain_text("pending")
    expect(page.locator("#deal-credit")).to_have_text("USD 300.00")

    # The consultant sees the same on its side.
    consultant = browser.new_context(base_url=base_url).new_page()
    sign_in(consultant, CONSULTANT_ADMIN)
    consultant.goto(f"/c/deals/{deal_id}")
    expect(consultant.locator("#deal-commission")).to_have_text("USD 1,200.00")
    expect(consultant.locator("#deal-credit")).to_have_text("USD 300.00")
    expect(commission_card(consultant)).to_contain_text("pending")
    expect(commission_card(consultant).get_by_role("button")).to_have_count(0)

    # The provider approves the commission; the consultant's page follows live.
    page.get_by_role("button", name="Approve commission").click()
    expect(card).to_contain_text("approved")
    expect(commission_card(consultant)).to_contain_text("approved")

    # The consultant's balance with Northwind, and a payout below the threshold is refused.
    consultant.goto("/c/commissions")
    expect(consultant.get_by_role("heading", name="Commissions", level=1)).to_be_visible()
    balances = consultant.locator("#balances")
    northwind = balances.get_by_role("row").filter(has_text="Northwind")
    expect(northwind).to_contain_text("USD 1,500.00")  # approved commission + credit
    statement = consultant.locator("#statement")
    expect(statement.get_by_role("row").filter(has_text="Referral credit")).not_to_have_count(0)
    form = consultant.get_by_role("form", name="Request a redemption")
    form.get_by_label("Provider").select_option(label="Northwind Software")
    form.get_by_label("How to redeem").select_option("cash")
    form.get_by_label("Amount").fill("50")
    form.get_by_label("Payment method").select_option(label="PayPal")
    form.get_by_role("button", name="Request").click()
    expect(form.get_by_role("alert")).to_contain_text("Cash payouts start at USD 100.00")
    form.get_by_label("Amount").fill("500")
    form.get_by_role("button", name="Request").click()
    requests = consultant.locator("#requests")
    mine = requests.get_by_role("row").filter(has_text="USD 500.00")
    expect(mine).to_contain_text("requested")
    expect(mine).to_contain_text("PayPal")

    # The provider approves the request and marks it paid.
    page.goto("/p/commissions")
    received = page.locator("#requests")
    request = received.get_by_role("row").filter(has_text="USD 500.00").filter(has_text="requested")
    expect(request).to_contain_text("Fabrikam")
    request.get_by_role("button", name="Approve").click()
    approved = received.get_by_role("row").filter(has_text="USD 500.00").filter(has_text="approved")
    approved.get_by_placeholder("Payment reference").fill("PP-4242")
    approved.get_by_role("button", name="Mark paid").click()
    paid = received.get_by_role("row").filter(has_text="PP-4242")
    expect(paid).to_contain_text("paid")

    consultant.reload()
    requests = consultant.locator("#requests")
    expect(requests.get_by_role("row").filter(has_text="PP-4242")).to_contain_text("paid")
    northwind = consultant.locator("#balances").get_by_role("row")
    expect(northwind.filter(has_text="Northwind")).to_contain_text("USD 1,000.00")

    # The dashboards chart the won deal.
    month = utcnow().strftime("%Y-%m")
    page.goto("/p/dashboard")
    page.get_by_label("Partner", exact=True).select_option(label="Fabrikam Consulting")
    page.get_by_role("button", name="Apply").click()
    won = page.get_by_role("region", name="Deals won per month")
    expect(won.get_by_role("row").filter(has_text=month)).to_be_visible()
    expect(won.locator("svg").first).to_be_visible()
    top = page.get_by_role("region", name="Top partners")
    expect(top.get_by_role("row").filter(has_text="Fabrikam Consulting")).to_be_visible()
    funnel = page.get_by_role("region", name="Lead conversion funnel")
    expect(funnel.get_by_role("row").filter(has_text="Won")).to_contain_text(re.compile(r"\d"))
    # Clear empties the inputs as well as the charts' filters (issue 23).
    page.get_by_role("button", name="Clear").click()
    expect(page.get_by_label("Partner", exact=True)).to_have_value("")
    expect(page.get_by_label("From", exact=True)).to_have_value("")

    consultant.goto("/c/dashboard")
    earned = consultant.get_by_role("region", name="Commissions earned and pending")
    expect(earned.get_by_role("row").filter(has_text=month)).to_contain_text("1,200.00")
    top = consultant.get_by_role("region", name="Top providers")
    expect(top.get_by_role("row").filter(has_text="Northwind Software")).to_be_visible()
