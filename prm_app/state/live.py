"""Live views across users and workers: a version per organization, sent to the tabs watching.

Every open deals page (list, board, detail) registers its tab as a watcher of its organization.
After a change commits, the organization's version goes up (at once, so the author's own
re-read already sees the new version) and every watching tab is sent one number: a delta of its
DealsPulse, straight to its websocket, or through Redis to the worker holding it. The tab's
OnChange then asks the tab's own state to re-read its view, with its own permissions.

The watchers and versions live in Redis when Reflex has one (several workers), else in this
process. Nothing here reads or locks another tab's state, so a change costs one small message
per watching tab, whatever the number of tabs.
"""

import asyncio
import logging
import time
from functools import cache

import reflex as rx
from reflex.state import StateUpdate
from reflex.utils import prerequisites
from reflex_base.constants.state import FIELD_MARKER
from reflex_base.registry import RegistrationContext

logger = logging.getLogger(__name__)
WATCH_SECONDS = 12 * 3600  # a tab that has not (re)opened a deals view for this long is dropped
_PENDING: set[asyncio.Task] = set()


class DealsPulse(rx.State):
    """The version of the organization's deals this tab was last told of (set from outside)."""

    version: int = 0


class _Memory:
    """One process: the development server and the tests."""

    def __init__(self) -> None:
        self.versions: dict[int, int] = {}
        self.watchers: dict[int, dict[str, float]] = {}

    def version(self, org_id: int) -> int:
        return self.versions.get(org_id, 0)

    def bump(self, org_id: int) -> int:
        self.versions[org_id] = self.versions.get(org_id, 0) + 1
        return self.versions[org_id]

    async def watch(self, org_id: int, token: str) -> None:
        self.watchers.setdefault(org_id, {})[token] = time.time()

    async def watching(self, org_id: int) -> list[str]:
        watchers = self.watchers.get(org_id, {})
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

    def version(self, org_id: int) -> int:
        return int(self.sync.get(_version_key(org_id)) or 0)

    def bump(self, org_id: int) -> int:
        return int(self.sync.incr(_version_key(org_id)))

    async def watch(self, org_id: int, token: str) -> None:
        key = _watchers_key(org_id)
        async with self.client.pipeline(transaction=False) as pipe:
            pipe.zadd(key, {token: time.time()})
            pipe.zremrangebyscore(key, "-inf", time.time() - WATCH_SECONDS)
            pipe.expire(key, WATCH_SECONDS)
            await pipe.execute()

    async def watching(self, org_id: int) -> list[str]:
        found = await self.client.zrangebyscore(
            _watchers_key(org_id), time.time() - WATCH_SECONDS, "+inf"
        )
        return [t.decode() if isinstance(t, bytes) else t for t in found]


def _version_key(org_id: int) -> str:
    return f"prm:deals:version:{org_id}"


def _watchers_key(org_id: int) -> str:
    return f"prm:deals:watchers:{org_id}"


@cache
def _registry() -> _Memory | _Redis:
    return _Redis() if prerequisites.parse_redis_url() else _Memory()


def deals_version(org_id: int) -> int:
    """The organization's current version: a view read after it includes every change up to it."""
    return _registry().version(org_id)


async def follow_deals(state: rx.State, org_id: int) -> int:
    """Register this tab as a watcher of its organization's deals (the id comes from the
    server-side session, never from the client); returns the current version."""
    registry = _registry()
    await registry.watch(org_id, state.router.session.client_token)
    return registry.version(org_id)


def announce_deals(org_ids: set[int]) -> None:
    """After a change committed: bump each organization's version now, tell the tabs soon."""
    app = RegistrationContext.get().app
    for org_id in org_ids:
        version = _registry().bump(org_id)
        task = asyncio.create_task(_tell_watchers(app, org_id, version))
        _PENDING.add(task)
        task.add_done_callback(_done)


async def _tell_watchers(app, org_id: int, version: int) -> None:
    namespace = app.event_namespace
    if namespace is None:
        return
    update = StateUpdate(delta={DealsPulse.get_full_name(): {"version" + FIELD_MARKER: version}})
    tokens = await _registry().watching(org_id)
    if isinstance(_registry(), _Memory):  # a tab that went away is not told
        connected = namespace._token_manager.token_to_socket
        tokens = [token for token in tokens if token in connected]
    await asyncio.gather(*(namespace.emit_update(update, token) for token in tokens))


def _done(task: asyncio.Task) -> None:
    _PENDING.discard(task)
    if not task.cancelled() and task.exception() is not None:
        logger.warning("Could not announce a deals change: %s", task.exception())
