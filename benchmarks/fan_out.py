"""Fan-out of one change to the open pages that show it: 20 open referral lists and one new
referral, driving the real app in headless Chromium.

Usage: python -m benchmarks.fan_out [POSTGRESQL_URL] [REDIS_URL]
Defaults: postgresql+psycopg://postgres@127.0.0.1:5432/test and redis://127.0.0.1:6379/7 (that
Redis database is flushed). Starts the app as in production (README, "Production") with two
backend workers sharing state through Redis, on a scratch PostgreSQL database with the demo data.

Fabrikam's admin has its referral list open in 20 tabs (PRM_BENCH_WATCHERS), and 6 more tabs
show other pages (PRM_BENCH_OTHERS): half Fabrikam's deals, half Northwind's partner
directory. Northwind sends Fabrikam a referral through the REST API (the same unit of work as
every entry point), 5 times. Prints, against the clock every tab shares:
- when the new referral shows in each of the 20 lists (a MutationObserver in the page), p50/p95;
- when the pushed list reached those tabs (the websocket message holding the new company);
- the REST call itself (the commit, its publishing and the notifications included);
- the websocket messages each tab got per change: the watchers' (the pushed list, the bell's
  pulse and count), and those of the tabs of other pages, whose leads pulses
  must be 0: Northwind's tabs get nothing at all, Fabrikam's only their bell, since the referral
  notifies its admin.
"""

import os
import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path

import httpx
from sqlalchemy import create_engine
from sqlmodel import Session, select

from benchmarks.deal_board import ARGS, CHROMIUM, RECORD_FRAMES
from benchmarks.table import Figure, print_table, servers
from prm_app import demo
from prm_app.models import Organization
from prm_app.services.identity import api_keys, auth
from tests.support import migrate, production_server, scratch_postgres

WATCHERS = int(os.environ.get("PRM_BENCH_WATCHERS", "20"))  # open referral lists
OTHERS = int(os.environ.get("PRM_BENCH_OTHERS", "6"))  # tabs showing other pages
CHANGES = 5
PORT = 8312
BASE = f"http://localhost:{PORT}"
PARTNER_ADMIN = "admin@fabrikam.example"
PROVIDER_ADMIN = "admin@northwind.example"
SETTLE_MS = 1500  # after the last list showed it: late messages of the same change


def seed(url: str) -> tuple[str, int]:
    """The demo data; returns (a Northwind API key, Fabrikam's organization id)."""
    migrate(url)
    engine = create_engine(url)
    with Session(engine) as session:
        demo.load(session)
        session.commit()
        provider = auth.authenticate(session, email=PROVIDER_ADMIN, password=demo.PASSWORD)
        key = api_keys.create(session, actor=provider, name="Fan-out", role="admin").key
        partner = session.exec(
            select(Organization.id).where(Organization.name == "Fabrikam Consulting")
        ).one()
        session.commit()
    engine.dispose()
    return key, partner


def sign_in(context, email: str):
    page = context.new_page()
    page.goto(f"{BASE}/login")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(demo.PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"{BASE}/*/**")
    page.get_by_text("admin", exact=True).first.wait_for()  # hydrated
    return page


def open_page(browser, email: str, path: str, heading: str):
    context = browser.new_context()
    context.add_init_script(script=f"({RECORD_FRAMES})()")
    page = sign_in(context, email)
    page.goto(f"{BASE}{path}")
    page.get_by_role("heading", name=heading, level=1).wait_for()
    page.wait_for_timeout(300)
    return page


# Resolves with the moment the company shows in the page's main content.
WATCH = """(company) => {
  if (window.__observer) window.__observer.disconnect();
  window.__seen = new Promise((resolve, reject) => {
    const main = document.querySelector("main");
    const look = () => {
      if (main.textContent.includes(company)) {
        window.__observer.disconnect();
        resolve(Date.now());
      }
    };
    window.__observer = new MutationObserver(look);
    window.__observer.observe(main, {subtree: true, childList: true, characterData: true});
    setTimeout(() => reject(new Error(`${company} not seen within 15 s`)), 15000);
  });
}"""

# The messages received since `since`: [count, leads pulses, arrival of the first with `text`].
SINCE = """([since, text]) => {
  const frames = window.__frames.filter(([at]) => at >= since);
  const carrying = frames.find(([, data]) => data.includes(text));
  return [
    frames.length,
    frames.filter(([, data]) => data.includes("leads_pulse")).length,
    carrying ? carrying[0] : null,
  ];
}"""


