"""The one unit of work: what a committed transaction changed is published once, after the
commit, from whichever thread committed it; a rolled-back one publishes nothing."""

import asyncio
import types

import pytest
from sqlalchemy import text

from prm_app.services.core import changes, db
from prm_app.services.core.unit_of_work import subscribe, unit_of_work
from prm_app.state import live, live_registry


@pytest.fixture
def published(engine, monkeypatch):
    monkeypatch.setattr(db, "engine", lambda: engine)
    seen: list[changes.Changes] = []
    unsubscribe = subscribe(seen.append)
    yield seen
    unsubscribe()


def test_a_committed_change_is_published_after_the_commit(published):
    with unit_of_work() as session:
        session.execute(text("select 1"))
        changes.deals_changed(session, 5, 6)
        changes.users_notified(session, 7)
        assert published == []  # not before the commit
    assert published == [changes.Changes(deal_orgs=frozenset({5, 6}), notified=frozenset({7}))]


def test_a_rolled_back_change_publishes_nothing(published):
    with pytest.raises(RuntimeError), unit_of_work() as session:
        changes.deals_changed(session, 5)
        changes.users_notified(session, 7)
        raise RuntimeError("the operation failed")
    assert published == []


def test_a_unit_that_changed_nothing_watched_publishes_nothing(published):
    with unit_of_work() as session:
        session.execute(text("select 1"))
    assert published == []


def test_a_failing_publisher_neither_undoes_the_commit_nor_silences_the_others(published):
    def broken(_changed):
        raise ConnectionError("Redis is away")

    unsubscribe = subscribe(broken)
    later: list[changes.Changes] = []
    unsubscribe_later = subscribe(later.append)
    try:
        with unit_of_work() as session:
            changes.users_notified(session, 9)
    finally:
        unsubscribe()
        unsubscribe_later()
    assert published == later == [changes.Changes(notified=frozenset({9}))]


def test_a_change_committed_in_another_thread_reaches_the_watching_tabs(engine, monkeypatch):
    """A REST request, a job or an import commits in a worker thread: its change is still
    told to the tabs, from the app's event loop."""
    monkeypatch.setattr(db, "engine", lambda: engine)
    registry = live_registry.Memory()
    monkeypatch.setattr(live, "_registry", lambda: registry)
    told: list[tuple[str, dict]] = []
    told_event = asyncio.Event()

    async def emit(event, update, to):
        told.extend((sid, update.delta) for sid in to)
        told_event.set()

    sockets = {
        token: types.SimpleNamespace(sid=f"sid-{token}", instance_id="me")
        for token in ("tab-deals", "tab-bell", "tab-other")
    }
    namespace = types.SimpleNamespace(
        emit=emit,
        _token_manager=types.SimpleNamespace(token_to_socket=sockets, instance_id="me"),
    )
    app = types.SimpleNamespace(event_namespace=namespace)

    def commit_in_a_thread():
        with unit_of_work() as session:
            changes.deals_changed(session, 41)
            changes.users_notified(session, 42)

    async def scenario():
        await registry.watch("deals:41", "tab-deals")
        await registry.watch("notes:42", "tab-bell")
        await registry.watch("deals:99", "tab-other")
        async with live.publishing(app):
            await asyncio.to_thread(commit_in_a_thread)
            async with asyncio.timeout(5):
                while len(told) < 2:
                    await told_event.wait()
                    told_event.clear()
        return sorted(told, key=lambda item: item[0])

    told_tabs = asyncio.run(scenario())
    assert [sid for sid, _ in told_tabs] == ["sid-tab-bell", "sid-tab-deals"]
    assert registry.version("deals:41") == registry.version("notes:42") == 1
    assert registry.version("deals:99") == 0
