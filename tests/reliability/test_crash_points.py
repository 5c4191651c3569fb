"""SIGKILL at every database statement of a CSV import and of a deal move (to Closed Won, the
move that writes the most: stage, version, timeline, ledger, notifications) leaves the database
as it was; killed right after the commit, it leaves the whole change. On SQLite (a file) and
PostgreSQL, with the demo data.

The work runs in a child process (tests/reliability/crash_worker.py), which forks one worker per
crash point; the worker counts the statements it sends and kills itself before statement k.
"""

import subprocess
import sys
from decimal import Decimal

import pytest
import sqlalchemy as sa
from sqlalchemy import create_engine
from sqlmodel import Session, col, func, select

from prm_app import demo
from prm_app.models import ActivityEvent, Deal, ImportBatch, Lead, LedgerEntry, LedgerTransaction
from tests.conftest import _postgres_server
from tests.reliability.crash_worker import IMPORT_FILE, IMPORT_ROWS
from tests.security.attack_surface import digest
from tests.support import ROOT, migrate, report, scratch_postgres


@pytest.fixture(params=["sqlite", "postgresql"])
def demo_url(request, tmp_path):
    """A migrated database with the demo data, of its own for each test."""

    def loaded(url: str) -> str:
        migrate(url)
        engine = create_engine(url)
        with Session(engine) as session:
            demo.load(session)
            session.commit()
        engine.dispose()
        return url

    if request.param == "sqlite":
        yield loaded(f"sqlite:///{tmp_path / 'crash.db'}")
    else:
        with scratch_postgres(_postgres_server()) as url:
            yield loaded(url)


def crash(url: str, scenario: str, points: list[int]) -> dict[int, tuple[int, int]]:
    """Run the scenario once per crash point in the child: {k: (exit status, statements)}."""
    done = subprocess.run(
        [sys.executable, "-m", "tests.reliability.crash_worker", url, scenario],
        input="".join(f"{k}\n" for k in points),
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=600,
        check=True,
    )
    results = {}
    for line in done.stdout.split("\n"):
        if line.strip():
            k, status, statements = map(int, line.split())
            results[k] = (status, statements)
    assert len(results) == len(points), done.stderr[-3000:]
    assert all(status != 1 for status, _ in results.values()), done.stderr[-3000:]
    return results


def crash_everywhere(url: str, scenario: str, check_complete) -> int:
    """Kill the scenario before each of its statements, then after its commit; returns the
    number of crash points."""
    engine = create_engine(url)
    try:
        status, statements = crash(url, scenario, [0])[0]
        assert status == 0 and statements >= 3, (status, statements)
        before = digest(engine)
        killed = crash(url, scenario, list(range(1, statements + 1)))
        for k, (status, _) in killed.items():
            assert status == -9, f"{scenario}: statement {k} did not kill the worker ({status})"
        assert digest(engine) == before, f"{scenario}: a killed transaction left a trace"
        # The database is still usable: the same work, killed right after its commit, is whole.
        assert crash(url, scenario, [-1])[-1][0] == -9
        with Session(engine) as session:
            check_complete(session)
            assert_ledger_balanced(session)
        report(f"{scenario} on {engine.dialect.name}: {statements + 1} crash points")
        return statements + 1
    finally:
        engine.dispose()


def assert_ledger_balanced(session: Session) -> None:
    unbalanced = session.exec(
        select(LedgerEntry.transaction_id)
        .group_by(col(LedgerEntry.transaction_id))
        .having(func.sum(LedgerEntry.amount) != 0)
    ).all()
    assert not unbalanced
    empty = session.exec(
        select(LedgerTransaction.id).where(
            ~sa.exists().where(col(LedgerEntry.transaction_id) == LedgerTransaction.id)
        )
    ).all()
    assert not empty


def test_a_csv_import_killed_at_any_statement_is_all_or_nothing(demo_url):
    def complete(session: Session) -> None:
        batch = session.exec(select(ImportBatch).where(ImportBatch.file_name == IMPORT_FILE)).one()
        imported = session.exec(
            select(func.count()).select_from(Lead).where(Lead.import_batch_id == batch.id)
        ).one()
        assert imported == batch.rows_imported == IMPORT_ROWS
        assert batch.rows_failed == 1 and "Broken Co" in batch.error_report

    assert crash_everywhere(demo_url, "import", complete) > IMPORT_ROWS // 4


def test_a_deal_move_killed_at_any_statement_is_whole_or_absent(demo_url):
    from tests.reliability.crash_worker import target_deal

    engine = create_engine(demo_url)
    with Session(engine) as session:
        deal, won = target_deal(session)
        deal_id, version = deal.id, deal.version
    engine.dispose()

    def complete(session: Session) -> None:
        moved = session.get(Deal, deal_id)
        assert (moved.stage_id, moved.outcome, moved.version) == (won.id, "won", version + 1)
        events = session.exec(
            select(ActivityEvent.action).where(
                ActivityEvent.entity_type == "deal",
                ActivityEvent.entity_id == deal_id,
                ActivityEvent.action == "stage_moved",
            )
        ).all()
        assert len(events) >= 1
        accrued = session.exec(
            select(func.count())
            .select_from(LedgerTransaction)
            .where(LedgerTransaction.deal_id == deal_id)
        ).one()
        assert accrued >= 1
        assert Decimal(moved.amount) > 0

    assert crash_everywhere(demo_url, "move", complete) >= 5
