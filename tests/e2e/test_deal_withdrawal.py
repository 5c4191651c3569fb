"""A partner withdraws a registration (issue 26): final, its protection ends at once, so another
partner's registration of the same customer is approved without a decision; a rejected
registration is resubmitted from its page, prefilled, and the provider sees the chain."""

import re
import uuid

from playwright.sync_api import Browser, Page, expect
from sqlmodel import Session

from prm_app.models import Approval, Deal
from prm_app.services.deals import lifecycle as deal_changes
from prm_app.services.identity import auth
from tests.e2e.dialogs import confirm
from tests.e2e.test_deal_conflicts import FIRST, PROVIDER_ADMIN, SECOND, _register
from tests.e2e.test_deal_conflicts import conflicting_deals as _conflicting_deals
from tests.e2e.test_sign_in import sign_in
from tests.harness import DEMO_PASSWORD


def test_a_withdrawal_ends_the_protection_so_the_other_registration_no_longer_conflicts(
    page: Page, browser: Browser, base_url, db
):
    tag = uuid.uuid4().hex[:6]
    held, waiting = _conflicting_deals(db, tag)

    sign_in(page, PROVIDER_ADMIN)
    page.goto(f"/p/deals/{waiting}")
    expect(page.get_by_role("button", name="Approve…")).to_be_visible()  # a decision, for now

    tailspin = browser.new_context(base_url=base_url).new_page()
    try:
        tailspin.set_viewport_size({"width": 390, "height": 844})
        sign_in(tailspin, FIRST)
        tailspin.goto(f"/c/deals/{held}")
        card = tailspin.get_by_role("heading", name="Withdrawal and resubmission").locator("..")
        expect(tailspin.get_by_text(re.compile(r"^Protected until \d"))).to_be_visible()
        withdraw = card.get_by_role("button", name=f"Withdraw the deal Tailspin bid {tag}")
        card.get_by_label("Reason to withdraw (told to the provider)").fill(
            "The customer chose another vendor"
        )
        withdraw.click()
        confirm(tailspin, "Withdraw deal")

        expect(card).to_contain_text(
            re.compile(r"Withdrawn by the partner on \d{4}-\d{2}-\d{2}: The customer chose")
        )
        expect(tailspin.get_by_label("Approval")).to_have_text("withdrawn")
        expect(withdraw).to_have_count(0)  # final: nothing more to do
        expect(tailspin.get_by_role("button", name="Edit details")).to_have_count(0)
        expect(
            tailspin.get_by_text("Not protected: the partner withdrew the deal.")
        ).to_be_visible()
        expect(tailspin.get_by_role("list", name="Timeline")).to_contain_text(
            "Withdrew the registration: The customer chose another vendor"
        )
    finally:
        tailspin.context.close()

    # the provider's page of the other registration, live: a plain Approve, no decision
    approve = page.get_by_role("button", name="Approve", exact=True)
    expect(approve).to_be_visible()
    expect(page.get_by_role("button", name="Approve…")).to_have_count(0)
    approve.click()
    expect(page.get_by_label("Approval")).to_have_text("approved")
    expect(page.get_by_text(re.compile(r"^Protected until \d"))).to_be_visible()
    expect(page.get_by_role("list", name="Timeline")).to_contain_text("Approved the registration")
    page.goto(f"/p/deals/{held}")
    expect(
        page.get_by_text(re.compile(r"Withdrawn by the partner on .*another vendor"))
    ).to_be_visible()
    with Session(db) as session:
        assert session.get(Deal, held).approval == Approval.WITHDRAWN
        assert session.get(Deal, waiting).approval == Approval.APPROVED


def test_a_rejected_registration_is_resubmitted_prefilled_and_the_provider_sees_the_chain(
    page: Page, browser: Browser, base_url, db
):
    tag = uuid.uuid4().hex[:6]
    with Session(db) as session:
        provider = auth.authenticate(session, email=PROVIDER_ADMIN, password=DEMO_PASSWORD)
        first = _register(
            session, SECOND, provider, f"Retry Co {tag}", f"retry{tag}.example", f"Retry {tag}"
        )
        deal_changes.reject(
            session, actor=provider, deal_id=first, version=1, reason="Outside our territory"
        )
        session.commit()

    sign_in(page, SECOND)
    page.goto(f"/c/deals/{first}")
    expect(page.get_by_label("Approval")).to_have_text("rejected")
    page.get_by_role("button", name="Resubmit…").click()
    dialog = page.get_by_role("dialog", name="Resubmit the deal")
    expect(dialog.get_by_label("Deal name")).to_have_value(f"Retry {tag}")
    expect(dialog.get_by_label("Customer company")).to_have_value(f"Retry Co {tag}")
    dialog.get_by_label("Deal name").fill("")
    dialog.get_by_role("button", name="Resubmit deal").click()
    expect(dialog.get_by_label("Deal name")).to_have_attribute("aria-invalid", "true")
    dialog.get_by_label("Deal name").fill(f"Retry {tag}, EU only")
    dialog.get_by_role("button", name="Resubmit deal").click()

    expect(page).not_to_have_url(re.compile(rf"/c/deals/{first}$"))
    expect(page.get_by_role("heading", name=f"Retry {tag}, EU only")).to_be_visible()
    expect(page.get_by_label("Approval")).to_have_text("pending")
    history = page.get_by_role("list", name="Registration history")
    expect(history).to_contain_text(f"Retry {tag}, EU only (this deal)")
    expect(history.get_by_role("link", name=f"Retry {tag}")).to_be_visible()
    second = int(page.url.rsplit("/", 1)[1])

    provider_page = browser.new_context(base_url=base_url).new_page()
    try:
        sign_in(provider_page, PROVIDER_ADMIN)
        provider_page.goto(f"/p/deals/{second}")
        chain = provider_page.get_by_role("list", name="Registration history")
        expect(chain).to_contain_text("rejected · registered")
        expect(chain).to_contain_text("Outside our territory")
        expect(provider_page.get_by_role("list", name="Timeline")).to_contain_text(
            "Resubmitted an earlier registration"
        )
        provider_page.get_by_role("button", name="Approve", exact=True).click()
        expect(provider_page.get_by_label("Approval")).to_have_text("approved")
    finally:
        provider_page.context.close()

    page.goto(f"/c/deals/{first}")
    expect(page.get_by_role("button", name="Resubmit…")).to_have_count(0)
    expect(page.get_by_text("This registration was already resubmitted")).to_be_visible()
