"""the deals list reads its newest page from an index range, not a sort of every deal

Revision ID: dl4c8e2a6f17
Revises: ef1a2b3c4d5e
Create Date: 2026-12-06 12:40:00

"""

from typing import Sequence, Union

from alembic import op

revision: str = "dl4c8e2a6f17"
down_revision: Union[str, Sequence[str], None] = "ef1a2b3c4d5e"
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    op.create_index(
        "ix_deals_provider_created", "deals", ["provider_org_id", "created_at", "id"], unique=False
    )
    op.create_index(
        "ix_deals_partner_created", "deals", ["partner_org_id", "created_at", "id"], unique=False
    )


def downgrade() -> None:
    op.drop_index("ix_deals_partner_created", table_name="deals")
    op.drop_index("ix_deals_provider_created", table_name="deals")
