"""Leads list on 100,000 leads: `leads.list_sent` / `leads.list_received` p50/p95/p99 per scenario.

Usage: python -m benchmarks.leads_list [POSTGRESQL_URL]
Measures on a fresh SQLite file, and on PostgreSQL when a URL is given (its server must allow
CREATE DATABASE). The schema comes from the real Alembic migrations.

Seeds one provider (plus a second, smaller one so leads can go to two providers), 20 consultant
firms with active partnerships, and 100,000 leads over two years: 90,000 consultant leads (50,000
of them from one big firm) with 1-2 recipients each, three in four of them decided (rejected, or
accepted into a lead stage and maybe converted or lost), and 10,000 provider referrals to 1-2
consultant firms. PostgreSQL is then vacuumed and analyzed, as autovacuum would; SQLite is not
analyzed, as the app never does. Then times the real service calls, one new Session per call as
the app does, against the bar "filtered + paged query p95 <= 30 ms". Filters the service does not
have yet are skipped with a note.
"""

import inspect
import random
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, insert, text
from sqlmodel import Session, col, select

from benchmarks.table import Figure, print_table
from prm_app.models import (
    Lead,
    LeadDirection,
    LeadRecipient,
    LeadSource,
    LeadStatus,
    Membership,
    Organization,
    OrgKind,
    Partnership,
    PartnershipStatus,
    Pipeline,
    RecipientStatus,
    Role,
    Stage,
    User,
    utcnow,
)
from prm_app.services import catalog, leads
from prm_app.services.core.actor import Actor
from prm_app.services.customers import customer_keys
from tests.support import migrate, scratch_postgres

LEADS, BIG_FIRM_LEADS, REFERRALS, CONSULTANTS = 100_000, 50_000, 10_000, 20
CALLS, WARMUP, CHUNK, BAR_MS = 200, 5, 5_000, 30.0
# Keeps a run under ~5 minutes while lists are slow: a scenario stops after BUDGET_S seconds
# once it has MIN_CALLS timings (the calls column says how many were timed).
BUDGET_S, MIN_CALLS = 3.0, 25
SEARCH = "quill"  # a company word: in about 1 company in 28

# Word lists, each written as one string.
FIRST, LAST, WORDS, KINDS = (
    words.split()
    for words in (
        "Ada Alan Bea Carl Dana Eli Fay Gus Hana Ivan Jana Karl Lena Milo Nora Otto",
        "Archer Baker Cole Diaz Evans Fox Gray Hale Ito Jones Khan Lopez Moss Nash",
        "acme apex arrow atlas beacon birch cobalt comet crest delta ember falcon fjord garnet "
        "harbor helix indigo iris jade juniper kestrel lumen maple meridian nimbus north onyx "
        "orbit pine pixel quartz quill raven ridge sable summit tango tidal umber vertex willow "
        "zephyr alder bison cedar dune echo flint grove haven ivory lark marble nova opal prism",
        "Systems Labs Logistics Foods Health Energy Retail Media Capital Works",
    )
)
LEGAL = ("Inc", "LLC", "GmbH", "Ltd", "")


@dataclass(frozen=True, slots=True)
class World:
    big_admin: Actor
    big_member: Actor
    provider_admin: Actor
    provider_member: Actor
    second_provider_id: int
    big_firm_id: int
    stage_id: int  # a lead stage with accepted leads in it


@dataclass(frozen=True, slots=True)
class Scenario:
    name: str
    call: Callable[..., Any]
    actor: Actor
    kwargs: dict[str, Any]


def _bulk(session: Session, table: Any, rows: list[dict]) -> None:
    for start in range(0, len(rows), CHUNK):
        session.execute(insert(table), rows[start : start + CHUNK])


def _org(session: Session, name: str, kind: OrgKind, people: int) -> tuple[Organization, list]:
    """An organization with its default vocabulary and `people` users (admin, manager, members)."""
    org = Organization(name=name, kind=kind)
    session.add(org)
    session.flush()
    catalog.seed_defaults(session, org=org)
    slug = name.lower().replace(" ", "-")
    members = []
    for n in range(people):
        role = Role.ADMIN if n == 0 else Role.MANAGER if n == 1 else Role.MEMBER
        user = User(
            email=f"user{n}@{slug}.example",
            name=f"{FIRST[n % len(FIRST)]} {LAST[(n * 7) % len(LAST)]}",
            password_hash="x",
        )
        session.add(user)
        session.flush()
        session.add(Membership(user_id=user.id, org_id=org.id, role=role))
        members.append((user, role))
    return org, members


