"""Pushed views (state.live): the deal board and the leads lists are read once per distinct spec
after a change, as each tab's session sees them now, and sent straight to the tabs showing
them (the board after every change, the lists at most once per pace window)."""

import asyncio
import json
import time
from types import SimpleNamespace

import pytest
from argon2 import PasswordHasher
from reflex_base.constants.state import FIELD_MARKER

from prm_app.models import OrgKind, Role
from prm_app.services import leads
from prm_app.services.core import db
from prm_app.services.core.changes import Changes, Topic
from prm_app.services.identity import auth, roles
from prm_app.state import board_rows, lead_lists, live, live_registry
from prm_app.state.deals import BOARD_VIEW, DealsState
from prm_app.state.leads import SentLeadsState
from prm_app.state.pace import Pace
from tests.unit.factories import colleague, deal_stage, org_admin, partners, signed_in
from tests.unit.test_deals import _deal
from tests.unit.test_live import _redis_registry

COLUMNS = DealsState.get_full_name()
BOARD = board_rows.params(
    provider="", search="", limits={}, columns=[], custom_filters=[], shown=()
)


@pytest.fixture(autouse=True)
def _cheap_hashing_and_fresh_pushes(monkeypatch):
    monkeypatch.setattr(auth, "_hasher", PasswordHasher(time_cost=1, memory_cost=8, parallelism=1))
    monkeypatch.setattr(live, "_LISTED", {})  # the versions lists were pushed: each test its own


def _world(session):
    provider = org_admin(session, kind=OrgKind.PROVIDER, org_name="Northwind")
    consultant = org_admin(session, kind=OrgKind.CONSULTANT, org_name="Fabrikam")
    partners(session, provider, consultant)
    member = colleague(session, provider, role=Role.MEMBER)
    stage = deal_stage(session, provider, "Qualification")
    _deal(
        session,
        provider,
        consultant,
        company="Owned",
        stage_id=stage,
        provider_owner_id=member.user_id,
    )
    _deal(session, provider, consultant, company="Others", stage_id=stage)
    return provider, consultant, member


def _spec(session, actor, **params) -> str:
    token = signed_in(session, actor)
    return live.view_spec(BOARD_VIEW, auth.hash_token(token), {**BOARD, **params})


def _names(delta) -> list[str]:
    columns = delta[COLUMNS]["columns" + FIELD_MARKER]
    return sorted(card["company"] for column in columns for card in column["cards"])


def test_each_spec_is_read_as_its_session_sees_the_board_now(session):
    provider, consultant, member = _world(session)
    revoked_token = signed_in(session, provider)
    auth.sign_out(session, token=revoked_token)
    specs = [
        _spec(session, provider),
        _spec(session, member),  # a member: only the deals they own on their side
        _spec(session, provider, search="Owned"),
        live.view_spec(BOARD_VIEW, auth.hash_token(revoked_token), BOARD),
        _spec(session, consultant),  # another organization's session: not this topic's
        live.view_spec("no such view", auth.hash_token(signed_in(session, provider)), BOARD),
    ]
    specs.append(_spec(session, provider))  # another tab, another session of the same admin
    deltas = live.render_views(session, Topic.DEALS, provider.org_id, 1, specs)
    assert deltas.pop() is deltas[0]  # alike viewers, the same params: one read, one delta
    assert _names(deltas[0]) == ["Others", "Owned"]
    assert _names(deltas[1]) == ["Owned"]
    assert _names(deltas[2]) == ["Owned"]
    assert deltas[3:] == [None, None, None]
    stages = deltas[0][COLUMNS]["stages" + FIELD_MARKER]
    assert {
        "key": str(deal_stage(session, provider, "Qualification")),
        "name": "Qualification",
    } in stages


def test_a_demoted_admin_is_pushed_what_a_member_sees(session):
    provider, _, _ = _world(session)
    manager = colleague(session, provider, role=Role.ADMIN)
    spec = _spec(session, manager)
    assert _names(live.render_views(session, Topic.DEALS, provider.org_id, 1, [spec])[0]) == [
        "Others",
        "Owned",
    ]
    roles.change_role(session, actor=provider, user_id=manager.user_id, role=Role.MEMBER)
    assert _names(live.render_views(session, Topic.DEALS, provider.org_id, 2, [spec])[0]) == []


