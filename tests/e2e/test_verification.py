"""Verified addresses in a real browser: sign up, read the mail, confirm, sign in; then a
provider invites that address and the firm accepts; and the invitation sign-up link."""

import uuid

from playwright.sync_api import Browser, Page, expect

from tests.e2e.mailbox import latest_mail, link_in, mails_to
from tests.e2e.test_sign_in import at, sign_in

PASSWORD = "verified-password-1"
CONFIRM = "Confirm your email address"


def sign_up(page: Page, *, kind: str | None, org: str, name: str, email: str | None) -> None:
    """Fill and send the sign-up form (`email` None: keep the pre-filled one)."""
    if kind:
        page.get_by_label(kind).check()
    page.get_by_label("Organization name").fill(org)
    page.get_by_label("Your name").fill(name)
    if email is not None:
        page.get_by_label("Email").fill(email)
    page.get_by_label("Password (at least 12 characters)").fill(PASSWORD)
    page.get_by_role("button", name="Create organization").click()


def confirm_from_mail(page: Page, email: str, *, count: int = 1) -> None:
    """Open the newest verification link mailed to `email` and confirm it."""
    page.goto(link_in(latest_mail(email, CONFIRM, count=count), "/verify-email"))
    expect(page.get_by_text(email)).to_be_visible()
    page.get_by_role("button", name="Confirm my address").click()
    expect(page.get_by_role("status")).to_contain_text(f"{email} is verified")


def test_sign_up_verify_sign_in_then_get_invited_and_accept(page: Page, browser: Browser, base_url):
    email = f"owner-{uuid.uuid4().hex[:8]}@verified.example"
    firm = f"Verified Advisors {uuid.uuid4().hex[:4]}"
    page.goto("/signup")
    sign_up(page, kind="A consultant firm", org=firm, name="Vera Owner", email=email)
    expect(page.get_by_role("status")).to_contain_text("Check your inbox")
    expect(page.get_by_role("status")).to_contain_text(email)
    expect(page).to_have_url(at("/signup"))

    # Not verified yet: the right password starts no session.
    sign_in(page, email, PASSWORD, succeeds=False)
    expect(page.get_by_text("Verify your address first")).to_be_visible()
    page.get_by_role("button", name="Resend the link").click()
    expect(page.get_by_text(f"We sent a new link to {email}.")).to_be_visible()
    page.goto("/c/leads")
    expect(page).to_have_url(at("/login"))

    # The first link was replaced by the resent one.
    first = link_in(mails_to(email, CONFIRM)[0], "/verify-email")
    confirm_from_mail(page, email, count=2)
    page.goto(first)
    expect(page.get_by_role("alert")).to_contain_text("not valid any more")
    expect(page.get_by_role("button", name="Send a new link")).to_be_visible()

    sign_in(page, email, PASSWORD)
    expect(page).to_have_url(at("/c/leads"))

    provider = browser.new_context(base_url=base_url).new_page()
    sign_in(provider, "admin@northwind.example")
    provider.goto("/p/partners")
    provider.get_by_role("tab", name="Invitations").click()
    provider.get_by_label("Email of someone at the firm").fill(email)
    provider.get_by_role("button", name="Send invitation").click()
    expect(provider.get_by_role("status")).to_have_text(f"Invitation sent to {email}.")
    row = provider.get_by_role("row").filter(has_text=email)
    expect(row).to_contain_text("invited")
    expect(provider.get_by_text(firm)).to_have_count(0)  # whose address stays unknown

    page.goto("/c/providers")
    page.get_by_role("button", name="Accept the invitation of Northwind Software").click()
    expect(page.get_by_role("group", name="Northwind Software")).to_be_visible()
    provider.goto("/p/partners")
    expect(provider.get_by_role("group", name=firm)).to_be_visible()
    provider.context.close()


def test_a_firm_signs_up_from_the_mailed_invitation(page: Page, browser: Browser, base_url):
    email = f"founder-{uuid.uuid4().hex[:8]}@newfirm.example"
    sign_in(page, "manager@northwind.example")
    page.goto("/p/partners")
    page.get_by_role("tab", name="Invitations").click()
    page.get_by_label("Email of someone at the firm").fill(email)
    page.get_by_role("button", name="Send invitation").click()
    expect(page.get_by_role("status")).to_have_text(f"Invitation sent to {email}.")

    invitation = latest_mail(email, "Northwind Software invites your firm to its partner program.")
    newcomer = browser.new_context(base_url=base_url).new_page()
    newcomer.goto(link_in(invitation, "/signup"))
    expect(newcomer.get_by_text("Northwind Software invites you")).to_be_visible()
    expect(newcomer.get_by_label("Email")).to_have_value(email)
    sign_up(newcomer, kind=None, org="Newfirm Partners", name="Fay Founder", email=None)
    expect(newcomer.get_by_role("status")).to_contain_text("Check your inbox")

    confirm_from_mail(newcomer, email)
    sign_in(newcomer, email, PASSWORD)
    newcomer.goto("/c/providers")
    newcomer.get_by_role("button", name="Accept the invitation of Northwind Software").click()
    expect(newcomer.get_by_role("group", name="Northwind Software")).to_be_visible()
    newcomer.context.close()


def test_a_change_of_address_takes_effect_when_the_new_address_is_confirmed(page: Page, db):
    from tests.e2e.test_recruitment import PASSWORD as FIRM_PASSWORD
    from tests.e2e.test_recruitment import new_consultant_firm

    old, _ = new_consultant_firm(db, f"Moving Firm {uuid.uuid4().hex[:4]}")
    new = f"moved-{uuid.uuid4().hex[:8]}@moving.example"
    sign_in(page, old, FIRM_PASSWORD)
    page.goto("/account")
    page.get_by_label("New email address").fill(new)
    page.get_by_label("Current password", exact=True).fill("not my password")
    page.get_by_role("button", name="Change address").click()
    expect(page.get_by_role("alert")).to_contain_text("not your current password")
    page.get_by_label("New email address").fill(new)
    page.get_by_label("Current password", exact=True).fill(FIRM_PASSWORD)
    page.get_by_role("button", name="Change address").click()
    expect(page.get_by_role("status")).to_contain_text(f"We sent a link to {new}")
    latest_mail(old, "A change of your email address was requested")

    page.goto(link_in(latest_mail(new, "Confirm your new email address"), "/verify-email"))
    page.get_by_role("button", name="Confirm my address").click()
    expect(page.get_by_role("status")).to_contain_text(f"Your address is now {new}.")
    page.goto("/account")
    expect(page.get_by_role("strong").filter(has_text=new)).to_be_visible()
    expect(page.get_by_text(old)).to_have_count(0)
