"""Live views across users and workers: a version per topic, sent to the tabs watching it.

Topics (services.core.changes.Topic): an organization's deals, leads and referrals, partners and
invitations, ledger (commissions and requests) and imports, each followed by the list and detail
pages that show it; and a person's notifications (the bell of each of their tabs, and the
notifications page). A tab registers as a watcher of its topics (ids from the server-side
session, never from the client): the bell's for the tab's life, a page's for as long as the tab
shows it (opening another live page replaces them, so a change fans out only to the tabs whose
page shows it). After a change commits, the version of each topic concerned goes up at once (so
the author's own re-read already includes it) and every worker is told (one Redis message, or
this process alone); each sends that one number, as a delta of its pulse state, to the watching
tabs whose websocket it holds, in one message (at once, or with the next changes of a burst at
the end of the topic's window: pace.py). The tab's OnChange then asks the tab's own state to
re-read its view, with its own permissions (LiveView). A tab that loses its session (signed
out, refused as signed out, or presented with another one) is forgotten at once (forget_tab).

A pushed view (the deal board, the leads lists) skips the tab's own re-read: the tab registers
its view's spec, and a change reads the view once per distinct spec and sends it to the tabs
(see "Pushed views" below).

Watchers and versions live in Redis when Reflex has one (several workers), else in this process.
Nothing here loads or locks another tab's state: a change costs one Redis message, and one
websocket message per worker and watching tab.
"""

import asyncio
import contextlib
import dataclasses
import functools
import itertools
import json
import logging
from collections.abc import AsyncIterator, Callable
from functools import cache
from typing import Any, ClassVar, cast

import reflex as rx
from reflex.state import StateUpdate
from reflex.utils import prerequisites
from reflex_base.constants import SocketEvent
from reflex_base.constants.state import FIELD_MARKER
from sqlmodel import Session

from ..services.core import unit_of_work
from ..services.core.actor import Actor
from ..services.core.changes import Changes, Topic
from ..services.core.errors import DomainError
from ..services.identity import auth
from .live_registry import Memory, Redis
from .pace import Pace

logger = logging.getLogger(__name__)
_PENDING: set[asyncio.Task] = set()


class Pulse(rx.State, mixin=True):
    """A topic's version this tab was last told of (a pulse), and that of the last view pushed
    to it (`pushed`: what tells a push from the answer to an event). Set from outside."""

    version: int = 0
    pushed: int = 0


class DealsPulse(Pulse, rx.State):
    """The version of the organization's deals this tab was last told of (set from outside)."""


class NotesPulse(Pulse, rx.State):
    """The version of this person's notifications the tab was last told of (set from outside)."""


class LeadsPulse(Pulse, rx.State):
    """The version of the organization's leads and referrals (set from outside)."""


class PartnersPulse(Pulse, rx.State):
    """The version of the organization's partnerships and invitations (set from outside)."""


class LedgerPulse(Pulse, rx.State):
    """The version of the organization's commissions and requests (set from outside)."""


class ImportsPulse(Pulse, rx.State):
    """The version of the organization's imports (set from outside)."""


class LibraryPulse(Pulse, rx.State):
    """The version of the content library the organization sees (set from outside)."""


class AuditPulse(Pulse, rx.State):
    """The version of the organization's full exports (set from outside)."""


class PrivacyPulse(Pulse, rx.State):
    """The version of the organization's personal-data requests (set from outside)."""


PULSES: dict[Topic, type[rx.State]] = {
    Topic.DEALS: DealsPulse,
    Topic.NOTES: NotesPulse,
    Topic.LEADS: LeadsPulse,
    Topic.PARTNERS: PartnersPulse,
    Topic.LEDGER: LedgerPulse,
    Topic.IMPORTS: ImportsPulse,
    Topic.LIBRARY: LibraryPulse,
    Topic.AUDIT: AuditPulse,
    Topic.PRIVACY: PrivacyPulse,
}


@cache
def _registry() -> Memory | Redis:
    return Redis() if prerequisites.parse_redis_url() else Memory()


def _key(topic: Topic, id_: int) -> str:
    return f"{topic.value}:{id_}"


def version(topic: Topic, id_: int) -> int:
    """The topic's current version: a view read after it includes every change up to it."""
    return _registry().version(_key(topic, id_))


