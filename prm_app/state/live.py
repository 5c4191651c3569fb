"""Live views across users and workers: a version per topic, sent to the tabs watching it.

Topics: an organization's deals (every open deals list, board or deal page of its members) and
a person's notifications (the bell of each of their tabs). A tab registers as a watcher of its
topics (ids from the server-side session, never from the client). After a change commits, the
version of each topic concerned goes up at once (so the author's own re-read already includes
it), and each watching tab is told in one of two ways:

- pulsed: it is sent that one number, as a delta of its pulse state, straight to its websocket or
  through Redis to the worker holding it. The tab's OnChange then asks the tab's own state to
  re-read its view, with its own permissions.
- pushed (a tab registered with a state class of `pushed_view`, such as a Kanban board, where
  many tabs watch and each one's round trip would add up): the worker that made the change
  re-reads the tab's view in its own state, under the tab's lock, with the tab's session, and
  sends the result. The browser does nothing until the new view arrives, and the tabs that see
  the same deals the same way share one read of the database (deal_board.shared_board). The
  author's own tab is not pushed its change: it re-reads its view itself.

Watchers and versions live in Redis when Reflex has one (several workers), else in this process.
"""

import asyncio
import logging
import time
from functools import cache

import reflex as rx
from reflex.istate.manager.token import BaseStateToken
from reflex.state import StateUpdate
from reflex.utils import prerequisites
from reflex_base.constants.state import FIELD_MARKER
from reflex_base.registry import RegistrationContext

logger = logging.getLogger(__name__)
WATCH_SECONDS = 12 * 3600  # a tab that has not (re)opened a deals view for this long is dropped
_PENDING: set[asyncio.Task] = set()
_PUSHED: dict[str, type[rx.State]] = {}  # state full name -> a state class whose views are pushed


def pushed_view(cls: type[rx.State]) -> type[rx.State]:
    """Class decorator: tabs registered with this state are pushed their view (see above); the
    class defines `_pushed(version)`, which re-reads the view unless it holds that version."""
    _PUSHED[cls.get_full_name()] = cls
    return cls


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
        self.pushed: dict[str, dict[str, str]] = {}  # topic -> token -> pushed state's name

    def version(self, topic: str) -> int:
        return self.versions.get(topic, 0)

    def bump(self, topic: str) -> int:
        self.versions[topic] = self.versions.get(topic, 0) + 1
        return self.versions[topic]

    async def watch(self, topic: str, token: str, pushed: str = "") -> None:
        self.watchers.setdefault(topic, {})[token] = time.time()
        views = self.pushed.setdefault(topic, {})
        if pushed:
            views[token] = pushed
        else:
            views.pop(token, None)

    async def watching(self, topic: str) -> dict[str, str]:
        """The tabs watching: token -> the name of the state pushed to it ("" = pulsed)."""
        watchers = self.watchers.get(topic, {})
        views = self.pushed.get(topic, {})
        cutoff = time.time() - WATCH_SECONDS
        for token in [t for t, seen in watchers.items() if seen < cutoff]:
            del watchers[token]
            views.pop(token, None)
        return {token: views.get(token, "") for token in watchers}


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

    async def watch(self, topic: str, token: str, pushed: str = "") -> None:
        key, views = f"prm:live:watchers:{topic}", f"prm:live:pushed:{topic}"
        async with self.client.pipeline(transaction=False) as pipe:
            pipe.zadd(key, {token: time.time()})
            pipe.zremrangebyscore(key, "-inf", time.time() - WATCH_SECONDS)
            pipe.expire(key, WATCH_SECONDS)
            if pushed:
                pipe.hset(views, token, pushed)
                pipe.expire(views, WATCH_SECONDS)
            else:
                pipe.hdel(views, token)
            await pipe.execute()

    async def watching(self, topic: str) -> dict[str, str]:
        """The tabs watching: token -> the name of the state pushed to it ("" = pulsed)."""
        async with self.client.pipeline(transaction=False) as pipe:
            pipe.zrangebyscore(f"prm:live:watchers:{topic}", time.time() - WATCH_SECONDS, "+inf")
            pipe.hgetall(f"prm:live:pushed:{topic}")
            found, views = await pipe.execute()
        views = {_text(t): _text(name) for t, name in views.items()}
        return {_text(t): views.get(_text(t), "") for t in found}


