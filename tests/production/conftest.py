"""The app as production runs it: an exported frontend, `python -m prm_app.serve` with two
workers on PostgreSQL and Redis. Needs both servers: skipped without them outside CI, failed in
CI."""

import os

import pytest
from sqlalchemy import create_engine
from sqlmodel import Session

from tests.e2e.conftest import browser_type_launch_args  # noqa: F401 - the same browser
from tests.support import (
    PG_ENV,
    free_port,
    in_ci,
    migrate,
    production_server,
    scratch_postgres,
)

REDIS_URL = os.environ.get("PRM_TEST_REDIS_URL", "redis://127.0.0.1:6379/10")  # flushed


def _require(what: str, check) -> None:
    try:
        check()
    except Exception as error:
        if in_ci():
            pytest.fail(f"production test needs {what}: {error}")
        pytest.skip(f"production test skipped: {what} unavailable ({error})")


@pytest.fixture(scope="session")
def production(tmp_path_factory):
    """(base url, database engine, Redis client, server process) of the running app."""
    import redis

    server = os.environ.get(PG_ENV, "")
    _require("PostgreSQL (PRM_TEST_DATABASE_URL)", lambda: create_engine(server).connect().close())
    client = redis.Redis.from_url(REDIS_URL)
    _require("Redis", client.ping)

    port = free_port()
    with scratch_postgres(server) as url:
        migrate(url)
        from prm_app import demo

        engine = create_engine(url)
        with Session(engine) as session:
            demo.load(session)
            session.commit()
        logs = tmp_path_factory.mktemp("production")
        try:
            with production_server(url, REDIS_URL, port=port, workers=2, logs=logs) as process:
                yield f"http://localhost:{port}", engine, client, process
        finally:
            engine.dispose()
