"""A provider's content library: files (kept in the database, never in a public folder) and
links, in folders, each shown to an audience of partners and each download logged."""

from datetime import date, datetime
from enum import StrEnum

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from .base import code, created_at, fk


class Audience(StrEnum):
    """Who among a provider's active partners may see and download an item."""

    EVERYONE = "everyone"
    TIERS = "tiers"  # partners of one of `audience_ids` (partner tier terms)
    TYPES = "types"  # partner type terms
    GROUPS = "groups"  # partner group terms
    PARTNERS = "partners"  # named partner organizations
    NOBODY = "nobody"  # a draft: the provider only


class ItemKind(StrEnum):
    FILE = "file"
    LINK = "link"


class LibraryFolder(SQLModel, table=True):
    __tablename__ = "library_folders"
    __table_args__ = (
        sa.UniqueConstraint("provider_org_id", "name", name="uq_library_folders_provider_name"),
    )

    id: int | None = Field(default=None, primary_key=True)
    provider_org_id: int = fk("organizations.id", index=False)
    name: str = Field(max_length=80)
    created_at: datetime = created_at()


class LibraryItem(SQLModel, table=True):
    """A file or a link of a provider's library. Its bytes live in `library_files`."""

    __tablename__ = "library_items"

    id: int | None = Field(default=None, primary_key=True)
    provider_org_id: int = fk("organizations.id")
    folder_id: int | None = fk("library_folders.id", nullable=True, index=False)
    kind: str = code(ItemKind.FILE)
    title: str = Field(max_length=200)
    description: str = Field(default="", max_length=2000)
    tags: str = Field(default="", max_length=500)  # ",tag,other," (lowercase) for LIKE search
    url: str = Field(default="", max_length=500)  # a link's address
    file_name: str = Field(default="", max_length=200)
    media_type: str = Field(default="", max_length=80)
    size: int = 0
    audience: str = code(Audience.NOBODY)
    audience_ids: list = Field(default_factory=list, sa_type=sa.JSON)  # term or org ids
    expires_on: date | None = None  # hidden from partners from this day on
    created_by_id: int = fk("users.id", index=False)
    created_at: datetime = created_at()
    archived_at: datetime | None = None


class LibraryFile(SQLModel, table=True):
    """The bytes of a library file, apart so that lists never load them."""

    __tablename__ = "library_files"

    item_id: int = Field(primary_key=True, foreign_key="library_items.id")
    content: bytes = Field(sa_type=sa.LargeBinary)


class LibraryDownload(SQLModel, table=True):
    """One download (or a link followed) by a partner's person: the log behind the counts."""

    __tablename__ = "library_downloads"

    id: int | None = Field(default=None, primary_key=True)
    item_id: int = fk("library_items.id")
    partner_org_id: int = fk("organizations.id", index=False)
    user_id: int = fk("users.id", index=False)
    downloaded_at: datetime = created_at()
