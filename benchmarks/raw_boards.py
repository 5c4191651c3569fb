"""Watching boards without a browser: websocket clients speaking the app's protocol, as a tab
does. Used by deal_board for the 100 watching tabs of issue 28.

Each client connects with a signed-in session's cookie (the real sign-in ticket, as load_run's
clients), opens /p/deals, switches to the board, and from then on does what the page does: the
board is a pushed view (state/live.py), so each change's board arrives by itself; were a pulse
of the deals to arrive (a list's), it sends the deals state's `follow` with that version (the
page's on_change), and the server answers with the re-read view.

The clients share one asyncio loop in one thread (benchmarks/tab_socket.py), so that a
hundred of them cost the benchmark's process a message's parsing each, not a hundred threads
taking turns. Each keeps, per move, the moment (wall clock, in ms, the
browsers' `Date.now()`) the first board showing the tracked card in the wanted column arrived.
"""

import asyncio
import contextlib
import threading
import time

from reflex_base.constants.state import FIELD_MARKER
from sqlalchemy import create_engine
from sqlmodel import Session

from benchmarks.tab_socket import TabSocket
from prm_app.services.identity import auth
from prm_app.state.deals import DealsState
from prm_app.state.live import DealsPulse

PATH = "/p/deals"
COLUMNS = "columns" + FIELD_MARKER
VERSION = "version" + FIELD_MARKER


def sign_in_cookies(url: str, email: str, count: int, password: str) -> list[str]:
    """`count` session cookies of `email` (each its own session), through the sign-in ticket."""
    engine = create_engine(url)
    cookies = []
    with Session(engine) as session:
        for _ in range(count):
            actor = auth.authenticate(session, email=email, password=password)
            nonce = auth.new_token()
            ticket = auth.issue_ticket(
                session, actor=actor, redirect_to="/", nonce_hash=auth.hash_token(nonce)
            )
            token, _, _ = auth.redeem_ticket(session, ticket=ticket, nonce=nonce)
            cookies.append(f"{auth.SESSION_COOKIE}={token}")
        session.commit()
    engine.dispose()
    return cookies


class RawBoard:
    """One watching tab on a websocket (tab_socket)."""

    def __init__(self, base: str, cookie: str) -> None:
        self.tab = TabSocket(base, cookie, self._on_update)
        self.ready = asyncio.Event()
        self.watching: tuple[str, str] | None = None  # (card name, column name)
        self.arrived: float | None = None
        self.seen_from = 0  # tab.received when watching began

    async def open(self) -> None:
        await self.tab.open()
        await self._send("load_provider", {})
        await asyncio.sleep(0.2)
        await self._send("set_view", {"value": "board"})
        await asyncio.wait_for(self.ready.wait(), 120)

    async def _send(self, handler: str, payload: dict) -> None:
        await self.tab.send(f"{DealsState.get_full_name()}.{handler}", payload, PATH)

    def _on_update(self, update: dict, now: float) -> None:
        delta = update.get("delta") or {}
        pulse = delta.get(DealsPulse.get_full_name()) or {}
        if VERSION in pulse:  # the page's on_change: follow the pulse
            asyncio.get_running_loop().create_task(
                self._send("follow", {"version": pulse[VERSION]})
            )
        for substate in delta.values():
            columns = substate.get(COLUMNS) if isinstance(substate, dict) else None
            if columns is None:
                continue
            self.ready.set()
            if self.watching is None or self.arrived is not None:
                continue
            card, wanted = self.watching
            column = next((c for c in columns if c.get("name") == wanted), None)
            if column and any(c.get("name") == card for c in column.get("cards", [])):
                self.arrived = now

    def watch(self, card: str, wanted: str) -> None:
        self.watching, self.arrived, self.seen_from = (card, wanted), None, self.tab.received

    @property
    def received(self) -> int:
        """Characters of updates received since watch()."""
        return self.tab.received - self.seen_from


class RawBoards:
    """Many RawBoards on one event loop in its own thread, opened ten at a time as tabs open."""

    def __init__(self, base: str, cookies: list[str]) -> None:
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, daemon=True)
        self.thread.start()
        self.boards = self._run(self._made(base, cookies))

    async def _made(self, base: str, cookies: list[str]) -> list[RawBoard]:
        return [RawBoard(base, cookie) for cookie in cookies]  # their events on this loop

    def _run(self, coroutine, timeout: float = 300.0):
        return asyncio.run_coroutine_threadsafe(coroutine, self.loop).result(timeout)

    def open(self) -> None:
        async def opening() -> None:
            for n in range(0, len(self.boards), 10):
                await asyncio.gather(*(b.open() for b in self.boards[n : n + 10]))

        self._run(opening())

    def watch(self, card: str, wanted: str) -> None:
        """From now, note when each board receives `card` in the column `wanted`."""

        async def watching() -> None:
            for board in self.boards:
                board.watch(card, wanted)

        self._run(watching())

    def arrivals(self, timeout_s: float = 30.0) -> tuple[list[float], int]:
        """The moment each board received the watched move, and how many did not within
        `timeout_s` (a board left behind, e.g. dropped by the server)."""
        deadline = time.monotonic() + timeout_s
        while any(b.arrived is None for b in self.boards) and time.monotonic() < deadline:
            time.sleep(0.01)
        arrived = [b.arrived for b in self.boards if b.arrived is not None]
        return arrived, len(self.boards) - len(arrived)

    def connected(self) -> int:
        """How many boards still have their websocket."""
        return sum(b.tab.connected for b in self.boards)

    def received_kb(self) -> float:
        """Median characters received per board since the last watch(), in KB."""
        sizes = sorted(b.received for b in self.boards)
        return sizes[len(sizes) // 2] / 1024 if sizes else 0.0

    def close(self) -> None:
        async def closing() -> None:
            await asyncio.gather(*(b.tab.close() for b in self.boards), return_exceptions=True)

        with contextlib.suppress(Exception):
            self._run(closing(), timeout=30)
        self.loop.call_soon_threadsafe(self.loop.stop)
