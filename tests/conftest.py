"""Database fixtures: every database-backed test runs on SQLite and, where configured, PostgreSQL.

PostgreSQL comes from PRM_TEST_DATABASE_URL (CI sets it). Outside CI a missing or unreachable
server skips those tests with the reason; in CI it fails them.

The unit suites run on two pytest-xdist workers (`make unit`): each worker has its own SQLite
files (pytest's temporary folder is per worker) and its own PostgreSQL database, named after the
server's database and the worker (`test_gw0`, `test_gw1`; `test_main` without xdist), created
for the run and dropped after it.
"""

import os
from contextlib import contextmanager

import pytest
from sqlalchemy import create_engine, event, text
from sqlalchemy.engine import make_url
from sqlmodel import Session

from tests.support import PG_ENV, REPORTED, in_ci, migrate

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


def worker() -> str:
    """This pytest process's name among the xdist workers ("gw0", ...), "main" without xdist."""
    return os.environ.get("PYTEST_XDIST_WORKER", "main")


@contextmanager
def worker_postgres(server_url: str):
    """The worker's own database on the server of `server_url`, dropped afterwards; named by the
    process too, so that two runs on one machine (two checkouts) never drop each other's."""
    server = make_url(server_url)
    name = f"{server.database or 'prm'}_{worker()}_{os.getpid()}"
    admin = create_engine(server_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield server.set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture(scope="session", params=["sqlite", "postgresql"])
def db_url(request, tmp_path_factory):
    """A migrated, empty database for the whole run (of this worker), one per backend."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path_factory.mktemp('db') / 'unit.db'}"
        migrate(url)
        yield url
    else:
        with worker_postgres(_postgres_server()) as url:
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


def pytest_sessionfinish(session):
    """On an xdist worker: hand the figures it reported to the controller, which prints them."""
    output = getattr(session.config, "workeroutput", None)
    if output is not None:
        output["reported"] = list(REPORTED)


@pytest.hookimpl(optionalhook=True)
def pytest_testnodedown(node, error):
    """On the xdist controller: the figures a worker reported."""
    REPORTED.extend(getattr(node, "workeroutput", {}).get("reported", []))


def pytest_terminal_summary(terminalreporter):
    """The figures the suites reported (handlers, routes, cases, crash points tried)."""
    if REPORTED:
        terminalreporter.section("what the suites tried")
        for line in REPORTED:
            terminalreporter.write_line(line)
