"""Pushed views (state.live): the deal board is read once per distinct spec after a change, as
each tab's session sees it now, and sent straight to the tabs showing it."""

import asyncio
import json
from types import SimpleNamespace

import pytest
from argon2 import PasswordHasher
from reflex_base.constants.state import FIELD_MARKER

from prm_app.models import OrgKind, Role
from prm_app.services.core import db
from prm_app.services.core.changes import Changes, Topic
from prm_app.services.identity import auth, roles
from prm_app.state import board_rows, live
from prm_app.state.deals import BOARD_VIEW, DealsState
from tests.unit.factories import colleague, deal_stage, org_admin, partners, signed_in
from tests.unit.test_deals import _deal
from tests.unit.test_live import _Namespace

COLUMNS = DealsState.get_full_name()
BOARD = board_rows.params(
    provider="", search="", limits={}, columns=[], custom_filters=[], shown=()
)


@pytest.fixture(autouse=True)
def _cheap_password_hashing(monkeypatch):
    monkeypatch.setattr(auth, "_hasher", PasswordHasher(time_cost=1, memory_cost=8, parallelism=1))


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
    deltas = live.render_views(session, Topic.DEALS, provider.org_id, 1, specs)
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


def test_a_change_reads_once_per_spec_and_sends_to_each_tab(monkeypatch):
    registry = live._Memory()
    monkeypatch.setattr(live, "_registry", lambda: registry)
    namespace = _Namespace(["board-1", "board-2", "board-3", "list", "gone-session"])
    app = SimpleNamespace(event_namespace=namespace)
    read: list[tuple[str, int]] = []

    def fake_read(kind, id_, version, specs):
        read.append((kind, version))
        return [None if json.loads(s)["session"] == "ended" else {"s": {"v": s}} for s in specs]

    monkeypatch.setattr(live, "_read_views", fake_read)
    same = live.view_spec(BOARD_VIEW, "hash-a", BOARD)
    other = live.view_spec(BOARD_VIEW, "hash-b", BOARD)
    ended = live.view_spec(BOARD_VIEW, "ended", BOARD)

    async def scenario():
        registry.watch_page("board-1", [live.PUSH + "deals:1"], same)
        registry.watch_page("board-2", [live.PUSH + "deals:1"], same)
        registry.watch_page("board-3", [live.PUSH + "deals:1"], other)
        registry.watch_page("gone-session", [live.PUSH + "deals:1"], ended)
        registry.watch_page("list", ["deals:1"])
        live._announce(app, asyncio.get_running_loop(), Changes([(Topic.DEALS, 1)]))
        await asyncio.gather(*list(live._PENDING))

    asyncio.run(scenario())
    assert read == [(Topic.DEALS, 1)]  # one read of every spec, in one transaction
    pulse = {live.DealsPulse.get_full_name(): {"version" + FIELD_MARKER: 1}}
    assert sorted(namespace.sent, key=lambda sent: sent[0]) == [
        ("board-1", {"s": {"v": same}}),
        ("board-2", {"s": {"v": same}}),
        ("board-3", {"s": {"v": other}}),
        ("list", pulse),  # the list follows the pulse; the boards get no pulse
    ]
    assert "gone-session" not in registry.views  # forgotten: told of nothing more
    assert asyncio.run(registry.watching(live.PUSH + "deals:1")) == [
        "board-1",
        "board-2",
        "board-3",
    ]


def test_a_push_overtaken_by_a_later_change_is_not_sent(monkeypatch):
    registry = live._Memory()
    monkeypatch.setattr(live, "_registry", lambda: registry)
    namespace = _Namespace(["board"])
    app = SimpleNamespace(event_namespace=namespace)

    def slow_read(kind, id_, version, specs):
        registry.bump("deals:1")  # another change committed while this one was read
        return [{"s": {"v": version}} for _ in specs]

    monkeypatch.setattr(live, "_read_views", slow_read)

    async def scenario():
        registry.watch_page(
            "board", [live.PUSH + "deals:1"], live.view_spec(BOARD_VIEW, "h", BOARD)
        )
        await live._push_views(app, Topic.DEALS, 1, registry.bump("deals:1"))

    asyncio.run(scenario())
    assert namespace.sent == []  # the later change's push carries the newer board


def test_the_views_are_read_in_a_unit_of_work_of_their_own(engine, monkeypatch):
    monkeypatch.setattr(db, "engine", lambda: engine)
    assert live._read_views(Topic.DEALS, 1, 1, []) == []
    ended = live.view_spec(BOARD_VIEW, auth.hash_token("no such session"), BOARD)
    assert live._read_views(Topic.DEALS, 1, 1, [ended]) == [None]
