"""A REST API test client over the test's session (each request one savepoint), and keys."""

from contextlib import contextmanager

from fastapi.testclient import TestClient
from sqlmodel import Session

from prm_app.models import Role
from prm_app.rest_api import create_app
from prm_app.services import api_keys
from prm_app.services.actor import Actor


def client_over(session: Session) -> TestClient:
    """The API with each request's unit of work a savepoint of the test's transaction: what the
    test set up is kept, what a refused request did is rolled back."""
    app = create_app()

    @contextmanager
    def scope():
        session.commit()  # keep what the test set up, whatever the request does
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise

    app.state.open_session = scope
    return TestClient(app, raise_server_exceptions=True)


def key_for(session: Session, actor: Actor, role: Role | None = None) -> dict[str, str]:
    """Headers with a new key of the actor's organization (the actor must be an admin)."""
    made = api_keys.create(session, actor=actor, name="test key", role=role or actor.role)
    return {"Authorization": f"Bearer {made.key}"}
