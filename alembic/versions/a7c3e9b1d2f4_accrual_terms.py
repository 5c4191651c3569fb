"""ledger: a commission accrual keeps the terms it was computed on

Revision ID: a7c3e9b1d2f4
Revises: f6a8b0c2d4e7
Create Date: 2026-12-05 11:15:00

Deal pages showed today's terms beside an accrual made on earlier ones. Existing accruals take
their terms from their memo ("Commission on <deal>: <terms>"), which has always ended with them.
"""

from typing import Sequence, Union

import sqlalchemy as sa
from alembic import op

revision: str = "a7c3e9b1d2f4"
down_revision: Union[str, Sequence[str], None] = "f6a8b0c2d4e7"
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    with op.batch_alter_table("ledger_transactions") as batch:
        batch.add_column(
            sa.Column("terms", sa.String(length=200), nullable=False, server_default="")
        )
    transactions = sa.table(
        "ledger_transactions",
        sa.column("id", sa.Integer),
        sa.column("kind", sa.String),
        sa.column("memo", sa.String),
        sa.column("terms", sa.String),
    )
    connection = op.get_bind()
    accruals = connection.execute(
        sa.select(transactions.c.id, transactions.c.memo).where(
            transactions.c.kind == "commission_accrual"
        )
    ).all()
    for transaction_id, memo in accruals:
        terms = memo.rpartition(": ")[2][:200] if ": " in memo else ""
        connection.execute(
            transactions.update().where(transactions.c.id == transaction_id).values(terms=terms)
        )


def downgrade() -> None:
    with op.batch_alter_table("ledger_transactions") as batch:
        batch.drop_column("terms")
