"""Sign out everywhere: the user menu's control ends the person's sessions in every browser."""

from playwright.sync_api import Browser, Page, expect

from tests.e2e.test_sign_in import at, choose_in_user_menu, sign_in


def test_sign_out_everywhere_ends_the_other_browsers_session(
    page: Page, browser: Browser, base_url
):
    email = "member@tailspin.example"
    other = browser.new_context(base_url=base_url).new_page()
    sign_in(page, email)
    sign_in(other, email)
    colleague = browser.new_context(base_url=base_url).new_page()
    sign_in(colleague, "manager@tailspin.example")

    choose_in_user_menu(page, "Sign out everywhere")
    expect(page).to_have_url(at("/login"))
    other.goto("/c/leads")
    expect(other).to_have_url(at("/login"))
    colleague.goto("/c/leads")  # someone else's session is untouched
    expect(colleague.get_by_role("heading", name="Leads", level=1)).to_be_visible()
    for tab in (other, colleague):
        tab.context.close()
