"""deals remember the CSV import that created them, so a batch can be undone

Revision ID: e1a2b3c4d5e6
Revises: 7d0e90aed524
Create Date: 2026-11-24 10:00:00

"""

from typing import Sequence, Union

import sqlalchemy as sa
from alembic import op

revision: str = "e1a2b3c4d5e6"
down_revision: Union[str, Sequence[str], None] = "7d0e90aed524"
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    with op.batch_alter_table("deals", schema=None) as batch_op:
        batch_op.add_column(sa.Column("import_batch_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f("fk_deals_import_batch_id_import_batches"),
            "import_batches",
            ["import_batch_id"],
            ["id"],
        )
        batch_op.create_index(
            batch_op.f("ix_deals_import_batch_id"), ["import_batch_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("deals", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_deals_import_batch_id"))
        batch_op.drop_constraint(
            batch_op.f("fk_deals_import_batch_id_import_batches"), type_="foreignkey"
        )
        batch_op.drop_column("import_batch_id")
