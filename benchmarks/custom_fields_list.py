"""Leads list on 100,000 leads with 10 custom fields: filtered and sorted on them.

Usage: python -m benchmarks.custom_fields_list [POSTGRESQL_URL]
Seeds the world of benchmarks/leads_list.py, then gives the provider 10 lead fields (one of each
type) and every lead a value in each (the select's 5 options evenly, a number, an amount, a date,
a checkbox, texts...), as one UPDATE. Times the real services (`leads.list_received` and
`list_sent` with `custom_filters`, `columns` and custom sorts), one session per call, against
the bar "filtered on a custom field, sorted by the list's sorts: p95 <= 30 ms". Lists sorted on
a custom field read and sort every match: their figure is reported, not judged.

Then compares the storage choices on that query, the same page of the received list filtered on
the select, in plain SQL for both: the values read from the records' JSON column, against the
typed value table `custom_values` (one row per value, indexed by field and value, kept by
triggers from the JSON), which the services filter and sort on.
"""

# ruff: noqa: S608 (SQL built from this file's own constants and field ids)

import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, text
from sqlmodel import Session

from benchmarks import leads_list
from benchmarks.leads_list import BAR_MS, Result, Scenario, World, timed
from benchmarks.table import Figure, print_table
from prm_app.models import CustomField, PartnerAccess
from prm_app.services import leads, views
from tests.support import migrate, scratch_postgres

OPTIONS = ["Alpha", "Bravo", "Charlie", "Delta", "Echo"]
TAGS = ["Cloud", "Edge", "Mobile", "Data"]
# (key, type): the 10 fields, one of each type.
FIELDS = [
    ("segment", "select"),
    ("tags", "multi_select"),
    ("seats", "number"),
    ("budget", "money"),
    ("renewal", "date"),
    ("vip", "checkbox"),
    ("note", "text"),
    ("story", "long_text"),
    ("site", "url"),
    ("buyer", "email"),
]


def _values_sql(dialect: str, ids: dict[str, int]) -> str:
    """One UPDATE giving every lead a value in each field, derived from its id."""
    x = "id"
    if dialect == "postgresql":
        pairs = {
            "segment": f"({x} * 7919) % 5 + 1",
            "tags": f"jsonb_build_array(({x} * 31) % 4 + 1)",
            "seats": f"({x} * 13) % 1000",
            "budget": f"(({x} * 17) % 100000) / 100.0",
            "renewal": f"to_char(date '2025-01-01' + ({x} % 365), 'YYYY-MM-DD')",
            "vip": f"({x} % 3 = 0)",
            "note": f"CASE WHEN {x} % 10 = 0 THEN 'needs a demo' ELSE 'note ' || {x} END",
            "story": f"'story of lead ' || {x}",
            "site": f"'https://example.com/' || {x}",
            "buyer": f"'buyer' || {x} || '@example.com'",
        }
        body = ", ".join(f"'{ids[k]}', {v}" for k, v in pairs.items())
        return f"UPDATE leads SET custom = jsonb_build_object({body})"
    pairs = {
        "segment": f"({x} * 7919) % 5 + 1",
        "tags": f"json_array(({x} * 31) % 4 + 1)",
        "seats": f"({x} * 13) % 1000",
        "budget": f"(({x} * 17) % 100000) / 100.0",
        "renewal": f"date('2025-01-01', '+' || ({x} % 365) || ' days')",
        "vip": f"CASE WHEN {x} % 3 = 0 THEN json('true') ELSE json('false') END",
        "note": f"CASE WHEN {x} % 10 = 0 THEN 'needs a demo' ELSE 'note ' || {x} END",
        "story": f"'story of lead ' || {x}",
        "site": f"'https://example.com/' || {x}",
        "buyer": f"'buyer' || {x} || '@example.com'",
    }
    body = ", ".join(f"'{ids[k]}', {v}" for k, v in pairs.items())
    return f"UPDATE leads SET custom = json_object({body})"


