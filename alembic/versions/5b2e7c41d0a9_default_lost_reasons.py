"""default lost reasons for providers that existed before lost reasons were a list

Revision ID: 5b2e7c41d0a9
Revises: c839602f8df9
Create Date: 2026-11-23 09:30:00

"""

from datetime import UTC, datetime
from typing import Sequence, Union

import sqlalchemy as sa
from alembic import op

revision: str = "5b2e7c41d0a9"
down_revision: Union[str, Sequence[str], None] = "c839602f8df9"
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None

# A copy, not an import: a migration must not change when the app's defaults do.
LOST_REASONS = ["No budget", "Chose a competitor", "No response", "Not a fit", "Bad timing"]

organizations = sa.table("organizations", sa.column("id"), sa.column("kind"))
terms = sa.table(
    "taxonomy_terms",
    sa.column("org_id"),
    sa.column("kind"),
    sa.column("name"),
    sa.column("position"),
    sa.column("created_at"),
)


def upgrade() -> None:
    connection = op.get_bind()
    providers = connection.execute(
        sa.select(organizations.c.id).where(
            organizations.c.kind == "provider",
            ~sa.exists().where(
                terms.c.org_id == organizations.c.id, terms.c.kind == "lost_reason"
            ),
        )
    ).scalars()
    now = datetime.now(UTC)
    rows = [
        {"org_id": org_id, "kind": "lost_reason", "name": name, "position": n, "created_at": now}
        for org_id in providers
        for n, name in enumerate(LOST_REASONS)
    ]
    if rows:
        op.bulk_insert(terms, rows)


def downgrade() -> None:
    op.execute(terms.delete().where(terms.c.kind == "lost_reason"))