def watch_topics(state: rx.State, topics: list[tuple[Topic, int]]) -> dict[Topic, int]:
    """Register this tab as the watcher of a page that follows several topics (replacing the
    last live page's registration, as LiveView does for one); returns each topic's version."""
    keys = [_key(topic, id_) for topic, id_ in topics]
    registry = _registry()
    registry.watch_page(state.router.session.client_token, keys)
    return {topic: registry.version(key) for (topic, _), key in zip(topics, keys, strict=True)}


async def follow_notes(state: rx.State, user_id: int) -> int:
    """Register this tab's bell as a watcher of its person's notifications; returns the version."""
    registry = _registry()
    await registry.watch(_key(Topic.NOTES, user_id), state.router.session.client_token)
    return registry.version(_key(Topic.NOTES, user_id))


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
    hearing = loop.create_task(_hear_pushes(app))
    try:
        yield
    finally:
        unsubscribe()
        hearing.cancel()


def _announce(app: rx.App, loop: asyncio.AbstractEventLoop, changed: Changes) -> None:
    """Bump each topic's version now (the author's own re-read already includes it), then tell
    its watchers from the app's event loop."""
    for kind, id_ in sorted(changed.touched):
        telling = _tell(app, kind, id_, _registry().bump(_key(kind, id_)))
        if _running_loop() is loop:
            _spawn(telling)
        else:
            asyncio.run_coroutine_threadsafe(telling, loop).add_done_callback(_done)


def _spawn(coroutine) -> None:
    task = asyncio.get_running_loop().create_task(coroutine)
    _PENDING.add(task)
    task.add_done_callback(_done)


def _running_loop() -> asyncio.AbstractEventLoop | None:
    try:
        return asyncio.get_running_loop()
    except RuntimeError:
        return None


async def _tell(app, kind: Topic, id_: int, version: int) -> None:
    """Tell every worker of the change (through Redis; in one process, this one): each sends
    it to the watching tabs whose websocket it holds (`_tell_here`)."""
    registry = _registry()
    if isinstance(registry, Redis):
        await registry.client.publish(PUSH_CHANNEL, json.dumps([kind.value, id_, version]))
    else:
        await _tell_here(app, kind, id_, version)


async def _tell_here(app, kind: Topic, id_: int, version: int) -> None:
    """This worker's part of a change: the topic's pulse to its watching tabs (paced: one per
    PULSE_EVERY, see pace.py), and the pushed views of it."""
    namespace = app.event_namespace
    if namespace is None:
        return
    pulse = functools.partial(_pulse, app, kind, id_)
    _PACE.offer((id(namespace), kind, id_), version, pulse, _spawn)  # per worker
    paces = {pushed.paced for pushed in _PUSHED.values() if pushed.topic == kind}
    if True in paces:  # the lists: one push per PULSE_EVERY, as the pulse
        push = functools.partial(_push_views, app, kind, id_, paced=True)
        _PACE.offer((id(namespace), PUSH, kind, id_), version, push, _spawn)
    if False in paces:  # the board: each move at once
        await _push_views(app, kind, id_, version, paced=False)


PULSE_EVERY = 1.0  # seconds: a topic's tabs re-read at most this often in a burst of changes
_PACE = Pace(PULSE_EVERY)


async def _pulse(app, kind: Topic, id_: int, version: int) -> None:
    """The topic's version to the watching tabs whose websocket this process holds, as one
    message."""
    namespace = app.event_namespace
    sids = _local(namespace, await _registry().watching(_key(kind, id_)))
    if sids:
        pulse = PULSES[kind].get_full_name()
        update = StateUpdate(delta={pulse: {"version" + FIELD_MARKER: version}})
        await namespace.emit(str(SocketEvent.EVENT), update, to=list(sids.values()))


def _local(namespace, tokens: list[str]) -> dict[str, str]:
    """The sids of the tabs among `tokens` whose websocket this process holds, by token (a
    tab that went away is not told)."""
    manager = namespace._token_manager
    sids = {}
    for token in tokens:
        record = manager.token_to_socket.get(token)
        if record is not None and record.instance_id == manager.instance_id:
            sids[token] = record.sid
    return sids


def _done(task: asyncio.Future) -> None:
    _PENDING.discard(task)  # type: ignore[arg-type]
    if not task.cancelled() and task.exception() is not None:
        logger.warning("Could not announce a change: %s", task.exception())