class _Namespace:
    """The app's websocket namespace in one worker: its sockets, and what each emit sent."""

    def __init__(self, mine: list[str], others: list[str] = ()) -> None:
        records = {t: SimpleNamespace(sid=f"sid-{t}", instance_id="me") for t in mine}
        records |= {t: SimpleNamespace(sid=f"sid-{t}", instance_id="other") for t in others}
        self._token_manager = SimpleNamespace(token_to_socket=records, instance_id="me")
        self.emitted: list[tuple[dict, list[str]]] = []

    async def emit(self, event: str, update, to: list[str]) -> None:
        assert event == "event"
        self.emitted.append((update.delta, sorted(to)))


def _worker(monkeypatch, mine: list[str], others: list[str] = ()):
    """One process's registry (in memory), its sockets and the app holding them."""
    registry = live_registry.Memory()
    monkeypatch.setattr(live, "_registry", lambda: registry)
    namespace = _Namespace(mine, others)
    return registry, namespace, SimpleNamespace(event_namespace=namespace)


def _board(registry, token: str, spec: str) -> None:
    registry.watch_page(token, [live.PUSH + "deals:1"], spec)


def test_a_change_is_read_once_per_spec_and_sent_once_per_delta(monkeypatch):
    registry, namespace, app = _worker(
        monkeypatch, ["b1", "b2", "b3", "b4", "list", "ended-1"], others=["elsewhere"]
    )
    read: list[list[str]] = []
    shared = {"s": {"v": "board as alike viewers see it"}}

    def fake_read(kind, id_, version, specs):
        read.append(specs)
        return [
            None
            if json.loads(s)["session"] == "ended"
            else shared
            if json.loads(s)["session"] in ("a", "b")
            else {"s": {"v": s}}
            for s in specs
        ]

    monkeypatch.setattr(live, "_read_views", fake_read)
    spec = {name: live.view_spec(BOARD_VIEW, name, BOARD) for name in ("a", "b", "c", "ended")}

    async def scenario():
        for token, name in (("b1", "a"), ("b2", "a"), ("b3", "b"), ("b4", "c")):
            _board(registry, token, spec[name])
        _board(registry, "ended-1", spec["ended"])
        _board(registry, "elsewhere", spec["a"])  # another worker's tab: that worker's push
        registry.watch_page("list", ["deals:1"])
        live._announce(app, asyncio.get_running_loop(), Changes([(Topic.DEALS, 1)]))
        await asyncio.gather(*list(live._PENDING))

    asyncio.run(scenario())
    assert [sorted(specs) for specs in read] == [
        sorted([spec["a"], spec["b"], spec["c"], spec["ended"]])
    ]
    pulse = {live.DealsPulse.get_full_name(): {"version" + FIELD_MARKER: 1}}
    assert sorted(namespace.emitted, key=lambda e: e[1]) == [
        (shared, ["sid-b1", "sid-b2", "sid-b3"]),  # one message for the three tabs
        ({"s": {"v": spec["c"]}}, ["sid-b4"]),
        (pulse, ["sid-list"]),  # the list follows the pulse; boards get none
    ]
    assert "ended-1" not in registry.views  # its session ended: forgotten, told nothing more


def test_a_push_overtaken_by_a_later_change_is_not_sent(monkeypatch):
    registry, namespace, app = _worker(monkeypatch, ["board"])

    def slow_read(kind, id_, version, specs):
        registry.bump("deals:1")  # another change committed while this one was read
        return [{"s": {"v": version}} for _ in specs]

    monkeypatch.setattr(live, "_read_views", slow_read)

    async def scenario():
        _board(registry, "board", live.view_spec(BOARD_VIEW, "h", BOARD))
        await live._push_views(app, Topic.DEALS, 1, registry.bump("deals:1"), paced=False)

    asyncio.run(scenario())
    assert namespace.emitted == []  # the later change's push carries the newer board


