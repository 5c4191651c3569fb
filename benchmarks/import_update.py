"""Import in update mode: 100,000 rows matched by email against 100,000 existing leads, each
row changing a field, against the bare insert of the 100,000 leads in the same run.

Usage: python -m benchmarks.import_update [POSTGRESQL_URL]
Measures on a fresh SQLite file, and on PostgreSQL when a URL is given (its server must allow
CREATE DATABASE). The schema comes from the real Alembic migrations.

The firm and file of benchmarks/csv_import.py: first the bare `executemany` of the 100,000
leads (as drafts, timed), which stay as the leads to update; then a second file with the same
rows, every phone number changed, is imported with `imports.run(mode="update",
match_key="email")` from the open file to the commit: read, checked, matched (one IN query per
5,000 emails), each lead updated, its previous values kept for undo (ImportChange) and its
timeline event written. Bar: <= 3x the bare insert.
"""

import csv
import sys
import tempfile
import time
from pathlib import Path

from sqlalchemy import create_engine, func
from sqlmodel import Session, select

from benchmarks import csv_import
from benchmarks.table import Figure, print_table
from prm_app.models import ImportChange, User
from prm_app.services import imports
from tests.support import migrate, scratch_postgres

ROWS, RATIO_BAR = csv_import.ROWS, 3.0


def measure(url: str) -> tuple[str, float, float, float]:
    migrate(url)
    engine = create_engine(url)
    with Session(engine) as session:
        actor, providers, emails = csv_import.seed(session)
        owners = dict(session.exec(select(User.email, User.id)).all())
    with tempfile.TemporaryDirectory() as folder:
        rows = csv_import.write_csv(Path(folder) / "leads.csv", providers, emails)
        bare = csv_import.bare_executemany(engine, csv_import.bare_rows(actor, rows, owners))
        path = Path(folder) / "update.csv"
        with path.open("w", newline="", encoding="utf-8") as file:
            writer = csv.writer(file)
            writer.writerow(csv_import.HEADERS)
            writer.writerows([*row[:4], f"+44 20 {n:07d}", *row[5:]] for n, row in enumerate(rows))
        del rows
        csv_import._reset_peak()
        began = time.perf_counter()
        with Session(engine) as session, path.open("rb") as file:
            batch = imports.run(
                session,
                actor=actor,
                kind="leads",
                file=file,
                file_name=path.name,
                mapping=csv_import.MAPPING,
                mode="update",
                match_key="email",
            )
            session.commit()
        took = time.perf_counter() - began
        peak = csv_import._peak_mb()
    assert batch.rows_updated == ROWS, f"updated {batch.rows_updated} of {ROWS} rows"
    with Session(engine) as session:
        kept = session.exec(select(func.count()).select_from(ImportChange)).one()
        assert kept == ROWS, f"{kept} changes kept for undo"
    name = engine.dialect.name
    engine.dispose()
    print(
        f"{name}: {ROWS:,} rows in update mode against {ROWS:,} leads: bare insert {bare:.2f} s, "
        f"update import {took:.2f} s (ratio {took / bare:.2f}), peak {peak:.0f} MB",
        flush=True,
    )
    return name, bare, took, peak


def figures(postgres_url: str | None) -> list[Figure]:
    results = []
    with tempfile.TemporaryDirectory() as folder:
        results.append(measure(f"sqlite:///{Path(folder) / 'update.db'}"))
    if postgres_url:
        with scratch_postgres(postgres_url) as scratch:
            results.append(measure(scratch))
    found = []
    for name, bare, took, peak in results:
        found += [
            Figure(
                "Import in update mode, 100,000 rows: time / bare insert",
                name,
                took / bare,
                "x",
                RATIO_BAR,
            ),
            Figure("Import in update mode, 100,000 rows: seconds", name, took, "s"),
            Figure("Import in update mode, 100,000 rows: peak memory", name, peak, "MB"),
        ]
    return found


if __name__ == "__main__":
    print_table(figures(sys.argv[1] if len(sys.argv) > 1 else None))
