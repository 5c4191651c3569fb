"""What Alembic compares with the models, for every way of running it.

SQLite's lead search index (the FTS5 table of migration d5e7f9a1b3c6 and its shadow tables) is
made by hand and is no model: comparing models with a database must not see it, or it reports
schema changes that are not there and autogenerates a migration dropping the index.
`alembic/env.py` and the tests pass `include_name`. Reflex's `reflex run`, `reflex db migrate`
and `reflex db makemigrations` configure Alembic themselves without any filter hook;
`filter_reflex_autogenerate` gives them the same one.
"""

import functools
import warnings

from alembic.runtime.environment import EnvironmentContext

from .pipeline import is_search_table


def include_name(name: str | None, type_: str, _parents: dict) -> bool:
    """Alembic's name filter: every table but SQLite's lead search index."""
    return not (type_ == "table" and name and is_search_table(name))


def filter_reflex_autogenerate() -> None:
    """Make Reflex's schema check and `makemigrations` skip the search index (idempotent)."""
    from reflex import model

    autogenerate = model.alembic_autogenerate
    if getattr(autogenerate, "filtered", False):
        return

    @functools.wraps(autogenerate)
    def filtered(*args, **kwargs):
        configure = EnvironmentContext.configure

        def configure_with_filter(self, *c_args, **c_kwargs):
            c_kwargs.setdefault("include_name", include_name)
            return configure(self, *c_args, **c_kwargs)

        EnvironmentContext.configure = configure_with_filter
        try:
            with warnings.catch_warnings():
                # SQLite cannot reflect expression indexes; migrations are made against PostgreSQL.
                warnings.filterwarnings("ignore", message=".*expression-based index")
                return autogenerate(*args, **kwargs)
        finally:
            EnvironmentContext.configure = configure

    filtered.filtered = True
    model.alembic_autogenerate = filtered
