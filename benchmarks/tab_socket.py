"""A browser tab's websocket without the browser, for the benchmarks' many simulated tabs.

Socket.IO's frames written out over the `websockets` library (`0` opens Engine.IO, `40` joins
the namespace, `42` carries an event, `2`/`3` are the ping and its answer), so that a few
hundred tabs share one asyncio loop in the benchmark's process, each costing a message's
parsing, rather than a few hundred threads taking turns on its interpreter lock.
"""

import asyncio
import contextlib
import json
import time
import uuid
from collections.abc import Callable
from urllib.parse import urlsplit

import websockets

NAMESPACE = "/_event"
EVENT = "42" + NAMESPACE + ","


class TabSocket:
    """One tab: `on_update(update, received_at_ms)` is called with each update the server
    sends it (received_at_ms: wall clock, as the browsers' `Date.now()`)."""

    def __init__(self, base: str, cookie: str, on_update: Callable[[dict, float], None]) -> None:
        host = urlsplit(base).netloc
        self.url = f"ws://{host}{NAMESPACE}/?EIO=4&transport=websocket&token={uuid.uuid4()}"
        self.origin, self.cookie, self.on_update = base, cookie, on_update
        self.socket: websockets.ClientConnection | None = None
        self.received = 0  # characters of the updates received

    async def open(self) -> None:
        self.socket = await websockets.connect(
            self.url,
            additional_headers={"Cookie": self.cookie, "Origin": self.origin},
            max_size=None,
            ping_interval=None,  # Engine.IO pings in its own frames
        )
        opened = await self.socket.recv()
        if not str(opened).startswith("0"):
            raise RuntimeError(f"unexpected first frame: {str(opened)[:80]!r}")
        await self.socket.send("40" + NAMESPACE + ",")
        asyncio.get_running_loop().create_task(self._listen())

    async def send(self, name: str, payload: dict, path: str) -> None:
        """The event `name` (a state's full name and handler) as the page at `path` sends it."""
        event = {
            "name": name,
            "payload": payload,
            "router_data": {"pathname": path, "asPath": path},
        }
        assert self.socket is not None
        await self.socket.send(EVENT + json.dumps(["event", event]))

    async def _listen(self) -> None:
        assert self.socket is not None
        with contextlib.suppress(websockets.ConnectionClosed):
            async for frame in self.socket:
                now = time.time() * 1000
                if frame == "2":
                    await self.socket.send("3")
                elif isinstance(frame, str) and frame.startswith(EVENT):
                    self.received += len(frame) - len(EVENT)
                    _, update = json.loads(frame[len(EVENT) :])
                    self.on_update(json.loads(update) if isinstance(update, str) else update, now)

    @property
    def connected(self) -> bool:
        return self.socket is not None and self.socket.state == websockets.State.OPEN

    async def close(self) -> None:
        if self.socket is not None:
            await self.socket.close()
