"""CSV import of 100,000 leads: `imports.run` (parse + validate + insert) against a bare
`executemany` of the same rows into the same database, in the same run.

Usage: python -m benchmarks.csv_import [POSTGRESQL_URL]
Measures on a fresh SQLite file, and on PostgreSQL when a URL is given (its server must allow
CREATE DATABASE). The schema comes from the real Alembic migrations.

A consultant firm with two providers (active, categorized partnerships) and a few colleagues;
a CSV of 100,000 leads with the headers of a HubSpot export, every row valid. First the bare
`executemany` (a DBAPI cursor, the rows as tuples prepared beforehand, then commit) is timed,
and its rows deleted; then the service call from the open file to the commit, imported as
drafts (the rows the bare insert writes) and then, separately, as submitted leads (which also
writes one recipient and one activity event per lead). Peak memory is the process's resident
set high-water mark during the import (reset before it where Linux allows).
Bars: import time <= 2x the bare executemany; peak memory < 600 MB.

With custom fields (issue 24): the firm defines 10 lead fields, one of each type, and a second
file adds a column for each (text and addresses different on every row, numbers and amounts
with decimals, dates over two years, options); the bare executemany then also writes each
row's `custom` JSON (serialized beforehand), and the import checks every value as the form
does (services.imports.custom_import). Bar: <= 2x that bare executemany; each is run twice
and its best time kept (the two alternate, so a busy moment of the machine hurts neither alone).
"""

import contextlib
import csv
import json
import random
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

from sqlalchemy import create_engine, delete, text
from sqlmodel import Session, col, select

from benchmarks.table import Figure, print_table
from prm_app.models import (
    ImportBatch,
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
    Role,
    User,
    utcnow,
)
from prm_app.services import catalog, imports
from prm_app.services import custom_fields as cf
from prm_app.services.core.actor import Actor
from prm_app.services.customers import customer_keys
from tests.support import migrate, scratch_postgres

ROWS, RATIO_BAR, MEMORY_BAR_MB = 100_000, 2.0, 600
REPEATS = 2  # runs of the bare insert and of the import with custom columns (the best of each)
HEADERS = ["First Name", "Last Name", "Email", "Company Name", "Phone Number", "Job Title"]
HEADERS += ["Description", "Provider", "Owner"]
MAPPING = {
    "first_name": "First Name",
    "last_name": "Last Name",
    "email": "Email",
    "company": "Company Name",
    "phone": "Phone Number",
    "title": "Job Title",
    "notes": "Description",
    "provider": "Provider",
    "owner": "Owner",
}
# Word lists, each written as one string.
FIRST, LAST, WORDS = (
    words.split()
    for words in (
        "Ada Alan Bea Carl Dana Eli Fay Gus Hana Ivan Jana Karl Lena Milo Nora Otto",
        "Archer Baker Cole Diaz Evans Fox Gray Hale Ito Jones Khan Lopez Moss Nash",
        "acme apex arrow atlas beacon birch cobalt comet crest delta ember falcon fjord garnet "
        "harbor helix indigo iris jade juniper kestrel lumen maple meridian nimbus north onyx",
    )
)
KINDS = ("Systems", "Labs", "Logistics", "Foods", "Health", "Energy", "Retail", "Media")


def seed(session: Session) -> tuple[Actor, list[str], list[str]]:
    """The importing firm's admin, its providers' names, its people's emails."""
    firm = Organization(name="Bench Consultant", kind=OrgKind.CONSULTANT)
    providers = [Organization(name=f"Provider {n}", kind=OrgKind.PROVIDER) for n in (1, 2)]
    session.add_all([firm, *providers])
    session.flush()
    for org in (firm, *providers):
        catalog.seed_defaults(session, org=org)
    people = []
    for n in range(5):
        user = User(email=f"user{n}@bench.example", name=f"User {n}", password_hash="x")
        session.add(user)
        session.flush()
        role = Role.ADMIN if n == 0 else Role.MEMBER
        session.add(Membership(user_id=user.id, org_id=firm.id, role=role))
        people.append(user)
    now = utcnow()
    for provider in providers:
        session.add(
            Partnership(
                provider_org_id=provider.id,
                consultant_org_id=firm.id,
                status=PartnershipStatus.ACTIVE,
                invite_email="admin@bench.example",
                invited_at=now - timedelta(days=30),
                responded_at=now - timedelta(days=29),
                categorized_at=now - timedelta(days=29),
            )
        )
    session.commit()
    admin = people[0]
    actor = Actor(admin.id, firm.id, firm.kind, Role.ADMIN, admin.name, admin.email, firm.name)
    return actor, [p.name for p in providers], [u.email for u in people]


