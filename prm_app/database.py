"""The app's database: Reflex's configured engine and pool (REFLEX_DB_URL overrides
rxconfig.py), handed to the services' unit of work. Importing this module configures it."""

import os

from reflex import model
from sqlalchemy.engine import Engine

from .services.core import db


def _engine() -> Engine:
    configured = model.get_engine()
    configured.dispose(close=False)  # see _forget_inherited_connections
    return configured


def _forget_inherited_connections() -> None:
    """A forked backend worker starts with empty pools: connections opened by the parent (the
    run command checks the schema) must not be shared, or psycopg's prepared statements and
    results of two processes collide on one socket."""
    for inherited in list(getattr(model, "_ENGINE", {}).values()):
        inherited.dispose(close=False)


db.configure(_engine)
os.register_at_fork(after_in_child=_forget_inherited_connections)
