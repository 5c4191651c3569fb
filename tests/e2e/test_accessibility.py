"""axe-core over every page of both portals and the public pages (each tab of a page too): no
serious or critical violation. The count of every violation by impact is printed at the end of
the run (tests/e2e/conftest.py), so the moderate and minor ones stay in sight.

The pages come from the app's own page registry (tests/e2e/portal_routes.py), opened in one pass
shared with the phone-width test (tests/e2e/page_pass.py).
"""

import re

from playwright.sync_api import Page, expect

from tests.e2e.page_pass import PHONE, PagePass, check, unread_notification
from tests.e2e.portal_routes import PROVIDER, seed_requests
from tests.e2e.test_sign_in import sign_in


def test_every_page_has_no_serious_accessibility_violation(page_pass: PagePass):
    """Each page and each of its tabs at a desktop's width (tests/e2e/page_pass.py)."""
    assert len(page_pass.seen) > 40
    assert not page_pass.blocking, "serious or critical accessibility violations:\n" + "\n".join(
        page_pass.blocking
    )


def test_the_phone_menus_have_no_serious_accessibility_violation(page: Page, db):
    unread_notification(db, PROVIDER)
    page.set_viewport_size(PHONE)
    sign_in(page, PROVIDER)
    expect(page.locator("#unread-count")).to_be_visible()
    blocking = check(page, "/p/partners at 390 px, a notification unread")
    page.get_by_role("button", name="Menu", exact=True).click()
    expect(page.get_by_role("dialog", name="Menu")).to_be_visible()
    blocking += check(page, "/p/partners at 390 px, menu drawer open")
    page.keyboard.press("Escape")
    page.get_by_role("button", name=re.compile("^User menu")).click()
    expect(page.get_by_role("menu")).to_be_visible()
    blocking += check(page, "/p/partners at 390 px, user menu open")
    assert not blocking, "serious or critical accessibility violations:\n" + "\n".join(blocking)


def test_each_redemption_decision_names_its_request(page: Page, db):
    """Approve and Decline say which request they decide (one "Decline" per row told nothing)."""
    waiting = seed_requests(db)
    sign_in(page, PROVIDER)
    page.goto("/p/commissions")
    requests = page.locator("#requests")
    for request_id in waiting:
        for word in ("Approve", "Decline"):
            name = f"{word} request {request_id}"
            expect(requests.get_by_role("button", name=name, exact=True)).to_have_count(1)


_CLIPPED_LABELS = """(svg) => {
  const box = svg.getBoundingClientRect();
  return [...svg.querySelectorAll('text')].filter(t => {
    const r = t.getBoundingClientRect();
    return r.width > 0 && (r.left < box.left - 1 || r.right > box.right + 1);
  }).map(t => t.textContent);
}"""


def test_the_funnels_stage_labels_are_not_clipped(page: Page):
    """The funnel's labels sat right of the funnel, past the chart's edge ("Submitte")."""
    page.set_viewport_size(PHONE)
    sign_in(page, PROVIDER)
    page.goto("/p/dashboard")
    funnel = page.get_by_role("region", name="Lead conversion funnel")
    expect(funnel.get_by_text("Submitted", exact=True).last).to_be_visible()  # the figures
    chart = funnel.locator("svg").first
    expect(chart.locator("text").first).to_be_visible()
    assert chart.evaluate(_CLIPPED_LABELS) == []