# Pushed views ----------------------------------------------------------------------------------
#
# A page that many tabs show the same way (the deal board, a list) need not cost every tab an
# event of its own per change. A tab showing it registers the view's spec (the view, its own
# filters and the hash of its session) instead of following the topic's pulse. After a change,
# every worker (told through Redis, or this process alone) pushes the view to the tabs whose
# websocket it holds: their sessions resolved again in one query (a revoked session or a changed
# role counts at once), the view read and serialized once per distinct spec and viewer scope
# (`Actor.scope`: viewers of one scope see the same records), and sent as one message to all
# the tabs of a group: a list paced as the pulses are (`paced`), the board after every move. A
# tab's stored state keeps its own last read: its handlers catch up on what it was pushed when
# they need it (the board's moves), and a reconnect re-reads on load.

PUSH = "push:"  # the registry's topic of the tabs a topic's views are pushed to
PUSH_CHANNEL = "prm:live:push"  # where a change is told to every worker (Redis)


@dataclasses.dataclass(frozen=True)
class PushedView:
    topic: Topic
    state: type[rx.State]
    # (session, viewer, version, the spec's params) -> the state's vars as the view shows them
    render: Callable[[Session, Actor, int, dict[str, Any]], dict[str, Any]]
    paced: bool  # pushed at most once per PULSE_EVERY (a list), or after every change (the board)

    def delta(self, session: Session, actor: Actor, version: int, params: dict) -> dict:
        values = self.render(session, actor, version, params)
        return {
            self.state.get_full_name(): {k + FIELD_MARKER: v for k, v in values.items()},
            PULSES[self.topic].get_full_name(): {"pushed" + FIELD_MARKER: version},
        }


_PUSHED: dict[str, PushedView] = {}
_READS = itertools.count()  # this process's reads of pushed views, in the order they began
_LISTED: dict[tuple[int, str], int] = {}  # (worker, topic) -> the read its lists were last sent


def pushed_view(
    name: str,
    topic: Topic,
    state: type[rx.State],
    *,
    paced: bool = False,
):
    """Register `render` as the pushed view `name` of `topic`, shown by `state`'s vars."""

    def register(render):
        _PUSHED[name] = PushedView(topic, state, render, paced)
        return render

    return register


async def _hear_pushes(app) -> None:
    """Lifespan task, with Redis: tell this worker's tabs of every change (`_tell_here`)."""
    registry = _registry()
    if not isinstance(registry, Redis):
        return
    while True:
        try:
            async with registry.client.pubsub() as pubsub:
                await pubsub.subscribe(PUSH_CHANNEL)
                async for message in pubsub.listen():
                    if message.get("type") == "message":
                        kind, id_, version = json.loads(message["data"])
                        _spawn(_tell_here(app, Topic(kind), int(id_), int(version)))
        except asyncio.CancelledError:
            raise
        except Exception as error:  # Redis away for a moment: subscribe again
            logger.warning("Could not hear pushed views: %s", error)
            await asyncio.sleep(1.0)


async def _push_views(app, kind: Topic, id_: int, version: int, *, paced: bool) -> None:
    """Push the views of `kind`'s change (the paced ones, or the others) to the tabs whose
    websocket this process holds."""
    namespace = app.event_namespace
    registry, topic = _registry(), _key(kind, id_)
    sids = _local(namespace, await registry.watching(PUSH + topic))
    if not sids:
        return
    tokens = list(sids)
    specs = await registry.views_of(tokens)
    groups: dict[str, list[str]] = {}
    for token, spec in zip(tokens, specs, strict=True):
        if spec and _is_paced(spec) == paced:
            groups.setdefault(spec, []).append(token)
    if not groups:
        return
    read = next(_READS)
    deltas = await asyncio.to_thread(_read_views, kind, id_, version, list(groups))
    if not paced and await registry.current(topic) != version:
        return  # a later move is being pushed, read after this one
    if paced:  # a steady stream of changes must not starve it: sent unless a later read was
        if _LISTED.get(listed := (id(namespace), topic), -1) > read:
            return
        _LISTED[listed] = read
    # A tab whose filters changed during the read was answered with its new view: not this one.
    still = dict(zip(tokens, await registry.views_of(tokens), strict=True))
    sending: dict[int, tuple[dict, list[str]]] = {}  # one message per distinct delta
    for (spec, tabs), delta in zip(groups.items(), deltas, strict=True):
        if delta is None:  # its session ended, or it is no longer this topic's
            for token in tabs:
                forget_tab(token)
        elif delta:
            to = [sids[t] for t in tabs if still[t] == spec]
            sending.setdefault(id(delta), (delta, []))[1].extend(to)
    await asyncio.gather(
        *(
            namespace.emit(str(SocketEvent.EVENT), StateUpdate(delta=delta), to=to)
            for delta, to in sending.values()
            if to
        )
    )