def _text(value: bytes | str) -> str:
    return value.decode() if isinstance(value, bytes) else value


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


async def follow_deals(state: rx.State, org_id: int, *, pushed: bool = False) -> int:
    """Register this tab as a watcher of its organization's deals, pushed its view (`state`'s
    class must be a `pushed_view`) or pulsed; returns the current version."""
    name = type(state).get_full_name() if pushed else ""
    if name and name not in _PUSHED:
        raise TypeError(f"{name} is not a pushed_view")
    return await _follow(state, _deals(org_id), name)


async def follow_notes(state: rx.State, user_id: int) -> int:
    """Register this tab as a watcher of its person's notifications; returns the version."""
    return await _follow(state, _notes(user_id))


def announce_deals(org_ids: set[int], *, author: str = "") -> None:
    """After a change committed: bump each organization's version now, tell the tabs soon
    (`author`: the token of the tab that made it, which re-reads its own view)."""
    _announce(DealsPulse, [_deals(org_id) for org_id in org_ids], author)


def announce_notes(user_ids: set[int]) -> None:
    """After notifications committed: bump each person's version now, tell their tabs soon."""
    _announce(NotesPulse, [_notes(user_id) for user_id in user_ids])


async def _follow(state: rx.State, topic: str, pushed: str = "") -> int:
    registry = _registry()
    await registry.watch(topic, state.router.session.client_token, pushed)
    return registry.version(topic)


def _announce(pulse: type[rx.State], topics: list[str], author: str = "") -> None:
    """Callable from an event or a background job of the running app; where no app runs (a
    script, a unit test) nobody watches, and nothing is done."""
    try:
        app = RegistrationContext.get().app
        loop = asyncio.get_running_loop()
    except Exception:  # no running app here: nobody is watching
        return
    for topic in topics:
        version = _registry().bump(topic)
        task = loop.create_task(_tell_watchers(app, pulse, topic, version, author))
        _PENDING.add(task)
        task.add_done_callback(_done)


async def _tell_watchers(app, pulse: type[rx.State], topic: str, version: int, author: str) -> None:
    namespace = app.event_namespace
    if namespace is None:
        return
    watchers = await _registry().watching(topic)
    connected = await _connected(namespace, list(watchers))
    told = {token: name for token, name in watchers.items() if token in connected}
    update = StateUpdate(delta={pulse.get_full_name(): {"version" + FIELD_MARKER: version}})
    await asyncio.gather(
        *(namespace.emit_update(update, token) for token, name in told.items() if not name)
    )
    # One tab after the other: the first boards are sent while the next ones are read, and
    # their browsers render meanwhile, where all at once would finish them all at the end.
    for token, name in told.items():
        if name in _PUSHED and token != author:
            await _push(app, token, _PUSHED[name], version)


async def _connected(namespace, tokens: list[str]) -> set[str]:
    """The tokens whose tab is connected now, to this worker or, with Redis, to any."""
    manager = namespace._token_manager
    if not hasattr(manager, "redis"):  # one process
        return {token for token in tokens if token in manager.token_to_socket}
    async with manager.redis.pipeline(transaction=False) as pipe:
        for token in tokens:
            pipe.exists(manager._get_redis_key(token))
        found = await pipe.execute()
    return {token for token, present in zip(tokens, found, strict=True) if present}


async def _push(app, token: str, cls: type[rx.State], version: int) -> None:
    """Re-read one tab's view in its own state; Reflex sends the tab what changed. A tab that
    cannot be pushed (its state expired meanwhile) is skipped: the others still are."""
    try:
        async with app.modify_state(BaseStateToken(ident=token, cls=cls)) as root:
            state = await root.get_state(cls)
            state._pushed(version)
    except Exception as error:
        logger.warning("Could not push a change to a tab: %s", error)


def _done(task: asyncio.Task) -> None:
    _PENDING.discard(task)
    if not task.cancelled() and task.exception() is not None:
        logger.warning("Could not announce a change: %s", task.exception())
