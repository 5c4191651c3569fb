"""imports that update: external ids on leads and deals, the batch's mode, its changes

Revision ID: up9e6a2c4d08
Revises: pv8d5f1b3c97
Create Date: 2026-12-06 03:15:00

An import may now create records, update existing ones, or both (services.imports.updates):
leads and deals keep the id they have in the importer's CRM (`external_id`, matched per
organization, hence the indexes), a batch its mode and counts, and `import_changes` the values a
batch replaced, which undoing it restores.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "up9e6a2c4d08"
down_revision: str | Sequence[str] | None = "pv8d5f1b3c97"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


# Not in batch mode for leads and deals: on SQLite a batch rebuilds the table, which the
# triggers of lead_recipients (d5e7f9a1b3c6) refer to; SQLite >= 3.35 adds and drops a column
# in place.


def upgrade() -> None:
    for table in ("leads", "deals"):
        op.add_column(
            table,
            sa.Column("external_id", sa.String(length=100), nullable=False, server_default=""),
        )
    op.create_index("ix_leads_origin_org_email", "leads", ["origin_org_id", "email"])
    op.create_index("ix_leads_origin_org_external", "leads", ["origin_org_id", "external_id"])
    op.create_index("ix_deals_provider_external", "deals", ["provider_org_id", "external_id"])
    op.create_index("ix_deals_partner_external", "deals", ["partner_org_id", "external_id"])
    with op.batch_alter_table("import_batches", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("mode", sa.String(length=32), nullable=False, server_default="create")
        )
        batch_op.add_column(
            sa.Column("rows_updated", sa.Integer(), nullable=False, server_default="0")
        )
        batch_op.add_column(
            sa.Column("rows_unchanged", sa.Integer(), nullable=False, server_default="0")
        )
    op.create_table(
        "import_changes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("batch_id", sa.Integer(), nullable=False),
        sa.Column("entity_type", sa.String(length=32), nullable=False),
        sa.Column("entity_id", sa.Integer(), nullable=False),
        sa.Column("before", sa.JSON(), nullable=False),
        sa.Column("after", sa.JSON(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["batch_id"],
            ["import_batches.id"],
            name=op.f("fk_import_changes_batch_id_import_batches"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_import_changes")),
    )
    with op.batch_alter_table("import_changes", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_import_changes_batch_id"), ["batch_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("import_changes", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_import_changes_batch_id"))
    op.drop_table("import_changes")
    with op.batch_alter_table("import_batches", schema=None) as batch_op:
        batch_op.drop_column("rows_unchanged")
        batch_op.drop_column("rows_updated")
        batch_op.drop_column("mode")
    op.drop_index("ix_deals_partner_external", table_name="deals")
    op.drop_index("ix_deals_provider_external", table_name="deals")
    op.drop_index("ix_leads_origin_org_external", table_name="leads")
    op.drop_index("ix_leads_origin_org_email", table_name="leads")
    for table in ("deals", "leads"):
        op.drop_column(table, "external_id")
