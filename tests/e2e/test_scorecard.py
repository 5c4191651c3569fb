"""The two-sided scorecard in the browser: the consultant watches its provider's decision time
move when the provider decides a lead, and opens the records behind it."""

import re
import uuid
from datetime import timedelta

from playwright.sync_api import Browser, Page, expect
from sqlmodel import Session

from prm_app.models import LeadRecipient, OrgKind, utcnow
from prm_app.services import leads
from prm_app.services.leads import LeadInput
from tests.e2e.test_sign_in import sign_in
from tests.unit.factories import PASSWORD, org_admin, partners


def test_the_consultants_scorecard_shows_the_providers_decision_time(
    page: Page, browser: Browser, base_url, db
):
    tag = uuid.uuid4().hex[:6]
    company = f"Scored Co {tag}"
    with Session(db) as session:
        provider = org_admin(
            session,
            kind=OrgKind.PROVIDER,
            org_name=f"Scoresoft {tag}",
            email=f"p{tag}@score.example",
        )
        consultant = org_admin(
            session,
            kind=OrgKind.CONSULTANT,
            org_name=f"Scoreparts {tag}",
            email=f"c{tag}@score.example",
        )
        session.commit()  # the invitation's rate limit counts on its own connection
        partners(session, provider, consultant)
        session.commit()
        lead_id, (recipient_id,) = leads.create_and_submit(
            session,
            actor=consultant,
            data=LeadInput("Ada", "Score", f"ada@{tag}.example", company, "", "", ""),
            owner_id=consultant.user_id,
            recipient_org_ids=[provider.org_id],
        )
        received = session.get(LeadRecipient, recipient_id)
        received.created_at = utcnow() - timedelta(hours=3)  # it waited three hours
        session.add(received)
        session.commit()

    sign_in(page, consultant.email, PASSWORD)
    page.get_by_role("link", name="Scorecard").first.click()
    expect(page.get_by_role("heading", name=f"Scoresoft {tag}'s service")).to_be_visible()
    decision = page.get_by_role("row").filter(has_text="Time to decide a lead")
    expect(decision).to_contain_text("No records yet")

    provider_page = browser.new_context(base_url=base_url).new_page()
    sign_in(provider_page, provider.email, PASSWORD)
    provider_page.goto("/p/leads")
    row = provider_page.get_by_role("row").filter(has_text=company)
    row.get_by_role("button", name=f"Accept the lead for {company}").click()
    expect(row).to_contain_text("accepted")

    # Live: the consultant's page moves without a reload, over all partners and over its own.
    expect(decision).to_contain_text("3.0 hours")
    expect(decision.get_by_text("1 record")).to_have_count(2)
    decision.get_by_role(
        "button", name="Records behind: Time to decide a lead, All partners"
    ).click()
    dialog = page.get_by_role("dialog", name="Leads decided")
    expect(dialog).to_contain_text("Only your firm's records are listed")
    expect(dialog.get_by_role("row").filter(has_text=company)).to_contain_text("accepted")
    dialog.get_by_role("link", name=company).click()
    expect(page).to_have_url(re.compile(rf"/c/leads/{lead_id}$"))
    provider_page.context.close()
