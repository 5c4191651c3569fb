"""Unit-test plumbing shared by every module of this folder."""

import pytest
from sqlalchemy import event
from sqlmodel import Session

from prm_app.services.core import db


@pytest.fixture(autouse=True)
def _rate_limits_in_the_test_transaction(request, monkeypatch):
    """`rate_limits.spend` counts an attempt in its own session on the app's engine. In a unit
    test it counts on the test's database instead: with the `session` fixture, on its connection
    (inside the test's transaction, so the attempts count for the rest of the test and vanish
    with its rollback); in a test that opens its own sessions on `engine`, on the connection of
    the session at work (a second connection would wait for that session's SQLite write lock)."""
    if "session" in request.fixturenames:
        session = request.getfixturevalue("session")
        monkeypatch.setattr(db, "engine", lambda: session.connection())
    elif "engine" in request.fixturenames:
        engine = request.getfixturevalue("engine")
        begun = []

        def _began(_session, _transaction, connection):
            begun.append(connection)

        def _at_work():
            working = [c for c in begun if not c.closed and c.in_transaction()]
            return working[-1] if working else engine

        event.listen(Session, "after_begin", _began)
        request.addfinalizer(lambda: event.remove(Session, "after_begin", _began))
        monkeypatch.setattr(db, "engine", _at_work)


@pytest.fixture(autouse=True)
def _a_fresh_pulse_pace(monkeypatch):
    """Each test's changes are told as if none came before it (live.py paces a topic's pulses
    per window, and the tests' topics repeat within one)."""
    from prm_app.state import live
    from prm_app.state.pace import Pace

    monkeypatch.setattr(live, "_PACE", Pace(live.PULSE_EVERY))
