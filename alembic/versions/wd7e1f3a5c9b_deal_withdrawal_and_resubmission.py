"""deals: withdrawal by the partner (final) and resubmission linked to the earlier deal

Revision ID: wd7e1f3a5c9b
Revises: ext6c8e0a2b4
Create Date: 2026-12-05 18:40:00

A partner withdraws a registration with a reason (approval "withdrawn", a code: no schema
change); a rejected or expired registration can be resubmitted as a new deal linked to it, up
to the provider's cap (issue 26).
"""

from typing import Sequence, Union

import sqlalchemy as sa
from alembic import op
from sqlmodel.sql.sqltypes import UTCDateTime

revision: str = "wd7e1f3a5c9b"
down_revision: Union[str, Sequence[str], None] = "ext6c8e0a2b4"
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    with op.batch_alter_table("org_settings", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("resubmission_cap", sa.Integer(), nullable=False, server_default="1")
        )
    with op.batch_alter_table("deals", schema=None) as batch_op:
        batch_op.add_column(sa.Column("withdrawn_at", UTCDateTime(), nullable=True))
        batch_op.add_column(
            sa.Column(
                "withdrawal_reason",
                sa.String(length=1000),
                nullable=False,
                server_default="",
            )
        )
        batch_op.add_column(sa.Column("resubmitted_from_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f("fk_deals_resubmitted_from_id_deals"),
            "deals",
            ["resubmitted_from_id"],
            ["id"],
        )
        batch_op.create_index(
            batch_op.f("ix_deals_resubmitted_from_id"), ["resubmitted_from_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("deals", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_deals_resubmitted_from_id"))
        batch_op.drop_constraint(
            batch_op.f("fk_deals_resubmitted_from_id_deals"), type_="foreignkey"
        )
        batch_op.drop_column("resubmitted_from_id")
        batch_op.drop_column("withdrawal_reason")
        batch_op.drop_column("withdrawn_at")
    with op.batch_alter_table("org_settings", schema=None) as batch_op:
        batch_op.drop_column("resubmission_cap")
