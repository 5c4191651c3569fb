"""the scorecard's index of a provider's lead decisions

Revision ID: sc4f1b6c8e53
Revises: tr3e9a5b7d42
Create Date: 2026-12-06 01:05:00

The scorecard (services.scorecard) reads the leads a provider decided within a window by when it
decided (`responded_at`): without this index it scanned every lead the provider ever received.
"""

from collections.abc import Sequence

from alembic import op

revision: str = "sc4f1b6c8e53"
down_revision: str | Sequence[str] | None = "tr3e9a5b7d42"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index(
        "ix_lead_recipients_org_responded",
        "lead_recipients",
        ["org_id", "responded_at", "id"],
    )


def downgrade() -> None:
    op.drop_index("ix_lead_recipients_org_responded", table_name="lead_recipients")
