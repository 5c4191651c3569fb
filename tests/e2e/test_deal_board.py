"""The live Kanban board and the deal page: a mouse drag that persists, the keyboard's "Move to
stage", another browser seeing the move without reloading, the lost reason, Submit Deal,
approval, and Closed Won complete for both parties."""

import uuid

from playwright.sync_api import Browser, Page, expect
from sqlmodel import Session, select

from prm_app.models import Deal
from prm_app.services.deals import lifecycle as deal_changes
from prm_app.services.identity import auth
from tests.e2e.dialogs import confirm
from tests.e2e.test_sign_in import sign_in
from tests.harness import DEMO_PASSWORD

PROVIDER_ADMIN = "admin@northwind.example"
CONSULTANT_ADMIN = "admin@fabrikam.example"


def approved_deal(db, name: str) -> int:
    """Fabrikam registers a deal with Northwind, which approves it (through the services)."""
    with Session(db) as session:
        consultant = auth.authenticate(session, email=CONSULTANT_ADMIN, password=DEMO_PASSWORD)
        provider = auth.authenticate(session, email=PROVIDER_ADMIN, password=DEMO_PASSWORD)
        found = deal_changes.register(
            session,
            actor=consultant,
            other_org_id=provider.org_id,
            form={
                "name": name,
                "company": f"{name} Corp",
                "contact_email": f"buyer@{name.lower().replace(' ', '')}.example",
                "amount": "5000",
                "close_date": "2030-01-15",
                "product_ids": [],
            },
        )
        deal_changes.approve(session, actor=provider, deal_id=found.deal_id, version=1)
        session.commit()
        return found.deal_id


def board(page: Page, path: str) -> None:
    page.goto(path)
    expect(page.get_by_role("heading", name="Deals", level=1)).to_be_visible()
    page.get_by_role("button", name="Board").click()
    expect(page.get_by_role("group", name="Deal board")).to_be_visible()


def column(page: Page, name: str):
    return page.get_by_role("region", name=name, exact=True)


def card(page: Page, name: str):
    return page.get_by_role("article", name=name, exact=True)


def move_to(page: Page, name: str, stage: str) -> None:
    """The keyboard's way: Enter on the card's "Move to stage", Tab to the stage, Enter."""
    menu = card(page, name).get_by_label(f"Move {name} to stage")
    menu.focus()
    page.keyboard.press("Enter")
    stages = card(page, name).get_by_role("group", name="Stages")
    expect(stages).to_be_visible()
    stage_button = stages.get_by_role("button", name=stage, exact=True)
    for _ in range(10):  # the stages, in order, after the summary
        page.keyboard.press("Tab")
        if stage_button.evaluate("button => button === document.activeElement"):
            break
    expect(stage_button).to_be_focused()
    page.keyboard.press("Enter")


