"""A raw Socket.IO client that speaks Reflex's event protocol, as any script could."""

import queue
import uuid

import socketio


class HostileClient:
    """Connects like a browser tab (a client token, no cookie unless given) and sends events."""

    def __init__(self, api_url: str, *, token: str | None = None, cookie: str | None = None):
        self.token = token or str(uuid.uuid4())
        self.updates: queue.Queue = queue.Queue()
        self.sio = socketio.Client(reconnection=False)
        self.sio.on("event", self.updates.put)
        headers = {"Cookie": cookie} if cookie else {}
        self.sio.connect(
            f"{api_url}?token={self.token}",
            socketio_path="/_event",
            transports=["websocket"],
            headers=headers,
            wait_timeout=10,
        )

    def send(self, name: str, payload: dict, *, path: str = "/", timeout: float = 10) -> list:
        """Send one event and return every update until the final one."""
        self.sio.emit(
            "event",
            {"name": name, "payload": payload, "router_data": {"pathname": path, "asPath": path}},
        )
        received = []
        while True:
            update = self.updates.get(timeout=timeout)
            received.append(update)
            if update.get("final", True):
                return received

    def close(self) -> None:
        self.sio.disconnect()
