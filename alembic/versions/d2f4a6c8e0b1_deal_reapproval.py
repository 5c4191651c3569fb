"""deals: re-approval of partners' amount raises (program setting, approved amount)

Revision ID: d2f4a6c8e0b1
Revises: c9e1a3b5d7f0
Create Date: 2026-12-05 13:20:00

A provider may require re-approval when a partner raises an approved deal's amount by more
than a percentage; each deal keeps the amount last approved to measure raises against.
"""

from typing import Sequence, Union

import sqlalchemy as sa
from alembic import op

revision: str = "d2f4a6c8e0b1"
down_revision: Union[str, Sequence[str], None] = "c9e1a3b5d7f0"
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    with op.batch_alter_table("org_settings", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("reapproval_amount_pct", sa.Numeric(14, 2), nullable=True)
        )
    with op.batch_alter_table("deals", schema=None) as batch_op:
        batch_op.add_column(sa.Column("approved_amount", sa.Numeric(14, 2), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("deals", schema=None) as batch_op:
        batch_op.drop_column("approved_amount")
    with op.batch_alter_table("org_settings", schema=None) as batch_op:
        batch_op.drop_column("reapproval_amount_pct")
