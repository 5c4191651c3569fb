"""The running app shared by the end-to-end and security suites (a pytest plugin).

One production-built app for the whole run, on a migrated SQLite database with the demo data.
The backend runs in this process, so tests can seed and assert through the database.
"""

import logging
import os
import socket

import pytest
from sqlalchemy import create_engine
from sqlmodel import Session

from tests.support import ROOT, migrate, venv_path

DEMO_PASSWORD = "demo-password"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


# The frontend's port, chosen before the backend starts so that the backend allows exactly its
# origin (websocket Origin check, CORS, sign-in), as production does with PRM_ALLOWED_ORIGINS.
FRONTEND_PORT = _free_port()


@pytest.fixture(scope="session")
def app_db_url(tmp_path_factory) -> str:
    """Migrated SQLite database with the demo data; set before Reflex reads its config."""
    url = f"sqlite:///{tmp_path_factory.mktemp('e2e') / 'e2e.db'}"
    os.environ["REFLEX_DB_URL"] = url
    os.environ["REFLEX_STATE_MANAGER_MODE"] = "memory"
    os.environ["PATH"] = venv_path()
    os.environ["REFLEX_USE_NPM"] = "1"
    os.environ["REFLEX_TELEMETRY_ENABLED"] = "false"
    os.environ["PRM_SWEEP_SECONDS"] = "1"  # background jobs run every second
    os.environ["PRM_MAIL_SECONDS"] = "1"
    os.environ["PRM_MAIL_DIR"] = str(tmp_path_factory.mktemp("mail"))  # no SMTP: .eml files
    os.environ["PRM_ALLOWED_ORIGINS"] = f"http://127.0.0.1:{FRONTEND_PORT}"
    migrate(url)
    from prm_app import demo

    engine = create_engine(url)
    with Session(engine) as session:
        demo.load(session)
        session.commit()
    engine.dispose()
    return url


@pytest.fixture(scope="session")
def db(app_db_url):
    """An engine on the app's database, for seeding and assertions."""
    engine = create_engine(app_db_url)
    yield engine
    engine.dispose()


class _ErrorCollector(logging.Handler):
    def __init__(self):
        super().__init__(level=logging.ERROR)
        self.records: list[logging.LogRecord] = []

    def emit(self, record):
        self.records.append(record)


@pytest.fixture(scope="session")
def reflex_errors():
    """Errors logged by the framework during the run (a test fails on any new one)."""
    collector = _ErrorCollector()
    logger = logging.getLogger("reflex")
    logger.addHandler(collector)
    yield collector.records
    logger.removeHandler(collector)


def _harness_class():
    from reflex.testing import AppHarnessProd, _get_uvicorn, chdir
    from reflex.utils import exec as reflex_exec

    class Harness(AppHarnessProd):
        """Reflex's production harness, with the frontend served on FRONTEND_PORT."""

        def _run_frontend(self):
            uvicorn = _get_uvicorn()
            with chdir(self.app_path):
                frontend_app = reflex_exec._frontend_prod_app()
            self.frontend_server = uvicorn.Server(
                uvicorn.Config(app=frontend_app, host="127.0.0.1", port=FRONTEND_PORT)
            )
            self.frontend_server.run()

    return Harness


@pytest.fixture(scope="session")
def harness(app_db_url, reflex_errors):
    with _harness_class().create(root=ROOT, app_name="prm_app") as running:
        yield running
