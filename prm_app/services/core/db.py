"""The app's database engine (sessions are opened by services.core.unit_of_work)."""

import logging
import os
from functools import cache

from sqlalchemy.engine import Engine

logger = logging.getLogger(__name__)


@cache
def engine() -> Engine:
    """The app's engine, from the Reflex config (REFLEX_DB_URL overrides rxconfig.py)."""
    from reflex.model import get_engine  # the app's configured engine and pool

    configured = get_engine()
    configured.dispose(close=False)  # see _forget_inherited_connections
    return configured


def _forget_inherited_connections() -> None:
    """A forked backend worker starts with empty pools: connections opened by the parent (the
    run command checks the schema) must not be shared, or psycopg's prepared statements and
    results of two processes collide on one socket."""
    from reflex import model

    for inherited in list(getattr(model, "_ENGINE", {}).values()):
        inherited.dispose(close=False)


os.register_at_fork(after_in_child=_forget_inherited_connections)
