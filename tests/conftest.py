"""Database fixtures: every database-backed test runs on SQLite and, where configured, PostgreSQL.

PostgreSQL comes from PRM_TEST_DATABASE_URL (CI sets it). Outside CI a missing or unreachable
server skips those tests with the reason; in CI it fails them.
"""

import os

import pytest
from sqlalchemy import create_engine, event, text
from sqlmodel import Session

from tests.support import PG_ENV, REPORTED, in_ci, migrate, scratch_postgres

pytest_plugins = ["tests.harness"]


def _postgres_server() -> str:
    url = os.environ.get(PG_ENV)
    if not url:
        if in_ci():
            pytest.fail(f"{PG_ENV} is not set in CI: PostgreSQL tests cannot run.")
        pytest.skip(f"PostgreSQL tests skipped: set {PG_ENV} to run them.")
    try:
        engine = create_engine(url)
        with engine.connect() as connection:
            connection.execute(text("select 1"))
        engine.dispose()
    except Exception as error:
        if in_ci():
            pytest.fail(f"PostgreSQL at {PG_ENV} is unreachable in CI: {error}")
        pytest.skip(f"PostgreSQL tests skipped: {PG_ENV} is unreachable ({error}).")
    return url


@pytest.fixture(scope="session", params=["sqlite", "postgresql"])
def db_url(request, tmp_path_factory):
    """A migrated, empty database for the whole run, one per backend."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path_factory.mktemp('db') / 'unit.db'}"
        migrate(url)
        yield url
    else:
        with scratch_postgres(_postgres_server()) as url:
            migrate(url)
            yield url


@pytest.fixture(scope="session")
def engine(db_url):
    engine = create_engine(db_url)
    if engine.dialect.name == "sqlite":

        @event.listens_for(engine, "connect")
        def _foreign_keys(dbapi_connection, _record):
            dbapi_connection.execute("PRAGMA foreign_keys=ON")

    yield engine
    engine.dispose()


@pytest.fixture
def session(engine):
    """A session whose work is rolled back after the test (commits become savepoints)."""
    connection = engine.connect()
    transaction = connection.begin()
    with Session(
        bind=connection, join_transaction_mode="create_savepoint", expire_on_commit=False
    ) as session:
        yield session
    transaction.rollback()
    connection.close()


def pytest_terminal_summary(terminalreporter):
    """The figures the suites reported (handlers, routes, cases, crash points tried)."""
    if REPORTED:
        terminalreporter.section("what the suites tried")
        for line in REPORTED:
            terminalreporter.write_line(line)
