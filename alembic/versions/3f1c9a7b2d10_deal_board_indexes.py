"""the board reads each stage's first deals by close date from an index range

Revision ID: 3f1c9a7b2d10
Revises: e1a2b3c4d5e6
Create Date: 2026-11-23 23:00:00

"""

from typing import Sequence, Union

from alembic import op

revision: str = "3f1c9a7b2d10"
down_revision: Union[str, Sequence[str], None] = "e1a2b3c4d5e6"
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    op.create_index(
        "ix_deals_provider_stage_close",
        "deals",
        ["provider_org_id", "stage_id", "close_date", "id"],
        unique=False,
    )
    op.create_index(
        "ix_deals_partner_stage_close",
        "deals",
        ["partner_org_id", "stage_id", "close_date", "id"],
        unique=False,
    )


def downgrade() -> None:
    op.drop_index("ix_deals_partner_stage_close", table_name="deals")
    op.drop_index("ix_deals_provider_stage_close", table_name="deals")
