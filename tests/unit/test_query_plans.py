"""Every list filter and sort reaches its table through an index, by the database's own plan.

Each list is called once per filter and once per sort while its SQL is captured; every captured
SELECT is then explained. A scan of a table that grows with use (leads, deals, notifications,
ledger, ...) must use an index condition: on PostgreSQL with sequential scans disabled, so a plan
that still scans the table, or walks a whole index merely to filter it, has no index to use; on
SQLite, `EXPLAIN QUERY PLAN` must SEARCH those tables, never SCAN them.
"""

import json
import re
from contextlib import contextmanager
from datetime import date

import pytest
from sqlalchemy import event

from prm_app.models import OrgKind, Role
from prm_app.services import deals, imports, leads, notifications, partnerships
from prm_app.services.deals import board as deal_board
from prm_app.services.ledger import payouts
from tests.support import report
from tests.unit import factories

GROWING = {
    "leads",
    "lead_recipients",
    "deals",
    "deal_products",
    "activity_events",
    "notifications",
    "ledger_entries",
    "ledger_transactions",
    "payout_requests",
    "import_batches",
    "partnerships",
}
INDEXED_SCANS = {"Index Scan", "Index Only Scan", "Bitmap Index Scan"}


@contextmanager
def captured_selects(session):
    """The SELECT statements (with their parameters) the session runs inside the block."""
    seen: list[tuple[str, object]] = []
    connection = session.connection()

    def _keep(_conn, _cursor, statement, parameters, _context, _many):
        if statement.lstrip().upper().startswith(("SELECT", "WITH")):
            seen.append((statement, parameters))

    event.listen(connection, "before_cursor_execute", _keep)
    try:
        yield seen
    finally:
        event.remove(connection, "before_cursor_execute", _keep)


def _postgres_problems(connection, statement, parameters) -> list[str]:
    connection.exec_driver_sql("SET LOCAL enable_seqscan = off")
    plan = connection.exec_driver_sql(f"EXPLAIN (FORMAT JSON) {statement}", parameters).scalar()
    plan = plan if isinstance(plan, list) else json.loads(plan)
    problems = []

    def walk(node, parent_type=""):
        table = node.get("Relation Name")
        kind = node["Node Type"]
        if table in GROWING:
            if kind == "Seq Scan":
                problems.append(f"sequential scan of {table}")
            elif kind in INDEXED_SCANS and "Index Cond" not in node:
                problems.append(f"whole index {node.get('Index Name')} walked for {table}")
        for child in node.get("Plans", []):
            walk(child, kind)

    walk(plan[0]["Plan"])
    return problems


def _sqlite_problems(connection, statement, parameters) -> list[str]:
    rows = connection.exec_driver_sql(f"EXPLAIN QUERY PLAN {statement}", parameters).all()
    problems = []
    for row in rows:
        scan = re.match(r"SCAN (\w+)", row[-1])
        if scan and scan.group(1) in GROWING:
            problems.append(row[-1])
    return problems


def plan_problems(session, calls) -> list[str]:
    """Run each (label, call); explain what it ran; one line per scan without an index."""
    connection = session.connection()
    check = _postgres_problems if connection.dialect.name == "postgresql" else _sqlite_problems
    found = []
    for label, call in calls:
        with captured_selects(session) as selects:
            call()
        assert selects, f"{label} ran no query"
        for statement, parameters in selects:
            found += [f"{label}: {p}" for p in check(connection, statement, parameters)]
    return found


@pytest.fixture
def world(session):
    provider = factories.org_admin(session, kind=OrgKind.PROVIDER)
    consultant = factories.org_admin(session, kind=OrgKind.CONSULTANT)
    factories.partners(session, provider, consultant)
    return {
        "provider": provider,
        "consultant": consultant,
        "provider_member": factories.colleague(session, provider, role=Role.MEMBER),
        "consultant_member": factories.colleague(session, consultant, role=Role.MEMBER),
        "stage": factories.deal_stage(session, provider, "Discovery"),
    }


def _variants(function, base: dict, filters: dict, sorts: tuple = ()):
    yield "no filter", lambda: function(**base)
    for name, value in filters.items():
        yield f"{name}", lambda name=name, value=value: function(**base, **{name: value})
    for sort in sorts:
        yield f"sort {sort}", lambda sort=sort: function(**base, sort=sort)


