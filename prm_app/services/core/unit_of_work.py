"""The one unit of work every change goes through, whatever its entry point.

An event handler, a REST API request, a public form, an import or a background job opens
`unit_of_work()`, runs its operation in the session, and leaves: the transaction commits (or
rolls back on any error), and only after a commit is what the services noted
(services.core.changes) handed to the publishers the app subscribed, which tell the open views.
A rolled-back transaction publishes nothing. Outside the running app (scripts, unit tests) no
publisher is subscribed, and nothing is told.
"""

import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress

from sqlalchemy.exc import InterfaceError, OperationalError
from sqlmodel import Session

from . import changes, channel, db
from .errors import Unavailable

logger = logging.getLogger(__name__)
Publisher = Callable[[changes.Changes], None]
_PUBLISHERS: list[Publisher] = []


def subscribe(publisher: Publisher) -> Callable[[], None]:
    """Hand every committed change to `publisher` from now on; returns the unsubscribe."""
    _PUBLISHERS.append(publisher)
    return lambda: _PUBLISHERS.remove(publisher)


@contextmanager
def unit_of_work(via: channel.Via | None = None) -> Iterator[Session]:
    """One transaction: committed on success, rolled back on any error, then published.

    via: how everything done in it was done, when the entry point is not the portal (a job,
    an import): the audit log shows it (services.core.channel).

    A database that cannot be reached is the domain error Unavailable (a clear message for the
    user); the pool drops the broken connections, so the next unit of work reconnects.
    """
    with Session(db.engine(), expire_on_commit=False) as session:
        channel.acting(session, via)
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
    if noted := changes.noted(session):
        _publish(noted)


def _publish(noted: changes.Changes) -> None:
    for publisher in list(_PUBLISHERS):
        try:
            publisher(noted)
        except Exception:  # the change is committed: a view not told re-reads on its next event
            logger.exception("could not publish a committed change")


def _quiet_rollback(session: Session) -> None:
    """Roll back after a lost connection, which may fail for the same reason."""
    with suppress(OperationalError, InterfaceError):
        session.rollback()