def _actor(org: Organization, member: tuple[User, Role]) -> Actor:
    user, role = member
    return Actor(user.id, org.id, org.kind, role, user.name, user.email, org.name)


def _partnership(provider: Organization, consultant: Organization, inviter: User) -> Partnership:
    now = utcnow()
    return Partnership(
        provider_org_id=provider.id,
        consultant_org_id=consultant.id,
        status=PartnershipStatus.ACTIVE,
        invite_email=f"admin@{consultant.id}.example",
        invited_by_id=inviter.id,
        invited_at=now - timedelta(days=800),
        responded_at=now - timedelta(days=799),
        categorized_at=now - timedelta(days=799),
    )


def _contact(rng: random.Random) -> dict[str, str]:
    first, last = rng.choice(FIRST), rng.choice(LAST)
    word, other = rng.choice(WORDS), rng.choice(WORDS)
    company = f"{word.title()} {other.title()} {rng.choice(KINDS)} {rng.choice(LEGAL)}".strip()
    email = f"{first.lower()}.{last.lower()}@{word}{other}.example"
    company_norm, email_domain = customer_keys(company, email)
    return {
        "first_name": first,
        "last_name": last,
        "email": email,
        "company": company,
        "company_norm": company_norm,
        "email_domain": email_domain,
        "phone": f"+1 555 {rng.randrange(10**6):06d}",
        "title": rng.choice(("CTO", "CFO", "Head of IT", "Buyer", "")),
        "notes": "",
    }


