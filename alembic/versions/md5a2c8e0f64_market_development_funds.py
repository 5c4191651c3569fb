"""market development funds

Revision ID: md5a2c8e0f64
Revises: lb6b3d9f1a75
Create Date: 2026-12-06 03:13:37

Budgets per period, allocations, fund requests, claims and their receipts (services.mdf); the
money is in the ledger. Leads and deals may name the fund request (MDF activity) that produced
them, for the return on funds.
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "md5a2c8e0f64"
down_revision: str | Sequence[str] | None = "lb6b3d9f1a75"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "mdf_budgets",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("provider_org_id", sa.Integer(), nullable=False),
        sa.Column("name", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("period_start", sa.Date(), nullable=False),
        sa.Column("period_end", sa.Date(), nullable=False),
        sa.Column("amount", sa.Numeric(precision=14, scale=2), nullable=False),
        sa.Column("currency", sqlmodel.sql.sqltypes.AutoString(length=3), nullable=False),
        sa.Column("status", sa.String(length=32), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("expired_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["created_by_id"], ["users.id"], name=op.f("fk_mdf_budgets_created_by_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["provider_org_id"],
            ["organizations.id"],
            name=op.f("fk_mdf_budgets_provider_org_id_organizations"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_mdf_budgets")),
    )
    with op.batch_alter_table("mdf_budgets", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_mdf_budgets_provider_org_id"), ["provider_org_id"], unique=False
        )

    op.create_table(
        "mdf_requests",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("budget_id", sa.Integer(), nullable=False),
        sa.Column("provider_org_id", sa.Integer(), nullable=False),
        sa.Column("partner_org_id", sa.Integer(), nullable=False),
        sa.Column("activity_type", sa.String(length=32), nullable=False),
        sa.Column("title", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("description", sqlmodel.sql.sqltypes.AutoString(length=2000), nullable=False),
        sa.Column("starts_on", sa.Date(), nullable=False),
        sa.Column("ends_on", sa.Date(), nullable=False),
        sa.Column("requested_amount", sa.Numeric(precision=14, scale=2), nullable=False),
        sa.Column("approved_amount", sa.Numeric(precision=14, scale=2), nullable=True),
        sa.Column("currency", sqlmodel.sql.sqltypes.AutoString(length=3), nullable=False),
        sa.Column("expected_leads", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=32), nullable=False),
        sa.Column("decision_reason", sqlmodel.sql.sqltypes.AutoString(length=1000), nullable=False),
        sa.Column("requested_by_id", sa.Integer(), nullable=False),
        sa.Column("decided_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("decided_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["budget_id"], ["mdf_budgets.id"], name=op.f("fk_mdf_requests_budget_id_mdf_budgets")
        ),
        sa.ForeignKeyConstraint(
            ["decided_by_id"], ["users.id"], name=op.f("fk_mdf_requests_decided_by_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["partner_org_id"],
            ["organizations.id"],
            name=op.f("fk_mdf_requests_partner_org_id_organizations"),
        ),
        sa.ForeignKeyConstraint(
            ["provider_org_id"],
            ["organizations.id"],
            name=op.f("fk_mdf_requests_provider_org_id_organizations"),
        ),
        sa.ForeignKeyConstraint(
            ["requested_by_id"], ["users.id"], name=op.f("fk_mdf_requests_requested_by_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_mdf_requests")),
    )
    with op.batch_alter_table("mdf_requests", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_mdf_requests_budget_id"), ["budget_id"], unique=False)
        batch_op.create_index(
            "ix_mdf_requests_partner_status", ["partner_org_id", "status", "id"], unique=False
        )
        batch_op.create_index(
            "ix_mdf_requests_provider_status", ["provider_org_id", "status", "id"], unique=False
        )

    op.create_table(
        "mdf_claims",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("request_id", sa.Integer(), nullable=False),
        sa.Column("provider_org_id", sa.Integer(), nullable=False),
        sa.Column("partner_org_id", sa.Integer(), nullable=False),
        sa.Column("amount", sa.Numeric(precision=14, scale=2), nullable=False),
        sa.Column("approved_amount", sa.Numeric(precision=14, scale=2), nullable=True),
        sa.Column("currency", sqlmodel.sql.sqltypes.AutoString(length=3), nullable=False),
        sa.Column("results", sqlmodel.sql.sqltypes.AutoString(length=2000), nullable=False),
        sa.Column("actual_leads", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=32), nullable=False),
        sa.Column("decision_reason", sqlmodel.sql.sqltypes.AutoString(length=1000), nullable=False),
        sa.Column("payout_request_id", sa.Integer(), nullable=True),
        sa.Column("submitted_by_id", sa.Integer(), nullable=False),
        sa.Column("decided_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("decided_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["decided_by_id"], ["users.id"], name=op.f("fk_mdf_claims_decided_by_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["partner_org_id"],
            ["organizations.id"],
            name=op.f("fk_mdf_claims_partner_org_id_organizations"),
        ),
        sa.ForeignKeyConstraint(
            ["payout_request_id"],
            ["payout_requests.id"],
            name=op.f("fk_mdf_claims_payout_request_id_payout_requests"),
        ),
        sa.ForeignKeyConstraint(
            ["provider_org_id"],
            ["organizations.id"],
            name=op.f("fk_mdf_claims_provider_org_id_organizations"),
        ),
        sa.ForeignKeyConstraint(
            ["request_id"], ["mdf_requests.id"], name=op.f("fk_mdf_claims_request_id_mdf_requests")
        ),
        sa.ForeignKeyConstraint(
            ["submitted_by_id"], ["users.id"], name=op.f("fk_mdf_claims_submitted_by_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_mdf_claims")),
    )
    with op.batch_alter_table("mdf_claims", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_mdf_claims_request_id"), ["request_id"], unique=False)

    op.create_table(
        "mdf_receipts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("claim_id", sa.Integer(), nullable=False),
        sa.Column("file_name", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("media_type", sqlmodel.sql.sqltypes.AutoString(length=50), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("content", sa.LargeBinary(), nullable=False),
        sa.Column("uploaded_by_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["claim_id"],
            ["mdf_claims.id"],
            name=op.f("fk_mdf_receipts_claim_id_mdf_claims"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["uploaded_by_id"], ["users.id"], name=op.f("fk_mdf_receipts_uploaded_by_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_mdf_receipts")),
    )
    with op.batch_alter_table("mdf_receipts", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_mdf_receipts_claim_id"), ["claim_id"], unique=False)

    op.create_table(
        "mdf_allocations",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("budget_id", sa.Integer(), nullable=False),
        sa.Column("provider_org_id", sa.Integer(), nullable=False),
        sa.Column("partner_org_id", sa.Integer(), nullable=False),
        sa.Column("tier_id", sa.Integer(), nullable=True),
        sa.Column("amount", sa.Numeric(precision=14, scale=2), nullable=False),
        sa.Column("transaction_id", sa.Integer(), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["budget_id"], ["mdf_budgets.id"], name=op.f("fk_mdf_allocations_budget_id_mdf_budgets")
        ),
        sa.ForeignKeyConstraint(
            ["created_by_id"], ["users.id"], name=op.f("fk_mdf_allocations_created_by_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["partner_org_id"],
            ["organizations.id"],
            name=op.f("fk_mdf_allocations_partner_org_id_organizations"),
        ),
        sa.ForeignKeyConstraint(
            ["provider_org_id"],
            ["organizations.id"],
            name=op.f("fk_mdf_allocations_provider_org_id_organizations"),
        ),
        sa.ForeignKeyConstraint(
            ["tier_id"],
            ["taxonomy_terms.id"],
            name=op.f("fk_mdf_allocations_tier_id_taxonomy_terms"),
        ),
        sa.ForeignKeyConstraint(
            ["transaction_id"],
            ["ledger_transactions.id"],
            name=op.f("fk_mdf_allocations_transaction_id_ledger_transactions"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_mdf_allocations")),
    )
    with op.batch_alter_table("mdf_allocations", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_mdf_allocations_budget_id"), ["budget_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_mdf_allocations_partner_org_id"), ["partner_org_id"], unique=False
        )

    # Plain columns (no foreign key): on SQLite a foreign key means rebuilding the table,
    # which drops the custom-field triggers of deals and is refused by those naming leads.
    for table in ("leads", "deals"):
        op.add_column(table, sa.Column("mdf_request_id", sa.Integer(), nullable=True))
        op.create_index(f"ix_{table}_mdf_request_id", table, ["mdf_request_id"], unique=False)


def downgrade() -> None:
    for table in ("deals", "leads"):
        op.drop_index(f"ix_{table}_mdf_request_id", table_name=table)
        op.drop_column(table, "mdf_request_id")

    with op.batch_alter_table("mdf_allocations", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_mdf_allocations_partner_org_id"))
        batch_op.drop_index(batch_op.f("ix_mdf_allocations_budget_id"))

    op.drop_table("mdf_allocations")
    with op.batch_alter_table("mdf_receipts", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_mdf_receipts_claim_id"))

    op.drop_table("mdf_receipts")
    with op.batch_alter_table("mdf_claims", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_mdf_claims_request_id"))

    op.drop_table("mdf_claims")
    with op.batch_alter_table("mdf_requests", schema=None) as batch_op:
        batch_op.drop_index("ix_mdf_requests_provider_status")
        batch_op.drop_index("ix_mdf_requests_partner_status")
        batch_op.drop_index(batch_op.f("ix_mdf_requests_budget_id"))

    op.drop_table("mdf_requests")
    with op.batch_alter_table("mdf_budgets", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_mdf_budgets_provider_org_id"))

    op.drop_table("mdf_budgets")
