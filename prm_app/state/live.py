"""Live views across users and workers: a version per topic, sent to the tabs watching it.

Topics: an organization's deals (every open deals list, board or deal page of its members) and
a person's notifications (the bell of each of their tabs). A tab registers as a watcher of its
topics (ids from the server-side session, never from the client). After a change commits, the
version of each topic concerned goes up at once (so the author's own re-read already includes
it) and every watching tab is sent that one number, as a delta of its pulse state: straight to
its websocket, or through Redis to the worker holding it. The tab's OnChange then asks the tab's
own state to re-read its view, with its own permissions. A tab that loses its session (signed
out, refused as signed out, or presented with another one) is forgotten at once (forget_tab).

Watchers and versions live in Redis when Reflex has one (several workers), else in this process.
Nothing here loads or locks another tab's state: a change costs one small message per watching
tab, whatever the number of tabs.
"""

import asyncio
import contextlib
import logging
import time
from collections.abc import AsyncIterator
from functools import cache

import reflex as rx
from reflex.state import StateUpdate
from reflex.utils import prerequisites
from reflex_base.constants.state import FIELD_MARKER

from ..services.core import unit_of_work
from ..services.core.changes import Changes

logger = logging.getLogger(__name__)
WATCH_SECONDS = 12 * 3600  # a tab that has not (re)opened a deals view for this long is dropped
_PENDING: set[asyncio.Task] = set()


class DealsPulse(rx.State):
    """The version of the organization's deals this tab was last told of (set from outside)."""

    version: int = 0


class NotesPulse(rx.State):
    """The version of this person's notifications the tab was last told of (set from outside)."""

    version: int = 0


class _Memory:
    """One process: the development server and the tests."""

    def __init__(self) -> None:
        self.versions: dict[str, int] = {}
        self.watchers: dict[str, dict[str, float]] = {}

    def version(self, topic: str) -> int:
        return self.versions.get(topic, 0)

    def bump(self, topic: str) -> int:
        self.versions[topic] = self.versions.get(topic, 0) + 1
        return self.versions[topic]

    async def watch(self, topic: str, token: str) -> None:
        self.watchers.setdefault(topic, {})[token] = time.time()

    def forget(self, token: str) -> None:
        for watchers in self.watchers.values():
            watchers.pop(token, None)

    async def watching(self, topic: str) -> list[str]:
        watchers = self.watchers.get(topic, {})
        cutoff = time.time() - WATCH_SECONDS
        for token in [t for t, seen in watchers.items() if seen < cutoff]:
            del watchers[token]
        return list(watchers)


class _Redis:
    """Several workers: versions are counters, watchers a sorted set by time of registration."""

    def __init__(self) -> None:
        self.sync = prerequisites.get_redis_sync()
        self._async = None

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

    def forget(self, token: str) -> None:
        topics = self.sync.smembers(f"prm:live:topics:{token}")
        with self.sync.pipeline(transaction=False) as pipe:
            for topic in topics:
                name = topic.decode() if isinstance(topic, bytes) else topic
                pipe.zrem(f"prm:live:watchers:{name}", token)
            pipe.delete(f"prm:live:topics:{token}")
            pipe.execute()

    async def watching(self, topic: str) -> list[str]:
        found = await self.client.zrangebyscore(
            f"prm:live:watchers:{topic}", time.time() - WATCH_SECONDS, "+inf"
        )
        return [t.decode() if isinstance(t, bytes) else t for t in found]


@cache
def _registry() -> _Memory | _Redis:
    return _Redis() if prerequisites.parse_redis_url() else _Memory()


def _deals(org_id: int) -> str:
    return f"deals:{org_id}"


def _notes(user_id: int) -> str:
    return f"notes:{user_id}"


def deals_version(org_id: int) -> int:
    """The organization's current version: a view read after it includes every change up to it."""
    return _registry().version(_deals(org_id))


async def follow_deals(state: rx.State, org_id: int) -> int:
    """Register this tab as a watcher of its organization's deals; returns the current version."""
    return await _follow(state, _deals(org_id))


async def follow_notes(state: rx.State, user_id: int) -> int:
    """Register this tab as a watcher of its person's notifications; returns the version."""
    return await _follow(state, _notes(user_id))


def forget_tab(client_token: str) -> None:
    """The tab lost its session (signed out, revoked, another user): it is told of nothing more."""
    if not client_token:
        return
    try:
        _registry().forget(client_token)
    except Exception as error:  # Redis away: the registration expires by itself (WATCH_SECONDS)
        logger.warning("Could not forget a tab's live views: %s", error)


@contextlib.asynccontextmanager
async def publishing(app: rx.App) -> AsyncIterator[None]:
    """Lifespan of the running app: every committed unit of work is told to the watching tabs,
    whichever thread committed it (an event, a REST request, a job or an import)."""
    loop = asyncio.get_running_loop()
    unsubscribe = unit_of_work.subscribe(lambda changed: _announce(app, loop, changed))
    try:
        yield
    finally:
        unsubscribe()


async def _follow(state: rx.State, topic: str) -> int:
    registry = _registry()
    await registry.watch(topic, state.router.session.client_token)
    return registry.version(topic)


def _announce(app: rx.App, loop: asyncio.AbstractEventLoop, changed: Changes) -> None:
    """Bump each topic's version now (the author's own re-read already includes it), then tell
    its watchers from the app's event loop."""
    topics = [(DealsPulse, _deals(org_id)) for org_id in changed.deal_orgs]
    topics += [(NotesPulse, _notes(user_id)) for user_id in changed.notified]
    for pulse, topic in topics:
        version = _registry().bump(topic)
        telling = _tell_watchers(app, pulse, topic, version)
        if _running_loop() is loop:
            task = loop.create_task(telling)
            _PENDING.add(task)
            task.add_done_callback(_done)
        else:
            asyncio.run_coroutine_threadsafe(telling, loop).add_done_callback(_done)


def _running_loop() -> asyncio.AbstractEventLoop | None:
    try:
        return asyncio.get_running_loop()
    except RuntimeError:
        return None


async def _tell_watchers(app, pulse: type[rx.State], topic: str, version: int) -> None:
    namespace = app.event_namespace
    if namespace is None:
        return
    update = StateUpdate(delta={pulse.get_full_name(): {"version" + FIELD_MARKER: version}})
    tokens = await _registry().watching(topic)
    if isinstance(_registry(), _Memory):  # a tab that went away is not told
        connected = namespace._token_manager.token_to_socket
        tokens = [token for token in tokens if token in connected]
    await asyncio.gather(*(namespace.emit_update(update, token) for token in tokens))


def _done(task: asyncio.Future) -> None:
    _PENDING.discard(task)  # type: ignore[arg-type]
    if not task.cancelled() and task.exception() is not None:
        logger.warning("Could not announce a change: %s", task.exception())