def seed(session: Session) -> World:
    rng = random.Random(20261123)
    provider, provider_people = _org(session, "Bench Provider", OrgKind.PROVIDER, 12)
    second, second_people = _org(session, "Second Provider", OrgKind.PROVIDER, 3)
    firms = [_org(session, "Big Consultant", OrgKind.CONSULTANT, 12)]
    firms += [_org(session, f"Consultant {n:02}", OrgKind.CONSULTANT, 3) for n in range(1, 20)]
    for firm, _ in firms:
        session.add(_partnership(provider, firm, provider_people[0][0]))
        session.add(_partnership(second, firm, second_people[0][0]))
    session.flush()
    stages = session.exec(
        select(Stage)
        .where(Stage.org_id == provider.id, Stage.pipeline == Pipeline.LEAD)
        .order_by(col(Stage.position))
    ).all()
    second_stage = session.exec(
        select(Stage.id).where(Stage.org_id == second.id, Stage.pipeline == Pipeline.LEAD)
    ).first()
    open_stages = [s.id for s in stages if not (s.is_won or s.is_lost)]

    # Who sent each lead: the big firm 50,000, the 19 others 40,000 (unevenly), the provider
    # 10,000 referrals; interleaved over two years, ids in creation order.
    origins = [0] * BIG_FIRM_LEADS
    weights = [rng.uniform(0.3, 3) for _ in range(1, CONSULTANTS)]
    origins += rng.choices(range(1, CONSULTANTS), weights, k=LEADS - BIG_FIRM_LEADS - REFERRALS)
    origins += [-1] * REFERRALS
    rng.shuffle(origins)
    now = utcnow()
    start = now - timedelta(days=730)
    step = timedelta(days=730) / LEADS
    lead_rows, recipient_rows = [], []
    recipient_id = 0
    for n, origin in enumerate(origins):
        lead_id = n + 1
        created = start + step * n + timedelta(seconds=rng.randrange(60))
        org, people = (provider, provider_people) if origin < 0 else firms[origin]
        owner = rng.choice(people)[0]
        draft = rng.random() < 0.04
        submitted = None if draft else created + timedelta(minutes=rng.randrange(1, 120))
        referral = origin < 0
        lead_rows.append(
            {
                "id": lead_id,
                "direction": LeadDirection.PROVIDER_TO_PARTNER
                if referral
                else LeadDirection.PARTNER_TO_PROVIDER,
                "origin_org_id": org.id,
                "owner_id": owner.id,
                "created_by_id": owner.id,
                "status": LeadStatus.DRAFT if draft else LeadStatus.SUBMITTED,
                "source": LeadSource.FORM,
                "import_batch_id": None,
                **_contact(rng),
                "created_at": created,
                "submitted_at": submitted,
                "updated_at": submitted,
            }
        )
        if draft:
            continue
        if referral:
            targets = rng.sample(firms, rng.choice((1, 1, 2)))
            to = [(firm.id, [], people) for firm, people in targets]
        else:
            to = [(provider.id, open_stages, provider_people)]
            if rng.random() < 0.3:
                to.append((second.id, [second_stage], second_people))
        age = now - submitted
        for org_id, stage_ids, people in to:
            recipient_id += 1
            row = {
                "id": recipient_id,
                "lead_id": lead_id,
                "org_id": org_id,
                "status": RecipientStatus.PENDING,
                "reason": "",
                "stage_id": None,
                "owner_id": None,
                "deadline_at": None,
                "opened_at": None,
                "responded_at": None,
                "converted_at": None,
                "created_at": submitted,
                "updated_at": None,
            }
            roll = rng.random()
            responded = submitted + timedelta(hours=rng.randrange(1, 72))
            if referral:
                row["deadline_at"] = submitted + timedelta(hours=72)
                if age > timedelta(hours=72) and roll < 0.15:
                    row.update(status=RecipientStatus.RETURNED, updated_at=row["deadline_at"])
                elif roll < 0.30:
                    pass  # pending: still within the deadline or never looked at
                elif roll < 0.40:
                    row.update(status=RecipientStatus.OPENED, opened_at=responded)
                elif roll < 0.55:
                    row.update(status=RecipientStatus.REJECTED, reason="Not a fit")
                    row.update(responded_at=responded, updated_at=responded)
                else:
                    row.update(status=RecipientStatus.ACCEPTED, opened_at=responded)
                    row.update(responded_at=responded, updated_at=responded)
                    row["owner_id"] = rng.choice(people)[0].id
            elif roll < 0.25 and age > timedelta(days=14):
                row.update(status=RecipientStatus.REJECTED, reason="Already in contact")
                row.update(responded_at=responded, updated_at=responded)
            elif roll < 0.50 or age < timedelta(days=3):
                row["owner_id"] = rng.choice(people)[0].id if roll < 0.35 else None
            else:
                status = rng.choices(
                    (RecipientStatus.ACCEPTED, RecipientStatus.CONVERTED, RecipientStatus.LOST),
                    (6, 2, 2),
                )[0]
                # Converted and lost leads keep the stage they were in.
                row.update(status=status, stage_id=rng.choice(stage_ids))
                row["owner_id"] = rng.choice(people)[0].id
                row.update(responded_at=responded, opened_at=responded, updated_at=responded)
                if status == RecipientStatus.CONVERTED:
                    row["converted_at"] = responded + timedelta(days=rng.randrange(1, 60))
            recipient_rows.append(row)
    _bulk(session, Lead, lead_rows)
    _bulk(session, LeadRecipient, recipient_rows)
    if session.get_bind().dialect.name == "postgresql":  # explicit ids: move the sequences on
        session.execute(text("SELECT setval('leads_id_seq', (SELECT max(id) FROM leads))"))
        session.execute(
            text("SELECT setval('lead_recipients_id_seq', (SELECT max(id) FROM lead_recipients))")
        )
    session.commit()
    big_firm, big_people = firms[0]
    return World(
        big_admin=_actor(big_firm, big_people[0]),
        big_member=_actor(big_firm, big_people[5]),
        provider_admin=_actor(provider, provider_people[0]),
        provider_member=_actor(provider, provider_people[5]),
        second_provider_id=second.id,
        big_firm_id=big_firm.id,
        stage_id=open_stages[1],
    )