def write_csv(path: Path, providers: list[str], owners: list[str]) -> list[list[str]]:
    """The CSV file, and its rows as lists of strings."""
    rng = random.Random(20261124)
    rows = []
    for n in range(ROWS):
        first, last = rng.choice(FIRST), rng.choice(LAST)
        word, other = rng.choice(WORDS), rng.choice(WORDS)
        company = f"{word.title()} {other.title()} {rng.choice(KINDS)} {n} Inc"
        rows.append(
            [
                first,
                last,
                f"{first.lower()}.{last.lower()}.{n}@{word}{other}.example",
                company,
                f"+1 555 {rng.randrange(10**6):06d}",
                rng.choice(("CTO", "CFO", "Head of IT", "Buyer", "")),
                rng.choice(("Wants a demo", "Met at the fair, call back in May", "")),
                rng.choice(providers),
                rng.choice(owners),
            ]
        )
    with path.open("w", newline="", encoding="utf-8") as file:
        writer = csv.writer(file)
        writer.writerow(HEADERS)
        writer.writerows(rows)
    return rows


def bare_rows(actor: Actor, rows: list[list[str]], owners: dict[str, int]) -> list[tuple]:
    """The lead rows the import writes (as drafts), as tuples for a DBAPI executemany."""
    now = utcnow()
    found = []
    for first, last, email, company, phone, title, notes, _, owner, *_ in rows:
        company_norm, email_domain = customer_keys(company, email)
        found.append(
            (
                LeadDirection.PARTNER_TO_PROVIDER.value,
                actor.org_id,
                owners[owner],
                actor.user_id,
                LeadStatus.DRAFT.value,
                LeadSource.CSV.value,
                first,
                last,
                email,
                company,
                phone,
                title,
                notes,
                company_norm,
                email_domain,
                now,
            )
        )
    return found


BARE_COLUMNS = (
    "direction, origin_org_id, owner_id, created_by_id, status, source, first_name, last_name, "
    "email, company, phone, title, notes, company_norm, email_domain, created_at"
)


def bare_executemany(engine, rows: list[tuple], extra: str = "") -> float:
    marks = ", ".join(["%s" if engine.dialect.name == "postgresql" else "?"] * len(rows[0]))
    connection = engine.raw_connection()
    try:
        began = time.perf_counter()
        cursor = connection.cursor()
        sql = f"INSERT INTO leads ({BARE_COLUMNS}{extra}) VALUES ({marks})"  # noqa: S608
        cursor.executemany(sql, rows)
        connection.commit()
        return time.perf_counter() - began
    finally:
        connection.close()


def _reset_peak() -> None:
    """Reset the resident set high-water mark (Linux), so the peak is the import's own."""
    with contextlib.suppress(OSError):
        Path("/proc/self/clear_refs").write_text("5")


def _peak_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    import resource  # not Linux: the whole process's peak

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def service_import(
    engine, actor: Actor, path: Path, *, submit: bool, mapping: dict | None = None
) -> tuple[float, float, int]:
    """(seconds, peak MB, rows imported) for one imports.run from the open file to commit."""
    _reset_peak()
    began = time.perf_counter()
    with Session(engine) as session, path.open("rb") as file:
        batch = imports.run(
            session,
            actor=actor,
            kind="leads",
            file=file,
            file_name=path.name,
            mapping=mapping or MAPPING,
            submit=submit,
        )
        session.commit()
    return time.perf_counter() - began, _peak_mb(), batch.rows_imported


