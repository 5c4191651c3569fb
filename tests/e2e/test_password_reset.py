"""Forgot password, end to end: the link arrives by mail, sets a new password once, and only the
new password signs in."""

import os
import re
import time
import uuid
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser
from pathlib import Path

from playwright.sync_api import Page, expect
from sqlmodel import Session

from prm_app.services.core.actor import Actor
from prm_app.services.identity import auth, passwords, team
from tests.e2e.test_sign_in import at, sign_in
from tests.unit.factories import verify

OLD = "my old long passphrase"
NEW = "a fresh and long passphrase"


def new_org(db, *, colleague: bool = False) -> tuple[Actor, Actor | None]:
    """A new provider with its admin (and a member), all with the password OLD."""
    tag = uuid.uuid4().hex[:8]
    with Session(db) as session:
        admin = auth.sign_up(
            session,
            org_name=f"Reset Test {tag}",
            org_kind="provider",
            name="Ria Admin",
            email=f"admin-{tag}@reset.example",
            password=OLD,
        )
        verify(session, admin)  # as if the sign-up's link had been opened
        session.commit()  # a rate-limited step next counts on its own connection
        member = None
        if colleague:
            token = team.invite_colleague(
                session, actor=admin, email=f"member-{tag}@reset.example", role="member"
            )
            member = team.accept_invite(session, token=token, name="Max Member", password=OLD)
        session.commit()
    return admin, member


def mail_to(to: str, subject: str, timeout: float = 15.0) -> EmailMessage:
    """The newest mail to `to` with this subject, once the sender has written it."""
    folder = Path(os.environ["PRM_MAIL_DIR"])
    deadline = time.monotonic() + timeout
    while True:
        found = [
            (f.stat().st_mtime, message)
            for f in folder.glob("*.eml")
            if (message := BytesParser(policy=policy.default).parsebytes(f.read_bytes()))["To"]
            == to
            and message["Subject"] == subject
        ]
        if found:
            return max(found, key=lambda pair: pair[0])[1]
        assert time.monotonic() < deadline, f"no mail to {to} about {subject!r}"
        time.sleep(0.2)


def mailed_path(message: EmailMessage) -> str:
    """The path and query of the portal link in the mail (its host is PRM_BASE_URL's)."""
    found = re.search(r"https?://[^/\s]+(/\S+)", message.get_content())
    assert found, message.get_content()
    return found.group(1)


def test_forgot_password_end_to_end(page: Page, db):
    admin, _ = new_org(db)
    page.goto("/login")
    page.get_by_role("link", name="Forgot password?").click()
    expect(page).to_have_url(at("/forgot-password"))
    page.get_by_label("Email").fill(admin.email)
    page.get_by_role("button", name="Send me a link").click()
    expect(page.get_by_text(passwords.LINK_SENT)).to_be_visible()

    link = mailed_path(mail_to(admin.email, "Choose a new password"))
    assert link.startswith("/reset-password?token=")
    page.goto(link)
    expect(page.get_by_text(admin.email)).to_be_visible()
    page.get_by_label(f"New password ({auth.PASSWORD_HINT})").fill("password1234")
    page.get_by_label("New password again").fill("password1234")
    page.get_by_role("button", name="Set the new password").click()
    expect(page.get_by_text(auth.TOO_COMMON)).to_be_visible()
    page.get_by_label(f"New password ({auth.PASSWORD_HINT})").fill(NEW)
    page.get_by_label("New password again").fill(NEW)
    page.get_by_role("button", name="Set the new password").click()
    expect(page.get_by_text("Your password is set. Sign in with it.")).to_be_visible()
    assert mail_to(admin.email, "Your password was changed")

    # The link worked once: opened again, it says so and offers a new one.
    page.goto(link)
    expect(page.get_by_text("This link is not valid any more")).to_be_visible()
    page.get_by_role("link", name="Ask for a new link").click()
    expect(page).to_have_url(at("/forgot-password"))

    sign_in(page, admin.email, OLD, succeeds=False)
    expect(page.get_by_text("Wrong email or password.")).to_be_visible()
    sign_in(page, admin.email, NEW)


def test_an_unknown_address_gets_the_same_answer(page: Page):
    page.goto("/forgot-password")
    page.get_by_label("Email").fill(f"nobody-{uuid.uuid4().hex[:8]}@reset.example")
    page.get_by_role("button", name="Send me a link").click()
    expect(page.get_by_text(passwords.LINK_SENT)).to_be_visible()
