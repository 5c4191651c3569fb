"""Partner recruitment in two browsers: invite, accept or reject, categorize on both sides."""

import uuid

from playwright.sync_api import Browser, Page, expect
from sqlmodel import Session

from prm_app.services.identity import account_links, auth, security_log, verification
from tests.e2e.dialogs import confirm
from tests.e2e.test_sign_in import at, sign_in

PASSWORD = "recruit-password-1"


def new_consultant_firm(db, name: str) -> tuple[str, str]:
    """A consulting firm with no provider yet, its address verified (as by the mailed link);
    returns (admin email, admin name)."""
    email = f"owner-{uuid.uuid4().hex[:8]}@{name.split()[0].lower()}.example"
    with Session(db) as session:
        admin = auth.sign_up(
            session,
            org_name=name,
            org_kind="consultant",
            name=f"{name} Owner",
            email=email,
            password=PASSWORD,
        )
        token = account_links.issue(
            session, user_id=admin.user_id, purpose=account_links.VERIFY_EMAIL, email=email
        )
        verification.verify(session, token=token, client=security_log.Client())
        session.commit()
    return email, f"{name} Owner"


def invite(page: Page, email: str, message: str = "") -> None:
    page.goto("/p/partners")
    page.get_by_role("tab", name="Invitations").click()
    page.get_by_label("Email of someone at the firm").fill(email)
    if message:
        page.get_by_label("Message (optional)").fill(message)
    page.get_by_role("button", name="Send invitation").click()


def test_invite_accept_and_categorize_on_both_sides(page: Page, browser: Browser, base_url, db):
    firm = f"Lakeside Consulting {uuid.uuid4().hex[:4]}"
    email, owner = new_consultant_firm(db, firm)

    sign_in(page, "admin@northwind.example")
    expect(page).to_have_url(at("/p/partners"))
    invite(page, email, "Join our ERP partner program")
    expect(page.get_by_role("status")).to_have_text(f"Invitation sent to {email}.")
    row = page.get_by_role("row").filter(has_text=email)
    expect(row).to_contain_text("invited")

    consultant = browser.new_context(base_url=base_url).new_page()
    sign_in(consultant, email, PASSWORD)
    expect(consultant).to_have_url(at("/c/leads"))
    expect(consultant.get_by_text("None yet", exact=False)).to_be_visible()
    consultant.get_by_role("link", name="My Providers").first.click()
    expect(consultant.get_by_text("Join our ERP partner program")).to_be_visible()
    consultant.get_by_role("button", name="Accept the invitation of Northwind Software").click()

    card = consultant.get_by_role("group", name="Northwind Software")
    expect(card.get_by_text("waiting to be categorized")).to_be_visible()
    consultant.goto("/c/leads")
    expect(consultant.get_by_text("is not available: waiting to be categorized")).to_be_visible()

    consultant.goto("/c/providers")
    card = consultant.get_by_role("group", name="Northwind Software")
    card.get_by_label("Provider type").select_option(label="ERP")
    card.get_by_label("Proficiency").select_option(label="Expert")
    card.get_by_label("Assigned to").select_option(label=owner)
    card.get_by_role("button", name="Save Northwind Software").click()
    expect(card.get_by_text("active", exact=True)).to_be_visible()
    consultant.goto("/c/leads")
    expect(consultant.get_by_text("Northwind Software", exact=True).first).to_be_visible()
    expect(consultant.get_by_text("None yet", exact=False)).to_have_count(0)

    page.goto("/p/partners")
    partner = page.get_by_role("group", name=firm)
    expect(partner.get_by_text("active", exact=True)).to_be_visible()
    partner.get_by_label("Tier").select_option(label="Gold")
    partner.get_by_label("Type").select_option(label="Reseller")
    partner.get_by_label("Partner manager").select_option(index=1)
    partner.get_by_role("button", name=f"Save {firm}").click()
    expect(page.get_by_text("Partner saved.")).to_be_visible()
    page.reload()
    partner = page.get_by_role("group", name=firm)
    expect(partner.get_by_label("Tier").locator("option:checked")).to_have_text("Gold")
    expect(partner.get_by_label("Type").locator("option:checked")).to_have_text("Reseller")
    # The directory filters by tier.
    page.locator("#filter-partner_tier_id").select_option(label="Bronze")
    expect(page.get_by_role("group", name=firm)).to_have_count(0)
    page.locator("#filter-partner_tier_id").select_option(label="Gold")
    expect(page.get_by_role("group", name=firm)).to_be_visible()
    consultant.context.close()


def test_consultant_rejects_an_invitation(page: Page, browser: Browser, base_url, db):
    firm = f"Harbor Advisory {uuid.uuid4().hex[:4]}"
    email, _ = new_consultant_firm(db, firm)
    sign_in(page, "admin@contoso.example")
    expect(page).to_have_url(at("/p/partners"))
    invite(page, email)
    expect(page.get_by_role("status")).to_have_text(f"Invitation sent to {email}.")

    consultant = browser.new_context(base_url=base_url).new_page()
    sign_in(consultant, email, PASSWORD)
    consultant.goto("/c/providers")
    consultant.get_by_role("button", name="Reject the invitation of Contoso HR Cloud").click()
    confirm(consultant, "Reject invitation")
    expect(consultant.get_by_text("No providers yet")).to_be_visible()

    page.reload()
    page.get_by_role("tab", name="Invitations").click()
    expect(page.get_by_role("row").filter(has_text=email)).to_contain_text("rejected")
    consultant.context.close()
