"""Browser settings and the no-errors rule for the end-to-end tests."""

import re
import sys
from pathlib import Path

import pytest
from playwright.sync_api import expect

CHROMIUM = Path("/usr/bin/chromium")
# The app server, the browser and pytest share two cores: wait up to 15 s, not Playwright's 5.
expect.set_options(timeout=15_000)


@pytest.fixture(scope="session")
def base_url(harness) -> str:
    """pytest-playwright resolves relative `page.goto` paths against this."""
    return harness.frontend_url.rstrip("/")


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    args = [
        "--no-sandbox",
        "--disable-gpu",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--no-first-run",
    ]
    launch = {**browser_type_launch_args, "headless": True, "args": args}
    if CHROMIUM.exists():
        launch["executable_path"] = str(CHROMIUM)
    return launch


@pytest.fixture(scope="session")
def page_pass(harness, db, browser, base_url):
    """One pass over every page for the phone-width and the axe tests (tests/e2e/page_pass.py)."""
    from tests.e2e.page_pass import walk

    return walk(harness, db, browser, base_url)


@pytest.fixture(autouse=True)
def _fail_on_errors(request, reflex_errors):
    """Any page error in the browser or error logged by Reflex fails the test."""
    page_errors: list[str] = []
    before = len(reflex_errors)
    if "page" in request.fixturenames:
        request.getfixturevalue("page").on("pageerror", lambda e: page_errors.append(str(e)))
    yield
    assert not page_errors, f"errors in the page: {page_errors}"
    new = [r.getMessage() for r in reflex_errors[before:]]
    assert not new, f"errors logged by Reflex: {new}"


IMPACTS = ("critical", "serious", "moderate", "minor")


def pytest_terminal_summary(terminalreporter):
    """The axe-core count of accessibility violations by impact, when the axe run took place."""
    module = sys.modules.get("tests.e2e.portal_routes")
    if module is None or not module.AXE_PAGES:
        return
    from axe_playwright_python.base import AXE_SCRIPT

    version = re.search(r'axe.version="([^"]+)"', AXE_SCRIPT)
    findings = module.AXE_FINDINGS
    counts = {impact: sum(1 for f in findings if f.impact == impact) for impact in IMPACTS}
    terminalreporter.section("accessibility (axe-core)")
    terminalreporter.write_line(
        f"axe-core {version.group(1) if version else '?'} over {len(module.AXE_PAGES)} page views"
        f" ({len(set(module.AXE_PAGES))} distinct): {len(findings)} violations (a rule broken on"
        " a page view): " + ", ".join(f"{counts[i]} {i}" for i in IMPACTS)
    )
    by_rule: dict[tuple[str, str], list] = {}
    for f in findings:
        by_rule.setdefault((f.impact, f.rule), []).append(f)
    for (impact, rule), hits in sorted(by_rule.items(), key=lambda kv: IMPACTS.index(kv[0][0])):
        terminalreporter.write_line(
            f"  {impact:9} {rule}: on {len(hits)} page views, {sum(h.elements for h in hits)}"
            f" elements (e.g. {hits[0].where})"
        )