def clear(engine, actor: Actor) -> None:
    with Session(engine) as session:
        lead_ids = select(Lead.id).where(Lead.origin_org_id == actor.org_id)
        session.execute(delete(LeadRecipient).where(col(LeadRecipient.lead_id).in_(lead_ids)))
        session.execute(delete(Lead).where(col(Lead.origin_org_id) == actor.org_id))
        session.execute(delete(ImportBatch))
        session.commit()
    if engine.dialect.name == "postgresql":
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            connection.execute(text("VACUUM ANALYZE leads"))
            connection.execute(text("VACUUM ANALYZE lead_recipients"))


# The custom fields: (label, type, options), and how each row's value is made.
CUSTOM = [
    ("Reference", "text", ()),
    ("Background", "long_text", ()),
    ("Employees", "number", ()),
    ("Budget", "money", ()),
    ("Decision date", "date", ()),
    ("Industry", "select", ("Retail", "Banking", "Health", "Energy", "Media")),
    ("Products", "multi_select", ("CRM", "ERP", "BI", "HR")),
    ("Existing customer", "checkbox", ()),
    ("Website", "url", ()),
    ("Billing email", "email", ()),
]


def custom_value(rng: random.Random, n: int, kind: str, options: tuple[str, ...]) -> str:
    match kind:
        case "text":
            return f"REF-{n:07d}"
        case "long_text":
            return rng.choice(("Long-standing prospect, met twice", "Inbound from the webinar", ""))
        case "number":
            return str(rng.randrange(1, 50_000))
        case "money":
            return f"{rng.randrange(1_000, 900_000)}.{rng.randrange(100):02d}"
        case "date":
            return f"2027-{rng.randrange(1, 13):02d}-{rng.randrange(1, 29):02d}"
        case "select":
            return rng.choice(options)
        case "multi_select":
            return "; ".join(rng.sample(options, rng.randrange(1, 3)))
        case "checkbox":
            return rng.choice(("yes", "no"))
        case "url":
            return f"https://www.company{n}.example/about"
        case _:
            return f"billing{n}@company{n}.example"


def seed_custom(session: Session, actor: Actor) -> list[cf.FieldView]:
    """The firm's 10 custom lead fields (private to it: what a draft holds)."""
    return [
        cf.add_field(
            session, actor=actor, entity="lead", label=label, type=kind, options=list(options)
        )
        for label, kind, options in CUSTOM
    ]


def write_custom_csv(path: Path, rows: list[list[str]]) -> list[list[str]]:
    """The leads' file with a column per custom field; its rows."""
    rng = random.Random(20261205)
    wide = [
        [*row, *(custom_value(rng, n, kind, options) for _, kind, options in CUSTOM)]
        for n, row in enumerate(rows)
    ]
    with path.open("w", newline="", encoding="utf-8") as file:
        writer = csv.writer(file)
        writer.writerow([*HEADERS, *(label for label, _, _ in CUSTOM)])
        writer.writerows(wide)
    return wide


def custom_json(session: Session, actor: Actor, rows: list[list[str]]) -> list[str]:
    """Each row's `custom` as the import stores it (values.write), serialized for the bare
    insert: done before it is timed."""
    fields = cf.for_viewer(session, viewer_org_id=actor.org_id, entity="lead")
    found = []
    for row in rows:
        submitted = {f.name: raw for f, raw in zip(fields, row[len(HEADERS) :], strict=True)}
        found.append(json.dumps(cf.write(fields, {}, submitted, required_of=[]).custom))
    return found


