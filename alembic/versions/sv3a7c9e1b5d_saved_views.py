"""saved views of the lists

Revision ID: sv3a7c9e1b5d
Revises: cf4b8d2e6a1c
Create Date: 2026-12-05 22:00:00

Saved views (issue 24): a named state of a list, personal or shared with the organization, and
each person's default view per list.
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "sv3a7c9e1b5d"
down_revision: str | Sequence[str] | None = "cf4b8d2e6a1c"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

def upgrade() -> None:
    op.create_table(
        "saved_views",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("org_id", sa.Integer(), nullable=False),
        sa.Column("owner_id", sa.Integer(), nullable=False),
        sa.Column("list_name", sa.String(length=32), nullable=False),
        sa.Column("name", sa.String(length=60), nullable=False),
        sa.Column("shared", sa.Boolean(), nullable=False),
        sa.Column("state", sa.JSON(), nullable=False),
        sa.Column("created_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("updated_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["org_id"], ["organizations.id"], name="fk_saved_views_org_id_organizations"
        ),
        sa.ForeignKeyConstraint(["owner_id"], ["users.id"], name="fk_saved_views_owner_id_users"),
        sa.PrimaryKeyConstraint("id", name="pk_saved_views"),
    )
    op.create_index("ix_saved_views_org_list", "saved_views", ["org_id", "list_name"])
    op.create_index("ix_saved_views_owner_id", "saved_views", ["owner_id"])
    op.create_table(
        "saved_view_defaults",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("list_name", sa.String(length=32), nullable=False),
        sa.Column("view_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name="fk_saved_view_defaults_user_id_users"
        ),
        sa.ForeignKeyConstraint(
            ["view_id"],
            ["saved_views.id"],
            name="fk_saved_view_defaults_view_id_saved_views",
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name="pk_saved_view_defaults"),
        sa.UniqueConstraint("user_id", "list_name", name="uq_saved_view_defaults_user_list"),
    )
    op.create_index("ix_saved_view_defaults_view_id", "saved_view_defaults", ["view_id"])


def downgrade() -> None:
    op.drop_index("ix_saved_view_defaults_view_id", table_name="saved_view_defaults")
    op.drop_table("saved_view_defaults")
    op.drop_index("ix_saved_views_owner_id", table_name="saved_views")
    op.drop_index("ix_saved_views_org_list", table_name="saved_views")
    op.drop_table("saved_views")
