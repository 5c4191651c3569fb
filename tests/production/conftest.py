"""The app as production runs it: an exported frontend, `python -m prm_app.serve` with two
workers on PostgreSQL and Redis. Needs both servers: skipped without them outside CI, failed in
CI."""

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from sqlalchemy import create_engine
from sqlmodel import Session

from tests.e2e.conftest import browser_type_launch_args  # noqa: F401 - the same browser
from tests.support import PG_ENV, ROOT, in_ci, migrate, scratch_postgres

REDIS_URL = os.environ.get("PRM_TEST_REDIS_URL", "redis://127.0.0.1:6379/10")  # flushed
BIN = Path(sys.executable).parent


def _require(what: str, check) -> None:
    try:
        check()
    except Exception as error:
        if in_ci():
            pytest.fail(f"production test needs {what}: {error}")
        pytest.skip(f"production test skipped: {what} unavailable ({error})")


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _up(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=2) as response:  # noqa: S310 - localhost
            return response.status == 200
    except OSError:
        return False


@pytest.fixture(scope="session")
def production(tmp_path_factory):
    """(base url, database engine, Redis client, server process) of the running app."""
    import redis

    server = os.environ.get(PG_ENV, "")
    _require("PostgreSQL (PRM_TEST_DATABASE_URL)", lambda: create_engine(server).connect().close())
    client = redis.Redis.from_url(REDIS_URL)
    _require("Redis", client.ping)
    client.flushdb()

    port = _free_port()
    base = f"http://localhost:{port}"
    logs = tmp_path_factory.mktemp("production")
    with scratch_postgres(server) as url:
        migrate(url)
        from prm_app import demo

        engine = create_engine(url)
        with Session(engine) as session:
            demo.load(session)
            session.commit()
        env = {
            **os.environ,
            "REFLEX_DB_URL": url,
            "REFLEX_REDIS_URL": REDIS_URL,
            "REFLEX_API_URL": base,
            "PRM_ALLOWED_ORIGINS": base,
            "PRM_SECURE_COOKIES": "1",  # Chromium keeps Secure cookies on http://localhost
            "PRM_SERVE_FRONTEND": "1",
            "PRM_PORT": str(port),
            "PRM_WORKERS": "2",
            "PRM_MAIL_DIR": str(logs / "mail"),
            "REFLEX_USE_NPM": "1",
            "REFLEX_TELEMETRY_ENABLED": "false",
        }
        for name in ("REFLEX_STATE_MANAGER_MODE", "__REFLEX_SKIP_COMPILE"):
            env.pop(name, None)
        with (logs / "export.log").open("w") as out:
            subprocess.run(
                [str(BIN / "reflex"), "export", "--frontend-only", "--no-zip"],
                cwd=ROOT,
                env=env,
                stdout=out,
                stderr=subprocess.STDOUT,
                check=True,
            )
        log = (logs / "server.log").open("w")
        process = subprocess.Popen(
            [sys.executable, "-m", "prm_app.serve"],
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        try:
            deadline = time.monotonic() + 120
            while not (_up(f"{base}/ping") and _up(f"{base}/login/")):
                if process.poll() is not None or time.monotonic() > deadline:
                    pytest.fail(f"the production server did not start: {logs / 'server.log'}")
                time.sleep(0.5)
            yield base, engine, client, process
        finally:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGTERM)
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait(timeout=10)
                pytest.fail(f"the server did not stop on SIGTERM: {logs / 'server.log'}")
            log.close()
            engine.dispose()
