"""The partner program's application, end to end: a firm applies on Northwind's public page
without an account, confirms its address from the mail, Northwind approves it in the queue, the
applicant signs up through the invitation it receives, accepts it, signs the partner agreement
and sees its onboarding checklist move."""

import re
import uuid

from playwright.sync_api import Browser, Page, expect
from sqlmodel import Session, select

from prm_app import routes
from prm_app.models import Partnership
from prm_app.services.core import public_forms
from tests.e2e.mailbox import latest_mail, link_in
from tests.e2e.test_sign_in import sign_in
from tests.e2e.test_verification import PASSWORD, confirm_from_mail, sign_up


def test_apply_confirm_approve_sign_up_and_sign_the_agreement(
    page: Page, browser: Browser, base_url, db
):
    tag = uuid.uuid4().hex[:6]
    firm, email = f"Bluebird Advisory {tag}", f"bea-{tag}@bluebird{tag}.example"

    visitor = browser.new_context().new_page()  # no account, no session
    visitor.goto(routes.file_url(routes.apply("northwind")))
    expect(
        visitor.get_by_role("heading", name="Become a partner of Northwind Software")
    ).to_be_visible()
    visitor.get_by_label("Firm").fill(firm)
    visitor.get_by_label("Your name").fill("Bea Bird")
    visitor.get_by_label("Email").fill(email)
    visitor.get_by_label("Country").fill("Portugal")
    visitor.get_by_label("Partner type wanted").select_option(label="Reseller")
    visitor.get_by_label("Message").fill("We implement ERP for retailers.")
    visitor.wait_for_timeout(public_forms.MIN_FILL.total_seconds() * 1000)  # a person's pace
    visitor.get_by_role("button", name="Apply").click()
    expect(visitor.get_by_role("heading", name="Thank you!")).to_be_visible()

    confirmation = latest_mail(
        email, "Confirm your application to Northwind Software's partner program"
    )
    visitor.goto(routes.file_url(link_in(confirmation, routes.apply_confirm("northwind"))))
    expect(visitor.get_by_role("heading", name="Address confirmed")).to_be_visible()
    visitor.context.close()

    sign_in(page, "admin@northwind.example")
    page.goto(routes.Provider.APPLICATIONS)
    expect(page.get_by_role("heading", name=firm)).to_be_visible()
    expect(page.get_by_text("Wants: Reseller").first).to_be_visible()
    page.get_by_role("button", name=f"Approve {firm} and invite them").click()
    expect(page.get_by_text("Invitation sent.")).to_be_visible()

    invitation = latest_mail(email, "Northwind Software invites your firm to its partner program.")
    newcomer = browser.new_context(base_url=base_url).new_page()
    newcomer.goto(link_in(invitation, routes.SIGNUP))
    expect(newcomer.get_by_label("Email")).to_have_value(email)
    sign_up(newcomer, kind=None, org=firm, name="Bea Bird", email=None)
    expect(newcomer.get_by_role("status")).to_contain_text("Check your inbox")
    confirm_from_mail(newcomer, email)
    sign_in(newcomer, email, PASSWORD)
    newcomer.goto(routes.Consultant.PROVIDERS)
    newcomer.get_by_role("button", name="Accept the invitation of Northwind Software").click()
    expect(newcomer.get_by_role("group", name="Northwind Software")).to_be_visible()

    with Session(db) as session:
        partnership_id = session.exec(
            select(Partnership.id).where(Partnership.invite_email == email)
        ).one()
    newcomer.goto(f"/c/providers/{partnership_id}")
    progress = newcomer.get_by_label("Checklist progress")
    expect(progress).to_have_text(re.compile(r"^\d+ of \d+ steps done$"))
    done, total = map(int, re.findall(r"\d+", progress.inner_text()))
    newcomer.get_by_label("Your full name").fill("Bea Bird")
    newcomer.get_by_role("button", name="Sign Partner agreement v1").click()
    expect(newcomer.get_by_text("Signed by Bea Bird on")).to_be_visible()
    expect(progress).to_have_text(f"{done + 1} of {total} steps done")
    newcomer.context.close()
