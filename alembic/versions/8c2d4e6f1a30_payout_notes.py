"""payouts: a note on each request (why it was declined, or the payment's reference)

Revision ID: 8c2d4e6f1a30
Revises: 7a1e5c0b9d21
Create Date: 2026-11-24 10:00:00

"""

from typing import Sequence, Union

import sqlalchemy as sa
from alembic import op

revision: str = "8c2d4e6f1a30"
down_revision: Union[str, Sequence[str], None] = "7a1e5c0b9d21"
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    with op.batch_alter_table("payout_requests") as batch:
        batch.add_column(
            sa.Column("note", sa.String(length=500), nullable=False, server_default="")
        )


def downgrade() -> None:
    with op.batch_alter_table("payout_requests") as batch:
        batch.drop_column("note")
