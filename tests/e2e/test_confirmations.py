"""Destructive steps ask first, in a dialog that says what will happen to what: Cancel (or
Escape) changes nothing, the red button does it. By mouse, by keyboard and on a phone."""

import uuid

from playwright.sync_api import Page, expect
from sqlmodel import Session, select

from prm_app.models import (
    Membership,
    Organization,
    Partnership,
    PartnershipStatus,
    User,
    utcnow,
)
from prm_app.services.core.actor import Actor
from prm_app.services.identity import (
    account_links,
    api_keys,
    auth,
    security_log,
    team,
    verification,
)
from tests.e2e.dialogs import confirm, confirmation
from tests.e2e.test_sign_in import sign_in

PASSWORD = "confirm-password-1"
PROVIDER = "Northwind Software"


def demo_actor(session: Session, email: str) -> Actor:
    """A demo person as the services see them (without signing in, which counts attempts on
    a connection of its own)."""
    user, membership, org = session.exec(
        select(User, Membership, Organization)
        .join(Membership, Membership.user_id == User.id)
        .join(Organization, Organization.id == Membership.org_id)
        .where(User.email == email)
    ).one()
    return Actor(user.id, org.id, org.kind, membership.role, user.name, user.email, org.name)


def partnered_firm(db) -> str:
    """A new consulting firm in an active partnership with Northwind; returns its admin's
    email (the firm signs up as in test_recruitment; the partnership is stored as accepted)."""
    tag = uuid.uuid4().hex[:6]
    email = f"owner-{tag}@brookside{tag}.example"
    with Session(db) as session:
        northwind = demo_actor(session, "admin@northwind.example")
        firm = auth.sign_up(
            session,
            org_name=f"Brookside {tag}",
            org_kind="consultant",
            name=f"Brookside Owner {tag}",
            email=email,
            password=PASSWORD,
        )
        token = account_links.issue(
            session, user_id=firm.user_id, purpose=account_links.VERIFY_EMAIL, email=email
        )
        verification.verify(session, token=token, client=security_log.Client())
        session.add(
            Partnership(
                provider_org_id=northwind.org_id,
                consultant_org_id=firm.org_id,
                status=PartnershipStatus.ACTIVE,
                invite_email=email,
                invited_by_id=northwind.user_id,
                responded_at=utcnow(),
            )
        )
        session.commit()
    return email


def test_ending_a_partnership_asks_first_and_fits_a_phone(page: Page, db):
    email = partnered_firm(db)
    page.set_viewport_size({"width": 390, "height": 844})
    sign_in(page, email, PASSWORD)
    page.goto("/c/providers")
    card = page.get_by_role("group", name=PROVIDER)
    end = card.get_by_role("button", name=f"End the partnership with {PROVIDER}")

    end.click()  # asks; nothing has changed yet
    dialog = confirmation(page)
    expect(dialog).to_contain_text(f"End the partnership with {PROVIDER}?")
    expect(dialog).to_contain_text("can no longer submit leads or register deals")
    box = dialog.bounding_box()
    assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= 390
    dialog.get_by_role("button", name="Cancel").click()
    expect(dialog).to_have_count(0)
    page.reload()
    expect(card.get_by_text("waiting to be categorized")).to_be_visible()  # still active
    expect(end).to_be_visible()

    end.click()
    confirm(page, "End partnership")
    expect(card.get_by_text("ended", exact=True)).to_be_visible()
    expect(end).to_have_count(0)


def test_revoking_an_api_key_asks_first_by_keyboard(page: Page, db):
    name = f"ci-bot {uuid.uuid4().hex[:4]}"
    with Session(db) as session:
        admin = demo_actor(session, "admin@contoso.example")
        api_keys.create(session, actor=admin, name=name, role="member")
        session.commit()
    sign_in(page, "admin@contoso.example")
    page.goto("/p/settings")
    page.get_by_role("tab", name="Integrations").click()
    row = page.get_by_role("row").filter(has_text=name)
    revoke = row.get_by_role("button", name=f"Revoke key {name}")

    revoke.focus()
    page.keyboard.press("Enter")
    dialog = confirmation(page)
    expect(dialog).to_contain_text(f"Every request made with {name}")
    # Cancel has the focus: a second Enter does not revoke; Escape closes as well.
    expect(dialog.get_by_role("button", name="Cancel")).to_be_focused()
    page.keyboard.press("Escape")
    expect(dialog).to_have_count(0)
    expect(row.get_by_text("revoked", exact=True)).to_have_count(0)

    revoke.focus()
    page.keyboard.press("Enter")
    expect(confirmation(page).get_by_role("button", name="Cancel")).to_be_focused()
    page.keyboard.press("Tab")
    expect(confirmation(page).get_by_role("button", name="Revoke key")).to_be_focused()
    page.keyboard.press("Enter")
    expect(row.get_by_text("revoked", exact=True)).to_be_visible()


