"""The one place that opens database sessions for the running app."""

from collections.abc import Iterator
from contextlib import contextmanager
from functools import cache

from sqlalchemy.engine import Engine
from sqlmodel import Session


@cache
def engine() -> Engine:
    """The app's engine, from the Reflex config (REFLEX_DB_URL overrides rxconfig.py)."""
    from reflex.model import get_engine  # the app's configured engine and pool

    return get_engine()


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
