"""The live registry: versions per topic and the tabs watching, in memory and in Redis."""

import asyncio
import os
from types import SimpleNamespace

import pytest
import redis
import redis.asyncio
from reflex_base.constants.state import FIELD_MARKER

from prm_app.services.core import changes
from prm_app.services.core.changes import Changes, Topic
from prm_app.state import live, live_registry
from prm_app.state.pace import Pace

REDIS_URL = os.environ.get("PRM_TEST_REDIS_URL", "redis://127.0.0.1:6379/9")


def _redis_registry(monkeypatch) -> live_registry.Redis:
    try:
        redis.Redis.from_url(REDIS_URL).flushdb()
    except redis.ConnectionError:
        if os.environ.get("CI"):
            raise
        pytest.skip(f"no Redis at {REDIS_URL}")
    monkeypatch.setattr(
        live.prerequisites, "get_redis_sync", lambda: redis.Redis.from_url(REDIS_URL)
    )
    monkeypatch.setattr(
        live.prerequisites, "get_redis", lambda: redis.asyncio.Redis.from_url(REDIS_URL)
    )
    return live_registry.Redis()


@pytest.fixture(params=["memory", "redis"])
def registry(request, monkeypatch):
    return live_registry.Memory() if request.param == "memory" else _redis_registry(monkeypatch)


def test_versions_go_up_per_organization(registry):
    assert (registry.version("deals:1"), registry.version("deals:2")) == (0, 0)
    assert [registry.bump("deals:1"), registry.bump("deals:1"), registry.bump("deals:2")] == [
        1,
        2,
        1,
    ]
    assert (registry.version("deals:1"), registry.version("deals:2")) == (2, 1)


def test_watchers_per_organization_and_old_ones_dropped(registry, monkeypatch):
    async def scenario():
        await registry.watch("deals:1", "tab-a")
        await registry.watch("deals:1", "tab-b")
        await registry.watch("deals:1", "tab-a")  # again: still one
        await registry.watch("deals:2", "tab-c")
        assert sorted(await registry.watching("deals:1")) == ["tab-a", "tab-b"]
        assert await registry.watching("deals:2") == ["tab-c"]
        assert await registry.watching("notes:3") == []
        later = live_registry.time.time() + live_registry.WATCH_SECONDS + 1
        monkeypatch.setattr(live_registry.time, "time", lambda: later)
        await registry.watch("deals:1", "tab-b")  # re-registered: kept
        assert await registry.watching("deals:1") == ["tab-b"]

    asyncio.run(scenario())


def test_a_tab_that_lost_its_session_is_told_of_nothing_more(registry):
    async def scenario():
        await registry.watch("deals:1", "tab-a")
        await registry.watch("notes:7", "tab-a")
        await registry.watch("deals:1", "tab-b")
        registry.forget("tab-a")
        registry.forget("tab-unknown")  # nothing to do
        assert await registry.watching("deals:1") == ["tab-b"]
        assert await registry.watching("notes:7") == []
        await registry.watch("deals:2", "tab-a")  # signed in again, elsewhere
        assert await registry.watching("deals:2") == ["tab-a"]
        assert await registry.watching("deals:1") == ["tab-b"]

    asyncio.run(scenario())


def test_a_tab_follows_only_the_topics_of_the_page_it_shows(registry):
    async def scenario():
        await registry.watch("notes:7", "tab-a")  # the bell, for the tab's life
        registry.watch_page("tab-a", ["leads:1"])
        registry.watch_page("tab-b", ["leads:1"])
        assert sorted(await registry.watching("leads:1")) == ["tab-a", "tab-b"]
        registry.watch_page("tab-a", ["partners:1"])  # another page: the leads no more
        assert await registry.watching("leads:1") == ["tab-b"]
        assert await registry.watching("partners:1") == ["tab-a"]
        assert await registry.watching("notes:7") == ["tab-a"]  # the bell stays
        registry.watch_page("tab-a", ["partners:1"])  # the same page again: once
        assert await registry.watching("partners:1") == ["tab-a"]
        registry.forget("tab-a")
        assert await registry.watching("partners:1") == []
        assert await registry.watching("notes:7") == []
        registry.watch_page("tab-a", ["deals:1"])  # signed in again: a page of its own
        assert await registry.watching("deals:1") == ["tab-a"]
        assert await registry.watching("partners:1") == []

    asyncio.run(scenario())


def test_a_page_of_several_topics_is_told_of_each_until_another_page(registry, monkeypatch):
    """The scorecard follows leads, deals and the ledger (live.watch_topics)."""
    monkeypatch.setattr(live, "_registry", lambda: registry)
    tab = SimpleNamespace(router=SimpleNamespace(session=SimpleNamespace(client_token="tab-a")))
    registry.bump("deals:1")

    async def scenario():
        seen = live.watch_topics(tab, [(Topic.LEADS, 1), (Topic.DEALS, 1), (Topic.LEDGER, 1)])
        assert seen == {Topic.LEADS: 0, Topic.DEALS: 1, Topic.LEDGER: 0}
        for topic in ("leads:1", "deals:1", "ledger:1"):
            assert await registry.watching(topic) == ["tab-a"]
        registry.watch_page("tab-a", ["partners:1"])  # another page: none of them any more
        for topic in ("leads:1", "deals:1", "ledger:1"):
            assert await registry.watching(topic) == []

    asyncio.run(scenario())


