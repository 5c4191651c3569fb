"""an import batch remembers how its CSV was written: encoding and separator

Revision ID: ef1a2b3c4d5e
Revises: up9e6a2c4d08
Create Date: 2026-12-06 06:40:00

The error file of an import comes back in the upload's own encoding and with its separator
(services.imports.batches.error_report): the batch keeps both ("" for a spreadsheet, and for
the batches imported before, whose error file stays UTF-8 with a byte order mark).
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "ef1a2b3c4d5e"
down_revision: str | Sequence[str] | None = "up9e6a2c4d08"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("import_batches", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("file_encoding", sa.String(length=32), nullable=False, server_default="")
        )
        batch_op.add_column(
            sa.Column("file_delimiter", sa.String(length=1), nullable=False, server_default="")
        )


def downgrade() -> None:
    with op.batch_alter_table("import_batches", schema=None) as batch_op:
        batch_op.drop_column("file_delimiter")
        batch_op.drop_column("file_encoding")