def test_a_dragged_card_persists_and_another_browser_sees_the_move_live(
    page: Page, browser: Browser, base_url, db
):
    name = f"Drag {uuid.uuid4().hex[:6]}"
    deal_id = approved_deal(db, name)

    sign_in(page, PROVIDER_ADMIN)
    board(page, "/p/deals")
    page.get_by_label("Search deals").fill(name)
    expect(column(page, "Qualification").get_by_role("article", name=name)).to_be_visible()

    watcher = browser.new_context(base_url=base_url).new_page()
    sign_in(watcher, CONSULTANT_ADMIN)
    board(watcher, "/c/deals")
    watcher.get_by_label("Search deals").fill(name)
    expect(column(watcher, "Qualification").get_by_role("article", name=name)).to_be_visible()

    # A real drag with the mouse: press on the card, move over another column, release.
    card(page, name).get_by_text(f"{name} Corp").hover()
    page.mouse.down()
    target = column(page, "Proposal")
    box = target.bounding_box()
    page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] - 20, steps=8)
    page.mouse.up()
    expect(column(page, "Proposal").get_by_role("article", name=name)).to_be_visible()
    # The other browser, on the other side, sees it move without reloading.
    expect(column(watcher, "Proposal").get_by_role("article", name=name)).to_be_visible()
    expect(column(watcher, "Qualification").get_by_role("article", name=name)).to_have_count(0)

    page.reload()  # the board view and this tab's search are remembered; the move was saved
    expect(page.get_by_label("Search deals")).to_have_value(name)
    expect(column(page, "Proposal").get_by_role("article", name=name)).to_be_visible()
    # The search has landed (only this deal is left), so no re-render closes the menu below.
    expect(column(page, "Qualification").get_by_label("Deals in this stage")).to_have_text("0")
    with Session(db) as session:
        assert session.get(Deal, deal_id).version == 3

    # The other browser turns to the list, which is kept live too.
    watcher.get_by_role("button", name="List").click()
    row = watcher.get_by_role("row").filter(has_text=name)
    expect(row).to_contain_text("Proposal")

    # The keyboard's way: "Move to stage" on the card.
    move_to(page, name, "Negotiation")
    expect(column(page, "Negotiation").get_by_role("article", name=name)).to_be_visible()
    expect(row).to_contain_text("Negotiation")
    watcher.get_by_role("button", name="Board").click()  # and back to the board
    expect(column(watcher, "Negotiation").get_by_role("article", name=name)).to_be_visible()

    # Closed Lost asks for a reason from the provider's list.
    move_to(page, name, "Closed Lost")
    dialog = page.get_by_role("dialog")
    expect(dialog).to_contain_text("Why was it lost?")
    dialog.get_by_role("button", name="Close as lost").click()  # no reason: the form refuses
    expect(dialog).to_be_visible()
    dialog.get_by_label("Lost reason", exact=True).select_option("Chose a competitor")
    dialog.get_by_role("button", name="Close as lost").click()
    expect(dialog).to_have_count(0)
    expect(column(page, "Closed Lost").get_by_role("article", name=name)).to_be_visible()
    expect(column(watcher, "Closed Lost").get_by_role("article", name=name)).to_be_visible()
    with Session(db) as session:
        deal = session.get(Deal, deal_id)
        assert (deal.outcome, deal.lost_reason) == ("lost", "Chose a competitor")
    watcher.context.close()


def test_submit_deal_approve_and_closed_won_is_complete_for_both_parties(
    page: Page, browser: Browser, base_url, db
):
    name = f"Won {uuid.uuid4().hex[:6]}"
    sign_in(page, CONSULTANT_ADMIN)
    page.goto("/c/deals")
    page.get_by_role("button", name="Submit deal").click()
    form = page.get_by_role("form", name="Submit a deal")
    form.get_by_label("Provider").select_option(label="Northwind Software")
    form.get_by_label("Deal name").fill(name)
    form.get_by_label("Customer company").fill(f"{name} Corp")
    form.get_by_label("Contact email").fill("cto@wonco")  # the browser accepts it
    form.get_by_label("Amount").fill("7,500.25")
    form.get_by_role("button", name="Submit deal").click()
    expect(form).to_contain_text("is not a valid email address")  # inline, nothing lost
    form.get_by_label("Contact email").fill("cto@wonco.example")
    form.get_by_role("button", name="Submit deal").click()
    expect(page.get_by_text("Deal registered.")).to_be_visible()
    row = page.get_by_role("row").filter(has_text=name)
    expect(row).to_contain_text("pending")
    with Session(db) as session:
        deal_id = session.exec(select(Deal.id).where(Deal.name == name)).one()

    provider = browser.new_context(base_url=base_url).new_page()
    sign_in(provider, PROVIDER_ADMIN)
    provider.goto(f"/p/deals/{deal_id}")
    expect(provider.get_by_role("heading", name=name)).to_be_visible()
    provider.get_by_role("button", name="Approve").click()
    expect(provider.get_by_label("Approval")).to_have_text("approved")
    expect(row).to_contain_text("approved")  # the consultant's list, live
    move = provider.get_by_role("form", name="Move the deal")
    move.get_by_label("Stage").select_option(label="Closed Won")
    move.get_by_role("button", name="Move").click()
    confirm(provider, "Close as won")  # final: the deal page asks first
    expect(provider.get_by_text("Closed Won · complete")).to_be_visible()
    expect(provider.get_by_role("form", name="Move the deal")).to_have_count(0)  # read-only
    expect(provider.get_by_role("list", name="Timeline")).to_contain_text("Closed it as won")

    page.goto(f"/c/deals/{deal_id}")
    expect(page.get_by_text("Closed Won · complete")).to_be_visible()
    expect(page.get_by_text("it is complete and can no longer change")).to_be_visible()
    expect(page.get_by_role("button", name="Edit details")).to_have_count(0)
    expect(page.get_by_role("list", name="Timeline")).to_contain_text("Northwind Software")
    provider.context.close()
