"""The live Kanban board with 10,000 open deals, driving the real app in headless Chromium.

Usage: python -m benchmarks.deal_board [POSTGRESQL_URL] [REDIS_URL]
Defaults: postgresql+psycopg://postgres@127.0.0.1:5432/test and redis://127.0.0.1:6379/7 (that
Redis database is flushed). Starts the app as in production (README, "Production": the exported
frontend and `python -m prm_app.serve`) with two backend workers sharing state through Redis, on
a scratch PostgreSQL database migrated and loaded with the demo data plus 10,000 open deals of
Northwind's partners.

Prints, against the bars of DESIGN.md:
- first board render: from navigation to the first cards shown, in a fresh tab;
- bytes sent to the browser for the board (websocket frames received while it loads);
- stage move round trip: from choosing the stage in the card's "Move to stage" to the card
  showing in the new column, timed in the page (a MutationObserver), not through Playwright's polling;
- the same for a drag and drop with the mouse (dnd-kit): from releasing the card over the other
  column to the card showing there;
- live: the same move seen on 20 other open boards (other tabs, spread over both workers), from
  the same moment, on the same clock; and, apart, when the new board reached those tabs (the
  websocket message holding the card in its new column, as the page receives it): the part of
  the time that is the server's, the rest being the 21 browsers rendering on the same 2 cores;
- what one more watching board does per move, whatever the machine's load (board_work): the
  React components it renders, and its main thread's CPU time.

PRM_BENCH_DEALS, PRM_BENCH_WATCHERS and PRM_BENCH_RAW_WATCHERS change the world: issue 28's live
board is PRM_BENCH_DEALS=100000 PRM_BENCH_WATCHERS=5 PRM_BENCH_RAW_WATCHERS=95, 100 watching tabs
of which 95 are raw websocket clients speaking the app's protocol (raw_boards); their figure is
when the re-read board reached them (they render nothing).
"""

import os
import random
import statistics
import sys
import tempfile
import time
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

from sqlalchemy import create_engine, insert
from sqlmodel import Session, col, select

from benchmarks import board_work, raw_boards
from benchmarks.table import Figure, print_table, servers
from prm_app import demo
from prm_app.models import Deal, Organization, Partnership, Pipeline, Stage, User
from tests.e2e import renders
from tests.support import migrate, production_server, scratch_postgres

MOVES, DRAGS, LOADS, WORK_MOVES = 20, 10, 5, 6
DEALS = int(os.environ.get("PRM_BENCH_DEALS", "10000"))  # open deals on the board
WATCHERS = int(os.environ.get("PRM_BENCH_WATCHERS", "20"))  # other open boards, in Chromium
RAW_WATCHERS = int(os.environ.get("PRM_BENCH_RAW_WATCHERS", "0"))  # and on raw websockets
PORT = 8311  # the backend also serves the exported build
BASE = f"http://localhost:{PORT}"  # the host the app redirects to after sign-in
PROVIDER_ADMIN = "admin@northwind.example"
TRACKED = "Benchmark tracked deal"  # closes first, so it leads every column it is in
TRACKED_COMPANY = "Company 00000"
BARS = {"render_s": 1.5, "move_p95_ms": 150.0, "bytes_kb": 300.0, "live_p95_ms": 300.0}
CHROMIUM = os.environ.get("PRM_BENCH_CHROMIUM", "/usr/bin/chromium")
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def seed(url: str) -> None:
    migrate(url)
    engine = create_engine(url)
    with Session(engine) as session:
        demo.load(session)
        session.commit()
        provider = session.exec(
            select(Organization).where(Organization.name == "Northwind Software")
        ).one()
        partners = session.exec(
            select(Partnership.consultant_org_id).where(
                Partnership.provider_org_id == provider.id,
                col(Partnership.consultant_org_id).is_not(None),
            )
        ).all()
        stages = session.exec(
            select(Stage.id).where(
                Stage.org_id == provider.id,
                Stage.pipeline == Pipeline.DEAL,
                col(Stage.is_won).is_(False),
                col(Stage.is_lost).is_(False),
            )
        ).all()
        admin = session.exec(select(User.id).where(User.email == PROVIDER_ADMIN)).one()
        rng = random.Random(6)
        rows = [
            {
                "provider_org_id": provider.id,
                "partner_org_id": rng.choice(partners),
                "registered_by_id": admin,
                "name": f"Deal {i:05d}",
                "company": f"Company {i:05d}",
                "company_norm": f"company {i:05d}",
                "amount": Decimal(rng.randrange(1_000, 200_000)),
                "close_date": date(2031, 1, 1) + timedelta(days=rng.randrange(0, 700)),
                "stage_id": rng.choice(stages),
                "approval": "approved",
                "provider_owner_id": admin,
            }
            for i in range(DEALS)
        ]
        rows[0].update(name=TRACKED, close_date=date(2000, 1, 1), stage_id=stages[0])
        session.execute(insert(Deal), rows)
        session.commit()
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        connection.exec_driver_sql("VACUUM ANALYZE")
    engine.dispose()