def add_fields(session: Session, world: World) -> dict[str, int]:
    """The provider's 10 lead fields (visible to partners), and every lead's values."""
    made = {}
    for position, (key, kind) in enumerate(FIELDS):
        labels = OPTIONS if kind == "select" else TAGS if kind == "multi_select" else []
        field = CustomField(
            org_id=world.provider_admin.org_id,
            entity="lead",
            key=key,
            label=key.title(),
            type=kind,
            options=[{"id": n + 1, "label": o, "archived": False} for n, o in enumerate(labels)],
            position=position,
            partner_access=PartnerAccess.VISIBLE,
        )
        session.add(field)
        session.flush()
        assert field.id is not None
        made[key] = field.id
    session.execute(text(_values_sql(session.get_bind().dialect.name, made)))
    session.commit()
    return made


def scenarios(world: World, ids: dict[str, int]) -> list[Scenario]:
    received, sent = leads.list_received, leads.list_sent
    provider, firm = world.provider_admin, world.big_admin

    def on(key: str, op: str, value: str) -> dict[str, str]:
        return {"field": str(ids[key]), "op": op, "value": value}

    bravo = [on("segment", "is", "Bravo")]
    shown = [str(ids[k]) for k in ("segment", "seats", "budget", "renewal")]
    by_seats = f"custom:{ids['seats']}"
    return [
        Scenario("received select=Bravo, newest", received, provider, {"custom_filters": bravo}),
        Scenario(
            "received select=Bravo, by number desc",
            received,
            provider,
            {"custom_filters": bravo, "sort": f"{by_seats}:desc"},
        ),
        Scenario(
            "received select=Bravo, company, 4 columns",
            received,
            provider,
            {"custom_filters": bravo, "sort": "company", "columns": shown},
        ),
        Scenario(
            "received select=Bravo, p50, by number",
            received,
            provider,
            {"custom_filters": bravo, "sort": by_seats, "page": 50},
        ),
        Scenario(
            "received select + status=accepted",
            received,
            provider,
            {"custom_filters": bravo, "status": "accepted", "columns": shown},
        ),
        Scenario(
            "received multi has Edge",
            received,
            provider,
            {"custom_filters": [on("tags", "has", "Edge")]},
        ),
        Scenario(
            "received number 100..200",
            received,
            provider,
            {"custom_filters": [on("seats", "from", "100"), on("seats", "to", "200")]},
        ),
        Scenario(
            "received date from 2025-12-01",
            received,
            provider,
            {"custom_filters": [on("renewal", "from", "2025-12-01")]},
        ),
        Scenario(
            "received checkbox vip",
            received,
            provider,
            {"custom_filters": [on("vip", "is", "yes")]},
        ),
        Scenario(
            "received text contains 'demo'",
            received,
            provider,
            {"custom_filters": [on("note", "contains", "demo")]},
        ),
        Scenario(
            "received sorted by date, 10 columns",
            received,
            provider,
            {"sort": f"custom:{ids['renewal']}", "columns": [str(i) for i in ids.values()]},
        ),
        Scenario(
            "sent (firm) select=Bravo, by number",
            sent,
            firm,
            {"custom_filters": bravo, "sort": by_seats},
        ),
    ]


# --- storage: JSON column against a typed value table -----------------------------------------


