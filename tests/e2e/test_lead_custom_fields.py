"""Custom fields on leads, in the browser: a provider's required select asked of the consultant
only when the lead goes to that provider; each side's fields on the lead's page, edited there,
a field hidden from partners never shown to the consultant."""

import re
import uuid

import pytest
from playwright.sync_api import Browser, Page, expect
from sqlmodel import Session, select

from prm_app.models import Lead
from prm_app.services import custom_fields as cf
from tests.e2e.page_pass import PHONE, check, overflow
from tests.e2e.test_confirmations import demo_actor
from tests.e2e.test_sign_in import sign_in

NORTHWIND = "admin@northwind.example"
FABRIKAM = "admin@fabrikam.example"


@pytest.fixture
def northwind_fields(db):
    """Northwind's lead fields for one test: a select its partners must fill, and an internal
    note hidden from them. Archived afterwards, so other tests' leads need neither."""
    tag = uuid.uuid4().hex[:6]
    with Session(db) as session:
        actor = demo_actor(session, NORTHWIND)
        size = cf.add_field(
            session,
            actor=actor,
            entity="lead",
            label=f"Deal size {tag}",
            type="select",
            options="Small\nLarge",
            partner_access="required",
        )
        note = cf.add_field(
            session,
            actor=actor,
            entity="lead",
            label=f"Internal note {tag}",
            type="text",
            partner_access="hidden",
        )
        session.commit()
        made = (size.id, size.label, note.id, note.label)
    yield made
    with Session(db) as session:
        actor = demo_actor(session, NORTHWIND)
        cf.archive_field(session, actor=actor, field_id=made[0])
        cf.archive_field(session, actor=actor, field_id=made[2])
        session.commit()


def _fill_lead(page: Page, company: str) -> None:
    page.get_by_label("First Name").fill("Maya")
    page.get_by_label("Last Name").fill("Lopez")
    page.get_by_label("Email").fill("maya@example.com")
    page.get_by_label("Company").fill(company)


def test_a_providers_required_select_is_asked_only_when_the_lead_goes_to_it(
    page: Page, db, northwind_fields
):
    size_id, size, _, note = northwind_fields
    sign_in(page, FABRIKAM)
    page.get_by_role("button", name="Submit New Lead").click()
    size_select = page.get_by_label(size)
    expect(size_select).to_be_hidden()  # no provider ticked yet
    expect(page.get_by_text(note)).to_have_count(0)  # hidden from partners: not even in the page
    page.get_by_label("Contoso HR Cloud").check()
    expect(size_select).to_be_hidden()
    other = f"Contoso only {uuid.uuid4().hex[:6]}"
    _fill_lead(page, other)
    page.get_by_role("button", name="Submit", exact=True).click()
    expect(page.get_by_role("status")).to_contain_text("Submitted.")  # nothing asked

    page.get_by_role("button", name="Submit New Lead").click()
    page.get_by_label("Northwind Software").check()
    expect(size_select).to_be_visible()
    company = f"Sized {uuid.uuid4().hex[:6]}"
    _fill_lead(page, company)
    page.get_by_role("button", name="Submit", exact=True).click()
    expect(page.get_by_role("alert").filter(has_text=f"{size} is required.")).to_be_visible()
    expect(size_select).to_have_attribute("aria-invalid", "true")
    blocking = check(page, "/c/leads, Submit New Lead with a provider's fields and a message")
    assert not blocking, "\n".join(blocking)
    size_select.select_option(label="Large")
    page.get_by_role("button", name="Submit", exact=True).click()
    expect(page.get_by_role("status")).to_contain_text("Submitted.")
    with Session(db) as session:
        found = session.exec(select_leads(other, company)).all()
        custom = {lead.company: lead.custom for lead in found}
        ids = {lead.company: lead.id for lead in found}
    assert custom[other] == {}
    assert custom[company] == {str(size_id): 2}

    # the lead sent to Contoso only, sent on to Northwind: its select is asked then
    page.goto(f"/c/leads/{ids[other]}")
    send_on = page.get_by_role("form", name="Send it on")
    on_select = send_on.get_by_label(size)
    expect(on_select).to_be_hidden()
    send_on.get_by_label("Northwind Software").check()
    expect(on_select).to_be_visible()
    send_on.get_by_role("button", name="Send").click()
    expect(send_on.get_by_role("alert").filter(has_text=f"{size} is required.")).to_be_visible()
    on_select.select_option(label="Small")
    send_on.get_by_role("button", name="Send").click()
    recipients = page.get_by_role("row").filter(has_text="Northwind Software")
    expect(recipients).to_contain_text("pending")
    expect(page.get_by_text(f"Set {size} to Small")).to_be_visible()


def select_leads(*companies: str):
    return select(Lead).where(Lead.company.in_(companies))  # type: ignore[attr-defined]


def test_each_side_sees_and_edits_its_fields_on_the_leads_page(
    page: Page, browser: Browser, base_url, db, northwind_fields
):
    _, size, _, note = northwind_fields
    sign_in(page, FABRIKAM)
    page.get_by_role("button", name="Submit New Lead").click()
    page.get_by_label("Northwind Software").check()
    company = f"Detailed {uuid.uuid4().hex[:6]}"
    _fill_lead(page, company)
    page.get_by_label(size).select_option(label="Small")
    page.get_by_role("button", name="Submit", exact=True).click()
    expect(page.get_by_role("status")).to_contain_text("Submitted.")
    with Session(db) as session:
        lead_id = session.exec(select_leads(company)).one().id

    northwind = browser.new_context(base_url=base_url).new_page()
    sign_in(northwind, NORTHWIND)
    northwind.goto(f"/p/leads/{lead_id}")
    details = northwind.get_by_role("region", name="More details")
    expect(details).to_contain_text(size)
    expect(details).to_contain_text("Small")
    details.get_by_role("button", name="Edit more details").click()
    blocking = check(northwind, "/p/leads/<id>, editing its custom fields")
    details.get_by_label(note).fill("Budget approved in Q3")
    details.get_by_label(size).select_option(label="Large")
    details.get_by_role("button", name="Save details").click()
    expect(details).to_contain_text("Budget approved in Q3")
    expect(details).to_contain_text("Large")
    expect(northwind.get_by_text(re.compile(f"Changed {size} from Small to Large"))).to_be_visible()

    page.goto(f"/c/leads/{lead_id}")
    mine = page.get_by_role("region", name="More details")
    expect(mine).to_contain_text("Large")
    expect(page.get_by_text(re.compile(f"Changed {size} from Small to Large"))).to_be_visible()
    expect(page.get_by_text(note)).to_have_count(0)
    expect(page.get_by_text("Budget approved in Q3")).to_have_count(0)
    mine.get_by_role("button", name="Edit more details").click()
    mine.get_by_label(size).select_option("")
    mine.get_by_role("button", name="Save details").click()
    expect(mine.get_by_role("alert").filter(has_text=f"{size} is required.")).to_be_visible()
    blocking += check(page, "/c/leads/<id>, a custom field's message")
    assert not blocking, "\n".join(blocking)
    page.set_viewport_size(PHONE)
    expect(mine.get_by_label(size)).to_be_visible()
    assert overflow(page) <= 0, "the lead's page is wider than a phone"
