"""retention: webhook deliveries, mail and form submissions found by age

Revision ID: f6a8b0c2d4e7
Revises: d5e7f9a1b3c6
Create Date: 2026-11-24 13:00:00

The background sweep (services/retention.py) deletes sent or failed deliveries and mail after
PRM_RETENTION_DAYS and a form's bot submissions after the rate limit's window, oldest first,
through these indexes instead of reading each table every minute.
"""

from typing import Sequence, Union

from alembic import op

revision: str = "f6a8b0c2d4e7"
down_revision: Union[str, Sequence[str], None] = "d5e7f9a1b3c6"
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None

INDEXES = [
    ("ix_webhook_deliveries_created_at", "webhook_deliveries"),
    ("ix_outbound_emails_created_at", "outbound_emails"),
    ("ix_form_submissions_created_at", "form_submissions"),
]


def upgrade() -> None:
    for name, table in INDEXES:
        op.create_index(name, table, ["created_at"])


def downgrade() -> None:
    for name, table in reversed(INDEXES):
        op.drop_index(name, table_name=table)
