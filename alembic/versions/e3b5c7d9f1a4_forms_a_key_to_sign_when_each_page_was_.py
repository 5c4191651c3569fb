"""forms: a key to sign when each page was served

Revision ID: e3b5c7d9f1a4
Revises: d2f4a6c8e0b1
Create Date: 2026-12-05 14:00:00

A public form's page carries the time it was served, signed with the form's own key, so that a
submission sent faster than a person fills the form is taken for a script. Existing forms get a
random key each.
"""

import secrets
from typing import Sequence, Union

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "e3b5c7d9f1a4"
down_revision: Union[str, Sequence[str], None] = "d2f4a6c8e0b1"
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    with op.batch_alter_table("lead_forms", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "stamp_key",
                sqlmodel.sql.sqltypes.AutoString(length=64),
                nullable=False,
                server_default="",
            )
        )
    forms = sa.table("lead_forms", sa.column("id", sa.Integer), sa.column("stamp_key", sa.String))
    connection = op.get_bind()
    for (form_id,) in connection.execute(sa.select(forms.c.id)).all():
        connection.execute(
            forms.update().where(forms.c.id == form_id).values(stamp_key=secrets.token_hex(16))
        )


def downgrade() -> None:
    with op.batch_alter_table("lead_forms", schema=None) as batch_op:
        batch_op.drop_column("stamp_key")
