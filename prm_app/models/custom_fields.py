"""Fields an organization adds to its leads, referrals, deals and partnerships.

A field's values live on the records themselves, in their `custom` column (JSON; JSONB on
PostgreSQL), keyed by the field's id as text: one read shows a record with every field, and a
field's definition can change (label, options, type) without touching a table's schema.
"""

from datetime import datetime
from enum import StrEnum

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql
from sqlmodel import Field, SQLModel

from .base import code, created_at, fk

# The records' column of custom values: JSONB on PostgreSQL (indexable, compared as values).
CUSTOM_JSON = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")


class FieldEntity(StrEnum):
    """What a field belongs to."""

    LEAD = "lead"  # leads partners send to a provider (a consultant's: its own leads)
    REFERRAL = "referral"  # referrals a provider sends to its partners
    DEAL = "deal"  # registrations and deals
    PARTNER = (
        "partner"  # a partnership (a provider's view of a partner; a consultant's of a provider)
    )


class FieldType(StrEnum):
    TEXT = "text"
    LONG_TEXT = "long_text"
    NUMBER = "number"
    MONEY = "money"
    DATE = "date"
    SELECT = "select"
    MULTI_SELECT = "multi_select"
    CHECKBOX = "checkbox"
    URL = "url"
    EMAIL = "email"


class InternalAccess(StrEnum):
    """What the defining organization's own people may do with the field."""

    EDITABLE = "editable"
    REQUIRED = "required"


class PartnerAccess(StrEnum):
    """What the other side of the record (a provider's partner) may do with the field."""

    HIDDEN = "hidden"
    VISIBLE = "visible"
    EDITABLE = "editable"
    REQUIRED = "required"


class CustomField(SQLModel, table=True):
    """One field an organization defined for one kind of record."""

    __tablename__ = "custom_fields"
    __table_args__ = (
        sa.UniqueConstraint("org_id", "entity", "key", name="uq_custom_fields_org_entity_key"),
    )

    id: int | None = Field(default=None, primary_key=True)
    org_id: int = fk("organizations.id")
    entity: str = code()  # FieldEntity
    key: str = Field(max_length=40)  # the name in the API, imports and exports
    label: str = Field(max_length=100)
    type: str = code()  # FieldType
    # Selects: [{"id": 1, "label": "Gold", "archived": false}, ...]; values store the ids, so
    # an option is renamed without touching them.
    options: list = Field(default_factory=list, sa_type=sa.JSON)
    help_text: str = Field(default="", max_length=300)
    section: str = Field(default="", max_length=60)
    position: int = 0
    internal_access: str = code(InternalAccess.EDITABLE)
    partner_access: str = code(PartnerAccess.HIDDEN)
    archived_at: datetime | None = None
    created_at: datetime = created_at()
    updated_at: datetime | None = None
