"""saved views of the lists, and the index of custom values the lists filter on

Revision ID: sv3a7c9e1b5d
Revises: cf4b8d2e6a1c
Create Date: 2026-12-05 22:00:00

Saved views (issue 24): a named state of a list, personal or shared with the organization, and
each person's default view per list. `custom_values`: the custom values of leads, deals and
partnerships one row per value, typed, kept by triggers from the records' `custom` JSON (the
source of truth), so that a list filtered on a field reads an index instead of every record's
JSON (models.custom_values; benchmarks/README.md has the measurements).
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "sv3a7c9e1b5d"
down_revision: str | Sequence[str] | None = "cf4b8d2e6a1c"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

RECORDS = {"leads": "lead", "deals": "deal", "partnerships": "partnership"}
STATISTICS = "custom_values_field_num"

# SQLite: one row per value (an array's elements each), typed from the JSON type.
_SQLITE_ROWS = """
    INSERT INTO custom_values (record_type, record_id, field_id, num, txt)
    SELECT '{kind}', {src}.id, CAST(f.key AS INTEGER),
        CASE v.type
            WHEN 'integer' THEN v.value WHEN 'real' THEN v.value
            WHEN 'true' THEN 1 WHEN 'false' THEN 0
            WHEN 'text' THEN CASE WHEN v.value GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]'
                THEN CAST(replace(v.value, '-', '') AS INTEGER) END
        END,
        CASE v.type WHEN 'text' THEN v.value END
    FROM {source}json_each({src}.custom) AS f,
        json_each(CASE f.type WHEN 'array' THEN f.value ELSE json_array(f.value) END) AS v
    WHERE f.key GLOB '[0-9]*' AND v.type != 'null'"""


def _sqlite(table: str, kind: str) -> list[str]:
    rows = _SQLITE_ROWS.format(kind=kind, src="NEW", source="") + ";"
    gone = f"DELETE FROM custom_values WHERE record_type = '{kind}' AND record_id = OLD.id;"  # noqa: S608
    return [
        f"CREATE TRIGGER {table}_custom_insert AFTER INSERT ON {table} BEGIN {rows} END",
        f"""CREATE TRIGGER {table}_custom_update AFTER UPDATE OF custom ON {table}
        WHEN NEW.custom IS NOT OLD.custom BEGIN {gone} {rows} END""",
        f"CREATE TRIGGER {table}_custom_delete AFTER DELETE ON {table} BEGIN {gone} END",
    ]


_POSTGRES_ROWS = r"""
        INSERT INTO custom_values (record_type, record_id, field_id, num, txt)
        SELECT {kind}, {src}.id, f.key::integer,
            CASE jsonb_typeof(v.value)
                WHEN 'number' THEN (v.value #>> '{{}}')::double precision
                WHEN 'boolean' THEN CASE WHEN v.value = 'true'::jsonb THEN 1 ELSE 0 END
                WHEN 'string' THEN CASE WHEN (v.value #>> '{{}}') ~ '^\d{{4}}-\d{{2}}-\d{{2}}$'
                    THEN replace(v.value #>> '{{}}', '-', '')::double precision END
            END,
            CASE jsonb_typeof(v.value) WHEN 'string' THEN v.value #>> '{{}}' END
        FROM {source}jsonb_each({src}.custom) AS f,
            jsonb_array_elements(CASE jsonb_typeof(f.value) WHEN 'array' THEN f.value
                ELSE jsonb_build_array(f.value) END) AS v(value)
        WHERE f.key ~ '^\d{{1,9}}$' AND jsonb_typeof(v.value) != 'null'"""
POSTGRES_FUNCTION = f"""CREATE FUNCTION custom_values_sync() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP IN ('UPDATE', 'DELETE') THEN
        DELETE FROM custom_values WHERE record_type = TG_ARGV[0] AND record_id = OLD.id;
    END IF;
    IF TG_OP IN ('INSERT', 'UPDATE') THEN{_POSTGRES_ROWS.format(kind="TG_ARGV[0]", src="NEW", source="")};
    END IF;
    RETURN NULL;
END $$"""  # noqa: S608 (constants only)


def _backfill(table: str, kind: str, *, postgres: bool) -> str:
    """The values records already hold (none unless fields were used before this revision)."""
    rows = _POSTGRES_ROWS if postgres else _SQLITE_ROWS
    return rows.format(kind=f"'{kind}'" if postgres else kind, src="r", source=f"{table} AS r, ")


def _postgres(table: str, kind: str) -> list[str]:
    run = f"FOR EACH ROW EXECUTE FUNCTION custom_values_sync('{kind}')"
    return [
        f"CREATE TRIGGER {table}_custom_insert AFTER INSERT ON {table} {run}",
        f"""CREATE TRIGGER {table}_custom_update AFTER UPDATE OF custom ON {table}
        FOR EACH ROW WHEN (NEW.custom IS DISTINCT FROM OLD.custom)
        EXECUTE FUNCTION custom_values_sync('{kind}')""",
        f"CREATE TRIGGER {table}_custom_delete AFTER DELETE ON {table} {run}",
    ]


def upgrade() -> None:
    op.create_table(
        "saved_views",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("org_id", sa.Integer(), nullable=False),
        sa.Column("owner_id", sa.Integer(), nullable=False),
        sa.Column("list_name", sa.String(length=32), nullable=False),
        sa.Column("name", sa.String(length=60), nullable=False),
        sa.Column("shared", sa.Boolean(), nullable=False),
        sa.Column("state", sa.JSON(), nullable=False),
        sa.Column("created_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("updated_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["org_id"], ["organizations.id"], name="fk_saved_views_org_id_organizations"
        ),
        sa.ForeignKeyConstraint(["owner_id"], ["users.id"], name="fk_saved_views_owner_id_users"),
        sa.PrimaryKeyConstraint("id", name="pk_saved_views"),
    )
    op.create_index("ix_saved_views_org_list", "saved_views", ["org_id", "list_name"])
    op.create_index("ix_saved_views_owner_id", "saved_views", ["owner_id"])
    op.create_table(
        "saved_view_defaults",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("list_name", sa.String(length=32), nullable=False),
        sa.Column("view_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name="fk_saved_view_defaults_user_id_users"
        ),
        sa.ForeignKeyConstraint(
            ["view_id"],
            ["saved_views.id"],
            name="fk_saved_view_defaults_view_id_saved_views",
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name="pk_saved_view_defaults"),
        sa.UniqueConstraint("user_id", "list_name", name="uq_saved_view_defaults_user_list"),
    )
    op.create_index("ix_saved_view_defaults_view_id", "saved_view_defaults", ["view_id"])
    op.create_table(
        "custom_values",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("record_type", sa.String(length=16), nullable=False),
        sa.Column("record_id", sa.Integer(), nullable=False),
        sa.Column("field_id", sa.Integer(), nullable=False),
        sa.Column("num", sa.Float(), nullable=True),
        sa.Column("txt", sa.String(), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_custom_values"),
    )
    op.create_index("ix_custom_values_field_num", "custom_values", ["field_id", "num", "record_id"])
    op.create_index(
        "ix_custom_values_record", "custom_values", ["record_id", "field_id", "num"]
    )
    postgres = op.get_bind().dialect.name == "postgresql"
    if postgres:
        op.execute(POSTGRES_FUNCTION)
        # How many records hold each value of each field: without it PostgreSQL guesses the
        # matches of "field = F and num = V" from each column alone (4,455 for 20,000 at
        # 100,000 leads) and counts a filtered list with 20,000 index probes (21 ms at p50)
        # instead of one hash join (12 ms).
        op.execute(f"CREATE STATISTICS {STATISTICS} (mcv) ON field_id, num FROM custom_values")
    for table, kind in RECORDS.items():
        for statement in _postgres(table, kind) if postgres else _sqlite(table, kind):
            op.execute(statement)
        op.execute(_backfill(table, kind, postgres=postgres))


def downgrade() -> None:
    postgres = op.get_bind().dialect.name == "postgresql"
    if postgres:
        op.execute(f"DROP STATISTICS {STATISTICS}")
    for table in RECORDS:
        for when in ("insert", "update", "delete"):
            op.execute(f"DROP TRIGGER {table}_custom_{when}" + (f" ON {table}" if postgres else ""))
    if postgres:
        op.execute("DROP FUNCTION custom_values_sync()")
    op.drop_index("ix_custom_values_record", table_name="custom_values")
    op.drop_index("ix_custom_values_field_num", table_name="custom_values")
    op.drop_table("custom_values")
    op.drop_index("ix_saved_view_defaults_view_id", table_name="saved_view_defaults")
    op.drop_table("saved_view_defaults")
    op.drop_index("ix_saved_views_owner_id", table_name="saved_views")
    op.drop_index("ix_saved_views_org_list", table_name="saved_views")
    op.drop_table("saved_views")
