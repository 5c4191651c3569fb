"""Every entry point goes through the one unit of work, so open pages hear of its changes: a deal
moved through the REST API moves on the boards open in browsers, and a referral from a public
form rings the receiving partner's bell, both without reloading."""

import uuid

from playwright.sync_api import Browser, Page, expect
from sqlmodel import Session, select

from prm_app.models import Deal, Stage
from prm_app.services.identity import api_keys, auth
from prm_app.services.leads import forms as lead_forms
from tests.e2e.test_deal_board import CONSULTANT_ADMIN, PROVIDER_ADMIN, approved_deal, board
from tests.e2e.test_deal_board import column as board_column
from tests.e2e.test_notifications import _bell, _unread
from tests.e2e.test_sign_in import sign_in
from tests.harness import DEMO_PASSWORD


def _api() -> str:
    from reflex.config import get_config

    return f"{get_config().api_url}/api/v1"


def test_a_stage_moved_through_the_rest_api_moves_on_open_boards(
    page: Page, browser: Browser, base_url, db
):
    name = f"Api move {uuid.uuid4().hex[:6]}"
    deal_id = approved_deal(db, name)
    with Session(db) as session:
        provider = auth.authenticate(session, email=PROVIDER_ADMIN, password=DEMO_PASSWORD)
        key = api_keys.create(session, actor=provider, name=f"CRM {name}", role="admin").key
        deal = session.get(Deal, deal_id)
        proposal = session.exec(
            select(Stage.id).where(Stage.org_id == provider.org_id, Stage.name == "Proposal")
        ).one()
        version = deal.version
        session.commit()

    sign_in(page, PROVIDER_ADMIN)
    board(page, "/p/deals")
    page.get_by_label("Search deals").fill(name)
    expect(board_column(page, "Qualification").get_by_role("article", name=name)).to_be_visible()
    partner = browser.new_context(base_url=base_url).new_page()
    sign_in(partner, CONSULTANT_ADMIN)
    board(partner, "/c/deals")
    partner.get_by_label("Search deals").fill(name)
    expect(board_column(partner, "Qualification").get_by_role("article", name=name)).to_be_visible()

    moved = page.request.post(
        f"{_api()}/deals/{deal_id}/stage",
        headers={"Authorization": f"Bearer {key}"},
        data={"stage_id": proposal, "version": version},
    )
    assert moved.status == 200, moved.text()
    for viewer in (page, partner):  # both sides, without reloading
        expect(board_column(viewer, "Proposal").get_by_role("article", name=name)).to_be_visible()
        expect(
            board_column(viewer, "Qualification").get_by_role("article", name=name)
        ).to_have_count(0)
    partner.context.close()


def test_a_public_form_submission_rings_the_partners_bell_live(page: Page, browser: Browser, db):
    tag = uuid.uuid4().hex[:6]
    with Session(db) as session:
        provider = auth.authenticate(session, email=PROVIDER_ADMIN, password=DEMO_PASSWORD)
        partner = auth.authenticate(session, email=CONSULTANT_ADMIN, password=DEMO_PASSWORD)
        form_id = lead_forms.create(
            session,
            actor=provider,
            name=f"Live bell {tag}",
            fields=[],
            routing="partner",
            partner_org_id=partner.org_id,
        )
        token = next(f for f in lead_forms.forms(session, actor=provider) if f.id == form_id).token
        session.commit()

    sign_in(page, CONSULTANT_ADMIN)
    page.goto("/c/referrals")
    unread = _unread(db, CONSULTANT_ADMIN)
    expect(_bell(page, unread)).to_be_visible()

    visitor = browser.new_context().new_page()  # anonymous
    visitor.goto(f"{_api().removesuffix('/api/v1')}/forms/{token}")
    visitor.get_by_label("First name").fill("Kari")
    visitor.get_by_label("Last name").fill("Nordmann")
    visitor.get_by_label("Email").fill(f"kari-{tag}@bell.example")
    visitor.get_by_label("Company").fill(f"Bell Co {tag}")
    visitor.wait_for_timeout(lead_forms.MIN_FILL.total_seconds() * 1000)  # a person's pace
    visitor.get_by_role("button", name="Send").click()
    expect(visitor.get_by_role("heading", name="Thank you!")).to_be_visible()

    assert _unread(db, CONSULTANT_ADMIN) == unread + 1
    expect(_bell(page, unread + 1)).to_be_visible()  # no reload
    visitor.context.close()
