"""Tier rules: a provider's admin sets Gold's rule in Settings > Tiers; the partner's deal is
closed as won, the daily job promotes it, and the open partner card shows the new tier without a
reload, its history with the figures behind it, and the partner sees its tier on its side."""

import uuid

from playwright.sync_api import Browser, Page, expect
from sqlmodel import Session, delete, select

from prm_app import jobs
from prm_app.models import JobRun, OrgKind, Partnership
from prm_app.services.deals import lifecycle as deal_changes
from tests.e2e.dialogs import confirm
from tests.e2e.test_sign_in import sign_in
from tests.unit.factories import PASSWORD, org_admin, partners


def test_a_partner_crosses_a_threshold_after_a_won_deal_and_is_promoted(
    page: Page, browser: Browser, base_url, db
):
    tag = uuid.uuid4().hex[:6]
    with Session(db) as session:
        provider = org_admin(
            session,
            kind=OrgKind.PROVIDER,
            org_name=f"Tiersoft {tag}",
            email=f"p{tag}@tiers.example",
        )
        consultant = org_admin(
            session,
            kind=OrgKind.CONSULTANT,
            org_name=f"Tierparts {tag}",
            email=f"c{tag}@tiers.example",
        )
        session.commit()  # the invitation's rate limit counts on its own connection
        partners(session, provider, consultant)
        deal = deal_changes.register(
            session,
            actor=provider,
            other_org_id=consultant.org_id,
            form={
                "name": "Contoso ERP",
                "company": f"Contoso {tag}",
                "contact_name": "",
                "contact_email": "",
                "amount": "25000",
                "close_date": "",
                "product_ids": [],
            },
        )
        partnership_id = session.exec(
            select(Partnership.id).where(Partnership.consultant_org_id == consultant.org_id)
        ).one()
        session.commit()

    sign_in(page, provider.email, PASSWORD)
    page.goto("/p/settings")
    page.get_by_role("tab", name="Tiers").click()
    gold = page.get_by_role("form", name="Rule of Gold")
    gold.get_by_label("Deals won at least").fill("1")
    gold.get_by_label("Won revenue at least").fill("20000")
    gold.get_by_role("button", name="Save the rule of Gold").click()
    expect(page.get_by_text("Tier rule saved.")).to_be_visible()
    expect(gold).to_contain_text("Deals won 1")

    page.goto(f"/p/partners/{partnership_id}")
    tier = page.get_by_role("heading", name="Tier", exact=True).locator("..")
    expect(tier).to_contain_text("Current tier: No tier")
    expect(tier).to_contain_text("Deals won: 0 of 1 (not yet)")

    page.goto(f"/p/deals/{deal.deal_id}")
    move = page.get_by_role("form", name="Move the deal")
    move.get_by_label("Stage").select_option(label="Closed Won")
    move.get_by_role("button", name="Move").click()
    confirm(page, "Close as won")
    expect(page.get_by_text("Closed Won · complete")).to_be_visible()

    page.goto(f"/p/partners/{partnership_id}")
    expect(tier).to_contain_text("Deals won: 1 of 1 (met)")
    expect(tier).to_contain_text("Current tier: No tier")
    # The day's run was claimed when the app started: give the day back, as at midnight, and
    # let the daily job run (here, or in the app's own sweep a second later: one of them wins).
    with Session(db) as session:
        session.exec(delete(JobRun).where(JobRun.name == "tiers"))  # type: ignore[call-overload]
        session.commit()
    jobs.recompute_tiers()
    expect(tier).to_contain_text("Current tier: Gold")  # live: the page was not reloaded
    history = page.get_by_role("list", name="Tier history")
    expect(history).to_contain_text("No tier → Gold")
    expect(history).to_contain_text("Automatically, by the tier rules")
    expect(history).to_contain_text("Won revenue USD 25,000.00 · Deals won 1")
    expect(page.get_by_role("list", name="Timeline")).to_contain_text(
        "Tier changed from no tier to Gold"
    )

    partner = browser.new_context(base_url=base_url).new_page()
    sign_in(partner, consultant.email, PASSWORD)
    partner.goto(f"/c/providers/{partnership_id}")
    expect(partner.get_by_text("Current tier:")).to_contain_text("Gold")
    expect(partner.get_by_text("No higher tier to reach by the rules.")).to_be_visible()
