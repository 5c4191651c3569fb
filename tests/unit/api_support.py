"""Units of work over the test's session, a REST API client over them, and API keys."""

from contextlib import contextmanager

from fastapi.testclient import TestClient
from sqlmodel import Session

from prm_app.models import Role
from prm_app.rest_api import create_app
from prm_app.services.core.actor import Actor
from prm_app.services.identity import api_keys


def units_of_work(session: Session):
    """A unit_of_work stand-in: each unit of work a savepoint of the test's transaction (what
    the test set up is kept, what a failed unit did is rolled back)."""

    @contextmanager
    def scope():
        # A nested savepoint, never session.commit(): on SQLite the test's outer savepoint is
        # the real transaction, and releasing it would commit the test's data for good.
        unit = session.begin_nested()
        try:
            yield session
            unit.commit()
        except BaseException:
            unit.rollback()
            raise

    return scope


def client_over(session: Session) -> TestClient:
    """The API over the test's session, each request one savepoint."""
    app = create_app()
    app.state.open_session = units_of_work(session)
    return TestClient(app, raise_server_exceptions=True)


def key_for(session: Session, actor: Actor, role: Role | None = None) -> dict[str, str]:
    """Headers with a new key of the actor's organization (the actor must be an admin)."""
    made = api_keys.create(session, actor=actor, name="test key", role=role or actor.role)
    return {"Authorization": f"Bearer {made.key}"}
