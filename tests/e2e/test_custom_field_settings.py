"""Custom fields through the real UI: a provider's admin defines a select, renames and archives
an option, and is told how many values block a type change; the partner card of a partnership,
edited by the provider, reaches the partner's page live, per each field's access."""

import re
import uuid

from playwright.sync_api import Browser, Page, expect
from sqlmodel import Session, select

from prm_app.models import Organization, Partnership
from tests.e2e.test_sign_in import sign_in
from tests.harness import DEMO_PASSWORD


def test_an_admin_adds_a_select_edits_its_options_and_a_type_change_is_refused(
    page: Page, browser: Browser, base_url
):
    label = f"Region {uuid.uuid4().hex[:4]}"
    sign_in(page, "admin@northwind.example")
    page.goto("/p/settings")
    page.get_by_role("tab", name="Custom fields").click()
    expect(page.get_by_text("Internal score", exact=True)).to_be_visible()  # the demo's

    page.get_by_label(re.compile(r"^Label")).fill(label)
    page.get_by_label("Type", exact=True).select_option("select")
    page.get_by_label("Options, one per line").fill("North\nSouth")
    page.get_by_label("Partners", exact=True).select_option("visible")
    page.get_by_role("button", name="Add field").click()
    expect(page.get_by_text("Field added.")).to_be_visible()
    expect(page.get_by_text("Options: North, South")).to_be_visible()

    page.get_by_role("button", name=f"Edit {label}").click()
    editor = page.get_by_role("dialog")
    editor.get_by_label("Name of option North").fill("North EMEA")
    editor.get_by_label("Name of option North").press("Tab")
    expect(editor.get_by_label("Name of option North EMEA")).to_be_visible()
    editor.get_by_role("button", name="Archive option South").click()
    expect(editor.get_by_role("button", name="Restore option South")).to_be_visible()
    editor.get_by_role("button", name="Archive option North EMEA").click()  # the last one
    expect(editor.get_by_text("Keep at least one option that can be chosen.")).to_be_visible()
    editor.get_by_role("button", name="Close").click()
    expect(page.get_by_text("Options: North EMEA (archived: South)")).to_be_visible()

    # The demo's leads hold numbers in Internal score: none of them is a date.
    page.get_by_role("button", name="Edit Internal score").click()
    editor = page.get_by_role("dialog")
    editor.get_by_label("New type").select_option("date")
    editor.get_by_role("button", name="Change type").click()
    expect(
        editor.get_by_text(re.compile(r"^\d+ values? would not convert to Date"))
    ).to_be_visible()
    editor.get_by_role("button", name="Close").click()
    expect(page.get_by_text("Internal score", exact=True)).to_be_visible()

    # A manager reads the fields, and may change none of them.
    manager = browser.new_context(base_url=base_url).new_page()
    sign_in(manager, "manager@northwind.example", DEMO_PASSWORD)
    manager.goto("/p/settings")
    manager.get_by_role("tab", name="Custom fields").click()
    expect(manager.get_by_text("Options: North EMEA (archived: South)")).to_be_visible()
    expect(manager.get_by_role("button", name=f"Edit {label}")).to_be_disabled()
    expect(manager.get_by_role("button", name=f"Archive {label}")).to_be_disabled()
    expect(manager.get_by_role("button", name="Add field")).to_have_count(0)
    manager.context.close()


def _partnership_id(db, provider: str, consultant: str) -> int:
    with Session(db) as session:
        ids = {
            o.name: o.id
            for o in session.exec(
                select(Organization).where(Organization.name.in_([provider, consultant]))
            )
        }
        return session.exec(
            select(Partnership.id).where(
                Partnership.provider_org_id == ids[provider],
                Partnership.consultant_org_id == ids[consultant],
            )
        ).one()


def test_the_partner_card_edited_by_the_provider_reaches_the_partner_per_access(
    page: Page, browser: Browser, base_url, db
):
    site = f"https://fabrikam.example/{uuid.uuid4().hex[:6]}"
    partnership_id = _partnership_id(db, "Northwind Software", "Fabrikam Consulting")
    firm = browser.new_context(base_url=base_url).new_page()
    sign_in(firm, "admin@fabrikam.example", DEMO_PASSWORD)
    firm.goto(f"/c/providers/{partnership_id}")
    card = firm.get_by_role("heading", name="Details")
    expect(card).to_be_visible()
    expect(firm.get_by_text("Partner website")).to_be_visible()
    expect(firm.get_by_text("Account health")).to_have_count(0)  # hidden from partners
    expect(firm.get_by_text("Alliance contact")).to_be_visible()  # the firm's own

    sign_in(page, "admin@northwind.example")
    page.goto(f"/p/partners/{partnership_id}")
    expect(page.get_by_text("Account health")).to_be_visible()
    expect(page.get_by_text("Alliance contact")).to_have_count(0)  # the firm's private field
    page.get_by_role("button", name="Edit more details").click()
    page.get_by_label("Partner website").fill("not a site")
    page.get_by_role("button", name="Save details").click()
    expect(page.get_by_role("alert").first).to_contain_text("web address")
    page.get_by_label("Partner website").fill(site)
    page.get_by_label("Account health").select_option(label="At risk")
    page.get_by_role("button", name="Save details").click()
    expect(page.get_by_text("Saved.")).to_be_visible()
    expect(page.get_by_text(site, exact=True)).to_be_visible()
    expect(
        page.get_by_text(re.compile(r"Changed Partner website from .* to " + site))
    ).to_be_visible()

    # Live on the firm's open page: the website, never the hidden account health.
    expect(firm.get_by_text(site, exact=True)).to_be_visible()
    expect(firm.get_by_text(re.compile("Changed Partner website"))).to_be_visible()
    expect(firm.get_by_text("At risk")).to_have_count(0)
    # The firm edits what its access allows: the website, not the visible-only Certified.
    firm.get_by_role("button", name="Edit more details").click()
    expect(firm.get_by_label("Partner website")).to_have_value(site)
    expect(firm.get_by_label("Certified")).to_have_count(0)
    firm.get_by_label("Partner website").fill(site + "/home")
    firm.get_by_role("button", name="Save details").click()
    expect(page.get_by_text(site + "/home", exact=True)).to_be_visible()
    firm.context.close()
