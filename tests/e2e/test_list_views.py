"""A list's custom column, a filter on it, a view saved and shared, and its link opened by a
colleague (issue 24)."""

import re
import uuid

from playwright.sync_api import Browser, Page, expect
from sqlmodel import Session

from prm_app.models import Lead
from prm_app.services import custom_fields as cf
from prm_app.services import leads
from prm_app.services.leads import LeadInput
from tests.e2e.dialogs import confirm
from tests.e2e.test_confirmations import demo_actor
from tests.e2e.test_sign_in import sign_in


def _received_leads(db, tag: str) -> str:
    """Northwind's lead field "Segment <tag>" and two leads from Fabrikam, Gold and Silver."""
    label = f"Segment {tag}"
    with Session(db) as session:
        northwind = demo_actor(session, "admin@northwind.example")
        fabrikam = demo_actor(session, "admin@fabrikam.example")
        field = cf.add_field(
            session,
            actor=northwind,
            entity="lead",
            label=label,
            type="select",
            options=["Gold", "Silver"],
        )
        for option in field.options:
            lead_id, _ = leads.create_and_submit(
                session,
                actor=fabrikam,
                data=LeadInput(
                    first_name="Ana",
                    last_name=option["label"],
                    email=f"ana@{option['label'].lower()}{tag}.example",
                    company=f"{option['label']} Co {tag}",
                    phone="",
                    title="",
                    notes="",
                ),
                owner_id=fabrikam.user_id,
                recipient_org_ids=[northwind.org_id],
            )
            lead = session.get(Lead, lead_id)
            assert lead is not None
            lead.custom = {str(field.id): option["id"]}
            session.add(lead)
        session.commit()
    return label


def test_a_custom_column_a_filter_and_a_shared_view_opened_from_its_link(
    page: Page, browser: Browser, base_url, db
):
    tag = uuid.uuid4().hex[:6]
    label = _received_leads(db, tag)
    gold, silver = f"Gold Co {tag}", f"Silver Co {tag}"
    sign_in(page, "admin@northwind.example")
    page.goto("/p/leads")
    page.get_by_label("Search leads").fill(tag)
    expect(page.get_by_role("row").filter(has_text=gold)).to_have_count(1)

    page.get_by_role("button", name="Columns").click()
    page.get_by_label(label).click()  # a controlled box: checked once the server answers
    expect(page.get_by_label(label)).to_be_checked()
    page.keyboard.press("Escape")
    expect(page.get_by_role("columnheader", name=label)).to_be_visible()
    expect(page.get_by_role("row").filter(has_text=gold)).to_contain_text("Gold")

    page.get_by_role("button", name="Filter on a field").click()
    page.get_by_label("Field", exact=True).select_option(label=label)
    page.get_by_label("Value", exact=True).select_option(label="Silver")
    page.get_by_role("button", name="Add filter").click()
    page.keyboard.press("Escape")
    expect(page.get_by_text(f"{label} is Silver")).to_be_visible()
    expect(page.get_by_role("row").filter(has_text=gold)).to_have_count(0)
    expect(page.get_by_role("row").filter(has_text=silver)).to_contain_text("Silver")

    page.get_by_role("button", name="Save view as…").click()
    dialog = page.get_by_role("dialog", name="Save this list as a view")
    dialog.get_by_label("Name").fill(f"Silver {tag}")
    dialog.get_by_label("Share with everyone in my organization").check()
    dialog.get_by_role("button", name="Save").click()
    expect(page).to_have_url(re.compile(r"/p/leads/?\?view=\d+$"))
    link = page.url
    expect(page.get_by_label("Saved view")).to_have_value(link.rsplit("=", 1)[1])

    # A colleague opens the link: the same column and filter (the search was kept too).
    colleague = browser.new_context(base_url=base_url).new_page()
    sign_in(colleague, "manager@northwind.example")
    colleague.goto(link)
    expect(colleague.get_by_role("columnheader", name=label)).to_be_visible()
    expect(colleague.get_by_text(f"{label} is Silver")).to_be_visible()
    expect(colleague.get_by_role("row").filter(has_text=silver)).to_contain_text("Silver")
    expect(colleague.get_by_role("row").filter(has_text=gold)).to_have_count(0)
    # Back to the plain list: both leads, no custom column.
    colleague.get_by_label("Saved view").select_option("")
    expect(colleague.get_by_role("columnheader", name=label)).to_have_count(0)
    colleague.get_by_label("Search leads").fill(tag)
    expect(colleague.get_by_role("row").filter(has_text=gold)).to_have_count(1)
    colleague.context.close()

    # Its owner deletes it, after confirming: gone from the menu and the address.
    page.get_by_role("button", name=f"Delete the view Silver {tag}").click()
    confirm(page, "Delete view")
    expect(page.get_by_label("Saved view")).to_have_value("")
    expect(page.get_by_role("option", name=f"Silver {tag} (shared)")).to_have_count(0)
    expect(page).to_have_url(re.compile(r"/p/leads/?$"))
