"""Controls a role may not use are greyed out with who can, not refused after the click; the
roles that may use them see them enabled (the server refuses regardless: tests/security)."""

from playwright.sync_api import Page, expect

from prm_app.services.core.permissions import ADMINS_ONLY, MANAGERS_ONLY
from tests.e2e.test_sign_in import sign_in


def expect_refused(control, reason: str) -> None:
    expect(control).to_be_disabled()
    expect(control).to_have_attribute("title", reason)


def test_a_member_sees_the_provider_directory_read_only(page: Page):
    sign_in(page, "member@northwind.example")
    page.goto("/p/partners")
    card = page.get_by_role("group", name="Fabrikam Consulting")
    expect_refused(
        card.get_by_role("button", name="End the partnership with Fabrikam Consulting"),
        MANAGERS_ONLY,
    )
    expect_refused(card.get_by_role("button", name="Save Fabrikam Consulting"), MANAGERS_ONLY)
    page.get_by_role("tab", name="Invitations").click()
    expect_refused(page.get_by_role("button", name="Send invitation"), MANAGERS_ONLY)


def test_a_member_cannot_end_a_partnership_on_my_providers(page: Page):
    sign_in(page, "member@fabrikam.example")
    page.goto("/c/providers")
    card = page.get_by_role("group", name="Northwind Software")
    end = card.get_by_role("button", name="End the partnership with Northwind Software")
    expect_refused(end, MANAGERS_ONLY)
    expect(page.get_by_role("alertdialog")).to_have_count(0)


def test_a_member_sees_settings_greyed_out(page: Page):
    sign_in(page, "member@fabrikam.example")
    page.goto("/c/settings")
    expect(page.get_by_text("Only administrators can change these settings.")).to_be_visible()
    expect_refused(page.get_by_role("button", name="Add provider type"), ADMINS_ONLY)
    remove = page.get_by_role("button", name="Remove", exact=False)
    expect(remove.first).to_be_visible()
    for index in range(remove.count()):
        expect_refused(remove.nth(index), ADMINS_ONLY)


def test_a_manager_manages_partners_but_not_settings(page: Page):
    sign_in(page, "manager@northwind.example")
    page.goto("/p/partners")
    card = page.get_by_role("group", name="Fabrikam Consulting")
    expect(
        card.get_by_role("button", name="End the partnership with Fabrikam Consulting")
    ).to_be_enabled()
    expect(card.get_by_role("button", name="Save Fabrikam Consulting")).to_be_enabled()
    page.goto("/p/settings")
    expect_refused(page.get_by_role("button", name="Add partner tier"), ADMINS_ONLY)
    page.get_by_role("tab", name="Rules").click()
    expect_refused(page.get_by_role("button", name="Save rules"), ADMINS_ONLY)
