"""Settings > General on both sides: terms, stages and program rules through the real UI."""

import uuid

from playwright.sync_api import Page, expect

from tests.e2e.dialogs import confirm
from tests.e2e.test_sign_in import sign_in


def test_provider_manages_terms_stages_and_rules(page: Page):
    group, other = f"EMEA {uuid.uuid4().hex[:4]}", f"APAC {uuid.uuid4().hex[:4]}"
    sign_in(page, "admin@contoso.example")
    page.goto("/p/settings")
    expect(page.get_by_role("heading", name="Partner groups")).to_be_visible()

    page.get_by_label("New partner group").fill(group)
    page.get_by_role("button", name="Add partner group").click()
    expect(page.get_by_label(f"Name of {group}")).to_be_visible()
    page.get_by_label("New partner group").fill(other)
    page.get_by_role("button", name="Add partner group").click()
    page.get_by_role("button", name=f"Move {other} up").click()
    names = page.get_by_label("Name of EMEA").or_(page.get_by_label("Name of APAC"))
    expect(names.first).to_have_value(other)

    page.get_by_label(f"Name of {group}").fill(f"{group} North")
    page.get_by_label(f"Name of {group}").press("Tab")
    expect(page.get_by_label(f"Name of {group} North")).to_be_visible()
    page.get_by_role("button", name=f"Remove {other}").click()
    confirm(page, "Remove")
    expect(page.get_by_label(f"Name of {other}")).to_have_count(0)

    # A duplicate is refused with a message, nothing added.
    page.get_by_label("New partner type").fill("reseller")
    page.get_by_role("button", name="Add partner type").click()
    expect(page.get_by_text("already", exact=False).first).to_be_visible()

    page.get_by_role("tab", name="Pipelines").click()
    page.get_by_label("New deal stage", exact=True).fill("Technical demo")
    page.get_by_label("Probability of the new deal stage (%)").fill("35")
    page.get_by_role("button", name="Add deal stage").click()
    expect(page.get_by_label("Name of stage Technical demo")).to_be_visible()
    expect(page.get_by_label("Probability of Technical demo (%)")).to_have_value("35")

    page.get_by_role("tab", name="Rules").click()
    page.get_by_label("Deal-registration protection (days)").fill("120")
    page.get_by_label("Currency (ISO code, e.g. USD)").fill("eur")
    page.get_by_role("button", name="Save rules").click()
    expect(page.get_by_text("Program rules saved.")).to_be_visible()
    resubmissions = page.get_by_label("Resubmissions allowed per registration (0: never)")
    expect(resubmissions).to_have_value("1")
    resubmissions.fill("2")
    page.get_by_role("button", name="Save resubmission rule").click()
    expect(page.get_by_text("Resubmission rule saved.")).to_be_visible()
    page.reload()
    page.get_by_role("tab", name="Rules").click()
    expect(page.get_by_label("Deal-registration protection (days)")).to_have_value("120")
    expect(resubmissions).to_have_value("2")
    expect(page.get_by_label("Currency (ISO code, e.g. USD)")).to_have_value("EUR")

    page.get_by_label("Currency (ISO code, e.g. USD)").fill("XYZ")
    page.get_by_role("button", name="Save rules").click()
    expect(page.get_by_role("alert")).to_be_visible()


def test_term_in_use_is_archived_not_deleted(page: Page):
    sign_in(page, "admin@northwind.example")
    page.goto("/p/settings")
    # Demo partners of Northwind are on the Gold tier.
    page.get_by_role("button", name="Remove Gold").click()
    confirm(page, "Remove")
    expect(page.get_by_text("Archived, not deleted")).to_be_visible()
    page.get_by_role("button", name="Restore Gold").click()
    expect(page.get_by_label("Name of Gold")).to_be_visible()


def test_consultant_manages_provider_types(page: Page):
    name = f"BI {uuid.uuid4().hex[:4]}"
    sign_in(page, "admin@tailspin.example")
    page.goto("/c/settings")
    page.get_by_label("New provider type").fill(name)
    page.get_by_role("button", name="Add provider type").click()
    expect(page.get_by_label(f"Name of {name}")).to_be_visible()
    expect(page.get_by_role("heading", name="Proficiency statuses")).to_be_visible()
    expect(page.get_by_role("tab", name="Pipelines")).to_have_count(0)


def test_both_sides_have_the_general_tab_the_help_articles_name(page: Page):
    """Help says "Settings > General"; API keys and webhooks sit apart, under Integrations."""
    sign_in(page, "admin@tailspin.example")
    page.goto("/c/settings")
    expect(page.get_by_role("tab", name="General", selected=True)).to_be_visible()
    expect(page.get_by_role("heading", name="Provider types")).to_be_visible()
    expect(page.get_by_label("Key name")).to_have_count(0)
    page.get_by_role("tab", name="Integrations").click()
    expect(page.get_by_label("Key name")).to_be_visible()
    expect(page.get_by_role("heading", name="Provider types")).to_have_count(0)


def test_provider_settings_open_on_general(page: Page):
    sign_in(page, "admin@northwind.example")
    page.goto("/p/settings")
    expect(page.get_by_role("tab", name="General", selected=True)).to_be_visible()
    for heading in ("Partner statuses", "Partner types", "Partner tiers", "Partner groups"):
        expect(page.get_by_role("heading", name=heading)).to_be_visible()
    expect(page.get_by_role("heading", name="Products")).to_be_visible()


def test_members_cannot_change_settings(page: Page):
    """Add is greyed out for a member (tests/e2e/test_roles_controls.py); the server refuses
    the event all the same (tests/security)."""
    sign_in(page, "member@fabrikam.example")
    page.goto("/c/settings")
    expect(page.get_by_text("Only administrators can change these settings.")).to_be_visible()
    page.get_by_label("New provider type").fill("Sneaky")
    expect(page.get_by_role("button", name="Add provider type")).to_be_disabled()
    page.get_by_label("New provider type").press("Enter")
    expect(page.get_by_label("Name of Sneaky")).to_have_count(0)
