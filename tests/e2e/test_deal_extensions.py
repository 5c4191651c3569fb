"""Extending a deal's protection (issue 26): the provider's program allows it (Settings > Rules),
the partner asks on the deal's page with a reason, the provider sees the request live and
approves it with the new end it asked for, and both sides see the new end at once."""

import re
import uuid
from datetime import date, timedelta

from playwright.sync_api import Browser, Page, expect
from sqlmodel import Session

from prm_app.models import Deal
from prm_app.services.deals import lifecycle as deal_changes
from prm_app.services.identity import auth
from tests.e2e.test_accessibility import check
from tests.e2e.test_sign_in import sign_in
from tests.harness import DEMO_PASSWORD

PROVIDER_ADMIN = "admin@northwind.example"
PARTNER_ADMIN = "admin@tailspin.example"


def approved_deal(db, tag: str) -> tuple[int, str]:
    """Tailspin's deal with Northwind, approved: (its id, the protection's end as YYYY-MM-DD)."""
    with Session(db) as session:
        provider = auth.authenticate(session, email=PROVIDER_ADMIN, password=DEMO_PASSWORD)
        partner = auth.authenticate(session, email=PARTNER_ADMIN, password=DEMO_PASSWORD)
        deal_id = deal_changes.register(
            session,
            actor=partner,
            other_org_id=provider.org_id,
            form={
                "name": f"Extend me {tag}",
                "company": f"Slowbuy {tag}",
                "contact_email": f"cfo@slowbuy{tag}.example",
                "amount": "5000",
                "close_date": "2031-06-30",
            },
        ).deal_id
        deal_changes.approve(session, actor=provider, deal_id=deal_id, version=1)
        session.commit()
        until = session.get(Deal, deal_id).protected_until
    return deal_id, until.date().isoformat()


def test_a_partner_requests_an_extension_the_provider_approves_both_see_the_new_end(
    page: Page, browser: Browser, base_url, db
):
    tag = uuid.uuid4().hex[:6]
    deal_id, until = approved_deal(db, tag)

    # The provider's program: any number of extensions, up to 45 days each.
    sign_in(page, PROVIDER_ADMIN)
    page.goto("/p/settings")
    page.get_by_role("tab", name="Rules").click()
    expect(page.get_by_label("The longest extension (days)")).not_to_have_value("")  # loaded
    page.get_by_label("Extensions partners may request").select_option("unlimited")
    page.get_by_label("The longest extension (days)").fill("45")
    page.get_by_role("button", name="Save extension rules").click()
    expect(page.get_by_text("Extension rules saved.")).to_be_visible()
    # With the green toast on screen (its text was too pale: assets/app.css).
    assert check(page, "Settings > Rules with the extension rules, saved") == []
    page.goto(f"/p/deals/{deal_id}")
    expect(page.get_by_text(f"Protected until {until}.")).to_be_visible()
    expect(page.get_by_role("button", name="Approve extension")).to_have_count(0)

    partner = browser.new_context(base_url=base_url).new_page()
    try:
        partner.set_viewport_size({"width": 390, "height": 844})
        sign_in(partner, PARTNER_ADMIN)
        partner.goto(f"/c/deals/{deal_id}")
        expect(partner.get_by_text(f"Protected until {until}.")).to_be_visible()
        days = partner.get_by_label("Days wanted (at most 45)")
        expect(days).to_be_visible()
        assert check(partner, "partner's request form") == []
        assert partner.evaluate("document.documentElement.scrollWidth") <= 390
        days.fill("60")  # beyond the maximum: the browser lets it through, the server refuses
        days.evaluate("input => input.removeAttribute('max')")
        partner.get_by_label("Reason (told to the provider)").fill("Their board meets in March")
        partner.get_by_role("button", name="Request extension").click()
        expect(
            partner.get_by_text("Days wanted must be a whole number from 1 to 45.")
        ).to_be_visible()
        expect(days).to_have_attribute("aria-invalid", "true")
        days.fill("20")
        days.blur()  # the message goes once the field is corrected
        expect(partner.get_by_text("Days wanted must be a whole number")).to_have_count(0)
        partner.get_by_role("button", name="Request extension").click()
        card = partner.get_by_role("heading", name="Protection extension").locator("..")
        expect(card).to_contain_text("20 more days. Reason: Their board meets in March")
        expect(partner.get_by_role("button", name="Request extension")).to_have_count(0)

        # The provider's page shows the request live, the new end asked for filled in.
        new_end = (date.fromisoformat(until) + timedelta(days=20)).isoformat()
        expect(page.get_by_text(re.compile("20 more days. Reason: Their board"))).to_be_visible()
        expect(page.get_by_label(re.compile(r"^New end of the protection"))).to_have_value(new_end)
        assert check(page, "provider's answer to a request") == []
        page.get_by_role("button", name="Approve extension").click()
        expect(page.get_by_text(f"Protected until {new_end}.")).to_be_visible()
        timeline = page.get_by_role("list", name="Timeline")
        expect(timeline).to_contain_text(f"Extended the protection to {new_end}")

        # The partner sees the new end without reloading, and may ask again (unlimited).
        expect(partner.get_by_text(f"Protected until {new_end}.")).to_be_visible()
        history = partner.get_by_role("list", name="Extension requests")
        expect(history).to_contain_text(f"protected until {new_end}")
        expect(partner.get_by_role("button", name="Request extension")).to_be_visible()
        expect(partner.get_by_role("list", name="Timeline")).to_contain_text(
            "Asked to extend the protection by 20 days: Their board meets in March"
        )
    finally:
        partner.context.close()
    with Session(db) as session:
        deal = session.get(Deal, deal_id)
        assert deal.protected_until.date().isoformat() == new_end