def _calls(session, world):
    day = date.today().isoformat()
    for who in ("consultant", "consultant_member", "provider"):
        actor = world[who]
        base = {"session": session, "actor": actor}
        other = world["provider" if who.startswith("consultant") else "consultant"].org_id
        for label, call in _variants(
            leads.list_sent,
            base,
            {
                "direction": "partner_to_provider" if who != "provider" else "provider_to_partner",
                "status": "submitted",
                "search": "acme",
                "owner_id": actor.user_id,
                "recipient_org_id": other,
                "created_from": day,
                "created_to": day,
            },
            leads.SENT_SORTS,
        ):
            yield f"{who} sent leads, {label}", call
        for label, call in _variants(
            leads.list_received,
            base,
            {
                "status": "pending",
                "search": "acme",
                "owner_id": actor.user_id,
                "origin_org_id": other,
                "created_from": day,
                "created_to": day,
            },
            leads.RECEIVED_SORTS,
        ):
            yield f"{who} received leads, {label}", call
    for who in ("provider", "provider_member", "consultant", "consultant_member"):
        actor = world[who]
        base = {"session": session, "actor": actor}
        other = world["provider" if who.startswith("consultant") else "consultant"].org_id
        for label, call in _variants(
            deals.list_deals,
            base,
            {
                "search": "acme",
                "approval": "approved",
                "outcome": "open",
                "stage_id": world["stage"],
                "other_org_id": other,
                "owner_id": actor.user_id,
            },
            deals.SORTS,
        ):
            yield f"{who} deals, {label}", call
        board = {"provider_org_id": world["provider"].org_id} if who.startswith("c") else {}
        yield f"{who} board", lambda base=base, board=board: deal_board.board(**base, **board)
        yield (
            f"{who} board search",
            lambda base=base, board=board: deal_board.board(**base, **board, search="acme"),
        )
        yield f"{who} imports", lambda base=base: imports.list_batches(**base)
        yield f"{who} inbox", lambda base=base: notifications.inbox(**base)
        yield f"{who} unread", lambda base=base: notifications.unread_count(**base)
    for who in ("provider", "consultant"):
        base = {"session": session, "actor": world[who]}
        yield f"{who} payout requests", lambda base=base: payouts.list_requests(**base)
        yield (
            f"{who} pending payout requests",
            lambda base=base: payouts.list_requests(**base, status="requested"),
        )
    provider = {"session": session, "actor": world["provider"]}
    yield "partner directory", lambda: partnerships.partner_directory(**provider)
    yield "partner search", lambda: partnerships.partner_directory(**provider, search="acme")
    consultant = {"session": session, "actor": world["consultant"]}
    yield "my providers", lambda: partnerships.my_providers(**consultant)


def test_every_list_filter_and_sort_uses_an_index(session, world):
    calls = list(_calls(session, world))
    problems = plan_problems(session, calls)
    report(f"explained the queries of {len(calls)} list calls")
    assert not problems, "\n".join(sorted(set(problems)))


def _explained(session, call) -> str:
    """The plans of what `call` runs; on SQLite, the count of the matches (the list's scalar
    subquery) after the line COUNT."""
    connection = session.connection()
    with captured_selects(session) as selects:
        call()
    lines = []
    for statement, parameters in selects:
        if connection.dialect.name == "postgresql":
            connection.exec_driver_sql("SET LOCAL enable_seqscan = off")
            explain = connection.exec_driver_sql(f"EXPLAIN {statement}", parameters)
            lines += explain.scalars().all()
            continue
        rows = connection.exec_driver_sql(f"EXPLAIN QUERY PLAN {statement}", parameters).all()
        counted = {row[0] for row in rows if row[-1].startswith("SCALAR SUBQUERY")}
        for node, parent, *_ in rows:
            if parent in counted:
                counted.add(node)
        lines += [row[-1] for row in rows if row[0] not in counted]
        lines += ["COUNT", *(row[-1] for row in rows if row[0] in counted)]
    return "\n".join(lines)


@pytest.mark.parametrize("who", ["consultant", "provider"])
def test_lead_searches_read_their_candidates_from_the_trigram_index(session, world, who):
    """On SQLite each list's search reads its candidates from the FTS5 table, which also
    drives the count of the matches (a page is read in list order from the organization's
    index, until it is full); a text too short for trigrams is searched without it.
    PostgreSQL chooses ix_leads_search from its statistics, so on real data only
    (benchmarks/leads_list.py)."""
    if session.connection().dialect.name != "sqlite":
        pytest.skip("PostgreSQL plans by statistics: measured by benchmarks/leads_list.py")
    base = {"session": session, "actor": world[who]}
    for listed in (leads.list_sent, leads.list_received):
        plan = _explained(session, lambda listed=listed: listed(**base, search="acme"))
        count = plan.split("COUNT")[1]
        assert "SCAN leads_search VIRTUAL TABLE INDEX 0:M" in count, plan
        assert not re.search(r"INDEX ix_lead(s|_recipients)_(origin_)?org", count), plan
        plan = _explained(session, lambda listed=listed: listed(**base, search="ac"))
        assert "leads_search" not in plan, plan


def test_received_leads_by_company_read_the_recipients_company_index(session, world):
    actor = world["provider"]
    plan = _explained(
        session, lambda: leads.list_received(session=session, actor=actor, sort="company")
    )
    assert "ix_lead_recipients_org_company" in plan, plan
