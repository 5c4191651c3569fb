"""Browser settings and the no-errors rule for the end-to-end tests."""

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
