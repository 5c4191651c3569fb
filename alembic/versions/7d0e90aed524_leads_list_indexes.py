"""indexes for the paged sent and received lead lists

Revision ID: 7d0e90aed524
Revises: 5b2e7c41d0a9
Create Date: 2026-11-23 20:00:00

Measured by benchmarks/leads_list.py on 100,000 leads: each list page is read in index order
(newest, oldest, a day range, one owner's, a stage, by deadline, by company, by name) instead of
sorting every lead of the organization, and its total is counted from an index.
ix_leads_origin_org_name is on expressions: Alembic compares it on PostgreSQL; SQLite cannot
reflect it, so there autogenerate skips it with a warning.
"""

from typing import Sequence, Union

import sqlalchemy as sa
from alembic import op

revision: str = "7d0e90aed524"
down_revision: Union[str, Sequence[str], None] = "5b2e7c41d0a9"
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None

# In this order: SQLite, choosing between equally good indexes on the same first column, takes
# the one created last, and the (..._org_id, created_at, id) ones read the table in about rowid
# order (an organization-wide search scan is twice as slow through the name index).
INDEXES = [
    (
        "leads",
        "ix_leads_owner_origin_org_created",
        ["owner_id", "origin_org_id", "created_at", "id"],
    ),
    ("leads", "ix_leads_origin_org_company", ["origin_org_id", "company_norm", "id"]),
    (
        "leads",
        "ix_leads_origin_org_name",
        ["origin_org_id", sa.text("lower(last_name)"), sa.text("lower(first_name)"), "id"],
    ),
    ("leads", "ix_leads_origin_org_created", ["origin_org_id", "created_at", "id"]),
    (
        "lead_recipients",
        "ix_lead_recipients_stage_org_created",
        ["stage_id", "org_id", "created_at", "id"],
    ),
    ("lead_recipients", "ix_lead_recipients_org_deadline", ["org_id", "deadline_at", "id"]),
    ("lead_recipients", "ix_lead_recipients_org_created", ["org_id", "created_at", "id"]),
]


def upgrade() -> None:
    for table, name, columns in INDEXES:
        op.create_index(name, table, columns, unique=False)


def downgrade() -> None:
    for table, name, _ in reversed(INDEXES):
        op.drop_index(name, table_name=table)