def _is_paced(spec: str) -> bool:
    return getattr(_PUSHED.get(str(json.loads(spec).get("view"))), "paced", False)


def _read_views(kind: Topic, id_: int, version: int, specs: list[str]) -> list[dict | None]:
    with unit_of_work.unit_of_work() as session:
        return render_views(session, kind, id_, version, specs)


def render_views(
    session: Session, kind: Topic, id_: int, version: int, specs: list[str]
) -> list[dict | None]:
    """Each spec's delta, as its session sees the view now (None: a tab to forget, its session
    ended or not of this topic; empty: not sent, the read failed). Specs of one view with the
    same params and alike viewers share one delta (the same object)."""
    parsed = [json.loads(spec) for spec in specs]
    actors = auth.resolve_bound(session, token_hashes={str(p.get("session")) for p in parsed})
    shared: dict[tuple, dict] = {}
    deltas: list[dict | None] = []
    for data in parsed:
        pushed = _PUSHED.get(str(data.get("view")))
        actor = actors.get(str(data.get("session")))
        owner = None if actor is None else (actor.user_id if kind == Topic.NOTES else actor.org_id)
        if actor is None or pushed is None or pushed.topic != kind or owner != id_:
            deltas.append(None)
            continue
        params = data.get("params", {})
        key = (data["view"], json.dumps(params, sort_keys=True), actor.scope)
        if key not in shared:
            try:
                shared[key] = pushed.delta(session, actor, version, params)
            except DomainError:  # a filter the tab's own read refused: nothing to push
                shared[key] = {}
            except Exception:  # that view re-reads on its tab's next event
                logger.exception("could not push a view")
                shared[key] = {}
        deltas.append(shared[key])
    return deltas


def view_spec(view: str, session_hash: str, params: dict[str, Any]) -> str:
    """The spec a tab registers for a pushed view: the same text for tabs seeing it the same."""
    return json.dumps({"view": view, "session": session_hash, "params": params}, sort_keys=True)


class LiveView(rx.State, mixin=True):
    """A list or detail page that follows one topic (`LIVE_TOPIC`) of its viewer's organization
    or person. Its load calls `_watch()`; its read calls `_reading(id)` before reading (which
    registers the tab the first time after a load); `follow(version)`, fired by the page's
    on_change when the topic's pulse moves, re-reads with the viewer's own permissions.

    A page without live data (settings, team) leaves the last live page's registration in place:
    until the tab opens another live page, it may get that topic's pulses (one small message
    each, which nothing on the page listens to, so nothing is re-read)."""

    LIVE_TOPIC: ClassVar[Topic]
    _seen: int = -1
    _followed: str = ""  # the topic this tab was registered for since the page's load

    def _refresh(self):
        raise NotImplementedError

    def _act_and_reread(self, operation, /, done: str, **arguments):
        """A page's action: `operation` as the verified caller (AppState._perform), then the
        page re-read; `done` said, or why not."""
        _, refusal = cast(Any, self)._perform(operation, **arguments)
        self._refresh()
        return refusal or rx.toast.success(done)

    def _watch(self) -> None:
        """The page was (re)opened: its next read registers the tab again."""
        self._followed = ""

    def _reading(self, id_: int, *, pushed: str = "") -> int:
        """The version a read starting now includes: the pulse of it (the echo of the caller's
        own change, too) then needs no second read. With `pushed` (a view_spec), the tab is
        sent that view after each change instead of the topic's pulse."""
        topic = self.LIVE_TOPIC
        key = _key(topic, id_)
        watched = PUSH + key if pushed else key
        followed = f"{watched} {pushed}" if pushed else key
        if topic != Topic.NOTES and self._followed != followed:  # the bell follows notes
            token = self.router.session.client_token
            if pushed and self._followed.startswith(f"{watched} "):  # the same page, new filters
                _registry().watch_view(token, pushed)
            else:
                _registry().watch_page(token, [watched], pushed)
            self._followed = followed
        self._seen = version(topic, id_)
        return self._seen

    @rx.event
    def follow(self, version: int):
        """Fired in the browser when the pulse moves: re-read, with the caller's permissions.

        The browser sends the version it was told: reading the shared pulse here would make
        every watching tab notify every other one again. It fires once when the page mounts
        too: 0 then means told of nothing since the page's own read (re-reading would only
        re-mount its forms under a person's fingers), unless the state never read.
        """
        if not isinstance(version, int) or isinstance(version, bool) or version == self._seen:
            return None
        if version == 0 and self._seen >= 0:
            return None
        self._seen = version
        return self._refresh()
