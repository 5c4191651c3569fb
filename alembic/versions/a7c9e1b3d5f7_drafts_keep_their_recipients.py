"""drafts keep their recipients

Revision ID: a7c9e1b3d5f7
Revises: e3b5c7d9f1a4
Create Date: 2026-12-05 15:40:00

A draft lead remembers the organizations ticked when it was saved, so that editing it shows them
ticked again (issue 23). Existing leads get an empty list.
"""

from typing import Sequence, Union

import sqlalchemy as sa
from alembic import op

revision: str = "a7c9e1b3d5f7"
down_revision: Union[str, Sequence[str], None] = "e3b5c7d9f1a4"
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


# Not in batch mode: on SQLite a batch drop rebuilds the leads table, which the triggers of
# lead_recipients (d5e7f9a1b3c6) refer to; SQLite >= 3.35 adds and drops the column in place.


def upgrade() -> None:
    op.add_column(
        "leads", sa.Column("draft_recipient_ids", sa.JSON(), nullable=False, server_default="[]")
    )


def downgrade() -> None:
    op.drop_column("leads", "draft_recipient_ids")