# Every websocket message a page receives is kept with its arrival time (installed before the
# app's scripts run), so the benchmark can tell when the moved card's new board arrived.
RECORD_FRAMES = """() => {
  window.__frames = [];
  const Native = window.WebSocket;
  window.WebSocket = function (...args) {
    const socket = new Native(...args);
    socket.addEventListener("message", (event) => {
      if (typeof event.data === "string") window.__frames.push([Date.now(), event.data]);
    });
    return socket;
  };
  window.WebSocket.prototype = Native.prototype;
  Object.assign(window.WebSocket, Native);
}"""

# The arrival of the first message after `since` whose board shows the card in the wanted column.
ARRIVED = """([since, article, wanted]) => {
  for (const [at, data] of window.__frames) {
    if (at < since || !data.includes(article)) continue;
    const payload = JSON.parse(data.slice(data.indexOf("[")))[1];
    for (const state of Object.values((payload && payload.delta) || {})) {
      const columns = state["columns_rx_state_"] || [];
      const column = columns.find((c) => c.name === wanted);
      if (column && column.cards.some((card) => card.name === article)) return at;
    }
  }
  return null;
}"""


def sign_in(context):
    page = context.new_page()
    page.goto(f"{BASE}/login")
    page.get_by_label("Email").fill(PROVIDER_ADMIN)
    page.get_by_label("Password").fill(demo.PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"{BASE}/p/**")
    page.get_by_text("admin", exact=True).first.wait_for()  # hydrated: links work
    return page


def column(page, name):
    return page.get_by_role("region", name=name, exact=True)


def open_board(page) -> tuple[float, int]:
    """Seconds from navigation to the first cards, and websocket bytes received meanwhile."""
    received = []
    page.on(
        "websocket", lambda ws: ws.on("framereceived", lambda frame: received.append(len(frame)))
    )
    start = time.perf_counter()
    page.goto(f"{BASE}/p/deals")
    column(page, "Qualification").get_by_role("article", name=TRACKED).wait_for()
    elapsed = time.perf_counter() - start
    page.wait_for_timeout(300)  # let late frames of the same load arrive
    return elapsed, sum(received)


# Resolves with the moment the card shows in the wanted column. Waiting on this promise costs the
# page nothing, where Playwright's wait_for_function would poll every animation frame of 21 tabs
# and take the CPU the boards need.
WATCH = """([article, wanted]) => {
  if (window.__observer) window.__observer.disconnect();
  window.__seen = new Promise((resolve, reject) => {
    const look = () => {
      const card = document.querySelector(`article[aria-label="${article}"]`);
      const region = card && card.closest("section");
      if (region && region.getAttribute("aria-label") === wanted) {
        window.__observer.disconnect();
        resolve(Date.now());
      }
    };
    window.__observer = new MutationObserver(look);
    window.__observer.observe(document.body, {subtree: true, childList: true, attributes: true});
    setTimeout(() => reject(new Error(`${article} not seen in ${wanted} within 15 s`)), 15000);
  });
}"""


# The moment the user picks the new stage, in the mover's page (same clock as every tab's).
SENT = """() => {
  window.__sent = null;
  document.addEventListener("click", (event) => {
    if (window.__sent === null && event.target.closest("details button")) {
      window.__sent = Date.now();
    }
  }, {capture: true, once: true});
}"""


# The moment the mouse lets go of the held card (same clock as the page's).
DROPPED = """() => {
  window.__sent = null;
  document.addEventListener("mouseup", () => {
    if (window.__sent === null) window.__sent = Date.now();
  }, {capture: true, once: true});
}"""


def drag(page, wanted: str) -> None:
    """Press on the tracked card, move past the 6 px that pick it up, carry it over the wanted
    column in steps, let go."""
    handle = page.get_by_role("article", name=TRACKED).get_by_text(TRACKED_COMPANY, exact=True)
    box = handle.bounding_box()
    x, y = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
    page.mouse.move(x, y)
    page.mouse.down()
    page.mouse.move(x + 12, y + 4, steps=4)
    target = column(page, wanted).bounding_box()
    page.mouse.move(target["x"] + target["width"] / 2, y, steps=8)
    page.evaluate(DROPPED)
    page.mouse.up()


