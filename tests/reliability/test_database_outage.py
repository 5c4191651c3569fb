"""The database unreachable for a moment: a clear error for the user, and the same engine works
again once it is back, without a restart.

A tiny TCP proxy stands between the app's engine (built by Reflex with the app's settings) and
PostgreSQL; the test cuts it (every open connection dropped, new ones refused) and restores it.
"""

import contextlib
import socket
import threading

import pytest
from reflex import model
from sqlmodel import func, select

from prm_app.models import Organization
from prm_app.services.core import db
from prm_app.services.core.errors import DomainError, Unavailable
from prm_app.services.core.unit_of_work import unit_of_work
from prm_app.state.base import AppState
from tests.conftest import _postgres_server
from tests.support import migrate, scratch_postgres

MESSAGE = "The database is unavailable. Try again in a moment."


class CuttableProxy:
    """Forwards 127.0.0.1:<port> to `target` until cut; refuses connections while cut."""

    def __init__(self, target: tuple[str, int]):
        self.target = target
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        self.open: list[socket.socket] = []
        self.lock = threading.Lock()
        self.cut_off = False
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while True:
            try:
                client, _ = self.listener.accept()
            except OSError:
                return
            if self.cut_off:
                client.close()
                continue
            upstream = socket.create_connection(self.target)
            with self.lock:
                self.open += [client, upstream]
            for source, sink in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pipe, args=(source, sink), daemon=True).start()

    @staticmethod
    def _pipe(source: socket.socket, sink: socket.socket) -> None:
        try:
            while data := source.recv(65536):
                sink.sendall(data)
        except OSError:
            pass
        finally:
            for end in (source, sink):
                with contextlib.suppress(OSError):
                    end.shutdown(socket.SHUT_RDWR)

    def cut(self) -> None:
        self.cut_off = True
        with self.lock:
            for connection in self.open:
                with contextlib.suppress(OSError):
                    connection.shutdown(socket.SHUT_RDWR)
                connection.close()
            self.open.clear()

    def restore(self) -> None:
        self.cut_off = False

    def close(self) -> None:
        self.cut()
        self.listener.close()


@pytest.fixture
def proxied_engine(monkeypatch):
    """The app's engine (Reflex's engine arguments) on a scratch database behind the proxy."""
    with scratch_postgres(_postgres_server()) as url:
        migrate(url)
        parsed = model.sqlalchemy.engine.make_url(url)
        proxy = CuttableProxy((parsed.host or "127.0.0.1", parsed.port or 5432))
        proxied = parsed.set(host="127.0.0.1", port=proxy.port).render_as_string(
            hide_password=False
        )
        engine = model.get_engine(proxied)
        monkeypatch.setattr(db, "engine", lambda: engine)
        try:
            yield proxy, engine
        finally:
            engine.dispose()
            proxy.close()


def count_orgs() -> int:
    """One unit of work through the path every handler uses (services.core.unit_of_work)."""
    with unit_of_work() as session:
        return session.exec(select(func.count()).select_from(Organization)).one()


def test_a_cut_gives_a_clear_error_and_the_same_engine_recovers(proxied_engine):
    proxy, engine = proxied_engine
    assert count_orgs() == 0  # a pooled connection now exists
    proxy.cut()
    for _ in range(3):  # the pooled connection is dead, and new ones are refused
        with pytest.raises(Unavailable) as refused:
            count_orgs()
        assert str(refused.value) == MESSAGE
    proxy.restore()
    assert count_orgs() == 0
    assert db.engine() is engine


def test_the_user_is_told_in_words_not_a_generic_error():
    assert issubclass(Unavailable, DomainError)  # AppState._perform shows domain errors
    shown = AppState._refuse(None, Unavailable())
    assert MESSAGE in str(shown)