class _Namespace:
    """The app's websocket namespace: records what each tab is sent."""

    def __init__(self, connected: list[str]) -> None:
        records = {t: SimpleNamespace(sid=f"sid-{t}", instance_id="me") for t in connected}
        self._token_manager = SimpleNamespace(token_to_socket=records, instance_id="me")
        self.sent: list[tuple[list[str], dict]] = []

    async def emit(self, event: str, update, to: list[str]) -> None:
        self.sent.append((sorted(to), update.delta))


def test_a_change_is_told_only_to_the_tabs_showing_its_topic(monkeypatch):
    registry = live_registry.Memory()
    monkeypatch.setattr(live, "_registry", lambda: registry)
    namespace = _Namespace(["list-1", "list-2", "other-org", "deals", "bell", "gone"])
    app = SimpleNamespace(event_namespace=namespace)

    async def scenario():
        registry.watch_page("list-1", ["leads:1"])
        registry.watch_page("list-2", ["leads:1"])
        registry.watch_page("other-org", ["leads:2"])
        registry.watch_page("deals", ["deals:1"])
        registry.watch_page("closed", ["leads:1"])  # no longer connected
        await registry.watch("notes:5", "bell")
        changed = Changes([(Topic.LEADS, 1), (Topic.NOTES, 5)])
        live._announce(app, asyncio.get_running_loop(), changed)
        await asyncio.gather(*list(live._PENDING))

    asyncio.run(scenario())
    leads = {live.LeadsPulse.get_full_name(): {"version" + FIELD_MARKER: 1}}
    notes = {live.NotesPulse.get_full_name(): {"version" + FIELD_MARKER: 1}}
    assert sorted(namespace.sent) == [
        (["sid-bell"], notes),
        (["sid-list-1", "sid-list-2"], leads),  # one message for the tabs of a topic
    ]  # only version numbers, never data; nothing to the other pages or organizations


def test_a_burst_of_changes_is_told_at_once_then_once_with_its_latest_version(monkeypatch):
    registry = live_registry.Memory()
    monkeypatch.setattr(live, "_registry", lambda: registry)
    monkeypatch.setattr(live, "_PACE", Pace(0.2))
    namespace = _Namespace(["list-1"])
    app = SimpleNamespace(event_namespace=namespace)

    async def scenario():
        registry.watch_page("list-1", ["leads:1"])
        for _ in range(5):  # five drafts saved in a moment
            live._announce(app, asyncio.get_running_loop(), Changes([(Topic.LEADS, 1)]))
            await asyncio.sleep(0.01)
        await asyncio.gather(*list(live._PENDING))
        assert len(namespace.sent) == 1  # the first, at once
        await asyncio.sleep(0.3)
        await asyncio.gather(*list(live._PENDING))

    asyncio.run(scenario())
    versions = [delta[live.LeadsPulse.get_full_name()] for _, delta in namespace.sent]
    assert versions == [{"version" + FIELD_MARKER: 1}, {"version" + FIELD_MARKER: 5}]


def test_every_topic_has_its_pulse():
    assert set(live.PULSES) == set(Topic)
    assert len({pulse.get_full_name() for pulse in live.PULSES.values()}) == len(Topic)


def test_changes_note_topics_and_ids_and_keep_the_deals_and_bells():
    session = SimpleNamespace(info={})
    changes.touched(session, Topic.LEADS, 1, None, 2)  # None: an unbound invitation's side
    changes.touched(session, Topic.PARTNERS, 1)
    changes.deals_changed(session, 3)
    changes.users_notified(session, 9)
    noted = changes.noted(session)
    assert noted.touched == {
        (Topic.LEADS, 1),
        (Topic.LEADS, 2),
        (Topic.PARTNERS, 1),
        (Topic.DEALS, 3),
        (Topic.NOTES, 9),
    }
    assert (noted.of(Topic.LEADS), noted.deal_orgs, noted.notified) == ({1, 2}, {3}, {9})
    assert Changes(deal_orgs={3}, notified={9}) == Changes([(Topic.DEALS, 3), (Topic.NOTES, 9)])
    assert not changes.noted(SimpleNamespace(info={}))


def test_a_page_mounting_with_no_pulse_yet_does_not_read_again():
    # The page's OnChange fires once when it mounts, with the browser's pulse version: 0 when
    # it was told of nothing since the page's own read. Re-reading then would re-mount the
    # page's keyed forms (what a person had begun typing lost) for nothing.
    reads: list[int] = []
    tab = SimpleNamespace(_seen=7, _refresh=lambda: reads.append(tab._seen))
    live.LiveView.__dict__["follow"](tab, 0)
    assert reads == []
    live.LiveView.__dict__["follow"](tab, 8)  # a change since: read
    live.LiveView.__dict__["follow"](tab, 8)  # the same pulse again: nothing
    assert reads == [8]
    unread = SimpleNamespace(_seen=-1, _refresh=lambda: reads.append(unread._seen))
    live.LiveView.__dict__["follow"](unread, 0)  # a state that never read reads
    assert reads == [8, 0]