def measure(browser, server: int, url: str = "") -> dict[str, float]:
    figures: dict[str, float] = {}
    mover_context = browser.new_context()
    mover = sign_in(mover_context)
    mover.goto(f"{BASE}/p/deals")
    mover.get_by_role("button", name="Board").click()  # remembered from now on
    column(mover, "Qualification").get_by_role("article", name=TRACKED).wait_for()

    renders, sizes = [], []
    for _ in range(LOADS):
        page = mover_context.new_page()
        elapsed, size = open_board(page)
        renders.append(elapsed)
        sizes.append(size)
        page.close()
    figures["render_s"] = statistics.median(renders)
    figures["render_max_s"] = max(renders)
    figures["bytes_kb"] = max(sizes) / 1024

    watchers = []
    for _ in range(WATCHERS):
        context = browser.new_context()
        context.add_init_script(script=f"({RECORD_FRAMES})()")
        watchers.append(watch_board(context))

    raw = None
    if RAW_WATCHERS:
        cookies = raw_boards.sign_in_cookies(url, PROVIDER_ADMIN, RAW_WATCHERS, demo.PASSWORD)
        raw = raw_boards.RawBoards(BASE, cookies)
        started = time.perf_counter()
        raw.open()
        print(f"{RAW_WATCHERS} raw websocket boards open in {time.perf_counter() - started:.1f} s")

    rounds, live, arrived, raw_live, raw_kb, raw_missed = [], [], [], [], [], 0
    for i in range(MOVES):
        wanted = STAGES[i % 2]
        if raw is not None:
            raw.watch(TRACKED, wanted)
        seen = move(mover, [mover, *watchers], wanted)
        sent = mover.evaluate("window.__sent")
        rounds.append(seen[0] - sent)
        live.extend(moment - sent for moment in seen[1:])
        received = [page.evaluate(ARRIVED, [sent, TRACKED, wanted]) for page in watchers]
        if None in received:
            raise RuntimeError("a board showed the move without a message carrying it")
        arrived.extend(moment - sent for moment in received)
        if raw is not None:
            moments, missed = raw.arrivals()
            raw_live.extend(moment - sent for moment in moments)
            raw_kb.append(raw.received_kb())
            raw_missed += missed
    if raw is not None:
        figures["raw_connected"] = raw.connected()
        raw.close()
        figures["raw_missed"] = raw_missed
        figures["raw_p50_ms"] = statistics.median(raw_live)
        figures["raw_p95_ms"] = _p95(raw_live)
        figures["all_p95_ms"] = _p95(live + raw_live)
        figures["raw_kb"] = statistics.median(raw_kb)
    dragged = []
    for i in range(DRAGS):
        wanted = STAGES[i % 2]
        mover.evaluate(WATCH, [TRACKED, wanted])
        drag(mover, wanted)
        dragged.append(mover.evaluate("window.__seen") - mover.evaluate("window.__sent"))
    figures["drag_p95_ms"] = _p95(dragged)
    figures["drag_p50_ms"] = statistics.median(dragged)
    figures["move_p95_ms"] = _p95(rounds)
    figures["move_p50_ms"] = statistics.median(rounds)
    figures["live_p95_ms"] = _p95(live)
    figures["live_p50_ms"] = statistics.median(live)
    figures["arrived_p50_ms"] = statistics.median(arrived)
    figures["arrived_p95_ms"] = _p95(arrived)
    figures.update(watcher_work(browser, mover, server, 2 + WATCHERS))
    return figures


STAGES = ["Discovery", "Qualification"]


def watch_board(context):
    """A signed-in tab of `context` showing the board."""
    page = sign_in(context)
    page.evaluate("localStorage.setItem('prm-deals-view', 'board')")
    open_board(page)
    return page


def move(mover, pages, wanted: str) -> list[float]:
    """Move the tracked card with its "Move to stage"; when each of `pages` showed it."""
    tracked = mover.get_by_role("article", name=TRACKED)
    for page in pages:
        page.evaluate(WATCH, [TRACKED, wanted])
    tracked.get_by_label(f"Move {TRACKED} to stage").click()
    mover.evaluate(SENT)
    tracked.get_by_role("group", name="Stages").get_by_role("button", name=wanted).click()
    return [page.evaluate("window.__seen") for page in pages]


