"""the audit log's channel and indexes, and full exports

Revision ID: au7c4e0a2b86
Revises: md5a2c8e0f64
Create Date: 2026-12-06 03:30:00

Issue 29's audit log (services.audit): each activity event says how its actor acted (`via`:
ui, api, import, job, public_form, system; `via_label`: which key, batch, job or form), and the
organization's log is read newest first by keyset within one organization, optionally for one
person, record type or action, with dates turned into id bounds through (org_id, created_at).
The index on org_id alone is covered by (org_id, id). `data_exports`: the full exports of an
organization's own data, written by a background job.
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "au7c4e0a2b86"
down_revision: str | Sequence[str] | None = "md5a2c8e0f64"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

INDEXES = {
    "ix_activity_events_org_id_id": ["org_id", "id"],
    "ix_activity_events_org_actor": ["org_id", "actor_id", "id"],
    "ix_activity_events_org_type": ["org_id", "entity_type", "id"],
    "ix_activity_events_org_action": ["org_id", "action", "id"],
    "ix_activity_events_org_created": ["org_id", "created_at"],
}


def upgrade() -> None:
    with op.batch_alter_table("activity_events") as batch:
        batch.add_column(
            sa.Column(
                "via",
                sqlmodel.sql.sqltypes.AutoString(length=16),
                nullable=False,
                server_default="",
            )
        )
        batch.add_column(
            sa.Column(
                "via_label",
                sqlmodel.sql.sqltypes.AutoString(length=120),
                nullable=False,
                server_default="",
            )
        )
    op.drop_index("ix_activity_events_org_id", table_name="activity_events")
    for name, columns in INDEXES.items():
        op.create_index(name, "activity_events", columns)
    op.create_table(
        "data_exports",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("org_id", sa.Integer(), nullable=False),
        sa.Column("requested_by_id", sa.Integer(), nullable=True),
        sa.Column("status", sa.String(length=32), nullable=False),
        sa.Column("tables_done", sa.Integer(), nullable=False),
        sa.Column("tables_total", sa.Integer(), nullable=False),
        sa.Column("rows_written", sa.Integer(), nullable=False),
        sa.Column("file_key", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("size_bytes", sa.Integer(), nullable=False),
        sa.Column("error", sqlmodel.sql.sqltypes.AutoString(length=500), nullable=False),
        sa.Column("created_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("finished_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.Column("downloaded_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["org_id"], ["organizations.id"], name="fk_data_exports_org_id_organizations"
        ),
        sa.ForeignKeyConstraint(
            ["requested_by_id"], ["users.id"], name="fk_data_exports_requested_by_id_users"
        ),
        sa.PrimaryKeyConstraint("id", name="pk_data_exports"),
    )
    op.create_index("ix_data_exports_org_id_id", "data_exports", ["org_id", "id"])


def downgrade() -> None:
    op.drop_index("ix_data_exports_org_id_id", table_name="data_exports")
    op.drop_table("data_exports")
    for name in INDEXES:
        op.drop_index(name, table_name="activity_events")
    op.create_index("ix_activity_events_org_id", "activity_events", ["org_id"])
    with op.batch_alter_table("activity_events") as batch:
        batch.drop_column("via_label")
        batch.drop_column("via")
