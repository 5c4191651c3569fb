"""A CSV import maps a provider's custom field: the mapping offers it (named with its provider,
saying when it is required), a bad value is told as the form tells it, the good rows keep it."""

import uuid

from playwright.sync_api import Page, expect
from sqlmodel import Session, select

from prm_app.models import Lead
from prm_app.services import custom_fields as cf
from tests.e2e.test_confirmations import demo_actor
from tests.e2e.test_sign_in import sign_in

CONSULTANT_ADMIN = "admin@fabrikam.example"
PROVIDER_ADMIN = "admin@northwind.example"


def test_an_import_maps_a_providers_required_select(page: Page, tmp_path, db):
    uid = uuid.uuid4().hex[:6]
    label = f"Tier {uid}"
    with Session(db) as session:
        field = cf.add_field(
            session,
            actor=demo_actor(session, PROVIDER_ADMIN),
            entity="lead",
            label=label,
            type="select",
            options=["Gold", "Silver"],
            partner_access="required",
        )
        session.commit()
    try:
        path = tmp_path / f"tiers-{uid}.csv"
        path.write_text(
            f"First name,Last name,Email,Company,Provider,{label}\n"
            f"Ana,Ray,ana@one-{uid}.example,One {uid},Northwind Software,gold\n"
            f"Ben,Lu,ben@two-{uid}.example,Two {uid},Northwind Software,Bronze\n",
            encoding="utf-8",
        )
        sign_in(page, CONSULTANT_ADMIN)
        page.goto("/c/leads/import")
        expect(page.locator("#csv")).to_have_attribute("data-upload-ready", "true")
        page.locator("#csv input[type=file]").set_input_files(path)
        expect(page.get_by_role("heading", name="Match the columns")).to_be_visible()
        mapped = page.get_by_label(f"{label} (Northwind Software)", exact=True)
        expect(mapped).to_have_value(label)  # suggested by its label
        expect(
            page.get_by_text("Custom field, required on rows sent to Northwind Software")
        ).to_be_visible()
        submit = page.get_by_label("Submit each lead to the provider in its row")
        submit.click()
        expect(submit).to_be_checked()
        page.get_by_role("button", name="Check the file").click()

        expect(page.get_by_text("1 row can be imported; 1 has problems")).to_be_visible()
        problem = page.get_by_role("region", name="Problems").get_by_role("row").nth(1)
        expect(problem.get_by_role("cell").nth(0)).to_have_text("3")
        expect(problem.get_by_role("cell").nth(1)).to_have_text(label)
        expect(problem.get_by_role("cell").nth(2)).to_have_text(
            f"{label}: choose one of Gold, Silver."
        )
        page.get_by_role("button", name="Import 1 valid row").click()
        expect(page.get_by_text(f"from tiers-{uid}.csv")).to_be_visible()
        gold = next(o["id"] for o in field.options if o["label"] == "Gold")
        with Session(db) as session:
            lead = session.exec(select(Lead).where(Lead.company == f"One {uid}")).one()
            assert lead.custom == {str(field.id): gold}
    finally:
        with Session(db) as session:  # other tests send leads to Northwind without it
            cf.archive_field(session, actor=demo_actor(session, PROVIDER_ADMIN), field_id=field.id)
            session.commit()
