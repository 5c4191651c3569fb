"""Sign-up, sign-in, sign-out and the portal shell, in a real browser."""

import re
import uuid

from playwright.sync_api import Page, expect

from tests.harness import DEMO_PASSWORD

CONSULTANT_NAV = ["Leads", "Referrals", "My Providers", "Deals", "Settings"]
PROVIDER_NAV = ["Partners", "Leads", "Referrals", "Deals", "Settings"]


def at(path: str) -> re.Pattern:
    """A URL ending at `path` (the production build serves pages with a trailing slash)."""
    return re.compile(rf"{re.escape(path)}/?$")


PORTAL = re.compile(r"/(c|p)/[a-z]+/?$")
ROLE = re.compile(r"^(admin|manager|member)$")


def sign_in(page: Page, email: str, password: str = DEMO_PASSWORD, *, succeeds: bool = True):
    """Sign in through the form; by default wait until the portal has loaded."""
    page.goto("/login")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    if succeeds:
        expect(page).to_have_url(PORTAL)
        # The shell's role badge comes from the server: the page's on_load has run.
        expect(page.get_by_text(ROLE, exact=True).first).to_be_visible()


def choose_in_user_menu(page: Page, item: str) -> None:
    """Open the header's user menu and choose an item (Account, Team, Sign out, ...)."""
    page.get_by_role("button", name=re.compile("^User menu")).click()
    page.get_by_role("menuitem", name=item, exact=True).click()


def expect_nav(page: Page, labels: list[str], absent: list[str]) -> None:
    nav = page.get_by_role("navigation", name="Portal").first
    for label in labels:
        expect(nav.get_by_role("link", name=label, exact=True)).to_be_visible()
    for label in absent:
        expect(nav.get_by_role("link", name=label, exact=True)).to_have_count(0)


def test_sign_up_provider_verify_then_sign_in_as_demo_consultant(page: Page):
    from tests.e2e.test_verification import PASSWORD, confirm_from_mail, sign_up

    email = f"owner-{uuid.uuid4().hex[:8]}@vendor.example"
    page.goto("/signup")
    sign_up(page, kind="A software provider", org="Acme Analytics", name="Ada Owner", email=email)
    expect(page.get_by_role("status")).to_contain_text("Check your inbox")
    confirm_from_mail(page, email)
    page.get_by_role("link", name="Sign in").click()
    sign_in(page, email, PASSWORD)

    expect(page).to_have_url(at("/p/partners"))
    expect(page.get_by_role("heading", name="Partners", level=1)).to_be_visible()
    expect(page.get_by_text("Acme Analytics")).to_be_visible()
    expect_nav(page, PROVIDER_NAV, absent=["My Providers"])
    expect(page.get_by_text("Active partners appear here once they accept")).to_be_visible()

    choose_in_user_menu(page, "Sign out")
    expect(page).to_have_url(at("/login"))
    # Signed out for real: a portal page sends us back to sign-in.
    page.goto("/p/partners")
    expect(page).to_have_url(at("/login"))

    sign_in(page, "admin@fabrikam.example")
    expect(page).to_have_url(at("/c/leads"))
    expect(page.get_by_role("heading", name="Leads", level=1)).to_be_visible()
    expect_nav(page, CONSULTANT_NAV, absent=["Partners"])
    page.get_by_role("navigation", name="Portal").first.get_by_role(
        "link", name="My Providers"
    ).click()
    expect(page).to_have_url(at("/c/providers"))
    expect(page.get_by_role("heading", name="My Providers", level=1)).to_be_visible()


def test_wrong_password_gives_a_clear_error(page: Page):
    sign_in(page, "admin@fabrikam.example", "not-the-password", succeeds=False)
    expect(page.get_by_role("alert")).to_have_text("Wrong email or password.")
    expect(page).to_have_url(at("/login"))
    page.goto("/c/leads")
    expect(page).to_have_url(at("/login"))


def test_portals_admit_only_their_own_kind(page: Page):
    page.goto("/")
    expect(page).to_have_url(at("/login"))
    sign_in(page, "manager@northwind.example")
    expect(page).to_have_url(at("/p/partners"))
    # Straight to the other portal, before any page of this one has loaded its shell.
    page.goto("/c/providers")
    expect(page).to_have_url(at("/p/partners"))
    expect(page.get_by_text("Provider portal")).to_be_visible()
    page.goto("/")
    expect(page).to_have_url(at("/p/partners"))


def test_sign_up_with_a_taken_address_answers_like_any_other(page: Page):
    """No "account exists": the same answer on screen, and the owner hears by mail."""
    from tests.e2e.mailbox import latest_mail
    from tests.e2e.test_verification import sign_up

    page.goto("/signup")
    sign_up(
        page, kind="A consultant firm", org="Dup Inc", name="Dup", email="admin@fabrikam.example"
    )
    expect(page.get_by_role("status")).to_contain_text("Check your inbox")
    expect(page.get_by_role("status")).to_contain_text("admin@fabrikam.example")
    expect(page.get_by_role("alert")).to_have_count(0)
    notice = latest_mail(
        "admin@fabrikam.example", "Someone tried to create an account with your address"
    )
    assert "Nothing was changed" in notice.get_content()
    sign_in(page, "admin@fabrikam.example")  # the owner's account is untouched


def test_sign_up_refusal_keeps_the_user_on_the_form(page: Page):
    page.goto("/signup")
    page.get_by_label("A consultant firm").check()
    page.get_by_label("Organization name").fill("Short Inc")
    page.get_by_label("Your name").fill("Shorty")
    page.get_by_label("Email").fill(f"short-{uuid.uuid4().hex[:8]}@example.com")
    page.get_by_label("Password (at least 12 characters)").fill("too short")
    page.get_by_role("button", name="Create organization").click()
    expect(page.get_by_role("alert")).to_contain_text("at least")
    expect(page).to_have_url(at("/signup"))
    expect(page.get_by_role("button", name="Create organization")).to_be_visible()
