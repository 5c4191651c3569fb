"""auth: failed sign-ins, for throttling by email and by client address

Revision ID: b5c7d9e1f3a2
Revises: 9e4f6a8b2c51
Create Date: 2026-11-25 01:30:00

"""

from typing import Sequence, Union

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "b5c7d9e1f3a2"
down_revision: Union[str, Sequence[str], None] = "9e4f6a8b2c51"
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    op.create_table(
        "failed_sign_ins",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("email_hash", sa.String(length=64), nullable=False),
        sa.Column("ip_hash", sa.String(length=64), nullable=False),
        sa.Column("created_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_failed_sign_ins")),
    )
    op.create_index(
        op.f("ix_failed_sign_ins_email_hash"), "failed_sign_ins", ["email_hash"], unique=False
    )
    op.create_index(
        op.f("ix_failed_sign_ins_ip_hash"), "failed_sign_ins", ["ip_hash"], unique=False
    )
    op.create_index(
        op.f("ix_failed_sign_ins_created_at"), "failed_sign_ins", ["created_at"], unique=False
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_failed_sign_ins_created_at"), table_name="failed_sign_ins")
    op.drop_index(op.f("ix_failed_sign_ins_ip_hash"), table_name="failed_sign_ins")
    op.drop_index(op.f("ix_failed_sign_ins_email_hash"), table_name="failed_sign_ins")
    op.drop_table("failed_sign_ins")
