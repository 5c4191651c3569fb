"""Every page at a phone's width (390 x 844): nothing runs off the side of the screen, and the
navigation drawer works by keyboard.

The pages come from the app's own page registry (tests/e2e/portal_routes.py): a new page is held
to the width without being listed here. They are opened in one pass shared with the axe test
(tests/e2e/page_pass.py).
"""

import itertools
import re

import pytest
from playwright.sync_api import Page, expect

from prm_app import routes
from tests.e2e.page_pass import PHONE, PagePass
from tests.e2e.portal_routes import ANONYMOUS, CONSULTANT, PROVIDER, path_of
from tests.e2e.test_sign_in import at, sign_in


def test_every_page_fits_a_phone(page_pass: PagePass):
    """Each page at 390 px (tests/e2e/page_pass.py)."""
    assert not page_pass.page_errors, f"errors in the pages: {page_pass.page_errors}"
    assert not page_pass.too_wide, "pages wider than a 390 px phone:\n" + "\n".join(
        page_pass.too_wide
    )
    assert {v.who for v in page_pass.seen} == {ANONYMOUS, CONSULTANT, PROVIDER}


def _menu_button(page: Page):
    return page.get_by_role("button", name="Menu", exact=True)


@pytest.mark.parametrize(
    ("email", "link", "path"),
    [(PROVIDER, "Deals", "/p/deals"), (CONSULTANT, "My Providers", "/c/providers")],
)
def test_the_menu_drawer_works_by_keyboard(page: Page, email: str, link: str, path: str):
    page.set_viewport_size(PHONE)
    sign_in(page, email)
    # On a phone the side navigation is hidden behind the menu button.
    expect(page.get_by_role("navigation", name="Portal")).to_be_hidden()
    menu = _menu_button(page)
    menu.focus()
    page.keyboard.press("Enter")
    drawer = page.get_by_role("dialog", name="Menu")
    expect(drawer).to_be_visible()
    nav = drawer.get_by_role("navigation", name="Portal")
    expect(nav.get_by_role("link", name="Dashboard")).to_be_visible()

    # Focus stays inside the drawer: tabbing around never reaches the page behind it.
    for _ in range(12):
        page.keyboard.press("Tab")
        assert drawer.evaluate("(d) => d.contains(document.activeElement)")

    # Escape closes it and gives focus back to the menu button.
    page.keyboard.press("Escape")
    expect(drawer).to_be_hidden()
    expect(menu).to_be_focused()

    # Open it again and go to another page with the keyboard: the drawer closes on the way.
    page.keyboard.press("Enter")
    expect(drawer).to_be_visible()
    target = drawer.get_by_role("link", name=link, exact=True)
    target.focus()
    page.keyboard.press("Enter")
    expect(page).to_have_url(at(path))
    expect(page.get_by_role("heading", name=re.compile(link), level=1)).to_be_visible()
    expect(page.get_by_role("dialog")).to_have_count(0)


def test_the_user_menu_holds_the_account_controls_on_a_phone(page: Page):
    page.set_viewport_size(PHONE)
    sign_in(page, PROVIDER)
    expect(page.get_by_role("link", name=re.compile("^Notifications"))).to_be_visible()
    page.get_by_role("button", name=re.compile("^User menu")).click()
    for item in ["Account", "Team", "Sign out", "Sign out everywhere"]:
        expect(page.get_by_role("menuitem", name=item, exact=True)).to_be_visible()
    page.get_by_role("menuitem", name="Team", exact=True).click()
    expect(page).to_have_url(at("/team"))
    expect(page.get_by_role("heading", name="Team", level=1)).to_be_visible()


_TEXT_BOX = """(e) => {
  const range = document.createRange();
  range.selectNodeContents(e);
  const r = range.getBoundingClientRect();
  return {x: r.left, y: r.top, width: r.width, height: r.height};
}"""


def _intersect(a: dict, b: dict) -> bool:
    return (
        a["x"] < b["x"] + b["width"]
        and b["x"] < a["x"] + a["width"]
        and a["y"] < b["y"] + b["height"]
        and b["y"] < a["y"] + a["height"]
    )


@pytest.mark.parametrize(
    ("email", "route"), [(PROVIDER, routes.Provider.DEAL), (CONSULTANT, routes.Consultant.DEAL)]
)
def test_a_long_contact_email_stays_clear_of_the_amount(page: Page, db, email: str, route: str):
    page.set_viewport_size(PHONE)
    sign_in(page, email)
    page.goto(path_of(route, db))  # the deal with the longest contact email
    value = page.get_by_text("Contact email", exact=True).locator("xpath=following-sibling::*[1]")
    expect(value).to_contain_text("@")
    amount = page.get_by_text("Amount", exact=True).locator("xpath=..")
    text = value.evaluate(_TEXT_BOX)
    assert not _intersect(text, amount.bounding_box()), (
        f"the contact email ({text}) runs into the amount ({amount.bounding_box()})"
    )
    assert text["x"] + text["width"] <= PHONE["width"]


def test_the_redeem_forms_captions_stand_apart(page: Page):
    """With no balance the provider list is empty and narrow: its caption ran into the next one
    ("ProviderHow")."""
    page.set_viewport_size(PHONE)
    sign_in(page, "admin@adatum.example")
    page.goto("/c/commissions")
    form = page.get_by_role("form", name="Request a redemption")
    captions = [
        form.get_by_text(text, exact=True).evaluate(_TEXT_BOX)
        for text in ["Provider", "How", "Amount", "Payment method (cash)"]
    ]
    for left, right in itertools.pairwise(captions):
        if abs(left["y"] - right["y"]) < 2:  # on one line: a clear gap between them
            assert right["x"] - (left["x"] + left["width"]) >= 8, (left, right)