def _storage_queries(dialect: str, field_id: int) -> dict[str, str]:
    """The received list's first page (newest) and its count, filtered on the select = 2."""
    json_value = (
        f"(l.custom ->> '{field_id}')::int"
        if dialect == "postgresql"
        else f"CAST(json_extract(l.custom, '$.\"{field_id}\"') AS INTEGER)"
    )
    scope = "r.org_id = :org"
    typed = f"SELECT record_id FROM custom_values WHERE field_id = {field_id} AND num = 2"
    return {
        "JSON column": f"""
            SELECT r.id, (SELECT count(*) FROM lead_recipients r JOIN leads l ON l.id = r.lead_id
                          WHERE {scope} AND {json_value} = 2) AS total
            FROM lead_recipients r JOIN leads l ON l.id = r.lead_id
            WHERE {scope} AND {json_value} = 2
            ORDER BY r.created_at DESC, r.id DESC LIMIT 25""",
        "typed value table": f"""
            SELECT r.id, (SELECT count(*) FROM lead_recipients r WHERE {scope} AND r.lead_id IN
                            ({typed})) AS total
            FROM lead_recipients r
            WHERE {scope} AND r.lead_id IN ({typed})
            ORDER BY r.created_at DESC, r.id DESC LIMIT 25""",
    }


def storage(engine: Any, world: World, ids: dict[str, int]) -> dict[str, float]:
    """p95 (ms) of the same filtered page on each storage."""
    found = {}
    for name, sql in _storage_queries(engine.dialect.name, ids["segment"]).items():
        timings = []
        for n in range(leads_list.WARMUP + 60):
            with engine.connect() as connection:
                start = time.perf_counter()
                rows = connection.execute(text(sql), {"org": world.provider_admin.org_id}).all()
                elapsed = (time.perf_counter() - start) * 1000
            if n >= leads_list.WARMUP:
                timings.append(elapsed)
        assert rows, name
        found[name] = statistics.quantiles(timings, n=100)[94]
        print(f"  storage: {name:20} p95 {found[name]:7.2f} ms ({rows[0].total:,} matches)")
    return found


def custom_sorted(scenario: Scenario) -> bool:
    """Sorted on a custom field: every match is read to be sorted (reported, not judged)."""
    return str(scenario.kwargs.get("sort", "")).startswith("custom:")


def measure(url: str) -> tuple[list[Result], list[Result], dict[str, float]]:
    migrate(url)
    engine = create_engine(url)
    began = time.perf_counter()
    with Session(engine) as session:
        world = leads_list.seed(session)
        ids = add_fields(session, world)
    if engine.dialect.name == "postgresql":  # what autovacuum does after a bulk load
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            connection.execute(text("VACUUM ANALYZE"))
    print(f"{engine.dialect.name}: seeded in {time.perf_counter() - began:.1f} s", flush=True)
    with Session(engine) as session:  # the fields as the services see them
        usable = views.fields_of(session, actor=world.provider_admin, list_name="received")
    assert len(usable) == len(FIELDS)
    filtered, sorted_on_field = [], []
    for scenario in scenarios(world, ids):
        result = timed(engine, scenario)
        (sorted_on_field if custom_sorted(scenario) else filtered).append(result)
        print(f"  {leads_list._line(result)}", flush=True)
    compared = storage(engine, world, ids)
    engine.dispose()
    return filtered, sorted_on_field, compared


def figures(postgres_url: str | None) -> list[Figure]:
    measured = []
    with tempfile.TemporaryDirectory() as folder:
        measured.append(("sqlite", *measure(f"sqlite:///{Path(folder) / 'bench.db'}")))
    if postgres_url:
        with scratch_postgres(postgres_url) as scratch:
            measured.append(("postgresql", *measure(scratch)))
    found = []
    for dialect, filtered, sorted_on_field, compared in measured:
        found.append(
            Figure(
                f"leads list, 10 custom fields, filtered: worst p95 of {len(filtered)} scenarios",
                dialect,
                leads_list.report(dialect, filtered),
                "ms",
                BAR_MS,
            )
        )
        found.append(
            Figure(
                f"... sorted on a custom field: worst p95 of {len(sorted_on_field)} scenarios",
                dialect,
                leads_list.report(dialect, sorted_on_field),
                "ms",
            )
        )
        found += [
            Figure(f"custom select filter, p95 on a {name}", dialect, p95, "ms")
            for name, p95 in compared.items()
        ]
    return found


if __name__ == "__main__":
    print_table(figures(sys.argv[1] if len(sys.argv) > 1 else None))
