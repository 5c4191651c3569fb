"""What a developer integrating with the portal meets: the API at the address Settings shows,
documentation that works without internet, and the example script in examples/ doing its job."""

import os
import subprocess
import sys
from decimal import Decimal
from pathlib import Path
from urllib.parse import urlsplit

import httpx
from playwright.sync_api import Page, expect
from sqlmodel import Session, select

from prm_app.models import Deal, LeadRecipient, OrgKind
from prm_app.services import leads
from prm_app.services.identity import api_keys
from tests.e2e.test_sign_in import sign_in
from tests.unit.factories import org_admin, partners

EXAMPLE = Path(__file__).parents[2] / "examples" / "received_leads.py"


def test_the_api_answers_at_the_address_settings_shows(page: Page):
    sign_in(page, "admin@northwind.example")
    page.goto("/p/settings")
    page.get_by_role("tab", name="Integrations").click()
    address = page.get_by_label("API address").inner_text()
    assert urlsplit(address).scheme in ("http", "https")
    document = httpx.get(f"{address}/openapi.json")
    assert document.status_code == 200
    assert document.json()["info"]["title"] == "PRM portal API"


def test_the_api_docs_work_with_the_internet_cut_off(page: Page, harness):
    from reflex.config import get_config

    backend = get_config().api_url
    own = {urlsplit(backend).netloc}
    outside: list[str] = []

    def only_the_app(route):
        if urlsplit(route.request.url).netloc in own:
            route.continue_()
            return
        # ReDoc's sidebar shows its maker's logo from a CDN: a missing picture, nothing more.
        if route.request.resource_type != "image":
            outside.append(route.request.url)
        route.abort()

    page.route("**/*", only_the_app)
    page.goto(f"{backend}/api/v1/docs")
    expect(page.get_by_role("heading", name="PRM portal API")).to_be_visible()
    expect(page.get_by_text("/received-leads").first).to_be_visible()
    page.goto(f"{backend}/api/v1/redoc")
    expect(page.get_by_role("heading", name="PRM portal API").first).to_be_visible()
    assert outside == [], f"the docs reached outside the app: {outside}"


def test_the_example_script_accepts_and_converts_a_received_lead(db, harness):
    from reflex.config import get_config

    with Session(db) as session:
        provider = org_admin(session, kind=OrgKind.PROVIDER, org_name="Example Software")
        consultant = org_admin(session, kind=OrgKind.CONSULTANT, org_name="Example Partners")
        session.commit()  # the invitation's rate limit counts on its own connection
        partners(session, provider, consultant)
        data = leads.lead_input(
            {
                "first_name": "Ida",
                "last_name": "Tarbell",
                "email": "ida@press.example",
                "company": "Standard Press",
            }
        )
        _, [recipient_id] = leads.create_and_submit(
            session,
            actor=consultant,
            data=data,
            owner_id=consultant.user_id,
            recipient_org_ids=[provider.org_id],
        )
        key = api_keys.create(session, actor=provider, name="example", role="admin").key
        session.commit()
    env = {
        **os.environ,
        "PRM_API": f"{get_config().api_url}/api/v1",
        "PRM_KEY": key,
    }
    run = subprocess.run(
        [sys.executable, str(EXAMPLE), "4200"], env=env, capture_output=True, text=True, timeout=60
    )
    assert run.returncode == 0, run.stderr
    assert "1 pending lead(s) received" in run.stdout
    assert "accepting Standard Press from Example Partners" in run.stdout
    with Session(db) as session:
        recipient = session.get(LeadRecipient, recipient_id)
        assert recipient.status == "converted"
        deal = session.exec(select(Deal).where(Deal.source_recipient_id == recipient_id)).one()
        assert deal.amount == Decimal("4200.00")
    again = subprocess.run(
        [sys.executable, str(EXAMPLE)], env=env, capture_output=True, text=True, timeout=60
    )
    assert again.returncode == 0 and "0 pending lead(s) received" in again.stdout


def test_a_refused_webhook_says_why_and_keeps_what_was_typed(page: Page):
    sign_in(page, "admin@northwind.example")
    page.goto("/p/settings")
    page.get_by_role("tab", name="Integrations").click()
    url = "https://hooks.no-such-host.invalid/prm"
    page.get_by_label("Webhook URL").fill(url)
    page.get_by_label("A lead or referral was accepted").check()
    page.get_by_role("button", name="Add webhook").click()
    expect(page.get_by_text("The host hooks.no-such-host.invalid does not resolve")).to_be_visible()
    expect(page.get_by_label("Webhook URL")).to_have_value(url)
    expect(page.get_by_label("A lead or referral was accepted")).to_be_checked()
