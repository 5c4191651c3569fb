"""axe-core over every page of both portals and the public pages (each tab of a page too): no
serious or critical violation. The count of every violation by impact is printed at the end of
the run (tests/e2e/conftest.py), so the moderate and minor ones stay in sight.

The pages come from the app's own page registry (tests/e2e/portal_routes.py).
"""

import re

from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Browser, Page, expect

from tests.e2e.portal_routes import (
    AXE_FINDINGS,
    AXE_PAGES,
    PROVIDER,
    AxeFinding,
    open_page,
    seed_requests,
    signed_in_pages,
    visits,
)
from tests.e2e.test_sign_in import sign_in

DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}
BLOCKING = {"serious", "critical"}
AXE = Axe()
# True once no finite CSS animation or transition is running (spinners loop forever: skipped).
_SETTLED = """() => document.getAnimations().every((a) => a.playState !== "running"
  || a.effect === null || a.effect.getComputedTiming().endTime === Infinity)"""


def check(page: Page, where: str) -> list[str]:
    """Run axe on the page once its animations are over (a drawer or menu fading in is
    half-transparent, and axe measures the contrast of what it sees); record every violation,
    return the blocking ones."""
    page.wait_for_function(_SETTLED)
    response = AXE.run(page).response
    AXE_PAGES.append(where)
    blocking: list[str] = []
    for violation in response["violations"]:
        targets = [", ".join(map(str, node["target"])) for node in violation["nodes"]]
        AXE_FINDINGS.append(
            AxeFinding(where, violation["id"], violation["impact"] or "minor", len(targets))
        )
        if violation["impact"] in BLOCKING:
            blocking.append(
                f"{where}: {violation['id']} ({violation['impact']}): {violation['help']} "
                f"at {targets[:4]}"
            )
    return blocking


def _tabs_in_turn(page: Page):
    """Yield the name of each further tab of a tabbed page after selecting it."""
    tabs = page.get_by_role("tab")
    names = [tabs.nth(i).inner_text().strip() for i in range(tabs.count())]
    for name in names[1:]:
        tab = page.get_by_role("tab", name=name, exact=True)
        tab.click()
        expect(tab).to_have_attribute("aria-selected", "true")
        page.wait_for_load_state("networkidle")
        yield name


def test_every_page_has_no_serious_accessibility_violation(harness, db, browser: Browser, base_url):
    tabs = signed_in_pages(browser, base_url, DESKTOP)
    blocking: list[str] = []
    seen = visits(harness, db, browser, base_url)
    for visit in seen:
        page = tabs[visit.who]
        open_page(page, visit)
        blocking += check(page, visit.label)
        for tab in _tabs_in_turn(page):
            blocking += check(page, f"{visit.label} tab {tab}")
    for tab in tabs.values():
        tab.context.close()
    assert len(seen) > 40
    assert not blocking, "serious or critical accessibility violations:\n" + "\n".join(blocking)


def test_the_phone_menus_have_no_serious_accessibility_violation(page: Page):
    page.set_viewport_size(PHONE)
    sign_in(page, PROVIDER)
    blocking = check(page, "/p/partners at 390 px")
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
