"""Notifications through the real app: the bell rises live, the inbox opens the record."""

import os
import time
import uuid
from email import policy
from email.parser import BytesParser
from pathlib import Path

from playwright.sync_api import Browser, Page, expect
from sqlmodel import Session, col, func, select

from prm_app.models import Lead, Notification, User
from tests.e2e.test_sign_in import sign_in


def _unread(db, email: str) -> int:
    with Session(db) as session:
        user_id = session.exec(select(User.id).where(User.email == email)).one()
        return session.exec(
            select(func.count())
            .select_from(Notification)
            .where(Notification.user_id == user_id, col(Notification.read_at).is_(None))
        ).one()


def _mail_to(folder: Path, to: str, subject: str, timeout: float = 15.0):
    """The one mail to `to` with this subject, once the sender has written it."""
    deadline = time.monotonic() + timeout
    while True:
        found = [
            message
            for message in (
                BytesParser(policy=policy.default).parsebytes(f.read_bytes())
                for f in folder.glob("*.eml")
            )
            if message["To"] == to and message["Subject"] == subject
        ]
        if found or time.monotonic() > deadline:
            assert len(found) == 1, f"{len(found)} mails to {to} about {subject!r}"
            return found[0]
        time.sleep(0.2)


def _bell(page: Page, count: int):
    name = f"Notifications: {count} unread" if count else "Notifications"
    return page.get_by_role("link", name=name, exact=True)


def test_a_submitted_lead_rings_the_providers_bell_live_and_opens_the_lead(
    page: Page, browser: Browser, base_url, db
):
    company = f"Bell Ringers {uuid.uuid4().hex[:6]}"
    provider = browser.new_context(base_url=base_url).new_page()
    sign_in(provider, "admin@northwind.example")
    before = _unread(db, "admin@northwind.example")
    expect(_bell(provider, before)).to_be_visible()

    sign_in(page, "admin@fabrikam.example")
    page.get_by_role("button", name="Submit New Lead").click()
    page.get_by_label("Northwind Software").check()
    page.get_by_label("First Name").fill("Bea")
    page.get_by_label("Last Name").fill("Bell")
    page.get_by_label("Email").fill("bea@bellringers.example")
    page.get_by_label("Company").fill(company)
    page.get_by_role("button", name="Submit", exact=True).click()
    expect(page.get_by_role("status")).to_contain_text("Submitted.")

    # No reload: the provider's bell counts the new lead.
    expect(_bell(provider, before + 1)).to_be_visible()
    expect(provider.locator("#unread-count")).to_have_text(str(before + 1))

    _bell(provider, before + 1).click()
    expect(provider).to_have_url(f"{base_url}/notifications")
    text = f"Fabrikam Consulting sent you a lead: {company}."
    provider.get_by_role("link", name=f"Open: {text}").click()
    with Session(db) as session:
        lead_id = session.exec(select(Lead.id).where(Lead.company == company)).one()
    expect(provider).to_have_url(f"{base_url}/p/leads/{lead_id}")
    expect(provider.get_by_role("heading", name=company)).to_be_visible()
    expect(_bell(provider, before)).to_be_visible()  # opening it marked it read

    # Without an SMTP server the mail went to the development folder, with a link to the lead.
    mail = _mail_to(Path(os.environ["PRM_MAIL_DIR"]), "admin@northwind.example", text)
    assert f"/p/leads/{lead_id}" in mail.get_content()
    provider.context.close()


def test_mark_all_read_and_preferences(page: Page, db):
    sign_in(page, "manager@northwind.example")
    page.goto("/notifications")
    expect(page.get_by_role("heading", name="Notifications")).to_be_visible()
    page.get_by_role("button", name="Mark all as read").click()
    expect(_bell(page, 0)).to_be_visible()
    assert _unread(db, "manager@northwind.example") == 0

    page.get_by_role("tab", name="Preferences").click()
    page.get_by_label("Deals").select_option("in_app")
    expect(page.get_by_text("Saved.")).to_be_visible()
    page.reload()
    page.get_by_role("tab", name="Preferences").click()
    expect(page.get_by_label("Deals")).to_have_value("in_app")


def test_a_partners_page_shows_the_relationship_timeline(page: Page):
    sign_in(page, "admin@northwind.example")
    page.goto("/p/partners")
    page.get_by_role("link", name="Details of Fabrikam Consulting").click()
    expect(page.get_by_role("heading", name="Fabrikam Consulting")).to_be_visible()
    timeline = page.get_by_role("list", name="Timeline").get_by_role("listitem")
    expect(timeline.filter(has_text="Accepted the invitation")).to_have_count(1)
