"""Shared model plumbing: naming convention, clock, column helpers."""

from datetime import UTC, datetime
from decimal import Decimal

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

# Named constraints make Alembic migrations portable (SQLite batch mode needs names).
SQLModel.metadata.naming_convention = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def utcnow() -> datetime:
    """Aware UTC now: SQLModel stores aware datetimes and returns them in UTC."""
    return datetime.now(UTC)


def code(default: str | None = None, *, index: bool = False) -> str:
    """A short enumerated code stored as text (no database ENUM types to migrate)."""
    return Field(default=default, sa_type=sa.String(32), index=index)


def money(default: Decimal | None = Decimal("0")) -> Decimal:
    """An exact amount of money."""
    return Field(default=default, sa_type=sa.Numeric(14, 2))


def fk(target: str, *, nullable: bool = False, index: bool = True, ondelete: str | None = None):
    """A foreign key to `target` ("table.id")."""
    return Field(
        default=None,
        foreign_key=target,
        nullable=nullable,
        index=index,
        ondelete=ondelete,
    )


def created_at() -> datetime:
    """Creation timestamp column."""
    return Field(default_factory=utcnow, nullable=False)
