"""deal registration rules: where the customer is

Revision ID: ru1e5c0a7f2d
Revises: wd7e1f3a5c9b
Create Date: 2026-12-05 18:40:00

A deal's customer has a country (ISO 3166-1 alpha-2) and an optional region (ISO 3166-2), both
empty for the deals registered before; a provider's registration rules (one row per rule it set)
and its list of existing customers (issue 26).
"""

from typing import Sequence, Union

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "ru1e5c0a7f2d"
down_revision: Union[str, Sequence[str], None] = "wd7e1f3a5c9b"
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    with op.batch_alter_table("deals") as batch:
        batch.add_column(sa.Column("country", sa.String(length=2), nullable=False, server_default=""))
        batch.add_column(sa.Column("region", sa.String(length=6), nullable=False, server_default=""))
    op.create_table(
        "registration_rules",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("provider_org_id", sa.Integer(), nullable=False),
        sa.Column("rule", sa.String(length=32), nullable=False),
        sa.Column("enabled", sa.Boolean(), nullable=False),
        sa.Column("hard", sa.Boolean(), nullable=False),
        sa.Column("message", sa.String(length=500), nullable=False),
        sa.Column("config", sa.JSON(), nullable=False),
        sa.Column("updated_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["provider_org_id"],
            ["organizations.id"],
            name="fk_registration_rules_provider_org_id_organizations",
        ),
        sa.PrimaryKeyConstraint("id", name="pk_registration_rules"),
        sa.UniqueConstraint("provider_org_id", "rule", name="uq_registration_rules_provider_rule"),
    )
    op.create_table(
        "provider_customers",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("provider_org_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("name_norm", sa.String(length=200), nullable=False),
        sa.Column("domain", sa.String(length=254), nullable=False),
        sa.Column("created_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["provider_org_id"],
            ["organizations.id"],
            name="fk_provider_customers_provider_org_id_organizations",
        ),
        sa.PrimaryKeyConstraint("id", name="pk_provider_customers"),
    )
    op.create_index(
        "ix_provider_customers_provider_name",
        "provider_customers",
        ["provider_org_id", "name_norm"],
    )
    op.create_index(
        "ix_provider_customers_provider_domain",
        "provider_customers",
        ["provider_org_id", "domain"],
    )


def downgrade() -> None:
    op.drop_index("ix_provider_customers_provider_domain", table_name="provider_customers")
    op.drop_index("ix_provider_customers_provider_name", table_name="provider_customers")
    op.drop_table("provider_customers")
    op.drop_table("registration_rules")
    with op.batch_alter_table("deals") as batch:
        batch.drop_column("region")
        batch.drop_column("country")
