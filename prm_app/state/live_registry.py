"""Where the live views' watchers and versions live: in this process (the development server
and the tests), or in Redis when Reflex has one (several workers). state.live uses them."""

import time
from typing import Any

from reflex.utils import prerequisites

WATCH_SECONDS = 12 * 3600  # a tab that has not (re)opened a live view for this long is dropped


class Memory:
    """One process: the development server and the tests."""

    def __init__(self) -> None:
        self.versions: dict[str, int] = {}
        self.watchers: dict[str, dict[str, float]] = {}
        self.pages: dict[str, set[str]] = {}  # the topics of the page each tab shows
        self.views: dict[str, str] = {}  # the pushed view each tab shows (its spec)

    def version(self, topic: str) -> int:
        return self.versions.get(topic, 0)

    def bump(self, topic: str) -> int:
        self.versions[topic] = self.versions.get(topic, 0) + 1
        return self.versions[topic]

    async def watch(self, topic: str, token: str) -> None:
        self.watchers.setdefault(topic, {})[token] = time.time()

    def watch_page(self, token: str, topics: list[str], view: str = "") -> None:
        for old in self.pages.get(token, set()) - set(topics):
            self.watchers.get(old, {}).pop(token, None)
        self.pages[token] = set(topics)
        for topic in topics:
            self.watchers.setdefault(topic, {})[token] = time.time()
        if view:
            self.views[token] = view
        else:
            self.views.pop(token, None)

    def watch_view(self, token: str, view: str) -> None:
        self.views[token] = view

    def forget(self, token: str) -> None:
        for watchers in self.watchers.values():
            watchers.pop(token, None)
        self.pages.pop(token, None)
        self.views.pop(token, None)

    async def current(self, topic: str) -> int:
        return self.version(topic)

    async def views_of(self, tokens: list[str]) -> list[str | None]:
        return [self.views.get(token) for token in tokens]

    async def watching(self, topic: str) -> list[str]:
        watchers = self.watchers.get(topic, {})
        cutoff = time.time() - WATCH_SECONDS
        for token in [t for t, seen in watchers.items() if seen < cutoff]:
            del watchers[token]
        return list(watchers)


class Redis:
    """Several workers: versions are counters, watchers a sorted set by time of registration."""

    def __init__(self) -> None:
        self.sync: Any = prerequisites.get_redis_sync()
        self._async: Any = None

    @property
    def client(self):
        if self._async is None:
            self._async = prerequisites.get_redis()
        return self._async

    def version(self, topic: str) -> int:
        return int(self.sync.get(f"prm:live:version:{topic}") or 0)

    def bump(self, topic: str) -> int:
        return int(self.sync.incr(f"prm:live:version:{topic}"))

    async def watch(self, topic: str, token: str) -> None:
        key = f"prm:live:watchers:{topic}"
        async with self.client.pipeline(transaction=False) as pipe:
            pipe.zadd(key, {token: time.time()})
            pipe.zremrangebyscore(key, "-inf", time.time() - WATCH_SECONDS)
            pipe.expire(key, WATCH_SECONDS)
            pipe.sadd(f"prm:live:topics:{token}", topic)  # what forget() undoes
            pipe.expire(f"prm:live:topics:{token}", WATCH_SECONDS)
            await pipe.execute()

    def watch_page(self, token: str, topics: list[str], view: str = "") -> None:
        """Sync (two round trips), so that the sync read handlers of the pages can call it."""
        page, sync = f"prm:live:page:{token}", self.sync
        old = {_text(topic) for topic in sync.smembers(page)}
        now = time.time()
        with sync.pipeline(transaction=False) as pipe:
            for topic in old - set(topics):
                pipe.zrem(f"prm:live:watchers:{topic}", token)
                pipe.srem(f"prm:live:topics:{token}", topic)
            pipe.delete(page)
            for topic in topics:
                key = f"prm:live:watchers:{topic}"
                pipe.zadd(key, {token: now})
                pipe.zremrangebyscore(key, "-inf", now - WATCH_SECONDS)
                pipe.expire(key, WATCH_SECONDS)
                pipe.sadd(f"prm:live:topics:{token}", topic)
                pipe.sadd(page, topic)
            pipe.expire(f"prm:live:topics:{token}", WATCH_SECONDS)
            pipe.expire(page, WATCH_SECONDS)
            if view:
                pipe.set(f"prm:live:view:{token}", view, ex=WATCH_SECONDS)
            else:
                pipe.delete(f"prm:live:view:{token}")
            pipe.execute()

    def watch_view(self, token: str, view: str) -> None:
        """Another spec of the same page's view (its filters changed): one round trip."""
        self.sync.set(f"prm:live:view:{token}", view, ex=WATCH_SECONDS)

    def forget(self, token: str) -> None:
        topics = self.sync.smembers(f"prm:live:topics:{token}")
        with self.sync.pipeline(transaction=False) as pipe:
            for topic in topics:
                pipe.zrem(f"prm:live:watchers:{_text(topic)}", token)
            pipe.delete(
                f"prm:live:topics:{token}", f"prm:live:page:{token}", f"prm:live:view:{token}"
            )
            pipe.execute()

    async def current(self, topic: str) -> int:
        return int(await self.client.get(f"prm:live:version:{topic}") or 0)

    async def views_of(self, tokens: list[str]) -> list[str | None]:
        found = await self.client.mget([f"prm:live:view:{token}" for token in tokens])
        return [None if view is None else _text(view) for view in found]

    async def watching(self, topic: str) -> list[str]:
        found = await self.client.zrangebyscore(
            f"prm:live:watchers:{topic}", time.time() - WATCH_SECONDS, "+inf"
        )
        return [_text(t) for t in found]


def _text(value: bytes | str) -> str:
    return value.decode() if isinstance(value, bytes) else value
