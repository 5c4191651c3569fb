"""Alembic environment for the plain `alembic` CLI and the tests.

`reflex db makemigrations/migrate` configure Alembic themselves with the same metadata, the same
version scripts and the same name filter (prm_app/models/schema_compare.py); this file makes
`alembic upgrade head` and the tests behave the same way.
"""

import os

from alembic import context
from sqlalchemy import create_engine
from sqlmodel import SQLModel

import prm_app.models  # noqa: F401 - registers every table on the metadata
from prm_app.models.schema_compare import include_name

config = context.config
target_metadata = SQLModel.metadata


def _url() -> str:
    if url := os.environ.get("REFLEX_DB_URL"):
        return url
    from rxconfig import config as rx_config

    return rx_config.db_url


def run_migrations_offline() -> None:
    context.configure(
        url=_url(), target_metadata=target_metadata, literal_binds=True, include_name=include_name
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:  # handed in by a caller (tests)
        context.configure(
            connection=connection, target_metadata=target_metadata, include_name=include_name
        )
        with context.begin_transaction():
            context.run_migrations()
        return
    engine = create_engine(_url())
    with engine.connect() as connection:
        context.configure(
            connection=connection,
            target_metadata=target_metadata,
            render_as_batch=True,
            include_name=include_name,
        )
        with context.begin_transaction():
            context.run_migrations()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