def test_with_redis_every_worker_tells_its_own_tabs_once(monkeypatch):
    registry = _redis_registry(monkeypatch)
    monkeypatch.setattr(live, "_registry", lambda: registry)
    workers = [
        _Namespace(["mine", "list-a", "list-b"], others=["theirs", "list-c"]),
        _Namespace(["theirs", "list-c"], others=["mine", "list-a", "list-b"]),
    ]
    monkeypatch.setattr(
        live, "_read_views", lambda kind, id_, version, specs: [{"s": {"v": version}}] * len(specs)
    )

    async def scenario():
        for token in ("mine", "theirs"):
            _board(registry, token, live.view_spec(BOARD_VIEW, "h", BOARD))
        for token in ("list-a", "list-b", "list-c"):
            registry.watch_page(token, ["deals:1"])
        hearing = [
            asyncio.create_task(live._hear_pushes(SimpleNamespace(event_namespace=namespace)))
            for namespace in workers
        ]
        await asyncio.sleep(0.3)  # subscribed
        version = registry.bump("deals:1")
        await live._tell(SimpleNamespace(event_namespace=workers[0]), Topic.DEALS, 1, version)
        for _ in range(100):
            if all(len(w.emitted) == 2 for w in workers):
                break
            await asyncio.sleep(0.02)
        await asyncio.gather(*list(live._PENDING))
        for task in hearing:
            task.cancel()

    asyncio.run(scenario())
    pulse = {live.DealsPulse.get_full_name(): {"version" + FIELD_MARKER: 1}}
    # one Redis message for the change; each worker one message per group of its own tabs
    assert sorted(workers[0].emitted, key=repr) == sorted(
        [(pulse, ["sid-list-a", "sid-list-b"]), ({"s": {"v": 1}}, ["sid-mine"])], key=repr
    )
    assert sorted(workers[1].emitted, key=repr) == sorted(
        [(pulse, ["sid-list-c"]), ({"s": {"v": 1}}, ["sid-theirs"])], key=repr
    )


def test_the_views_are_read_in_a_unit_of_work_of_their_own(engine, monkeypatch):
    monkeypatch.setattr(db, "engine", lambda: engine)
    assert live._read_views(Topic.DEALS, 1, 1, []) == []
    ended = live.view_spec(BOARD_VIEW, auth.hash_token("no such session"), BOARD)
    assert live._read_views(Topic.DEALS, 1, 1, [ended]) == [None]


def _sent_spec(session, actor, **params) -> str:
    token = signed_in(session, actor)
    filters = {"search": "", "sort": "newest", "page": 1, "columns": [], **params}
    return live.view_spec(lead_lists.SENT_VIEW, auth.hash_token(token), filters)


def _draft(session, actor, company: str) -> None:
    form = {"first_name": "A", "last_name": "B", "email": f"{len(company)}@x.example"}
    data = leads.checked_form({**form, "company": company}, [], submitting=False)
    leads.save_draft(session, actor=actor, data=data, owner_id=str(actor.user_id))


def test_a_leads_list_is_pushed_as_each_session_sees_it(session):
    consultant = org_admin(session, kind=OrgKind.CONSULTANT, org_name="Fabrikam")
    member = colleague(session, consultant, role=Role.MEMBER)
    _draft(session, consultant, "Admin's")
    _draft(session, member, "Member's")
    specs = [
        _sent_spec(session, consultant),
        _sent_spec(session, member),  # a member: the leads they own
        _sent_spec(session, consultant, search="Member"),
        _sent_spec(session, consultant),  # another tab of the admin: the same read
    ]
    deltas = live.render_views(session, Topic.LEADS, consultant.org_id, 7, specs)
    assert deltas[3] is deltas[0]
    rows = [
        sorted(r["company"] for r in d[SentLeadsState.get_full_name()]["rows" + FIELD_MARKER])
        for d in deltas[:3]
    ]
    assert rows == [["Admin's", "Member's"], ["Member's"], ["Member's"]]
    assert deltas[0][SentLeadsState.get_full_name()]["total" + FIELD_MARKER] == 2
    # what tells a push from an answer: the version it shows, on the topic's pulse
    assert deltas[0][live.LeadsPulse.get_full_name()] == {"pushed" + FIELD_MARKER: 7}


def test_a_burst_pushes_the_lists_at_once_then_once_and_the_board_each_time(monkeypatch):
    registry, _, app = _worker(monkeypatch, ["list", "board"])
    monkeypatch.setattr(live, "_PACE", Pace(0.2))
    read: list[tuple[int, list[str]]] = []

    def fake_read(kind, id_, version, specs):
        read.append((version, [json.loads(s)["view"] for s in specs]))
        return [{"s": {"v": version}} for _ in specs]

    monkeypatch.setattr(live, "_read_views", fake_read)
    list_view = live.view_spec(lead_lists.SENT_VIEW, "h", {})
    board_view = live.view_spec(BOARD_VIEW, "h", BOARD)

    async def scenario():
        registry.watch_page("list", [live.PUSH + "leads:1"], list_view)
        registry.watch_page("board", [live.PUSH + "deals:1"], board_view)
        for _ in range(4):  # four changes in a moment, of each topic
            live._announce(
                app, asyncio.get_running_loop(), Changes([(Topic.LEADS, 1), (Topic.DEALS, 1)])
            )
            await asyncio.sleep(0.01)
        await asyncio.gather(*list(live._PENDING))
        await asyncio.sleep(0.3)  # the lists' window ends
        await asyncio.gather(*list(live._PENDING))

    asyncio.run(scenario())
    assert [v for v, views in read if views == [lead_lists.SENT_VIEW]] == [1, 4]
    assert [v for v, views in read if views == [BOARD_VIEW]] == [1, 2, 3, 4]


