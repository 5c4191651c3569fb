"""One pass over every page (tests/e2e/portal_routes.py) for two tests: each page is opened once
at a phone's width, measured for overflow (test_phone_width), then widened to a desktop's and
checked by axe-core with each of its tabs (test_accessibility). Two passes opened every page
twice and signed in twice.
"""

from dataclasses import dataclass, field

from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Browser, Page, expect
from sqlmodel import Session, col, select

from prm_app.models import Membership, Notification, User
from tests.e2e.portal_routes import (
    AXE_FINDINGS,
    AXE_PAGES,
    AxeFinding,
    Visit,
    open_page,
    signed_in_pages,
    visits,
)

DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}
BLOCKING = {"serious", "critical"}
AXE = Axe()

# True once no finite CSS animation or transition is running (spinners loop forever: skipped).
_SETTLED = """() => document.getAnimations().every((a) => a.playState !== "running"
  || a.effect === null || a.effect.getComputedTiming().endTime === Infinity)"""

# Two frames: what observes its size (charts, the board) has redrawn after a resize.
_TWO_FRAMES = "() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)))"

# The elements that stick out past the right edge (the deepest ones: the culprits, not their
# ancestors), to say in the failure what to fix.
_OFFENDERS = """() => {
  const width = window.innerWidth;
  const out = [...document.querySelectorAll('body *')].filter(e => {
    const r = e.getBoundingClientRect();
    return r.width > 0 && r.right > width + 1;
  });
  return out.filter(e => !out.some(o => o !== e && e.contains(o))).slice(0, 5).map(e => {
    const r = e.getBoundingClientRect();
    const text = (e.innerText || e.getAttribute('aria-label') || '').trim().slice(0, 40);
    return `<${e.tagName.toLowerCase()}> "${text}" right=${Math.round(r.right)}`;
  });
}"""


def unread_notification(db, email: str) -> None:
    """So that the bell shows its unread count (a red badge, whose contrast once failed)."""
    with Session(db) as session:
        user_id, org_id = session.exec(
            select(User.id, Membership.org_id)
            .join(Membership, col(Membership.user_id) == User.id)
            .where(User.email == email)
        ).first()
        session.add(
            Notification(user_id=user_id, org_id=org_id, kind="deal_registered", text="Unread")
        )
        session.commit()


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


def overflow(page: Page) -> int:
    """How many pixels the page is wider than the viewport (0 or less: it fits)."""
    return page.evaluate("document.scrollingElement.scrollWidth - window.innerWidth")


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


@dataclass
class PagePass:
    """What the pass found."""

    seen: list[Visit] = field(default_factory=list)
    too_wide: list[str] = field(default_factory=list)  # pages wider than the phone
    page_errors: list[str] = field(default_factory=list)
    blocking: list[str] = field(default_factory=list)  # serious or critical axe violations


def walk(harness, db, browser: Browser, base_url: str) -> PagePass:
    """Every page: at the phone's width for overflow, then at the desktop's for axe."""
    found = PagePass()
    tabs = signed_in_pages(browser, base_url, PHONE)
    for tab in tabs.values():
        tab.on("pageerror", lambda e: found.page_errors.append(str(e)))
    found.seen = visits(harness, db, browser, base_url)
    for visit in found.seen:
        page = tabs[visit.who]
        page.set_viewport_size(PHONE)
        open_page(page, visit)
        extra = overflow(page)
        if extra > 0:
            found.too_wide.append(
                f"{visit.label}: {extra} px too wide: {page.evaluate(_OFFENDERS)}"
            )
        page.set_viewport_size(DESKTOP)
        page.evaluate(_TWO_FRAMES)
        found.blocking += check(page, visit.label)
        for tab in _tabs_in_turn(page):
            found.blocking += check(page, f"{visit.label} tab {tab}")
    print(f"\n{len(found.seen)} pages at 390 px, {len(found.too_wide)} too wide")
    for tab in tabs.values():
        tab.context.close()
    return found