def scenarios(world: World) -> tuple[list[Scenario], list[str]]:
    """The scenarios to time, and notes on those the services cannot run yet."""
    sent, received = leads.list_sent, leads.list_received
    big, provider = world.big_admin, world.provider_admin
    month_ago = (utcnow() - timedelta(days=30)).date().isoformat()
    quarter_ago = (utcnow() - timedelta(days=120)).date().isoformat()
    dates = {"created_from": quarter_ago, "created_to": month_ago}
    found = [
        Scenario("sent p1 newest (admin, 50k)", sent, big, {}),
        Scenario("sent p200 newest", sent, big, {"page": 200}),
        Scenario("sent p1 sort=company", sent, big, {"sort": "company"}),
        Scenario("sent p1 sort=name", sent, big, {"sort": "name"}),
        Scenario(f"sent search={SEARCH!r}", sent, big, {"search": SEARCH}),
        Scenario("sent status=submitted", sent, big, {"status": LeadStatus.SUBMITTED}),
        Scenario("sent status=draft", sent, big, {"status": LeadStatus.DRAFT}),
        Scenario("sent as member (own only)", sent, world.big_member, {}),
        Scenario("sent referrals (provider)", sent, provider, {}),
        Scenario("received p1 newest (86k)", received, provider, {}),
        Scenario("received p200 newest", received, provider, {"page": 200}),
        Scenario("received status=accepted", received, provider, {"status": "accepted"}),
        Scenario("received status=pending", received, provider, {"status": "pending"}),
        Scenario("received stage_id", received, provider, {"stage_id": world.stage_id}),
        Scenario(f"received search={SEARCH!r}", received, provider, {"search": SEARCH}),
        Scenario("received sort=company", received, provider, {"sort": "company"}),
        Scenario("received sort=deadline", received, provider, {"sort": "deadline"}),
        Scenario("received as member", received, world.provider_member, {}),
        Scenario("received referrals (firm)", received, big, {}),
        Scenario("received by deadline (firm)", received, big, {"sort": "deadline"}),
    ]
    guarded = [
        (sent, "recipient_org_id", "sent recipient_org_id", big, world.second_provider_id),
        (received, "origin_org_id", "received origin_org_id", provider, world.big_firm_id),
        (sent, "created_from", "sent created 120..30 days ago", big, dates),
        (received, "created_from", "received created 120..30 days ago", provider, dates),
    ]
    notes = []
    for call, keyword, name, actor, value in guarded:
        if keyword not in inspect.signature(call).parameters:
            notes.append(f"skipped {name!r}: {call.__name__}() has no {keyword} yet")
            continue
        kwargs = value if isinstance(value, dict) else {keyword: value}
        found.append(Scenario(name, call, actor, kwargs))
    return found, notes


@dataclass(frozen=True, slots=True)
class Result:
    name: str
    matches: int
    calls: int
    p50: float
    p95: float
    p99: float


def timed(engine: Any, scenario: Scenario) -> Result:
    """Up to CALLS timed calls after a warm-up; a slow scenario stops after BUDGET_S seconds."""
    timings: list[float] = []
    began = time.perf_counter()
    for n in range(WARMUP + CALLS):
        with Session(engine) as session:  # one session per event, as the app does
            start = time.perf_counter()
            result = scenario.call(session, actor=scenario.actor, **scenario.kwargs)
            elapsed = (time.perf_counter() - start) * 1000
        if n >= WARMUP:
            timings.append(elapsed)
        if len(timings) >= MIN_CALLS and time.perf_counter() - began > BUDGET_S:
            break
    assert result.rows, f"{scenario.name}: no rows, the scenario measures nothing"
    q = statistics.quantiles(timings, n=100)
    return Result(scenario.name, result.total, len(timings), q[49], q[94], q[98])


def measure(url: str) -> list[Result]:
    migrate(url)
    engine = create_engine(url)
    began = time.perf_counter()
    with Session(engine) as session:
        world = seed(session)
    if engine.dialect.name == "postgresql":  # what autovacuum does after a bulk load
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            connection.execute(text("VACUUM ANALYZE"))
    print(f"{engine.dialect.name}: seeded in {time.perf_counter() - began:.1f} s", flush=True)
    found, notes = scenarios(world)
    for note in notes:
        print(f"  note: {note}", flush=True)
    results = []
    for scenario in found:
        results.append(result := timed(engine, scenario))
        print(f"  {_line(result)}", flush=True)
    engine.dispose()
    return results


def _line(r: Result) -> str:
    flag = "  > bar" if r.p95 > BAR_MS else ""
    return f"{r.name:36} {r.matches:>7,} {r.calls:>5}  {r.p50:7.2f} {r.p95:7.2f} {r.p99:7.2f}{flag}"


def report(dialect: str, results: list[Result]) -> float:
    print(f"\n{dialect}: {LEADS:,} leads, times in ms")
    print(f"{'scenario':36} {'matches':>7} {'calls':>5}  {'p50':>7} {'p95':>7} {'p99':>7}")
    for result in results:
        print(_line(result))
    worst = max(r.p95 for r in results)
    print(f"{dialect}: max p95 {worst:.2f} ms (bar {BAR_MS:.0f} ms)")
    return worst


def figures(postgres_url: str | None) -> list[Figure]:
    measured = []
    with tempfile.TemporaryDirectory() as folder:
        measured.append(("sqlite", measure(f"sqlite:///{Path(folder) / 'bench.db'}")))
    if postgres_url:
        with scratch_postgres(postgres_url) as scratch:
            measured.append(("postgresql", measure(scratch)))
    return [
        Figure(
            f"leads list, 100,000 leads: worst p95 of {len(results)} scenarios",
            dialect,
            report(dialect, results),
            "ms",
            BAR_MS,
        )
        for dialect, results in measured
    ]


if __name__ == "__main__":
    print_table(figures(sys.argv[1] if len(sys.argv) > 1 else None))
