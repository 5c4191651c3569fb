"""onboarding checklist and agreements

Revision ID: ob2d8f4a6c31
Revises: pa1c7e3b9d20
Create Date: 2026-12-05 23:56:15

Issue 25 (models.onboarding): a provider's versioned agreements and their acceptances by
partners, the onboarding checklist's steps and the marks only a partner can make (a manual tick,
a training link opened), and the program setting that holds referrals and registrations until
the agreements are signed.
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

# revision identifiers, used by Alembic.
revision: str = "ob2d8f4a6c31"
down_revision: str | Sequence[str] | None = "pa1c7e3b9d20"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "agreements",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("provider_org_id", sa.Integer(), nullable=False),
        sa.Column("title", sqlmodel.sql.sqltypes.AutoString(length=120), nullable=False),
        sa.Column("partner_type_id", sa.Integer(), nullable=True),
        sa.Column("partner_tier_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("archived_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["partner_tier_id"],
            ["taxonomy_terms.id"],
            name=op.f("fk_agreements_partner_tier_id_taxonomy_terms"),
        ),
        sa.ForeignKeyConstraint(
            ["partner_type_id"],
            ["taxonomy_terms.id"],
            name=op.f("fk_agreements_partner_type_id_taxonomy_terms"),
        ),
        sa.ForeignKeyConstraint(
            ["provider_org_id"],
            ["organizations.id"],
            name=op.f("fk_agreements_provider_org_id_organizations"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_agreements")),
    )
    with op.batch_alter_table("agreements", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_agreements_provider_org_id"), ["provider_org_id"], unique=False
        )

    op.create_table(
        "checklist_steps",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("provider_org_id", sa.Integer(), nullable=False),
        sa.Column("partner_type_id", sa.Integer(), nullable=True),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("title", sqlmodel.sql.sqltypes.AutoString(length=120), nullable=False),
        sa.Column("url", sqlmodel.sql.sqltypes.AutoString(length=500), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("created_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("archived_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["partner_type_id"],
            ["taxonomy_terms.id"],
            name=op.f("fk_checklist_steps_partner_type_id_taxonomy_terms"),
        ),
        sa.ForeignKeyConstraint(
            ["provider_org_id"],
            ["organizations.id"],
            name=op.f("fk_checklist_steps_provider_org_id_organizations"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_checklist_steps")),
    )
    with op.batch_alter_table("checklist_steps", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_checklist_steps_provider_org_id"), ["provider_org_id"], unique=False
        )

    op.create_table(
        "agreement_versions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("agreement_id", sa.Integer(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("media_type", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
        sa.Column("file_name", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("content", sa.LargeBinary(), nullable=False),
        sa.Column("sha256", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("published_by_id", sa.Integer(), nullable=False),
        sa.Column("published_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["agreement_id"],
            ["agreements.id"],
            name=op.f("fk_agreement_versions_agreement_id_agreements"),
        ),
        sa.ForeignKeyConstraint(
            ["published_by_id"],
            ["users.id"],
            name=op.f("fk_agreement_versions_published_by_id_users"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_agreement_versions")),
        sa.UniqueConstraint("agreement_id", "number", name="uq_agreement_versions_number"),
    )
    op.create_table(
        "checklist_marks",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("step_id", sa.Integer(), nullable=False),
        sa.Column("partnership_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("marked_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["partnership_id"],
            ["partnerships.id"],
            name=op.f("fk_checklist_marks_partnership_id_partnerships"),
        ),
        sa.ForeignKeyConstraint(
            ["step_id"],
            ["checklist_steps.id"],
            name=op.f("fk_checklist_marks_step_id_checklist_steps"),
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_checklist_marks_user_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_checklist_marks")),
        sa.UniqueConstraint(
            "step_id", "partnership_id", name="uq_checklist_marks_step_partnership"
        ),
    )
    with op.batch_alter_table("checklist_marks", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_checklist_marks_partnership_id"), ["partnership_id"], unique=False
        )

    op.create_table(
        "agreement_acceptances",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("version_id", sa.Integer(), nullable=False),
        sa.Column("partnership_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("typed_name", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("sha256", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("accepted_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["partnership_id"],
            ["partnerships.id"],
            name=op.f("fk_agreement_acceptances_partnership_id_partnerships"),
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_agreement_acceptances_user_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["version_id"],
            ["agreement_versions.id"],
            name=op.f("fk_agreement_acceptances_version_id_agreement_versions"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_agreement_acceptances")),
        sa.UniqueConstraint(
            "version_id", "partnership_id", name="uq_agreement_acceptances_version_partnership"
        ),
    )
    with op.batch_alter_table("agreement_acceptances", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_agreement_acceptances_partnership_id"), ["partnership_id"], unique=False
        )

    with op.batch_alter_table("org_settings", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("hold_until_signed", sa.Boolean(), nullable=False, server_default=sa.false())
        )


def downgrade() -> None:
    with op.batch_alter_table("org_settings", schema=None) as batch_op:
        batch_op.drop_column("hold_until_signed")

    with op.batch_alter_table("agreement_acceptances", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_agreement_acceptances_partnership_id"))

    op.drop_table("agreement_acceptances")
    with op.batch_alter_table("checklist_marks", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_checklist_marks_partnership_id"))

    op.drop_table("checklist_marks")
    op.drop_table("agreement_versions")
    with op.batch_alter_table("checklist_steps", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_checklist_steps_provider_org_id"))

    op.drop_table("checklist_steps")
    with op.batch_alter_table("agreements", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_agreements_provider_org_id"))

    op.drop_table("agreements")
