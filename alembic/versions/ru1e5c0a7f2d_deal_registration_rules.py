"""deal registration rules: where the customer is

Revision ID: ru1e5c0a7f2d
Revises: a7c9e1b3d5f7
Create Date: 2026-12-05 18:40:00

A deal's customer has a country (ISO 3166-1 alpha-2) and an optional region (ISO 3166-2), both
empty for the deals registered before (issue 26).
"""

from typing import Sequence, Union

import sqlalchemy as sa
from alembic import op

revision: str = "ru1e5c0a7f2d"
down_revision: Union[str, Sequence[str], None] = "a7c9e1b3d5f7"
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    with op.batch_alter_table("deals") as batch:
        batch.add_column(sa.Column("country", sa.String(length=2), nullable=False, server_default=""))
        batch.add_column(sa.Column("region", sa.String(length=6), nullable=False, server_default=""))


def downgrade() -> None:
    with op.batch_alter_table("deals") as batch:
        batch.drop_column("region")
        batch.drop_column("country")
