"""Production mode with two workers on PostgreSQL and Redis: two browsers on different workers
see each other's moves live; one worker is killed (SIGKILL); its browser reconnects to a live
worker with its state, the boards stay live, and no committed change is lost."""

import pickle
import signal
import time
import uuid

import psutil
from playwright.sync_api import Browser, Page, expect
from sqlmodel import Session

from prm_app.models import Deal, Stage
from tests.e2e.test_deal_board import PROVIDER_ADMIN, approved_deal, board, card, column, move_to
from tests.e2e.test_sign_in import sign_in


def worker_of(page: Page, redis) -> str | None:
    """The instance id of the worker holding this tab's websocket (Reflex's record in Redis)."""
    token = page.evaluate("window.sessionStorage.getItem('token')")
    record = redis.get(f"token_manager_socket_record_{token}")
    return pickle.loads(record).instance_id if record else None  # noqa: S301 - our own Redis


def open_board(page: Page, name: str) -> None:
    board(page, "/p/deals")
    page.get_by_label("Search deals").fill(name)
    expect(card(page, name)).to_be_visible()


def deal_row(engine, deal_id: int) -> tuple[str, int]:
    with Session(engine) as session:
        deal = session.get(Deal, deal_id)
        return session.get(Stage, deal.stage_id).name, deal.version


def seen_in(page: Page, name: str, stage: str) -> None:
    expect(column(page, stage).get_by_role("article", name=name)).to_be_visible()


def test_two_workers_stay_live_and_lose_nothing_when_one_is_killed(production, browser: Browser):
    base, engine, redis, server = production
    name = f"Prod {uuid.uuid4().hex[:6]}"
    deal_id = approved_deal(engine, name)
    _, version = deal_row(engine, deal_id)

    mover = browser.new_context(base_url=base).new_page()
    sign_in(mover, PROVIDER_ADMIN)
    open_board(mover, name)
    watching = browser.new_context(base_url=base)
    watcher = watching.new_page()
    sign_in(watcher, PROVIDER_ADMIN)
    open_board(watcher, name)
    for _ in range(12):  # each new tab opens its own websocket: until one lands on the other
        if worker_of(watcher, redis) != worker_of(mover, redis):
            break
        watcher.close()
        watcher = watching.new_page()
        open_board(watcher, name)
    before = {"mover": worker_of(mover, redis), "watcher": worker_of(watcher, redis)}
    assert None not in before.values() and len(set(before.values())) == 2, before

    move_to(mover, name, "Discovery")
    seen_in(watcher, name, "Discovery")  # across workers, without reload
    assert deal_row(engine, deal_id) == ("Discovery", version + 1)

    workers = psutil.Process(server.pid).children()
    assert len(workers) == 2, workers
    workers[0].send_signal(signal.SIGKILL)
    workers[0].wait(timeout=10)

    # Exactly one tab lost its worker; it reconnects (to the survivor or the replacement).
    deadline = time.monotonic() + 45
    while time.monotonic() < deadline:
        now = {"mover": worker_of(mover, redis), "watcher": worker_of(watcher, redis)}
        moved = [tab for tab in now if now[tab] != before[tab]]
        if moved and None not in now.values():
            break
        time.sleep(0.25)
    assert len(moved) == 1, f"before {before}, after {now}"
    assert server.poll() is None, "the server went down with its worker"

    # Both tabs kept their server-side state (the search) and stay live in both directions.
    for page in (mover, watcher):
        expect(page.get_by_label("Search deals")).to_have_value(name)
    move_to(watcher, name, "Qualification")
    seen_in(mover, name, "Qualification")
    move_to(mover, name, "Proposal")
    seen_in(watcher, name, "Proposal")

    # The dead worker was replaced: two workers again, both serving (subscribed to presence).
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        serving = redis.pubsub_channels("prm:worker-present:*")
        if len(psutil.Process(server.pid).children()) == 2 and len(serving) == 2:
            break
        time.sleep(0.25)
    assert len(serving) == 2, serving

    # Every committed move is in the database, and a reload shows it.
    assert deal_row(engine, deal_id) == ("Proposal", version + 3)
    for page in (mover, watcher):
        page.reload()
        seen_in(page, name, "Proposal")
