"""The one place that opens database sessions for the running app."""

import os
from collections.abc import Iterator
from contextlib import contextmanager
from functools import cache

from sqlalchemy.engine import Engine
from sqlmodel import Session


@cache
def engine() -> Engine:
    """The app's engine, from the Reflex config (REFLEX_DB_URL overrides rxconfig.py)."""
    from reflex.model import get_engine  # the app's configured engine and pool

    configured = get_engine()
    configured.dispose(close=False)  # see _forget_inherited_connections
    return configured


@contextmanager
def session_scope() -> Iterator[Session]:
    """A unit of work: commits on success, rolls back on any error."""
    with Session(engine(), expire_on_commit=False) as session:
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise


def _forget_inherited_connections() -> None:
    """A forked backend worker starts with empty pools: connections opened by the parent (the
    run command checks the schema) must not be shared, or psycopg's prepared statements and
    results of two processes collide on one socket."""
    from reflex import model

    for inherited in list(getattr(model, "_ENGINE", {}).values()):
        inherited.dispose(close=False)


os.register_at_fork(after_in_child=_forget_inherited_connections)
