"""An admin invites a colleague, the colleague joins, the admin deactivates them."""

import uuid

from playwright.sync_api import Browser, Page, expect

from tests.e2e.dialogs import confirm
from tests.e2e.mailbox import latest_mail, link_in
from tests.e2e.test_sign_in import at, choose_in_user_menu, sign_in


def test_invite_join_and_deactivate(page: Page, browser: Browser, base_url: str):
    email = f"new-{uuid.uuid4().hex[:8]}@tailspin.example"
    sign_in(page, "admin@tailspin.example")
    expect(page).to_have_url(at("/c/leads"))
    choose_in_user_menu(page, "Team")
    expect(page.get_by_role("heading", name="Team", level=1)).to_be_visible()
    page.get_by_label("Colleague's email").fill(email)
    page.get_by_label("Role", exact=True).select_option("manager")
    page.get_by_role("button", name="Send invitation").click()
    expect(page.get_by_role("status")).to_have_text(f"Invitation sent to {email}.")
    expect(page.get_by_text("/join?token=")).to_have_count(0)  # the link is only mailed

    mail = latest_mail(email, "Lidia Holloway invited you to join Tailspin Advisors on PRM")
    colleague = browser.new_context(base_url=base_url).new_page()
    colleague.goto(link_in(mail, "/join"))
    expect(colleague.get_by_text(f"invites {email} as manager")).to_be_visible()
    colleague.get_by_label("Your name").fill("Nina Newcomer")
    colleague.get_by_label("Password (at least 12 characters)").fill("a fine new password")
    colleague.get_by_label("Password again").fill("a fine new password")
    colleague.get_by_role("button", name="Join").click()
    expect(colleague).to_have_url(at("/c/leads"))
    expect(colleague.get_by_role("paragraph").filter(has_text="Nina Newcomer")).to_be_visible()

    page.reload()
    row = page.get_by_role("row").filter(has_text=email)
    role = row.get_by_label("Role of Nina Newcomer")
    expect(role).to_have_value("manager")
    role.select_option("member")  # Change role
    expect(page.get_by_text("Role changed.")).to_be_visible()
    page.reload()
    expect(row.get_by_label("Role of Nina Newcomer")).to_have_value("member")
    page.get_by_role("button", name="Deactivate Nina Newcomer").click()
    confirm(page, "Deactivate")
    expect(row).to_contain_text("deactivated")

    # Her session was revoked: her next page load goes to sign-in, and she cannot sign in.
    colleague.goto("/c/deals")
    expect(colleague).to_have_url(at("/login"))
    sign_in(colleague, email, "a fine new password", succeeds=False)
    expect(colleague.get_by_role("alert")).to_contain_text("deactivated")
    colleague.context.close()