def send_referral(key: str, partner_id: int, company: str) -> None:
    body = {
        "first_name": "Fan",
        "last_name": "Out",
        "email": f"fan@{company.split()[-1].lower()}.example",
        "company": company,
        "recipient_org_ids": [partner_id],
    }
    answer = httpx.post(
        f"{BASE}/api/v1/leads",
        json=body,
        headers={"Authorization": f"Bearer {key}"},
        timeout=30,
    )
    if answer.status_code != 201:
        raise RuntimeError(f"the referral was refused: {answer.status_code} {answer.text}")


def measure(browser, key: str, partner_id: int) -> dict[str, float]:
    watchers = [
        open_page(browser, PARTNER_ADMIN, "/c/referrals", "Referrals") for _ in range(WATCHERS)
    ]
    others = {  # the partner's other pages hear its bell (the referral notifies its admin)
        "partner": [
            open_page(browser, PARTNER_ADMIN, "/c/deals", "Deals") for _ in range(OTHERS // 2)
        ],
        "provider": [
            open_page(browser, PROVIDER_ADMIN, "/p/partners", "Partners")
            for _ in range(OTHERS - OTHERS // 2)
        ],
    }
    shown, arrived, posts, watcher_frames, other_pulses = [], [], [], [], 0
    other_frames: dict[str, list[int]] = {group: [] for group in others}
    for _ in range(CHANGES):
        company = f"Fan Out {uuid.uuid4().hex[:8]}"
        for page in watchers:
            page.evaluate(WATCH, company)
        sent = time.time() * 1000
        send_referral(key, partner_id, company)
        posts.append(time.time() * 1000 - sent)
        shown.extend(page.evaluate("window.__seen") - sent for page in watchers)
        watchers[0].wait_for_timeout(SETTLE_MS)
        for page in watchers:
            count, _, carrying = page.evaluate(SINCE, [sent, company])
            if carrying is None:
                raise RuntimeError("a list showed the referral without a message carrying it")
            arrived.append(carrying - sent)
            watcher_frames.append(count)
        for group, pages in others.items():
            for page in pages:
                count, pulses, _ = page.evaluate(SINCE, [sent, company])
                other_frames[group].append(count)
                other_pulses += pulses
    figures = {
        "post_p50_ms": statistics.median(posts),
        "shown_p50_ms": statistics.median(shown),
        "shown_p95_ms": _p95(shown),
        "arrived_p50_ms": statistics.median(arrived),
        "arrived_p95_ms": _p95(arrived),
        "watcher_frames": statistics.median(watcher_frames),
        "other_pulses": float(other_pulses),
    }
    for group, counts in other_frames.items():
        if counts:
            figures[f"{group}_frames"] = statistics.median(counts)
    return figures


def _p95(values: list[float]) -> float:
    return statistics.quantiles(values, n=20)[-1]


def figures(postgres_url: str, redis_url: str) -> list[Figure]:
    from playwright.sync_api import sync_playwright

    with scratch_postgres(postgres_url) as url:
        key, partner_id = seed(url)
        logs = Path(tempfile.mkdtemp())
        with (
            production_server(url, redis_url, port=PORT, workers=2, logs=logs),
            sync_playwright() as playwright,
        ):
            launch = {"headless": True, "args": ARGS}
            if Path(CHROMIUM).exists():
                launch["executable_path"] = CHROMIUM
            browser = playwright.chromium.launch(**launch)
            measured = measure(browser, key, partner_id)
            browser.close()
    lists = f"{WATCHERS} open referral lists"
    rows = [
        (
            "the REST call sending it (commit and publishing included) p50",
            "post_p50_ms",
            "ms",
            None,
        ),
        (f"new referral shown in {lists} p50", "shown_p50_ms", "ms", None),
        (f"new referral shown in {lists} p95", "shown_p95_ms", "ms", None),
        (f"pushed list received by {lists} p50", "arrived_p50_ms", "ms", None),
        (f"pushed list received by {lists} p95", "arrived_p95_ms", "ms", None),
        ("messages per watching tab per change (median)", "watcher_frames", "", None),
        (f"leads pulses received by {OTHERS} tabs of other pages", "other_pulses", "", 0.0),
    ]
    if "partner_frames" in measured:
        label = "messages per change, partner's tabs of other pages (bell)"
        rows.append((label, "partner_frames", "", None))
    if "provider_frames" in measured:
        label = "messages per change, provider's tabs of other pages"
        rows.append((label, "provider_frames", "", 0.0))
    return [
        Figure(f"Fan-out: {label}", "postgresql", measured[key], unit, bar)
        for label, key, unit, bar in rows
    ]


if __name__ == "__main__":
    print_table(figures(*servers(sys.argv)))
