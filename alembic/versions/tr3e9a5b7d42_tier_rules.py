"""tier rules, certifications, overrides and suggestions, tier history, job claims

Revision ID: tr3e9a5b7d42
Revises: ob2d8f4a6c31
Create Date: 2026-12-06 00:00:00

Issue 25's tier rules: each partner tier's criteria, mode, window and commission
(`tier_rules`), the certifications ticked on a partner's card, each partner's override and
pending suggestion (`tier_standings`), the history of tier changes, and `job_runs`, the claims
that let one worker only run a daily job (services.tiers).
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "tr3e9a5b7d42"
down_revision: str | Sequence[str] | None = "ob2d8f4a6c31"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "job_runs",
        sa.Column("name", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("period", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column("claimed_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("name", "period", name="pk_job_runs"),
    )
    op.create_table(
        "tier_rules",
        sa.Column("tier_id", sa.Integer(), nullable=False),
        sa.Column("org_id", sa.Integer(), nullable=False),
        sa.Column("mode", sa.String(length=32), nullable=False),
        sa.Column("window_days", sa.Integer(), nullable=False),
        sa.Column("min_won_revenue", sa.Numeric(precision=14, scale=2), nullable=True),
        sa.Column("min_deals_won", sa.Integer(), nullable=True),
        sa.Column("min_registrations", sa.Integer(), nullable=True),
        sa.Column("min_leads_accepted", sa.Integer(), nullable=True),
        sa.Column("min_certifications", sa.Integer(), nullable=True),
        sa.Column("commission_pct", sa.Numeric(precision=14, scale=2), nullable=True),
        sa.Column("updated_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["org_id"], ["organizations.id"], name="fk_tier_rules_org_id_organizations"
        ),
        sa.ForeignKeyConstraint(
            ["tier_id"],
            ["taxonomy_terms.id"],
            name="fk_tier_rules_tier_id_taxonomy_terms",
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("tier_id", name="pk_tier_rules"),
    )
    op.create_index("ix_tier_rules_org_id", "tier_rules", ["org_id"])
    op.create_table(
        "partner_certifications",
        sa.Column("partnership_id", sa.Integer(), nullable=False),
        sa.Column("term_id", sa.Integer(), nullable=False),
        sa.Column("ticked_by_id", sa.Integer(), nullable=True),
        sa.Column("ticked_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["partnership_id"],
            ["partnerships.id"],
            name="fk_partner_certifications_partnership_id_partnerships",
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["term_id"],
            ["taxonomy_terms.id"],
            name="fk_partner_certifications_term_id_taxonomy_terms",
        ),
        sa.ForeignKeyConstraint(
            ["ticked_by_id"], ["users.id"], name="fk_partner_certifications_ticked_by_id_users"
        ),
        sa.PrimaryKeyConstraint("partnership_id", "term_id", name="pk_partner_certifications"),
    )
    op.create_table(
        "tier_changes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("partnership_id", sa.Integer(), nullable=False),
        sa.Column("cause", sa.String(length=32), nullable=False),
        sa.Column("actor_id", sa.Integer(), nullable=True),
        sa.Column("from_tier", sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
        sa.Column("to_tier", sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
        sa.Column("figures", sa.JSON(), nullable=False),
        sa.Column("created_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["actor_id"], ["users.id"], name="fk_tier_changes_actor_id_users"),
        sa.ForeignKeyConstraint(
            ["partnership_id"],
            ["partnerships.id"],
            name="fk_tier_changes_partnership_id_partnerships",
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name="pk_tier_changes"),
    )
    op.create_index("ix_tier_changes_partnership", "tier_changes", ["partnership_id", "id"])
    op.create_table(
        "tier_standings",
        sa.Column("partnership_id", sa.Integer(), nullable=False),
        sa.Column("overridden_by_id", sa.Integer(), nullable=True),
        sa.Column("overridden_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.Column("suggested", sa.Boolean(), nullable=False),
        sa.Column("suggested_tier_id", sa.Integer(), nullable=True),
        sa.Column("suggested_figures", sa.JSON(), nullable=True),
        sa.Column("suggested_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["overridden_by_id"], ["users.id"], name="fk_tier_standings_overridden_by_id_users"
        ),
        sa.ForeignKeyConstraint(
            ["partnership_id"],
            ["partnerships.id"],
            name="fk_tier_standings_partnership_id_partnerships",
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["suggested_tier_id"],
            ["taxonomy_terms.id"],
            name="fk_tier_standings_suggested_tier_id_taxonomy_terms",
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("partnership_id", name="pk_tier_standings"),
    )


def downgrade() -> None:
    op.drop_table("tier_standings")
    op.drop_index("ix_tier_changes_partnership", table_name="tier_changes")
    op.drop_table("tier_changes")
    op.drop_table("partner_certifications")
    op.drop_index("ix_tier_rules_org_id", table_name="tier_rules")
    op.drop_table("tier_rules")
    op.drop_table("job_runs")
