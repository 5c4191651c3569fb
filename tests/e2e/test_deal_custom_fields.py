"""A deal's custom fields in the browser: a partner must fill the provider's partner-required
select in Submit Deal; the provider's hidden field never shows on the partner's page; each side
edits its fields on the deal's page and the timelines follow; the provider's own required field
in the Convert dialog."""

import contextlib
import re
import uuid

from playwright.sync_api import Browser, Page, expect
from sqlmodel import Session, select

from prm_app.models import Deal
from prm_app.services import custom_fields as cf
from prm_app.services import leads
from prm_app.services.identity import auth
from prm_app.services.leads import LeadInput
from tests.e2e.page_pass import PHONE, check, overflow
from tests.e2e.test_sign_in import sign_in
from tests.harness import DEMO_PASSWORD

PROVIDER_ADMIN = "admin@northwind.example"
CONSULTANT_ADMIN = "admin@fabrikam.example"


@contextlib.contextmanager
def deal_fields(db, *specs):
    """Northwind's deal fields for one test (label, type, partner access, internal access,
    options), archived afterwards so that no other test has to fill them."""
    tag = uuid.uuid4().hex[:4]
    with Session(db) as session:
        admin = auth.authenticate(session, email=PROVIDER_ADMIN, password=DEMO_PASSWORD)
        ids = [
            cf.add_field(
                session,
                actor=admin,
                entity="deal",
                label=f"{label} {tag}",
                type=kind,
                key=f"e2e_{tag}_{n}",
                partner_access=partner,
                internal_access=internal,
                options=options,
            ).id
            for n, (label, kind, partner, internal, options) in enumerate(specs)
        ]
        session.commit()
    try:
        yield [f"{label} {tag}" for label, *_ in specs]
    finally:
        with Session(db) as session:
            admin = auth.authenticate(session, email=PROVIDER_ADMIN, password=DEMO_PASSWORD)
            for field_id in ids:
                cf.archive_field(session, actor=admin, field_id=field_id)
            session.commit()


