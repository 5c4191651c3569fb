"""privacy: consent to share a lead, erasure marks, retention of contacts, erasure requests

Revision ID: pv8d5f1b3c97
Revises: au7c4e0a2b86
Create Date: 2026-12-06 03:20:00

Leads carry the contact's permission to be shared with partners (a provider may require it
before a referral is sent); leads and deals carry when their contact was erased; a provider may
strip closed leads' contact details after N months; an erasure is told to the other
organizations holding a copy (issue 29). Columns are added with plain ADD COLUMN (no table
rebuild on SQLite: the leads' triggers stay).
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlmodel.sql.sqltypes import UTCDateTime

revision: str = "pv8d5f1b3c97"
down_revision: str | Sequence[str] | None = "au7c4e0a2b86"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column(
        "leads",
        sa.Column("share_consent", sa.Boolean(), nullable=False, server_default=sa.false()),
    )
    op.add_column("leads", sa.Column("erased_at", UTCDateTime(), nullable=True))
    op.add_column("deals", sa.Column("erased_at", UTCDateTime(), nullable=True))
    op.add_column(
        "org_settings",
        sa.Column("require_share_consent", sa.Boolean(), nullable=False, server_default=sa.false()),
    )
    op.add_column(
        "org_settings", sa.Column("contact_retention_months", sa.Integer(), nullable=True)
    )
    op.create_table(
        "erasure_requests",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("org_id", sa.Integer(), nullable=False),
        sa.Column("from_org_id", sa.Integer(), nullable=False),
        sa.Column("requested_by_id", sa.Integer(), nullable=True),
        sa.Column("email", sa.String(length=254), nullable=False),
        sa.Column("name", sa.String(length=201), nullable=False),
        sa.Column("lead_ids", sa.JSON(), nullable=False),
        sa.Column("deal_ids", sa.JSON(), nullable=False),
        sa.Column("status", sa.String(length=32), nullable=False),
        sa.Column("reason", sa.String(length=1000), nullable=False),
        sa.Column("decided_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("decided_at", UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["org_id"], ["organizations.id"], name=op.f("fk_erasure_requests_org_id_organizations")
        ),
        sa.ForeignKeyConstraint(
            ["from_org_id"],
            ["organizations.id"],
            name=op.f("fk_erasure_requests_from_org_id_organizations"),
        ),
        sa.ForeignKeyConstraint(
            ["requested_by_id"],
            ["users.id"],
            name=op.f("fk_erasure_requests_requested_by_id_users"),
        ),
        sa.ForeignKeyConstraint(
            ["decided_by_id"], ["users.id"], name=op.f("fk_erasure_requests_decided_by_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_erasure_requests")),
    )
    op.create_index(
        "ix_erasure_requests_org_status", "erasure_requests", ["org_id", "status", "id"]
    )
    op.create_index(op.f("ix_erasure_requests_from_org_id"), "erasure_requests", ["from_org_id"])


def downgrade() -> None:
    op.drop_index(op.f("ix_erasure_requests_from_org_id"), table_name="erasure_requests")
    op.drop_index("ix_erasure_requests_org_status", table_name="erasure_requests")
    op.drop_table("erasure_requests")
    with op.batch_alter_table("org_settings", schema=None) as batch_op:
        batch_op.drop_column("contact_retention_months")
        batch_op.drop_column("require_share_consent")
    op.drop_column("deals", "erased_at")
    op.drop_column("leads", "erased_at")
    op.drop_column("leads", "share_consent")
