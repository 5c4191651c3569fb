"""Saved views of the lists: the columns, filters and sort a person saved under a name."""

from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from .base import created_at, fk


class SavedView(SQLModel, table=True):
    """A named state of one list (services.views.LISTS): personal to its owner, or shared with
    the owner's organization (then changed by its managers and administrators)."""

    __tablename__ = "saved_views"
    __table_args__ = (sa.Index("ix_saved_views_org_list", "org_id", "list_name"),)

    id: int | None = Field(default=None, primary_key=True)
    org_id: int = fk("organizations.id", index=False)
    owner_id: int = fk("users.id")
    list_name: str = Field(max_length=32)
    name: str = Field(max_length=60)
    shared: bool = False
    # {"columns": [...], "filters": {...}, "custom_filters": [...], "sort": "..."}, validated by
    # services.views.state before it is stored, and again when it is opened.
    state: dict = Field(default_factory=dict, sa_type=sa.JSON)
    created_at: datetime = created_at()
    updated_at: datetime | None = None


class ViewDefault(SQLModel, table=True):
    """The view a person's list opens with (one per person and list)."""

    __tablename__ = "saved_view_defaults"
    __table_args__ = (
        sa.UniqueConstraint("user_id", "list_name", name="uq_saved_view_defaults_user_list"),
    )

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = fk("users.id", index=False)
    list_name: str = Field(max_length=32)
    view_id: int = fk("saved_views.id", ondelete="CASCADE")