def test_a_partner_fills_the_required_select_and_never_sees_the_hidden_field(
    page: Page, browser: Browser, base_url, db
):
    name = f"Custom {uuid.uuid4().hex[:6]}"
    with deal_fields(
        db,
        ("Budget band", "select", "required", "editable", "Small\nLarge"),
        ("Margin note", "text", "hidden", "editable", ()),
        ("Use case", "text", "editable", "editable", ()),
    ) as (band, margin, use_case):
        sign_in(page, CONSULTANT_ADMIN)
        page.goto("/c/deals")
        page.get_by_role("button", name="Submit deal").click()
        form = page.get_by_role("form", name="Submit a deal")
        form.get_by_label("Provider").select_option(label="Northwind Software")
        expect(form.get_by_label(band)).to_be_visible()
        expect(form.get_by_text(margin)).to_have_count(0)
        form.get_by_label("Deal name").fill(name)
        form.get_by_label("Customer company").fill(f"{name} Corp")
        form.get_by_label("Amount").fill("1200")
        form.get_by_role("button", name="Submit deal").click()
        expect(form.get_by_text(f"{band} is required.")).to_be_visible()  # inline, by the field
        expect(form.get_by_label(band)).to_have_attribute("aria-invalid", "true")
        assert check(page, "Submit deal, a custom field refused") == []
        form.get_by_label(band).select_option(label="Large")
        form.get_by_label(use_case).fill("Payroll")
        form.get_by_role("button", name="Submit deal").click()
        expect(page.get_by_text("Deal registered.")).to_be_visible()
        with Session(db) as session:
            deal_id = session.exec(select(Deal.id).where(Deal.name == name)).one()

        # The provider sees every field, fills its hidden one on the deal's page.
        northwind = browser.new_context(base_url=base_url).new_page()
        sign_in(northwind, PROVIDER_ADMIN)
        northwind.goto(f"/p/deals/{deal_id}")
        card = northwind.get_by_role("heading", name="More details").locator("xpath=..")
        expect(card).to_contain_text("Large")
        expect(card).to_contain_text(margin)
        card.get_by_role("button", name="Edit more details").click()
        edit = northwind.get_by_role("form", name="Edit more details")
        assert check(northwind, "a deal's More details, edited") == []
        edit.get_by_label(margin).fill("Thin: 8%")
        edit.get_by_role("button", name="Save details").click()
        expect(northwind.get_by_text("Saved.")).to_be_visible()
        timeline = northwind.get_by_role("list", name="Timeline")
        expect(timeline.get_by_role("listitem").first).to_contain_text(
            re.compile(f"[Ss]et {margin} to Thin: 8%")
        )

        # The partner's page: its fields, none hidden, the margin's change not on its timeline.
        page.goto(f"/c/deals/{deal_id}")
        card = page.get_by_role("heading", name="More details").locator("xpath=..")
        expect(card).to_contain_text("Large")
        expect(card).to_contain_text("Payroll")
        timeline = page.get_by_role("list", name="Timeline")
        expect(timeline).to_contain_text(re.compile(f"[Ss]et {band} to Large"))
        expect(page.get_by_text(margin)).to_have_count(0)
        expect(page.get_by_text("Thin: 8%")).to_have_count(0)
        # Its editable field it changes; the required select stays required.
        card.get_by_role("button", name="Edit more details").click()
        edit = page.get_by_role("form", name="Edit more details")
        edit.get_by_label(band).select_option("")
        edit.get_by_label(use_case).fill("Payroll and HR")
        edit.get_by_role("button", name="Save details").click()
        expect(edit.get_by_text(f"{band} is required.")).to_be_visible()
        edit.get_by_label(band).select_option(label="Small")
        edit.get_by_role("button", name="Save details").click()
        expect(page.get_by_text("Saved.")).to_be_visible()
        expect(card).to_contain_text("Payroll and HR")
        page.set_viewport_size(PHONE)
        expect(card).to_be_visible()
        assert overflow(page) <= 0
        # live: the provider's open page shows it
        expect(northwind.get_by_role("list", name="Timeline")).to_contain_text(
            f"Changed {band} from Large to Small"
        )
        northwind.context.close()


def test_the_providers_convert_dialog_asks_its_required_deal_field(page: Page, db):
    company = f"Convert Co {uuid.uuid4().hex[:6]}"
    with Session(db) as session:
        consultant = auth.authenticate(session, email=CONSULTANT_ADMIN, password=DEMO_PASSWORD)
        provider = auth.authenticate(session, email=PROVIDER_ADMIN, password=DEMO_PASSWORD)
        _, [recipient_id] = leads.create_and_submit(
            session,
            actor=consultant,
            data=LeadInput(
                first_name="Cora", last_name="Vert", email="cora@convert.example", company=company
            ),
            owner_id=consultant.user_id,
            recipient_org_ids=[provider.org_id],
        )
        leads.accept(session, actor=provider, recipient_id=recipient_id)
        session.commit()
    with deal_fields(db, ("Forecast", "select", "hidden", "required", "Commit\nBest case")) as (
        forecast,
    ):
        sign_in(page, PROVIDER_ADMIN)
        page.goto("/p/leads")
        page.get_by_label("Search leads").fill(company)
        row = page.get_by_role("row").filter(has_text=company)
        row.get_by_text("Convert or close…").click()
        row.get_by_role("button", name=f"Convert the lead for {company}").click()
        dialog = page.get_by_role("dialog", name="Convert into a deal")
        dialog.get_by_label("Deal amount").fill("900")
        dialog.get_by_role("button", name="Convert").click()
        expect(dialog.get_by_text(f"{forecast} is required.")).to_be_visible()
        dialog.get_by_label(forecast).select_option(label="Commit")
        dialog.get_by_role("button", name="Convert").click()
        expect(page.get_by_text("Converted into a deal.")).to_be_visible()
        with Session(db) as session:
            deal = session.exec(select(Deal).where(Deal.company == company)).one()
            assert list(deal.custom.values()) == [1]
