"""Import of 1,000,000 leads (issue 28): `imports.run` reading, checking and writing the file in
chunks, against a bare `executemany` of the same rows into the same database, in the same run;
then the same rows as an XLSX workbook, its time beside the CSV's.

Usage: python -m benchmarks.import_million [POSTGRESQL_URL] [--rows N] [--no-xlsx] [--no-sqlite]
Measures on a fresh SQLite file, and on PostgreSQL when a URL is given (its server must allow
CREATE DATABASE). The firm, its providers and people are those of benchmarks/csv_import.py, the
rows too (a HubSpot export's headers, every row valid), only a million of them, generated as
they are written so that the benchmark itself stays small.

The bare insert: the rows as DBAPI tuples, prepared beforehand 50,000 at a time (not timed),
each batch one `executemany` of a cursor (timed), one commit at the end (timed). The import
(measured first, so that its peak is not the bare insert's): the service call from the open
file to the commit, as drafts. Peak memory is the process's
resident set high-water mark during the import (reset before it where Linux allows), the
interpreter and the app's modules included. Bars: <= 2x the bare insert; < 600 MB.
"""

import argparse
import csv
import random
import tempfile
import time
from collections.abc import Iterator
from itertools import islice
from pathlib import Path

from sqlalchemy import create_engine
from sqlmodel import Session, select

from benchmarks.csv_import import (
    BARE_COLUMNS,
    FIRST,
    HEADERS,
    KINDS,
    LAST,
    MEMORY_BAR_MB,
    RATIO_BAR,
    WORDS,
    bare_rows,
    clear,
    seed,
    service_import,
)
from benchmarks.table import Figure, print_table
from prm_app.models import User
from prm_app.services.core.actor import Actor
from tests.support import migrate, scratch_postgres

ROWS = 1_000_000
BATCH = 50_000  # rows of one executemany of the bare insert


def rows_of(count: int, providers: list[str], owners: list[str]) -> Iterator[list[str]]:
    """The file's rows, made one at a time (as benchmarks.csv_import makes them)."""
    rng = random.Random(20261206)
    for n in range(count):
        first, last = rng.choice(FIRST), rng.choice(LAST)
        word, other = rng.choice(WORDS), rng.choice(WORDS)
        yield [
            first,
            last,
            f"{first.lower()}.{last.lower()}.{n}@{word}{other}.example",
            f"{word.title()} {other.title()} {rng.choice(KINDS)} {n} Inc",
            f"+1 555 {rng.randrange(10**6):06d}",
            rng.choice(("CTO", "CFO", "Head of IT", "Buyer", "")),
            rng.choice(("Wants a demo", "Met at the fair, call back in May", "")),
            rng.choice(providers),
            rng.choice(owners),
        ]


def write_csv(path: Path, rows: Iterator[list[str]]) -> None:
    with path.open("w", newline="", encoding="utf-8") as file:
        writer = csv.writer(file)
        writer.writerow(HEADERS)
        writer.writerows(rows)


def write_xlsx(path: Path, rows: Iterator[list[str]]) -> None:
    import openpyxl

    book = openpyxl.Workbook(write_only=True)
    sheet = book.create_sheet("Leads")
    sheet.append(HEADERS)
    for row in rows:
        sheet.append(row)
    book.save(path)


def bare_executemany(
    engine, actor: Actor, rows: Iterator[list[str]], owners: dict[str, int]
) -> float:
    """Seconds spent in executemany and commit, the tuples prepared BATCH rows at a time."""
    connection = engine.raw_connection()
    marks = ", ".join(["%s" if engine.dialect.name == "postgresql" else "?"] * 16)
    sql = f"INSERT INTO leads ({BARE_COLUMNS}) VALUES ({marks})"  # noqa: S608 - fixed names
    spent = 0.0
    try:
        cursor = connection.cursor()
        while batch := list(islice(rows, BATCH)):
            tuples = bare_rows(actor, batch, owners)
            began = time.perf_counter()
            cursor.executemany(sql, tuples)
            spent += time.perf_counter() - began
        began = time.perf_counter()
        connection.commit()
        return spent + time.perf_counter() - began
    finally:
        connection.close()


def measure(url: str, count: int, xlsx: bool) -> list[Figure]:
    migrate(url)
    engine = create_engine(url)
    with Session(engine) as session:
        actor, providers, emails = seed(session)
        owners = dict(session.exec(select(User.email, User.id)).all())
    name = engine.dialect.name
    found = []
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "leads.csv"
        write_csv(path, rows_of(count, providers, emails))
        size = path.stat().st_size / (1024 * 1024)
        took, peak, imported = service_import(engine, actor, path, submit=False)
        assert imported == count, f"imported {imported} of {count} rows"
        print(f"{name}: import as drafts {took:.1f} s, peak {peak:.0f} MB", flush=True)
        clear(engine, actor)
        bare = bare_executemany(engine, actor, rows_of(count, providers, emails), owners)
        clear(engine, actor)
        print(
            f"{name}: {count:,} leads ({size:.0f} MB of CSV): bare executemany {bare:.1f} s, "
            f"import as drafts {took:.1f} s (ratio {took / bare:.2f}), peak {peak:.0f} MB",
            flush=True,
        )
        label = f"Import, {count:,} leads from CSV as drafts"
        found += [
            Figure(f"{label}: time / bare insert", name, took / bare, "x", RATIO_BAR),
            Figure(f"{label}: peak memory", name, peak, "MB", MEMORY_BAR_MB),
            Figure(f"{label}: seconds (bare {bare:.0f} s)", name, took, "s"),
        ]
        if xlsx:
            book = Path(folder) / "leads.xlsx"
            began = time.perf_counter()
            write_xlsx(book, rows_of(count, providers, emails))
            written = time.perf_counter() - began
            path.unlink()
            took_x, peak_x, imported = service_import(engine, actor, book, submit=False)
            assert imported == count, f"imported {imported} of {count} rows"
            clear(engine, actor)
            print(
                f"{name}: the same as XLSX ({book.stat().st_size / 2**20:.0f} MB, written in "
                f"{written:.0f} s): import {took_x:.1f} s, peak {peak_x:.0f} MB",
                flush=True,
            )
            found += [
                Figure(f"Import, {count:,} leads from XLSX: seconds", name, took_x, "s"),
                Figure(f"Import, {count:,} leads from XLSX: peak memory", name, peak_x, "MB"),
            ]
    engine.dispose()
    return found


def figures(
    postgres_url: str | None, count: int = ROWS, xlsx: bool = True, sqlite: bool = True
) -> list[Figure]:
    found = []
    if sqlite:
        with tempfile.TemporaryDirectory() as folder:
            found += measure(f"sqlite:///{Path(folder) / 'million.db'}", count, xlsx)
    if postgres_url:
        with scratch_postgres(postgres_url) as scratch:
            found += measure(scratch, count, xlsx)
    return found


if __name__ == "__main__":
    parser = argparse.ArgumentParser(prog="python -m benchmarks.import_million")
    parser.add_argument("postgres", nargs="?", default=None)
    parser.add_argument("--rows", type=int, default=ROWS)
    parser.add_argument("--no-xlsx", action="store_true")
    parser.add_argument("--no-sqlite", action="store_true", help="PostgreSQL only")
    args = parser.parse_args()
    print_table(figures(args.postgres, args.rows, not args.no_xlsx, not args.no_sqlite))