def watcher_work(browser, mover, server: int, others: int) -> dict[str, float]:
    """Two more boards (board_work): one counts its renders, the other reads its CPU, per move
    (each move left 500 ms to settle); and the server's CPU per move and per watching tab
    (`others` watching tabs: the move, its own re-read and the pushes to all of them, divided)."""
    counter = watch_board(board_work.counting_context(browser, RECORD_FRAMES))
    timer = watch_board(browser.new_context())
    cpu, server_cpu = board_work.cpu_reader(timer), board_work.process_cpu_reader(server)
    counter.evaluate(renders.RESET)
    since, before, server_before = counter.evaluate("Date.now()"), cpu(), server_cpu()
    for i in range(WORK_MOVES):
        move(mover, [counter, timer], STAGES[i % 2])
        timer.wait_for_timeout(500)
    work = board_work.per_move(before, cpu(), WORK_MOVES)
    work["server_cpu_ms"] = (server_cpu() - server_before) / WORK_MOVES
    work["server_cpu_tab_ms"] = work["server_cpu_ms"] / (others + 1)
    work["received_kb"] = counter.evaluate(board_work.RECEIVED, since) / 1024 / WORK_MOVES
    counted = counter.evaluate("window.__renders")
    return work | {f"renders_{key}": value / WORK_MOVES for key, value in counted.items()}


def _p95(values: list[float]) -> float:
    return statistics.quantiles(values, n=20)[-1]


def figures(postgres_url: str, redis_url: str) -> list[Figure]:
    from playwright.sync_api import sync_playwright

    with scratch_postgres(postgres_url) as url:
        started = time.perf_counter()
        seed(url)
        print(f"seeded {DEALS:,} open deals in {time.perf_counter() - started:.1f} s")
        logs = Path(tempfile.mkdtemp())
        with (
            production_server(url, redis_url, port=PORT, workers=2, logs=logs) as server,
            sync_playwright() as playwright,
        ):
            launch = {"headless": True, "args": ARGS}
            if Path(CHROMIUM).exists():
                launch["executable_path"] = CHROMIUM
            browser = playwright.chromium.launch(**launch)
            measured = measure(browser, server.pid, url)
            browser.close()
    rows = [
        ("first board render (median of 5)", "render_s", "s", BARS["render_s"]),
        ("first board render (worst of 5)", "render_max_s", "s", None),
        ("bytes sent for the board", "bytes_kb", "KB", BARS["bytes_kb"]),
        ("stage move round trip p50", "move_p50_ms", "ms", None),
        ("stage move round trip p95", "move_p95_ms", "ms", BARS["move_p95_ms"]),
        ("drag and drop round trip p50", "drag_p50_ms", "ms", None),
        ("drag and drop round trip p95", "drag_p95_ms", "ms", BARS["move_p95_ms"]),
        (f"move seen on {WATCHERS} other boards p50", "live_p50_ms", "ms", None),
        (f"move seen on {WATCHERS} other boards p95", "live_p95_ms", "ms", BARS["live_p95_ms"]),
        (f"new board received by {WATCHERS} other boards p50", "arrived_p50_ms", "ms", None),
        (f"new board received by {WATCHERS} other boards p95", "arrived_p95_ms", "ms", None),
        ("a watching board, per move: websocket messages received", "received_kb", "KB", None),
        (
            "the server's CPU per move (2 workers, the move and its pushes)",
            "server_cpu_ms",
            "ms",
            None,
        ),
        ("the server's CPU per move and per watching tab", "server_cpu_tab_ms", "ms", None),
        ("a watching board, per move: React commits", "renders_commits", "", None),
        ("a watching board, per move: components rendered", "renders_components", "", None),
        ("a watching board, per move: deal cards rendered", "renders_cards", "", None),
        ("a watching board, per move: card memos rendered", "renders_memos", "", None),
        ("a watching board, per move: columns rendered", "renders_columns", "", None),
        ("a watching board, per move: main thread CPU", "cpu_task_ms", "ms", None),
        ("a watching board, per move: scripts' CPU", "cpu_script_ms", "ms", None),
        ("a watching board, per move: style CPU", "cpu_style_ms", "ms", None),
        ("a watching board, per move: layout CPU", "cpu_layout_ms", "ms", None),
    ]
    if RAW_WATCHERS:
        tabs = f"{WATCHERS + RAW_WATCHERS} watching tabs"
        rows += [
            (f"move received by {RAW_WATCHERS} raw websocket boards p50", "raw_p50_ms", "ms", None),
            (f"move received by {RAW_WATCHERS} raw websocket boards p95", "raw_p95_ms", "ms", None),
            (f"move seen or received by all {tabs} p95", "all_p95_ms", "ms", BARS["live_p95_ms"]),
            ("a raw websocket board, per move: messages received", "raw_kb", "KB", None),
            ("raw boards' moves not received within 30 s (all moves)", "raw_missed", "", 0.0),
            ("raw boards still connected at the end", "raw_connected", "", None),
        ]
    return [
        Figure(f"Kanban, {DEALS:,} deals: {label}", "postgresql", measured[key], unit, bar)
        for label, key, unit, bar in rows
    ]


if __name__ == "__main__":
    print_table(figures(*servers(sys.argv)))
