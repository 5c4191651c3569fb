"""The one place that opens database sessions for the running app."""

import logging
import os
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from functools import cache

from sqlalchemy.engine import Engine
from sqlalchemy.exc import InterfaceError, OperationalError
from sqlmodel import Session

from .errors import Unavailable

logger = logging.getLogger(__name__)


@cache
def engine() -> Engine:
    """The app's engine, from the Reflex config (REFLEX_DB_URL overrides rxconfig.py)."""
    from reflex.model import get_engine  # the app's configured engine and pool

    configured = get_engine()
    configured.dispose(close=False)  # see _forget_inherited_connections
    return configured


@contextmanager
def session_scope() -> Iterator[Session]:
    """A unit of work: commits on success, rolls back on any error.

    A database that cannot be reached is the domain error Unavailable (a clear message for the
    user); the pool drops the broken connections, so the next unit of work reconnects.
    """
    with Session(engine(), expire_on_commit=False) as session:
        try:
            yield session
            session.commit()
        except (OperationalError, InterfaceError) as error:
            _quiet_rollback(session)
            logger.warning("database unavailable: %s", error)
            raise Unavailable() from error
        except BaseException:
            session.rollback()
            raise


def _quiet_rollback(session: Session) -> None:
    """Roll back after a lost connection, which may fail for the same reason."""
    with suppress(OperationalError, InterfaceError):
        session.rollback()


def _forget_inherited_connections() -> None:
    """A forked backend worker starts with empty pools: connections opened by the parent (the
    run command checks the schema) must not be shared, or psycopg's prepared statements and
    results of two processes collide on one socket."""
    from reflex import model

    for inherited in list(getattr(model, "_ENGINE", {}).values()):
        inherited.dispose(close=False)


os.register_at_fork(after_in_child=_forget_inherited_connections)
