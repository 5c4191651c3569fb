"""notifications: per-person preferences, protection reminders, the inbox index

Revision ID: 7a1e5c0b9d21
Revises: 3f1c9a7b2d10
Create Date: 2026-11-23 23:20:00

"""

from typing import Sequence, Union

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "7a1e5c0b9d21"
down_revision: Union[str, Sequence[str], None] = "3f1c9a7b2d10"
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    op.create_table(
        "notification_preferences",
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("category", sa.String(length=32), nullable=False),
        sa.Column("channel", sa.String(length=32), nullable=False),
        sa.Column("updated_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_notification_preferences_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("user_id", "category", name=op.f("pk_notification_preferences")),
    )
    op.create_table(
        "protection_reminders",
        sa.Column("deal_id", sa.Integer(), nullable=False),
        sa.Column("protected_until", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("reminded_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["deal_id"],
            ["deals.id"],
            name=op.f("fk_protection_reminders_deal_id_deals"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("deal_id", name=op.f("pk_protection_reminders")),
    )
    op.create_index(
        "ix_notifications_user_org_id", "notifications", ["user_id", "org_id", "id"], unique=False
    )


def downgrade() -> None:
    op.drop_index("ix_notifications_user_org_id", table_name="notifications")
    op.drop_table("protection_reminders")
    op.drop_table("notification_preferences")
