"""Personal-data requests in the browser (issue 29): a provider's admin finds a person's
records, exports them (JSON and CSV), erases them; the partner's admin, asked to erase its copy,
sees the request live and erases it."""

import json
import uuid
from pathlib import Path

from playwright.sync_api import Browser, Page, expect
from sqlmodel import Session, select

from prm_app.models import Lead, OrgKind
from prm_app.services import leads
from prm_app.services.leads import LeadInput
from tests.e2e.test_sign_in import sign_in
from tests.unit.factories import PASSWORD, org_admin, partners


def test_an_admin_finds_exports_and_erases_a_persons_records(
    page: Page, browser: Browser, base_url, db
):
    tag = uuid.uuid4().hex[:6]
    email = f"jane.{tag}@tailwind.example"
    with Session(db) as session:
        provider = org_admin(
            session, kind=OrgKind.PROVIDER, org_name=f"Privsoft {tag}", email=f"p{tag}@pv.example"
        )
        consultant = org_admin(
            session,
            kind=OrgKind.CONSULTANT,
            org_name=f"Privparts {tag}",
            email=f"c{tag}@pv.example",
        )
        session.commit()
        partners(session, provider, consultant)
        session.commit()
        lead_id, (recipient_id,) = leads.create_and_submit(
            session,
            actor=provider,
            data=LeadInput("Jane", f"Doe{tag}", email, f"Tailwind {tag}", "", "", ""),
            owner_id=provider.user_id,
            recipient_org_ids=[consultant.org_id],
        )
        leads.accept(session, actor=consultant, recipient_id=recipient_id)
        session.commit()

    sign_in(page, provider.email, PASSWORD)
    page.get_by_role("link", name="Privacy").first.click()
    page.get_by_label("Email").fill(email)
    page.get_by_role("button", name="Find records").click()
    results = page.get_by_role("table").first
    expect(results.get_by_role("row").filter(has_text="referral")).to_contain_text(
        f"Tailwind {tag}"
    )
    expect(page.get_by_text(f"Also held by: Privparts {tag}")).to_be_visible()

    with page.expect_download() as got:
        page.get_by_role("button", name="Export JSON").click()
    exported = json.loads(Path(got.value.path()).read_text(encoding="utf-8"))
    assert any(r["fields"].get("email") == email for r in exported["records"])
    with page.expect_download() as got:
        page.get_by_role("button", name="Export CSV").click()
    assert email in Path(got.value.path()).read_text(encoding="utf-8")

    partner_page = browser.new_context(base_url=base_url).new_page()
    sign_in(partner_page, consultant.email, PASSWORD)
    partner_page.goto("/c/privacy")
    expect(partner_page.get_by_text("No erasure requests.")).to_be_visible()

    page.get_by_role("button", name="Erase this person").click()
    page.get_by_role("alertdialog").get_by_role("button", name="Erase").click()
    expect(page.get_by_text("1 other organization asked to erase its copy")).to_be_visible()
    expect(page.get_by_text("No record holds this person.")).to_be_visible()
    with Session(db) as session:
        lead = session.exec(select(Lead).where(Lead.id == lead_id)).one()
        assert lead.email == "" and lead.erased_at is not None

    # The partner's page shows the request live, and its admin erases its copy.
    request = partner_page.get_by_role("row").filter(has_text=f"From Privsoft {tag}")
    expect(request).to_contain_text("pending")
    request.get_by_role("button", name="Erase our copy").click()
    expect(request).to_contain_text("erased")
    expect(page.get_by_role("row").filter(has_text=f"To Privparts {tag}")).to_contain_text("erased")

    # The erasure is in the provider's audit log.
    page.goto("/p/audit")
    erased = page.get_by_role("row").filter(has_text="personal data erased")
    expect(erased.first).to_be_visible()
    partner_page.context.close()
