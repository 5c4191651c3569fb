"""Where you're signed in: one browser revokes another's session, which is sent to sign-in at
once; the organization's admin sees it in the security events and downloads them as CSV."""

import csv
import io
import re

from playwright.sync_api import Browser, Page, expect

from tests.e2e.dialogs import confirm
from tests.e2e.test_sign_in import PORTAL, at, sign_in

PERSON = "manager@adatum.example"
ADMIN = "admin@adatum.example"
PHONE = (
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_1 like Mac OS X) AppleWebKit/605.1.15 "
    "(KHTML, like Gecko) Version/17.1 Mobile/15E148 Safari/604.1"
)
PHONE_DEVICE = "Mobile Safari 17 on iOS 17"


def test_revoking_a_session_signs_the_other_browser_out_and_admins_see_it(
    page: Page, browser: Browser, base_url
):
    phone = browser.new_context(base_url=base_url, user_agent=PHONE).new_page()
    sign_in(phone, PERSON)
    sign_in(page, PERSON)
    expect(phone).to_have_url(PORTAL)

    page.goto("/account")
    listing = page.locator("#sessions")
    expect(listing.get_by_text("This browser")).to_be_visible()
    expect(listing.get_by_text(PHONE_DEVICE)).to_be_visible()
    # This browser has no Revoke button (that is Sign out).
    expect(listing.get_by_role("button", name=re.compile("^Revoke"))).to_have_count(1)

    listing.get_by_role("button", name=re.compile(f"^Revoke the session of {PHONE_DEVICE}")).click()
    confirm(page, "Revoke session")
    expect(listing.get_by_text(PHONE_DEVICE)).to_have_count(0)
    # The phone is told at once, without doing anything, and lands on sign-in.
    expect(phone).to_have_url(at("/login"))
    phone.goto("/account")
    expect(phone).to_have_url(at("/login"))
    # This browser is still signed in.
    page.reload()
    expect(page.get_by_text("This browser")).to_be_visible()
    phone.context.close()

    admin = browser.new_context(base_url=base_url).new_page()
    sign_in(admin, ADMIN)
    admin.goto("/security")
    events = admin.get_by_role("heading", name="Security events")
    expect(events).to_be_visible()
    admin.get_by_label("Kind of event").select_option(label="Session revoked")
    row = admin.get_by_role("row").filter(has_text="Session revoked").first
    expect(row).to_be_visible()
    expect(row).to_contain_text(PERSON)
    expect(row).to_contain_text(PHONE_DEVICE)

    link = admin.get_by_role("link", name="Export these security events as CSV")
    expect(link).to_have_attribute("href", re.compile(r"/files/security/events\.csv\?kind="))
    with admin.expect_download() as download:
        link.click()
    rows = list(csv.reader(io.StringIO(download.value.path().read_text(encoding="utf-8"))))
    assert rows[0][:2] == ["When (UTC)", "Event"]
    assert rows[1:] and {row[1] for row in rows[1:]} == {"Session revoked"}
    assert any(PERSON in row and PHONE_DEVICE in row[-1] for row in rows[1:])
    admin.context.close()


def test_a_member_sees_no_security_events(page: Page):
    sign_in(page, "member@adatum.example")
    page.goto("/security")
    expect(
        page.get_by_text("Only your organization's admins see its security settings.")
    ).to_be_visible()
    expect(page.get_by_role("heading", name="Security events")).to_have_count(0)
