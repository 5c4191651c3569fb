"""The account pages at a phone's width (390 px): nothing runs off the side of the screen."""

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.test_sign_in import sign_in


@pytest.mark.parametrize("path", ["/account", "/security", "/team"])
def test_the_account_pages_fit_a_phone(page: Page, path: str):
    page.set_viewport_size({"width": 390, "height": 844})
    sign_in(page, "admin@northwind.example")
    page.goto(path)
    expect(page.get_by_role("button", name="Sign out everywhere")).to_be_visible()
    page.wait_for_load_state("networkidle")
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0, f"{path} is {overflow} px wider than the screen"
