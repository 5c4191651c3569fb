"""The Alembic migrations build exactly the schema the models describe, on every backend."""

import pprint

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import create_engine, inspect
from sqlmodel import SQLModel

import prm_app.models  # noqa: F401 - registers every table on the metadata
from prm_app.models.pipeline import is_search_table
from prm_app.models.schema_compare import include_name
from tests.conftest import _postgres_server
from tests.support import ROOT, migrate, scratch_postgres


def _config() -> Config:
    config = Config(str(ROOT / "alembic.ini"))
    config.set_main_option("script_location", str(ROOT / "alembic"))
    return config


@pytest.fixture(params=["sqlite", "postgresql"])
def fresh_url(request, tmp_path):
    """The URL of a brand-new, empty database (not the shared one the other tests use)."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'fresh.db'}"
    else:
        with scratch_postgres(_postgres_server()) as url:
            yield url


@pytest.fixture
def migrated(fresh_url):
    """An engine on a fresh database after applying the real migrations."""
    migrate(fresh_url)
    engine = create_engine(fresh_url)
    yield engine
    engine.dispose()


def _schema_diff(engine) -> list:
    with engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"include_name": include_name})
        return compare_metadata(context, SQLModel.metadata)


def _tables(engine) -> set[str]:
    return {t for t in inspect(engine).get_table_names() if not is_search_table(t)}


def test_fresh_database_starts_empty(fresh_url):
    engine = create_engine(fresh_url)
    try:
        assert inspect(engine).get_table_names() == []
    finally:
        engine.dispose()


def test_migrated_schema_matches_the_models(migrated):
    # No filtering on either backend: with alembic 1.20 / SQLAlchemy 2.1 the SQLite reflection
    # (UTCDateTime, JSON, Numeric, AutoString) compares clean, so nothing needs excusing.
    diff = _schema_diff(migrated)
    assert diff == [], "migrations and models disagree:\n" + pprint.pformat(diff, width=100)


def test_every_model_table_exists_and_is_at_head(migrated):
    tables = _tables(migrated)
    expected = set(SQLModel.metadata.tables)
    assert len(expected) >= 19
    assert expected - tables == set()
    assert tables - expected == {"alembic_version"}
    head = ScriptDirectory.from_config(_config()).get_current_head()
    with migrated.connect() as connection:
        assert MigrationContext.configure(connection).get_current_revision() == head


def test_constraint_names_follow_the_naming_convention(migrated):
    inspector = inspect(migrated)
    foreign_keys: set[str] = set()
    for table in SQLModel.metadata.tables:
        assert inspector.get_pk_constraint(table)["name"] == f"pk_{table}"
        for fk in inspector.get_foreign_keys(table):
            column = fk["constrained_columns"][0]
            assert fk["name"] == f"fk_{table}_{column}_{fk['referred_table']}", fk
            foreign_keys.add(fk["name"])
        for unique in inspector.get_unique_constraints(table):
            assert unique["name"] and unique["name"].startswith(f"uq_{table}_"), unique
        for index in inspector.get_indexes(table):
            if index.get("duplicates_constraint"):  # PostgreSQL lists a constraint's index too
                continue
            assert index["name"].startswith(f"ix_{table}_"), index
            if len(index["column_names"]) == 1:
                # Single-column indexes are either convention-named or named for their purpose.
                assert index["name"] in (
                    f"ix_{table}_{index['column_names'][0]}",
                    *(i.name for i in SQLModel.metadata.tables[table].indexes),
                ), index
        for check in inspector.get_check_constraints(table):
            assert check["name"] and check["name"].startswith(f"ck_{table}_"), check

    assert "fk_memberships_user_id_users" in foreign_keys
    assert "fk_memberships_org_id_organizations" in foreign_keys
    assert "fk_lead_recipients_lead_id_leads" in foreign_keys
    # Every foreign key of the models exists in the database under its conventional name.
    declared = {
        f"fk_{table.name}_{fk.parent.name}_{fk.column.table.name}"
        for table in SQLModel.metadata.tables.values()
        for fk in table.foreign_keys
    }
    assert declared == foreign_keys


def test_single_column_unique_fields_are_unique_in_the_database(migrated):
    inspector = inspect(migrated)
    unique_index_columns = {
        (table, tuple(index["column_names"]))
        for table in SQLModel.metadata.tables
        for index in inspector.get_indexes(table)
        if index["unique"]
    }
    unique_constraint_columns = {
        (table, tuple(unique["column_names"]))
        for table in SQLModel.metadata.tables
        for unique in inspector.get_unique_constraints(table)
    }
    unique = unique_index_columns | unique_constraint_columns
    for expected in [
        ("users", ("email",)),
        ("auth_sessions", ("token_hash",)),
        ("auth_tickets", ("ticket_hash",)),
        ("user_invites", ("token_hash",)),
        ("partnerships", ("invite_token_hash",)),
        ("memberships", ("user_id", "org_id")),
        ("lead_recipients", ("lead_id", "org_id")),
    ]:
        assert expected in unique, expected


def test_downgrade_to_base_and_upgrade_again(migrated):
    config = _config()
    with migrated.begin() as connection:
        config.attributes["connection"] = connection
        command.downgrade(config, "base")
    assert set(inspect(migrated).get_table_names()) <= {"alembic_version"}  # search index too
    with migrated.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "head")
    diff = _schema_diff(migrated)
    assert diff == [], pprint.pformat(diff, width=100)


def test_reflex_schema_check_sees_no_change_but_a_real_one(migrated, monkeypatch):
    # `reflex run` and `reflex db migrate` compare through reflex.model.alembic_autogenerate,
    # which takes no filter hook: without ours, SQLite's search index reads as a change.
    from reflex import model

    from prm_app.models.schema_compare import filter_reflex_autogenerate

    monkeypatch.chdir(ROOT)  # Reflex finds alembic.ini in the working directory
    monkeypatch.setattr(model, "alembic_autogenerate", model.alembic_autogenerate)
    filter_reflex_autogenerate()
    with migrated.connect() as connection:
        assert model.alembic_autogenerate(connection, write_migration_scripts=False) is False
    with migrated.begin() as connection:
        connection.exec_driver_sql("CREATE TABLE stray_table (id INTEGER PRIMARY KEY)")
    with migrated.connect() as connection:
        assert model.alembic_autogenerate(connection, write_migration_scripts=False) is True
