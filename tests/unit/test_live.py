"""The live registry: versions per topic and the tabs watching, in memory and in Redis."""

import asyncio
import os

import pytest
import redis
import redis.asyncio

from prm_app.state import live

REDIS_URL = os.environ.get("PRM_TEST_REDIS_URL", "redis://127.0.0.1:6379/9")


def _redis_registry(monkeypatch) -> live._Redis:
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
    return live._Redis()


@pytest.fixture(params=["memory", "redis"])
def registry(request, monkeypatch):
    return live._Memory() if request.param == "memory" else _redis_registry(monkeypatch)


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
        later = live.time.time() + live.WATCH_SECONDS + 1
        monkeypatch.setattr(live.time, "time", lambda: later)
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
