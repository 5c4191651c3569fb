"""Stored text (names, notes, reasons) is shown as text, never run as HTML, in both portals."""

import uuid

from playwright.sync_api import Page, expect
from sqlmodel import Session, select

from prm_app.models import Organization
from prm_app.services import leads
from prm_app.services.identity import auth
from tests.e2e.test_sign_in import sign_in
from tests.harness import DEMO_PASSWORD


def payload(where: str) -> str:
    return f'<img src=x onerror="window.__xss=\'{where}\'"><script>window.__xss="{where}"</script>'


def seed_hostile_lead(db) -> tuple[int, str]:
    """A lead from Fabrikam to Northwind whose every text field is markup, rejected with a
    reason that is markup too: (lead id, company)."""
    tag = uuid.uuid4().hex[:6]
    company = f"{payload('company')} Evil Co {tag}"
    with Session(db) as session:
        fabrikam = auth.authenticate(
            session, email="admin@fabrikam.example", password=DEMO_PASSWORD
        )
        northwind = auth.authenticate(
            session, email="admin@northwind.example", password=DEMO_PASSWORD
        )
        northwind_id = session.exec(
            select(Organization.id).where(Organization.name == "Northwind Software")
        ).one()
        data = leads.lead_input(
            {
                "first_name": payload("first name")[:90],
                "last_name": f"<b>bold</b>{tag}",
                "email": f"eve{tag}@evil-co.example",
                "company": company,
                "notes": payload("notes"),
            }
        )
        lead_id, (recipient_id,) = leads.create_and_submit(
            session,
            actor=fabrikam,
            data=data,
            owner_id=fabrikam.user_id,
            recipient_org_ids=[str(northwind_id)],
        )
        leads.reject(session, actor=northwind, recipient_id=recipient_id, reason=payload("reason"))
        session.commit()
    return lead_id, company


def expect_inert(page: Page, text: str) -> None:
    """The markup is on the page as visible text, and none of it ran or became elements."""
    expect(page.get_by_text(text, exact=False).first).to_be_visible()
    assert page.evaluate("window.__xss") is None
    assert page.locator("img[src='x']").count() == 0
    assert page.locator("b", has_text="bold").count() == 0


def test_names_notes_and_reasons_are_shown_as_text(page: Page, db):
    lead_id, company = seed_hostile_lead(db)
    sign_in(page, "admin@fabrikam.example")
    page.goto("/c/leads")
    expect_inert(page, company)
    page.goto(f"/c/leads/{lead_id}")
    expect_inert(page, payload("notes"))
    expect_inert(page, payload("reason"))
    expect_inert(page, "<b>bold</b>")

    page.context.clear_cookies()
    sign_in(page, "admin@northwind.example")
    page.goto("/p/leads")
    page.get_by_label("Status").select_option("rejected")
    expect_inert(page, company)
    page.goto(f"/p/leads/{lead_id}")
    expect_inert(page, payload("reason"))