def measure_custom(url: str) -> tuple[str, float, float, float]:
    """(database, bare seconds, import seconds, peak MB) with 10 custom columns, as drafts."""
    migrate(url)
    engine = create_engine(url)
    with Session(engine) as session:
        actor, providers, emails = seed(session)
        fields = seed_custom(session, actor)
        session.commit()
        owners = dict(session.exec(select(User.email, User.id)).all())
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "leads-custom.csv"
        rows = write_custom_csv(path, write_csv(Path(folder) / "leads.csv", providers, emails))
        with Session(engine) as session:
            values = custom_json(session, actor, rows)
        tuples = [
            (*row, custom)
            for row, custom in zip(bare_rows(actor, rows, owners), values, strict=True)
        ]
        del rows, values
        mapping = {**MAPPING, **{f"custom_{f.id}": f.label for f in fields}}
        bare, took, peak = float("inf"), float("inf"), 0.0
        for _ in range(REPEATS):  # the best of each: the machine is shared
            bare = min(bare, bare_executemany(engine, tuples, extra=", custom"))
            clear(engine, actor)
            seconds, most, imported = service_import(
                engine, actor, path, submit=False, mapping=mapping
            )
            assert imported == ROWS, f"imported {imported} of {ROWS} rows"
            with Session(engine) as session:
                stored = session.exec(select(Lead.custom).where(Lead.origin_org_id == actor.org_id))
                assert all(len(custom) >= 8 for custom in stored)  # every value made it
            clear(engine, actor)
            took, peak = min(took, seconds), max(peak, most)
        del tuples
    name = engine.dialect.name
    engine.dispose()
    print(
        f"{name}: {ROWS:,} leads with {len(CUSTOM)} custom columns: bare executemany "
        f"{bare:.2f} s, import as drafts {took:.2f} s (ratio {took / bare:.2f}), peak {peak:.0f} MB",
        flush=True,
    )
    return name, bare, took, peak


def measure(url: str) -> tuple[str, float, float, float, float, float]:
    migrate(url)
    engine = create_engine(url)
    with Session(engine) as session:
        actor, providers, emails = seed(session)
        owners = dict(session.exec(select(User.email, User.id)).all())
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "leads.csv"
        rows = write_csv(path, providers, emails)
        size = path.stat().st_size / (1024 * 1024)
        tuples = bare_rows(actor, rows, owners)
        del rows
        bare = bare_executemany(engine, tuples)
        del tuples
        clear(engine, actor)
        drafts, peak, imported = service_import(engine, actor, path, submit=False)
        assert imported == ROWS, f"imported {imported} of {ROWS} rows"
        clear(engine, actor)
        submitted, submitted_peak, _ = service_import(engine, actor, path, submit=True)
    name = engine.dialect.name
    engine.dispose()
    print(
        f"{name}: {ROWS:,} leads ({size:.1f} MB of CSV): bare executemany {bare:.2f} s, "
        f"import as drafts {drafts:.2f} s (ratio {drafts / bare:.2f}), peak {peak:.0f} MB; "
        f"as submitted {submitted:.2f} s (ratio {submitted / bare:.2f}), "
        f"peak {submitted_peak:.0f} MB",
        flush=True,
    )
    return name, bare, drafts, peak, submitted, submitted_peak


def figures(postgres_url: str | None, *, custom_only: bool = False) -> list[Figure]:
    results, custom = [], []
    with tempfile.TemporaryDirectory() as folder:
        if not custom_only:
            results.append(measure(f"sqlite:///{Path(folder) / 'bench.db'}"))
        custom.append(measure_custom(f"sqlite:///{Path(folder) / 'custom.db'}"))
    if postgres_url:
        if not custom_only:
            with scratch_postgres(postgres_url) as scratch:
                results.append(measure(scratch))
        with scratch_postgres(postgres_url) as scratch:
            custom.append(measure_custom(scratch))
    found = []
    for name, bare, drafts, peak, submitted, _ in results:
        found += [
            Figure(
                "CSV import, 100,000 leads as drafts: time / bare insert",
                name,
                drafts / bare,
                "x",
                RATIO_BAR,
            ),
            Figure(
                "CSV import, 100,000 leads as drafts: peak memory", name, peak, "MB", MEMORY_BAR_MB
            ),
            Figure("CSV import, 100,000 leads as drafts: seconds", name, drafts, "s"),
            Figure(
                "CSV import, as submitted (3 rows a lead): / bare insert",
                name,
                submitted / bare,
                "x",
            ),
        ]
    for name, bare, took, peak in custom:
        found += [
            Figure(
                "CSV import, 100,000 leads with 10 custom columns: time / bare insert",
                name,
                took / bare,
                "x",
                RATIO_BAR,
            ),
            Figure(
                "CSV import, 100,000 leads with 10 custom columns: peak memory",
                name,
                peak,
                "MB",
                MEMORY_BAR_MB,
            ),
        ]
    return found


if __name__ == "__main__":
    arguments = [a for a in sys.argv[1:] if a != "--custom-only"]
    only = "--custom-only" in sys.argv
    print_table(figures(arguments[0] if arguments else None, custom_only=only))
