"""What keeps accounts safe: mailed one-time links, recovery codes, rate limits, and the record
of security events an organization's admins review."""

from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from .base import code, created_at, fk, utcnow


class AccountToken(SQLModel, table=True):
    """A single-use link mailed to an address: verify it, or reset the password. Only the
    token's SHA-256 is stored; `email` is the address the link proves (the new one when a
    person changes their address)."""

    __tablename__ = "account_tokens"

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = fk("users.id")
    purpose: str = code()  # verify_email | reset_password
    token_hash: str = Field(max_length=64, unique=True, index=True)
    email: str = Field(max_length=254)
    created_at: datetime = created_at()
    expires_at: datetime
    used_at: datetime | None = None


class RecoveryCode(SQLModel, table=True):
    """One of the ten single-use codes that stand in for the second factor (hashed)."""

    __tablename__ = "recovery_codes"

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = fk("users.id")
    code_hash: str = Field(max_length=64)
    created_at: datetime = created_at()
    used_at: datetime | None = None


class RateEvent(SQLModel, table=True):
    """One counted attempt of a rate-limited action (mail resends, resets, invitations,
    sign-ups, second-factor codes), under a SHA-256 of what it is counted by."""

    __tablename__ = "rate_events"
    __table_args__ = (sa.Index("ix_rate_events_action_key", "action", "key_hash", "created_at"),)

    id: int | None = Field(default=None, primary_key=True)
    action: str = code()
    key_hash: str = Field(max_length=64)
    created_at: datetime = Field(default_factory=utcnow, nullable=False, index=True)


class SecurityEvent(SQLModel, table=True):
    """A sign-in, a failed one, a changed password or second factor, a revoked session, an API
    key or role change: listed for the organization's admins and exportable."""

    __tablename__ = "security_events"
    __table_args__ = (sa.Index("ix_security_events_org_id_id", "org_id", "id"),)

    id: int | None = Field(default=None, primary_key=True)
    org_id: int = fk("organizations.id", index=False)
    kind: str = code()
    user_id: int | None = fk("users.id", nullable=True, index=False)  # whom it concerns
    actor_user_id: int | None = fk("users.id", nullable=True, index=False)  # who did it
    ip: str = Field(default="", max_length=64)
    user_agent: str = Field(default="", max_length=300)
    detail: str = Field(default="", max_length=500)
    created_at: datetime = created_at()
