"""Watching boards without a browser: websocket clients speaking the app's protocol, as a tab
does. Used by deal_board for the 100 watching tabs of issue 28.

Each client connects with a signed-in session's cookie (the real sign-in ticket, as load_run's
clients), opens /p/deals, switches to the board, and from then on does what the page does: the
board is a pushed view (state/live.py), so each change's board arrives by itself; were a pulse
of the deals to arrive (a list's), it sends the deals state's `follow` with that version (the
page's on_change), and the server answers with the re-read view.
python-socketio's threaded client, as load_run's (its asyncio client needs aiohttp, which the
project does not install). Each keeps, per move, the moment (wall clock, in ms, the browsers'
`Date.now()`) the first board showing the tracked card in the wanted column arrived.
"""

import contextlib
import json
import threading
import time
import uuid

import socketio
from reflex_base.constants.state import FIELD_MARKER
from sqlalchemy import create_engine
from sqlmodel import Session

from prm_app.services.identity import auth
from prm_app.state.deals import DealsState
from prm_app.state.live import DealsPulse

NAMESPACE = "/_event"
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


def _payload(data) -> dict:
    if isinstance(data, str):
        data = json.loads(data)
    return data if isinstance(data, dict) else {}


class RawBoard:
    """One watching tab on a websocket (python-socketio's threaded client, as load_run's)."""

    def __init__(self, base: str, cookie: str) -> None:
        self.base, self.cookie = base, cookie
        self.sio = socketio.Client(reconnection=False)
        self.sio.on("event", self._on_event, namespace=NAMESPACE)
        self.ready = threading.Event()
        self.lock = threading.Lock()
        self.watching: tuple[str, str] | None = None  # (card name, column name)
        self.arrived: float | None = None
        self.received = 0  # characters of messages received while watching

    def open(self) -> None:
        self.sio.connect(
            f"{self.base}?token={uuid.uuid4()}",
            socketio_path=NAMESPACE,
            namespaces=[NAMESPACE],
            transports=["websocket"],
            headers={"Cookie": self.cookie},
            wait_timeout=60,
        )
        self._send(DealsState, "load_provider", {})
        time.sleep(0.2)
        self._send(DealsState, "set_view", {"value": "board"})
        if not self.ready.wait(120):
            raise RuntimeError("a raw board never received its board")

    def _send(self, state, handler: str, payload: dict) -> None:
        event = {
            "name": f"{state.get_full_name()}.{handler}",
            "payload": payload,
            "router_data": {"pathname": PATH, "asPath": PATH},
        }
        self.sio.emit("event", event, namespace=NAMESPACE)

    def _on_event(self, data) -> None:
        now = time.time() * 1000
        with self.lock:
            if self.watching is not None:
                self.received += len(data) if isinstance(data, str) else len(json.dumps(data))
        delta = _payload(data).get("delta") or {}
        pulse = delta.get(DealsPulse.get_full_name()) or {}
        if VERSION in pulse:  # the page's on_change: follow the pulse
            self._send(DealsState, "follow", {"version": pulse[VERSION]})
        for substate in delta.values():
            columns = substate.get(COLUMNS) if isinstance(substate, dict) else None
            if columns is None:
                continue
            self.ready.set()
            with self.lock:
                if self.watching is None or self.arrived is not None:
                    continue
                card, wanted = self.watching
                column = next((c for c in columns if c.get("name") == wanted), None)
                if column and any(c.get("name") == card for c in column.get("cards", [])):
                    self.arrived = now

    def watch(self, card: str, wanted: str) -> None:
        with self.lock:
            self.watching, self.arrived, self.received = (card, wanted), None, 0

    def close(self) -> None:
        self.sio.disconnect()


class RawBoards:
    """Many RawBoards, opened ten at a time as tabs open."""

    def __init__(self, base: str, cookies: list[str]) -> None:
        self.boards = [RawBoard(base, cookie) for cookie in cookies]

    def open(self) -> None:
        for n in range(0, len(self.boards), 10):
            threads = [threading.Thread(target=b.open) for b in self.boards[n : n + 10]]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join()
        missing = sum(not b.ready.is_set() for b in self.boards)
        if missing:
            raise RuntimeError(f"{missing} raw boards did not open")

    def watch(self, card: str, wanted: str) -> None:
        """From now, note when each board receives `card` in the column `wanted`."""
        for board in self.boards:
            board.watch(card, wanted)

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
        return sum(b.sio.connected for b in self.boards)

    def received_kb(self) -> float:
        """Median characters received per board since the last watch(), in KB."""
        sizes = sorted(b.received for b in self.boards)
        return sizes[len(sizes) // 2] / 1024 if sizes else 0.0

    def close(self) -> None:
        for board in self.boards:
            with contextlib.suppress(Exception):  # a socket already gone
                board.close()
