"""A raw Socket.IO client that speaks Reflex's event protocol, as any script could."""

import json
import queue
import uuid

import socketio

from prm_app import settings

NAMESPACE = "/_event"  # Reflex's socket.io namespace and engine.io path
ROOT_STATE = "reflex___state____state"


class ServerSilent(AssertionError):
    """The server did not answer a synchronizing event in time (it hung or crashed)."""


class HostileClient:
    """Connects like a browser tab (a client token, no cookie unless given) and sends events."""

    def __init__(self, api_url: str, *, token: str | None = None, cookie: str | None = None):
        self.token = token or str(uuid.uuid4())
        self.updates: queue.Queue = queue.Queue()
        # A script may claim any Origin: it claims the portal's, as the portal's pages send it.
        self.sio = socketio.Client(
            reconnection=False, websocket_extra_options={"origin": settings.origins()[0]}
        )
        self.sio.on("event", self.updates.put, namespace=NAMESPACE)
        self._nonce = 0
        headers = {"Cookie": cookie} if cookie else {}
        self.sio.connect(
            f"{api_url}?token={self.token}",
            socketio_path=NAMESPACE,
            namespaces=[NAMESPACE],
            transports=["websocket"],
            headers=headers,
            wait_timeout=10,
        )

    def emit(self, name: str, payload: dict, *, path: str = "/", query: dict | None = None):
        """Send one event without waiting; `query` is the page's route parameters."""
        self.sio.emit(
            "event",
            {
                "name": name,
                "payload": payload,
                "router_data": {"pathname": path, "asPath": path, "query": query or {}},
            },
            namespace=NAMESPACE,
        )

    def send(self, name: str, payload: dict, *, path: str = "/", quiet: float = 0.75) -> list:
        """Send one event; return every update that arrives until the socket falls quiet.

        Reflex 0.10 marks no update as the last one, and a token's events are processed one
        at a time, so a quiet period after the last update ends the exchange.
        """
        self.emit(name, payload, path=path)
        received = []
        while True:
            try:
                received.append(self.updates.get(timeout=quiet))
            except queue.Empty:
                return received

    def exchange(
        self,
        name: str,
        payload: dict,
        *,
        path: str = "/",
        query: dict | None = None,
        timeout: float = 30.0,
    ) -> list:
        """Send one event, then a synchronizing one; return the updates that came before it.

        A token's (non-background) events run one at a time, so once the synchronizing event's
        own update arrives, everything the attack produced has been sent.
        """
        self.emit(name, payload, path=path, query=query)
        return self.sync(timeout=timeout)

    def sync(self, *, timeout: float = 30.0) -> list:
        """Wait until every event sent so far has been processed; return what arrived.

        The synchronizing event is a valid, harmless one (`is_hydrated` set to true) sent from
        a page whose route parameters hold a fresh nonce: the server echoes the changed router
        data in that event's update, and no other event carries the nonce.
        """
        self._nonce += 1
        marker = f"sync-{self.token}-{self._nonce}"
        self.emit(f"{ROOT_STATE}.set_is_hydrated", {"value": True}, query={"sync": marker})
        received = []
        while True:
            try:
                update = self.updates.get(timeout=timeout)
            except queue.Empty:
                raise ServerSilent(f"no answer within {timeout} s") from None
            if marker in json.dumps(update, default=str):
                return received
            received.append(update)

    def close(self) -> None:
        self.sio.disconnect()
