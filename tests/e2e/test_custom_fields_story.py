"""Issue 24 end to end: a provider adds a required partner-editable select and a field hidden
from partners in Settings; a consultant must fill the select to submit a lead to it; the hidden
field never reaches the consultant's list, lead page, export or API; the provider filters its
leads on the select."""

import csv
import io
import re
import uuid

import httpx
import pytest
from playwright.sync_api import Page, expect
from sqlmodel import Session, select

from prm_app.models import CustomField, Lead
from prm_app.services import custom_fields as cf
from prm_app.services import leads
from prm_app.services.identity import api_keys
from tests.e2e.test_confirmations import demo_actor
from tests.e2e.test_sign_in import sign_in

NORTHWIND = "admin@northwind.example"
FABRIKAM = "admin@fabrikam.example"


@pytest.fixture
def tag(db):
    """A tag naming this test's fields; they are archived afterwards, so that other tests'
    leads to Northwind need no value for them."""
    tag = uuid.uuid4().hex[:6]
    yield tag
    with Session(db) as session:
        actor = demo_actor(session, NORTHWIND)
        made = session.exec(select(CustomField).where(CustomField.label.contains(tag))).all()  # type: ignore[attr-defined]
        for field in made:
            cf.archive_field(session, actor=actor, field_id=field.id)
        session.commit()


def _add_field(page: Page, label: str, kind: str, partners: str, options: str = "") -> None:
    page.get_by_label(re.compile(r"^Label")).fill(label)
    page.get_by_label("Type", exact=True).select_option(kind)
    if options:
        page.get_by_label("Options, one per line").fill(options)
    page.get_by_label("Partners", exact=True).select_option(partners)
    page.get_by_role("button", name="Add field").click()
    expect(page.get_by_text(label, exact=True)).to_be_visible()


def test_a_required_select_and_a_hidden_field_through_every_path(
    page: Page, browser, base_url, db, tag
):
    band, rating = f"Budget band {tag}", f"Internal rating {tag}"
    secret = f"Strategic {tag}"

    # The provider defines the fields in Settings.
    sign_in(page, NORTHWIND)
    page.goto("/p/settings")
    page.get_by_role("tab", name="Custom fields").click()
    _add_field(page, band, "select", "required", "Under 10k\nOver 10k")
    _add_field(page, rating, "text", "hidden")

    # The consultant must choose a band to submit a lead to Northwind.
    firm = browser.new_context(base_url=base_url).new_page()
    sign_in(firm, FABRIKAM)
    firm.get_by_role("button", name="Submit New Lead").click()
    firm.get_by_label("Northwind Software").check()
    firm.get_by_label("First Name").fill("Maya")
    firm.get_by_label("Last Name").fill("Lopez")
    firm.get_by_label("Email").fill(f"maya@{tag}.example")
    company = f"Banded {tag}"
    firm.get_by_label("Company").fill(company)
    expect(firm.get_by_text(rating)).to_have_count(0)
    firm.get_by_role("button", name="Submit", exact=True).click()
    expect(firm.get_by_role("alert").filter(has_text=f"{band} is required.")).to_be_visible()
    firm.get_by_label(band).select_option(label="Over 10k")
    firm.get_by_role("button", name="Submit", exact=True).click()
    expect(firm.get_by_role("status")).to_contain_text("Submitted.")

    # Northwind rates the lead (its field hidden from partners); another lead is Under 10k.
    with Session(db) as session:
        northwind = demo_actor(session, NORTHWIND)
        fabrikam = demo_actor(session, FABRIKAM)
        lead = session.exec(select(Lead).where(Lead.company == company)).one()
        fields = {
            f.label: f
            for f in cf.for_viewer(session, viewer_org_id=northwind.org_id, entity="lead")
        }
        leads.set_custom(
            session,
            actor=northwind,
            lead_id=lead.id,
            values={fields[rating].name: secret},
            partial=True,
        )
        other, _ = leads.create_and_submit(
            session,
            actor=fabrikam,
            data=leads.lead_input(
                {
                    "first_name": "Ola",
                    "last_name": "Nord",
                    "email": f"ola@{tag}.example",
                    "company": f"Small {tag}",
                }
            ),
            owner_id=fabrikam.user_id,
            recipient_org_ids=[northwind.org_id],
            custom={fields[band].name: "Under 10k"},
        )
        key = api_keys.create(session, actor=fabrikam, name=f"story {tag}", role="admin").key
        session.commit()
        lead_id = lead.id

    # The consultant's list offers the band as a column, never the rating.
    firm.goto("/c/leads")
    firm.get_by_label("Search leads").fill(tag)
    firm.get_by_role("button", name="Columns").click()
    expect(firm.get_by_label(rating)).to_have_count(0)
    firm.get_by_label(band).click()
    expect(firm.get_by_label(band)).to_be_checked()
    firm.keyboard.press("Escape")
    expect(firm.get_by_role("row").filter(has_text=company)).to_contain_text("Over 10k")
    expect(firm.get_by_text(secret)).to_have_count(0)

    # Its lead page, its export and the API: the band, never the rating.
    firm.goto(f"/c/leads/{lead_id}")
    expect(firm.get_by_role("region", name="More details")).to_contain_text("Over 10k")
    expect(firm.get_by_text(rating)).to_have_count(0)
    expect(firm.get_by_text(secret)).to_have_count(0)
    firm.goto("/c/leads")
    export = firm.get_by_role("link", name="Export these leads as CSV").get_attribute("href")
    assert export
    exported = firm.context.request.get(export).text()
    header = next(csv.reader(io.StringIO(exported)))
    assert any(band in column for column in header), header
    assert rating not in exported and secret not in exported
    from reflex.config import get_config

    api = f"{get_config().api_url}/api/v1"
    answer = httpx.get(f"{api}/leads/{lead_id}", headers={"Authorization": f"Bearer {key}"})
    assert answer.status_code == 200, answer.text
    custom = answer.json()["custom"]
    assert "Over 10k" in custom.values()
    assert secret not in answer.text and rating not in answer.text
    firm.context.close()

    # The provider filters its received leads on the band.
    page.goto("/p/leads")
    page.get_by_label("Search leads").fill(tag)
    expect(page.get_by_role("row").filter(has_text=f"Small {tag}")).to_have_count(1)
    page.get_by_role("button", name="Filter on a field").click()
    page.get_by_label("Field", exact=True).select_option(label=band)
    page.get_by_label("Value", exact=True).select_option(label="Over 10k")
    page.get_by_role("button", name="Add filter").click()
    page.keyboard.press("Escape")
    expect(page.get_by_text(f"{band} is Over 10k")).to_be_visible()
    expect(page.get_by_role("row").filter(has_text=company)).to_have_count(1)
    expect(page.get_by_role("row").filter(has_text=f"Small {tag}")).to_have_count(0)
    assert other
