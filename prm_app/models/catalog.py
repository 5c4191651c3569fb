"""Each organization's own vocabulary: taxonomy terms and pipeline stages."""

from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from .base import code, created_at, fk


class TaxonomyTerm(SQLModel, table=True):
    """A term an organization uses to categorize (provider type, partner tier, product, ...)."""

    __tablename__ = "taxonomy_terms"
    __table_args__ = (
        sa.UniqueConstraint("org_id", "kind", "name", name="uq_taxonomy_terms_org_kind_name"),
    )

    id: int | None = Field(default=None, primary_key=True)
    org_id: int = fk("organizations.id")
    kind: str = code()  # TermKind
    name: str = Field(max_length=100)
    position: int = 0
    archived_at: datetime | None = None
    created_at: datetime = created_at()


class Stage(SQLModel, table=True):
    """An ordered step of a provider's lead or deal pipeline."""

    __tablename__ = "stages"
    __table_args__ = (
        sa.UniqueConstraint("org_id", "pipeline", "name", name="uq_stages_org_pipeline_name"),
    )

    id: int | None = Field(default=None, primary_key=True)
    org_id: int = fk("organizations.id")
    pipeline: str = code()  # Pipeline
    name: str = Field(max_length=100)
    position: int = 0
    probability: int = 0  # percent
    is_won: bool = False
    is_lost: bool = False
    archived_at: datetime | None = None
    created_at: datetime = created_at()
