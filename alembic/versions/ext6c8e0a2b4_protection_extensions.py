"""protection extensions: program settings, requests, reminders at 7 and 1 days

Revision ID: ext6c8e0a2b4
Revises: a7c9e1b3d5f7
Create Date: 2026-12-05 18:40:00

A provider's program allows extensions of a deal's protection (none, once or unlimited, up to a
number of days each); partners request them and the provider approves or declines, history
kept (issue 26). A protection reminder remembers the threshold it reminded at (7, then 1 day):
existing reminders were sent at 7 days.
"""

from typing import Sequence, Union

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "ext6c8e0a2b4"
down_revision: Union[str, Sequence[str], None] = "a7c9e1b3d5f7"
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    with op.batch_alter_table("org_settings", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("extension_mode", sa.String(length=32), nullable=False, server_default="once")
        )
        batch_op.add_column(
            sa.Column("extension_max_days", sa.Integer(), nullable=False, server_default="30")
        )
    with op.batch_alter_table("protection_reminders", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("days_before", sa.Integer(), nullable=False, server_default="7")
        )
    op.create_table(
        "protection_extensions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("deal_id", sa.Integer(), nullable=False),
        sa.Column("requested_by_id", sa.Integer(), nullable=False),
        sa.Column("days", sa.Integer(), nullable=False),
        sa.Column("reason", sqlmodel.sql.sqltypes.AutoString(length=1000), nullable=False),
        sa.Column("status", sa.String(length=32), nullable=False),
        sa.Column("protected_until", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("new_until", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.Column("decided_by_id", sa.Integer(), nullable=True),
        sa.Column("decision_reason", sqlmodel.sql.sqltypes.AutoString(length=1000), nullable=False),
        sa.Column("created_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("decided_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["deal_id"],
            ["deals.id"],
            name=op.f("fk_protection_extensions_deal_id_deals"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["requested_by_id"],
            ["users.id"],
            name=op.f("fk_protection_extensions_requested_by_id_users"),
        ),
        sa.ForeignKeyConstraint(
            ["decided_by_id"],
            ["users.id"],
            name=op.f("fk_protection_extensions_decided_by_id_users"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_protection_extensions")),
    )
    op.create_index(
        "ix_protection_extensions_deal", "protection_extensions", ["deal_id", "id"], unique=False
    )


def downgrade() -> None:
    op.drop_index("ix_protection_extensions_deal", table_name="protection_extensions")
    op.drop_table("protection_extensions")
    with op.batch_alter_table("protection_reminders", schema=None) as batch_op:
        batch_op.drop_column("days_before")
    with op.batch_alter_table("org_settings", schema=None) as batch_op:
        batch_op.drop_column("extension_max_days")
        batch_op.drop_column("extension_mode")
