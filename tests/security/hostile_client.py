"""A raw Socket.IO client that speaks Reflex's event protocol, as any script could."""

import queue
import uuid

import socketio

NAMESPACE = "/_event"  # Reflex's socket.io namespace and engine.io path


class HostileClient:
    """Connects like a browser tab (a client token, no cookie unless given) and sends events."""

    def __init__(self, api_url: str, *, token: str | None = None, cookie: str | None = None):
        self.token = token or str(uuid.uuid4())
        self.updates: queue.Queue = queue.Queue()
        self.sio = socketio.Client(reconnection=False)
        self.sio.on("event", self.updates.put, namespace=NAMESPACE)
        headers = {"Cookie": cookie} if cookie else {}
        self.sio.connect(
            f"{api_url}?token={self.token}",
            socketio_path=NAMESPACE,
            namespaces=[NAMESPACE],
            transports=["websocket"],
            headers=headers,
            wait_timeout=10,
        )

    def send(self, name: str, payload: dict, *, path: str = "/", quiet: float = 0.75) -> list:
        """Send one event; return every update that arrives until the socket falls quiet.

        Reflex 0.10 marks no update as the last one, and a token's events are processed one
        at a time, so a quiet period after the last update ends the exchange.
        """
        self.sio.emit(
            "event",
            {"name": name, "payload": payload, "router_data": {"pathname": path, "asPath": path}},
            namespace=NAMESPACE,
        )
        received = []
        while True:
            try:
                received.append(self.updates.get(timeout=quiet))
            except queue.Empty:
                return received

    def close(self) -> None:
        self.sio.disconnect()