def test_a_list_changing_its_filters_only_changes_its_spec(monkeypatch):
    registry = live_registry.Memory()
    monkeypatch.setattr(live, "_registry", lambda: registry)
    calls: list[str] = []
    monkeypatch.setattr(registry, "watch_page", lambda *a, **k: calls.append("page"))
    monkeypatch.setattr(registry, "watch_view", lambda *a, **k: calls.append("view"))
    tab = SimpleNamespace(
        LIVE_TOPIC=Topic.LEADS,
        _followed="",
        _seen=-1,
        router=SimpleNamespace(session=SimpleNamespace(client_token="t")),
    )
    for search in ("", "co", "co", ""):
        live.LiveView._reading(tab, 1, pushed=live.view_spec("sent_leads", "h", {"s": search}))
    live.LiveView._reading(tab, 1)  # another page of the topic, followed by its pulse
    assert calls == ["page", "view", "view", "page"]


def test_a_list_overtaken_by_later_changes_is_still_pushed_but_never_an_older_one(monkeypatch):
    # Drafts saved without pause: each read is overtaken by the next change, and a list that
    # waited for a quiet moment would never be pushed. Sent, unless a read begun later was sent
    # already (versions are not compared: Redis may have started them again).
    registry, namespace, app = _worker(monkeypatch, ["list"])

    def overtaken_read(kind, id_, version, specs):
        registry.bump("leads:1")  # another draft, committed while this one was read
        time.sleep(0.3 if version == 2 else 0)  # 2's read ends after 3's
        return [{"s": {"v": version}} for _ in specs]

    monkeypatch.setattr(live, "_read_views", overtaken_read)

    async def scenario():
        spec = live.view_spec(lead_lists.SENT_VIEW, "h", {})
        registry.watch_page("list", [live.PUSH + "leads:1"], spec)
        await live._push_views(app, Topic.LEADS, 1, 1, paced=True)
        slow = asyncio.create_task(live._push_views(app, Topic.LEADS, 1, 2, paced=True))
        await asyncio.sleep(0.1)
        await live._push_views(app, Topic.LEADS, 1, 3, paced=True)
        await slow

    asyncio.run(scenario())
    assert [delta["s"]["v"] for delta, _ in namespace.emitted] == [1, 3]


def test_a_list_whose_filters_were_refused_is_pushed_nothing_and_logs_nothing(session, caplog):
    consultant = org_admin(session, kind=OrgKind.CONSULTANT, org_name="Fabrikam")
    refused = _sent_spec(session, consultant, status="no such status")
    shown = _sent_spec(session, consultant)
    deltas = live.render_views(session, Topic.LEADS, consultant.org_id, 1, [refused, shown])
    assert deltas[0] == {} and deltas[1]  # the other tabs are pushed their page
    assert "could not push" not in caplog.text


def test_a_tab_that_changed_its_filters_during_the_read_is_not_pushed_the_old_view(monkeypatch):
    registry, namespace, app = _worker(monkeypatch, ["searching", "still"])
    shown = live.view_spec(lead_lists.SENT_VIEW, "h", {"search": ""})

    def read_while_one_searches(kind, id_, version, specs):
        # the tab's own search, answered with its own read, registers its new view meanwhile
        registry.watch_view("searching", live.view_spec(lead_lists.SENT_VIEW, "h", {"search": "x"}))
        return [{"s": {"v": version}} for _ in specs]

    monkeypatch.setattr(live, "_read_views", read_while_one_searches)

    async def scenario():
        for token in ("searching", "still"):
            registry.watch_page(token, [live.PUSH + "leads:1"], shown)
        await live._push_views(app, Topic.LEADS, 1, registry.bump("leads:1"), paced=True)

    asyncio.run(scenario())
    assert namespace.emitted == [({"s": {"v": 1}}, ["sid-still"])]
