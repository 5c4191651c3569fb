"""partner applications and the partner locator

Revision ID: pa1c7e3b9d20
Revises: sv3a7c9e1b5d
Create Date: 2026-12-06 00:10:00

Issue 25: a provider's public "Become a partner" page and partner locator (services.program).
`partner_applications`: what a firm sent, its confirmation and the provider's decision;
`locator_listings`: a partner's entry on its provider's locator; `org_settings`: the program's
slug, its two switches and the key signing when its pages were served.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlmodel.sql.sqltypes import AutoString, UTCDateTime

revision: str = "pa1c7e3b9d20"
down_revision: str | Sequence[str] | None = "sv3a7c9e1b5d"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

CUSTOM_JSON = sa.JSON().with_variant(sa.dialects.postgresql.JSONB(), "postgresql")


def upgrade() -> None:
    op.create_table(
        "partner_applications",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("provider_org_id", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=32), nullable=False),
        sa.Column("firm", AutoString(length=200), nullable=False),
        sa.Column("name", AutoString(length=200), nullable=False),
        sa.Column("email", AutoString(length=254), nullable=False),
        sa.Column("website", AutoString(length=500), nullable=False),
        sa.Column("country", AutoString(length=100), nullable=False),
        sa.Column("partner_type_id", sa.Integer(), nullable=True),
        sa.Column("message", AutoString(length=2000), nullable=False),
        sa.Column("custom", CUSTOM_JSON, nullable=False),
        sa.Column("firm_norm", AutoString(length=200), nullable=False),
        sa.Column("email_domain", AutoString(length=254), nullable=False),
        sa.Column("confirm_token_hash", AutoString(length=64), nullable=True),
        sa.Column("confirmed_at", UTCDateTime(), nullable=True),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("decided_at", UTCDateTime(), nullable=True),
        sa.Column("decided_by_id", sa.Integer(), nullable=True),
        sa.Column("reason", AutoString(length=1000), nullable=False),
        sa.Column("partnership_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["provider_org_id"],
            ["organizations.id"],
            name="fk_partner_applications_provider_org_id_organizations",
        ),
        sa.ForeignKeyConstraint(
            ["partner_type_id"],
            ["taxonomy_terms.id"],
            name="fk_partner_applications_partner_type_id_taxonomy_terms",
        ),
        sa.ForeignKeyConstraint(
            ["decided_by_id"], ["users.id"], name="fk_partner_applications_decided_by_id_users"
        ),
        sa.ForeignKeyConstraint(
            ["partnership_id"],
            ["partnerships.id"],
            name="fk_partner_applications_partnership_id_partnerships",
        ),
        sa.PrimaryKeyConstraint("id", name="pk_partner_applications"),
        sa.UniqueConstraint(
            "confirm_token_hash", name="uq_partner_applications_confirm_token_hash"
        ),
    )
    op.create_index(
        "ix_partner_applications_provider_org_id", "partner_applications", ["provider_org_id"]
    )
    op.create_index("ix_partner_applications_status", "partner_applications", ["status"])
    op.create_table(
        "locator_listings",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("partnership_id", sa.Integer(), nullable=False),
        sa.Column("provider_org_id", sa.Integer(), nullable=False),
        sa.Column("published", sa.Boolean(), nullable=False),
        sa.Column("description", AutoString(length=500), nullable=False),
        sa.Column("website", AutoString(length=500), nullable=False),
        sa.Column("country", AutoString(length=100), nullable=False),
        sa.Column("product_ids", sa.JSON(), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["partnership_id"],
            ["partnerships.id"],
            name="fk_locator_listings_partnership_id_partnerships",
        ),
        sa.ForeignKeyConstraint(
            ["provider_org_id"],
            ["organizations.id"],
            name="fk_locator_listings_provider_org_id_organizations",
        ),
        sa.PrimaryKeyConstraint("id", name="pk_locator_listings"),
        sa.UniqueConstraint("partnership_id", name="uq_locator_listings_partnership"),
    )
    op.create_index("ix_locator_listings_provider_org_id", "locator_listings", ["provider_org_id"])
    with op.batch_alter_table("org_settings", schema=None) as batch_op:
        batch_op.add_column(sa.Column("program_slug", AutoString(length=40), nullable=True))
        batch_op.add_column(
            sa.Column("applications_open", sa.Boolean(), nullable=False, server_default=sa.false())
        )
        batch_op.add_column(
            sa.Column("locator_published", sa.Boolean(), nullable=False, server_default=sa.false())
        )
        batch_op.add_column(sa.Column("program_stamp_key", AutoString(length=64), nullable=True))
        batch_op.create_unique_constraint("uq_org_settings_program_slug", ["program_slug"])


def downgrade() -> None:
    with op.batch_alter_table("org_settings", schema=None) as batch_op:
        batch_op.drop_constraint("uq_org_settings_program_slug", type_="unique")
        batch_op.drop_column("program_stamp_key")
        batch_op.drop_column("locator_published")
        batch_op.drop_column("applications_open")
        batch_op.drop_column("program_slug")
    op.drop_index("ix_locator_listings_provider_org_id", table_name="locator_listings")
    op.drop_table("locator_listings")
    op.drop_index("ix_partner_applications_status", table_name="partner_applications")
    op.drop_index("ix_partner_applications_provider_org_id", table_name="partner_applications")
    op.drop_table("partner_applications")
