"""The audit log on 1,000,000 events: its pages, newest first, with and without filters.

Usage: python -m benchmarks.audit_log [POSTGRESQL_URL]
Seeds 1,000,000 activity events over 400 days: 900,000 in one organization's trail (20 people,
12 record types, 15 actions, a few rare ones such as sign-ins by API key; before/after of a few
fields each), 100,000 in another's. Times what the audit page reads, one new Session per call
as the app does (services.audit.page: one keyset page of 50, names joined), for the newest page,
a page 2,000 entries deep (keyset), and each filter alone and combined. Bar (issue 29): p95 <= 50 ms
on SQLite and PostgreSQL.
"""

import random
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy import create_engine, text
from sqlmodel import Session, select

from benchmarks.table import Figure, print_table, timed_reads
from prm_app.models import ActivityEvent, Membership, Organization, OrgKind, Role, User, utcnow
from prm_app.services import audit
from prm_app.services.core.actor import Actor
from tests.support import migrate, scratch_postgres

EVENTS, MAIN_SHARE, PEOPLE, CALLS, WARMUP, BATCH = 1_000_000, 0.9, 20, 60, 3, 20_000
BAR_MS = 50.0
TYPES = ["lead", "lead_recipient", "deal", "partnership", "taxonomy_term", "stage"]
TYPES += ["custom_field", "ledger_transaction", "payout_request", "user", "import_batch"]
TYPES += ["security_event"]
ACTIONS = ["created", "updated", "sent", "accepted", "rejected", "converted", "assigned"]
ACTIONS += ["approved", "moved", "won", "lost", "renamed", "archived", "imported", "signed_in"]
RARE = "revoked"  # about one event in 10,000


def seed(session: Session) -> tuple[Actor, dict[str, Any]]:
    """The two organizations, their people and the events; the admin and filter values."""
    orgs = [Organization(name="Audited Inc", kind=OrgKind.PROVIDER)]
    orgs.append(Organization(name="Other Ltd", kind=OrgKind.CONSULTANT))
    session.add_all(orgs)
    session.flush()
    people: dict[int, list[int]] = {}
    for org in orgs:
        assert org.id is not None
        users = [
            User(email=f"p{n}@{org.id}.example", name=f"Person {n}", password_hash="x")
            for n in range(PEOPLE)
        ]
        session.add_all(users)
        session.flush()
        session.add_all(
            Membership(user_id=u.id, org_id=org.id, role=Role.ADMIN if n == 0 else Role.MEMBER)
            for n, u in enumerate(users)
        )
        people[org.id] = [u.id for u in users if u.id is not None]
    session.commit()
    main, other = (org.id for org in orgs)
    assert main is not None and other is not None
    rng = random.Random(29)
    now = utcnow()
    start = now - timedelta(days=400)
    step = timedelta(days=400) / EVENTS
    table = ActivityEvent.__table__  # type: ignore[attr-defined]
    connection = session.connection()
    rows: list[dict[str, Any]] = []
    for n in range(EVENTS):
        org = main if rng.random() < MAIN_SHARE else other
        action = RARE if rng.random() < 0.0001 else rng.choice(ACTIONS)
        rows.append(
            {
                "org_id": org,
                "actor_id": rng.choice(people[org]) if rng.random() < 0.95 else None,
                "entity_type": rng.choice(TYPES),
                "entity_id": rng.randrange(1, 200_000),
                "action": action,
                "before": {"status": "submitted", "owner_id": 3},
                "after": {"status": "accepted", "owner_id": 5},
                "via": "ui" if rng.random() < 0.8 else "api",
                "via_label": "",
                "created_at": start + step * n,
            }
        )
        if len(rows) == BATCH:
            connection.execute(table.insert(), rows)
            rows = []
    if rows:
        connection.execute(table.insert(), rows)
    session.commit()
    admin_id = people[main][0]
    admin = Actor(admin_id, main, OrgKind.PROVIDER, Role.ADMIN, "Person 0", "p0@x", "Audited Inc")
    deep = session.exec(
        select(ActivityEvent.id)
        .where(ActivityEvent.org_id == main)
        .order_by(sa.desc(ActivityEvent.id))
        .offset(2_000)
        .limit(1)
    ).one()
    year_ago = (now - timedelta(days=365)).date()
    return admin, {
        "deep": deep,
        "person": people[main][7],
        "month": (year_ago, year_ago + timedelta(days=30)),
    }


def _pages(admin: Actor, values: dict[str, Any]) -> list[tuple[str, Callable[[Session], Any]]]:
    since, until = values["month"]

    def reading(before: object = None, **chosen: object) -> Callable[[Session], Any]:
        filters = audit.filters(**chosen)  # type: ignore[arg-type]
        return lambda s: audit.page(s, actor=admin, chosen=filters, before=before).rows

    return [
        ("newest page", reading()),
        ("a page 2,000 entries deep (keyset)", reading(values["deep"])),
        ("one person", reading(person=values["person"])),
        ("one record type", reading(record_type="deal")),
        ("one action", reading(action="converted")),
        ("a rare action (1 in 10,000)", reading(action=RARE)),
        ("record type and action", reading(record_type="deal", action="won")),
        ("a month a year ago", reading(since=since, until=until)),
        (
            "one person in a month a year ago",
            reading(person=values["person"], since=since, until=until),
        ),
        (
            "record type, action, person, month",
            reading(
                record_type="lead",
                action="accepted",
                person=values["person"],
                since=since,
                until=until,
            ),
        ),
    ]


def measure(url: str) -> list[tuple[str, float, float]]:
    migrate(url)
    engine = create_engine(url)
    began = time.perf_counter()
    with Session(engine) as session:
        admin, values = seed(session)
    if engine.dialect.name == "postgresql":
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            connection.execute(text("VACUUM ANALYZE"))
    else:
        with engine.connect() as connection:
            connection.execute(text("ANALYZE"))
    print(f"{engine.dialect.name}: seeded in {time.perf_counter() - began:.1f} s", flush=True)
    results = []
    for name, read in _pages(admin, values):
        p50, p95 = timed_reads(engine, read, calls=CALLS, warmup=WARMUP)
        print(f"  {name:40} p50 {p50:7.1f} ms  p95 {p95:7.1f} ms", flush=True)
        results.append((name, p50, p95))
    engine.dispose()
    return results


def figures(postgres_url: str | None) -> list[Figure]:
    measured = []
    with tempfile.TemporaryDirectory() as folder:
        measured.append(("sqlite", measure(f"sqlite:///{Path(folder) / 'bench.db'}")))
    if postgres_url:
        with scratch_postgres(postgres_url) as scratch:
            measured.append(("postgresql", measure(scratch)))
    return [
        Figure(f"audit log, 1M events: {name} p95", dialect, p95, "ms", BAR_MS)
        for dialect, results in measured
        for name, _, p95 in results
    ]


if __name__ == "__main__":
    sys.exit(0 if print_table(figures(sys.argv[1] if len(sys.argv) > 1 else None)) else 1)
