"""Two-factor sign-in in a real browser: enrol on the account page, then sign in with a code
and with a recovery code; an organization's policy forces enrolment at the next sign-in."""

import re
import time

import pyotp
from playwright.sync_api import Page, expect

from tests.e2e.test_password_reset import OLD, mail_to, new_org
from tests.e2e.test_sign_in import PORTAL, ROLE, at, choose_in_user_menu, sign_in

CODE_LABEL = "Code from your app, or a recovery code"


def next_code(secret: str) -> str:
    """A code of the next 30-second step: within the accepted window, and newer than any code
    used so far (a code is accepted once)."""
    return pyotp.TOTP(secret).at(time.time() + 30)


def secret_shown(page: Page) -> str:
    secret = page.locator("#totp-secret")
    expect(secret).to_have_text(re.compile(r"^[A-Z2-7 ]{32,}$"))
    return secret.inner_text().replace(" ", "")


def recovery_codes_shown(page: Page) -> list[str]:
    codes = page.get_by_role("list", name="Recovery codes").get_by_role("listitem")
    expect(codes).to_have_count(10)
    return [c.strip() for c in codes.all_inner_texts()]


def fits_the_width(page: Page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def in_portal(page: Page) -> None:
    """Signed in: the portal has loaded (its role badge comes from the server)."""
    expect(page).to_have_url(PORTAL)
    expect(page.get_by_text(ROLE, exact=True).first).to_be_visible()


def sign_out(page: Page) -> None:
    choose_in_user_menu(page, "Sign out")
    expect(page).to_have_url(at("/login"))


def password_step(page: Page, email: str) -> None:
    sign_in(page, email, OLD, succeeds=False)


def test_enrol_then_sign_in_with_a_code_and_with_a_recovery_code(page: Page, db):
    admin, _ = new_org(db)
    sign_in(page, admin.email, OLD)
    page.goto("/account")
    page.get_by_label("Your password").fill(OLD)
    page.get_by_role("button", name="Set up two-factor sign-in").click()
    expect(
        page.get_by_role("img", name="QR code with the secret for your authenticator app")
    ).to_be_visible()
    secret = secret_shown(page)
    # Five code attempts per person per 5 minutes: this test makes exactly five.
    page.get_by_label("Code from your app", exact=True).fill(pyotp.TOTP(secret).now())
    page.get_by_role("button", name="Turn on").click()
    codes = recovery_codes_shown(page)
    expect(page.get_by_text("10 recovery codes left.")).to_be_visible()
    assert mail_to(admin.email, "Two-factor sign-in is on")

    sign_out(page)
    password_step(page, admin.email)
    expect(page.get_by_role("heading", name="Two-factor sign-in")).to_be_visible()
    page.get_by_label(CODE_LABEL).fill("123456")
    page.get_by_role("button", name="Verify").click()
    expect(page.get_by_text("That code is not right")).to_be_visible()
    page.get_by_label(CODE_LABEL).fill(next_code(secret))
    page.get_by_role("button", name="Verify").click()
    in_portal(page)

    sign_out(page)
    password_step(page, admin.email)
    page.get_by_label(CODE_LABEL).fill(codes[0])
    page.get_by_role("button", name="Verify").click()
    in_portal(page)
    assert mail_to(admin.email, "A recovery code was used to sign in")
    page.goto("/account")
    expect(page.get_by_text("9 recovery codes left.")).to_be_visible()

    # A used recovery code does not work twice.
    sign_out(page)
    password_step(page, admin.email)
    page.get_by_label(CODE_LABEL).fill(codes[0])
    page.get_by_role("button", name="Verify").click()
    expect(page.get_by_text("That code is not right")).to_be_visible()
    expect(page).to_have_url(at("/login"))


def test_a_policy_requiring_two_factor_forces_enrolment_at_the_next_sign_in(page: Page, db):
    admin, member = new_org(db, colleague=True)
    assert member is not None
    sign_in(page, admin.email, OLD)
    page.goto("/security")
    page.get_by_label("Who must use two-factor sign-in").select_option("everyone")
    page.get_by_label("Your password, to confirm").fill(OLD)
    page.get_by_role("button", name="Save policy").click()
    expect(page.get_by_text("The two-factor policy is saved.")).to_be_visible()
    sign_out(page)

    page.set_viewport_size({"width": 390, "height": 844})  # a phone: nothing runs off the side
    password_step(page, member.email)
    expect(page.get_by_role("heading", name="Set up two-factor sign-in")).to_be_visible()
    expect(page).to_have_url(at("/login"))
    secret = secret_shown(page)
    assert fits_the_width(page)
    page.get_by_label("Code from your app", exact=True).fill(pyotp.TOTP(secret).now())
    page.get_by_role("button", name="Turn on and continue").click()
    recovery_codes_shown(page)
    assert fits_the_width(page)
    page.get_by_role("button", name="I saved my recovery codes: continue").click()
    in_portal(page)
    page.set_viewport_size({"width": 1280, "height": 720})

    # From now on the member signs in with a code.
    sign_out(page)
    password_step(page, member.email)
    page.get_by_label(CODE_LABEL).fill(next_code(secret))
    page.get_by_role("button", name="Verify").click()
    in_portal(page)
    page.goto("/account")
    expect(page.get_by_text("Your organization requires two-factor sign-in")).to_be_visible()