def test_a_provider_revoking_an_invitation_asks_first(page: Page):
    email = f"someone-{uuid.uuid4().hex[:6]}@firm.example"
    sign_in(page, "manager@northwind.example")
    page.goto("/p/partners")
    page.get_by_role("tab", name="Invitations").click()
    page.get_by_label("Email of someone at the firm").fill(email)
    page.get_by_role("button", name="Send invitation").click()
    row = page.get_by_role("row").filter(has_text=email)
    expect(row).to_contain_text("invited")

    row.get_by_role("button", name=f"Revoke the invitation to {email}").click()
    confirmation(page).get_by_role("button", name="Cancel").click()
    page.reload()
    page.get_by_role("tab", name="Invitations").click()
    expect(row).to_contain_text("invited")
    row.get_by_role("button", name=f"Revoke the invitation to {email}").click()
    confirm(page, "Revoke invitation")
    expect(row).to_contain_text("revoked")


def test_removing_a_stage_asks_and_an_archived_one_has_undo(page: Page):
    stage = f"Pilot {uuid.uuid4().hex[:4]}"
    sign_in(page, "admin@northwind.example")
    page.goto("/p/settings")
    page.get_by_role("tab", name="Pipelines").click()
    page.get_by_label("New deal stage", exact=True).fill(stage)
    page.get_by_role("button", name="Add deal stage").click()
    expect(page.get_by_label(f"Name of stage {stage}")).to_be_visible()

    page.get_by_role("button", name=f"Remove stage {stage}").click()
    expect(confirmation(page)).to_contain_text(f"{stage} is not in use: it is deleted for good.")
    confirmation(page).get_by_role("button", name="Cancel").click()
    expect(page.get_by_label(f"Name of stage {stage}")).to_be_visible()
    page.get_by_role("button", name=f"Remove stage {stage}").click()
    confirm(page, "Remove")
    expect(page.get_by_label(f"Name of stage {stage}")).to_have_count(0)

    # A term in use is archived, not deleted: the notice offers Undo.
    page.get_by_role("tab", name="General").click()
    page.get_by_role("button", name="Remove Gold").click()
    expect(confirmation(page)).to_contain_text("archived, not deleted")
    confirm(page, "Remove")
    expect(page.get_by_role("button", name="Restore Gold")).to_be_visible()
    page.get_by_role("button", name="Undo").click()
    expect(page.get_by_label("Name of Gold")).to_be_visible()


def test_deactivating_a_colleague_asks_first_and_can_be_undone(page: Page, db):
    tag = uuid.uuid4().hex[:6]
    name = f"Colin Colleague {tag}"
    with Session(db) as session:
        admin = demo_actor(session, "admin@tailspin.example")
    with Session(db) as session:  # no read before the invitation counts itself
        token = team.invite_colleague(
            session, actor=admin, email=f"colin-{tag}@tailspin.example", role="member"
        )
        team.accept_invite(session, token=token, name=name, password=PASSWORD)
        session.commit()
    sign_in(page, "admin@tailspin.example")
    page.goto("/team")
    row = page.get_by_role("row").filter(has_text=name)
    expect(row).to_contain_text("active")

    row.get_by_role("button", name=f"Deactivate {name}").click()
    expect(confirmation(page)).to_contain_text(f"{name} is signed out everywhere at once")
    confirmation(page).get_by_role("button", name="Cancel").click()
    page.reload()
    expect(row).not_to_contain_text("deactivated")

    row.get_by_role("button", name=f"Deactivate {name}").click()
    confirm(page, "Deactivate")
    expect(row).to_contain_text("deactivated")
    page.get_by_role("button", name="Undo").click()
    expect(row.get_by_role("button", name=f"Deactivate {name}")).to_be_visible()
    expect(row).not_to_contain_text("deactivated")
