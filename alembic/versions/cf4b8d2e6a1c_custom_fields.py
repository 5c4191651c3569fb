"""custom fields: their definitions, and the records' values

Revision ID: cf4b8d2e6a1c
Revises: ru1e5c0a7f2d
Create Date: 2026-12-05 21:40:00

An organization's custom fields (issue 24), and a `custom` JSON column (JSONB on PostgreSQL) on
leads, deals and partnerships holding their values by field id, empty on existing records.
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "cf4b8d2e6a1c"
down_revision: str | Sequence[str] | None = "ru1e5c0a7f2d"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

CUSTOM_JSON = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")
VALUED = ("leads", "deals", "partnerships")


def upgrade() -> None:
    op.create_table(
        "custom_fields",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("org_id", sa.Integer(), nullable=False),
        sa.Column("entity", sa.String(length=32), nullable=False),
        sa.Column("key", sa.String(length=40), nullable=False),
        sa.Column("label", sa.String(length=100), nullable=False),
        sa.Column("type", sa.String(length=32), nullable=False),
        sa.Column("options", sa.JSON(), nullable=False),
        sa.Column("help_text", sa.String(length=300), nullable=False),
        sa.Column("section", sa.String(length=60), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("internal_access", sa.String(length=32), nullable=False),
        sa.Column("partner_access", sa.String(length=32), nullable=False),
        sa.Column("archived_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.Column("created_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("updated_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["org_id"], ["organizations.id"], name="fk_custom_fields_org_id_organizations"
        ),
        sa.PrimaryKeyConstraint("id", name="pk_custom_fields"),
        sa.UniqueConstraint("org_id", "entity", "key", name="uq_custom_fields_org_entity_key"),
    )
    op.create_index("ix_custom_fields_org_id", "custom_fields", ["org_id"])
    for table in VALUED:  # ADD COLUMN in place (a batch copy would drop the leads' triggers)
        op.add_column(
            table, sa.Column("custom", CUSTOM_JSON, nullable=False, server_default=sa.text("'{}'"))
        )


def downgrade() -> None:
    for table in reversed(VALUED):
        op.drop_column(table, "custom")
    op.drop_index("ix_custom_fields_org_id", table_name="custom_fields")
    op.drop_table("custom_fields")
