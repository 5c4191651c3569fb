"""leads: a trigram index for the lists' search (PostgreSQL)

Revision ID: c4d6e8f0a2b4
Revises: b5c7d9e1f3a2
Create Date: 2026-11-24 02:50:00

The lead lists search with `lower(column) LIKE '%text%'`, which no b-tree index serves: on
100,000 leads the search read every lead of the organization (85 ms p95 on PostgreSQL). One GIN
trigram index over the searched columns together lets PostgreSQL find the few matching leads
first (benchmarks/leads_list.py). SQLite has no trigram index; there the search still scans.
"""

from typing import Sequence, Union

from alembic import op

revision: str = "c4d6e8f0a2b4"
down_revision: Union[str, Sequence[str], None] = "b5c7d9e1f3a2"
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None

SEARCHED = "lower(first_name || ' ' || last_name || ' ' || email || ' ' || company)"


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    op.execute(f"CREATE INDEX ix_leads_search ON leads USING gin ({SEARCHED} gin_trgm_ops)")


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute("DROP INDEX IF EXISTS ix_leads_search")
