"""Test helpers shared by the unit, security and end-to-end suites."""

import os
import uuid
from contextlib import contextmanager, suppress
from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

ROOT = Path(__file__).resolve().parent.parent
PG_ENV = "PRM_TEST_DATABASE_URL"


def venv_path() -> str:
    """PATH with this interpreter's own bin first: Reflex then finds the venv's Node (the one
    `make` installs), not a system Node, whether or not the venv was activated."""
    import sys

    return os.pathsep.join([str(Path(sys.executable).parent), os.environ.get("PATH", "")])


def in_ci() -> bool:
    return os.environ.get("CI", "").lower() in ("1", "true", "yes")


def migrate(url: str) -> None:
    """Apply the real Alembic migrations to the database at `url`."""
    config = Config(str(ROOT / "alembic.ini"))
    config.set_main_option("script_location", str(ROOT / "alembic"))
    engine = create_engine(url)
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "head")
    engine.dispose()


@contextmanager
def scratch_postgres(server_url: str):
    """A throwaway PostgreSQL database on the server of `server_url`, dropped afterwards."""
    name = f"prm_test_{uuid.uuid4().hex[:12]}"
    admin = create_engine(server_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield make_url(server_url).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _up(url: str) -> bool:
    import urllib.request

    try:
        with urllib.request.urlopen(url, timeout=2) as response:  # noqa: S310 - localhost
            return response.status == 200
    except OSError:
        return False


@contextmanager
def production_server(db_url: str, redis_url: str, *, port: int, workers: int, logs: Path):
    """The app as production runs it (README, "Production"): the frontend exported for
    http://localhost:<port>, then `python -m prm_app.serve` with `workers` workers on the
    database and Redis given, serving the build too. Yields the server process (its process
    group is stopped afterwards); logs go to `logs`."""
    import signal
    import subprocess
    import sys
    import time

    import redis

    redis.Redis.from_url(redis_url).flushdb()
    base = f"http://localhost:{port}"
    env = {
        **os.environ,
        "PATH": venv_path(),
        "REFLEX_DB_URL": db_url,
        "REFLEX_REDIS_URL": redis_url,
        "REFLEX_API_URL": base,
        "PRM_ALLOWED_ORIGINS": base,
        "PRM_SECURE_COOKIES": "1",  # Chromium keeps Secure cookies on http://localhost
        "PRM_SERVE_FRONTEND": "1",
        "PRM_PORT": str(port),
        "PRM_WORKERS": str(workers),
        "PRM_MAIL_DIR": str(logs / "mail"),
        "REFLEX_USE_NPM": "1",
        "REFLEX_TELEMETRY_ENABLED": "false",
    }
    for name in ("REFLEX_STATE_MANAGER_MODE", "__REFLEX_SKIP_COMPILE"):
        env.pop(name, None)
    logs.mkdir(parents=True, exist_ok=True)
    with (logs / "export.log").open("w") as out:
        subprocess.run(
            [str(Path(sys.executable).parent / "reflex"), "export", "--frontend-only", "--no-zip"],
            cwd=ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            check=True,
        )
    with (logs / "server.log").open("w") as log:
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
                    raise RuntimeError(f"the production server did not start: {logs}/server.log")
                time.sleep(0.5)
            yield process
        finally:
            with suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGTERM)
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait(timeout=10)
                raise RuntimeError(f"the server ignored SIGTERM: {logs}/server.log") from None


REPORTED: list[str] = []


def report(line: str) -> None:
    """A figure the test run prints at its end (how many handlers, routes, cases were tried),
    even when pytest captures the tests' output."""
    REPORTED.append(line.strip())
