"""Integrations: API keys, webhooks and their deliveries, public web-to-lead forms."""

import secrets
from datetime import datetime
from enum import StrEnum

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from .base import code, created_at, fk, utcnow
from .enums import Role


class DeliveryStatus(StrEnum):
    QUEUED = "queued"
    SENT = "sent"
    FAILED = "failed"


class FormRouting(StrEnum):
    PARTNER = "partner"  # always the chosen partner
    ROUND_ROBIN = "round_robin"  # the active partners of a tier, in turn


class ApiKey(SQLModel, table=True):
    """A key of an organization for the REST API. Only the SHA-256 of its secret is stored; the
    prefix finds the row. It acts as its creator with at most the role chosen at creation."""

    __tablename__ = "api_keys"

    id: int | None = Field(default=None, primary_key=True)
    org_id: int = fk("organizations.id")
    created_by_id: int = fk("users.id", index=False)
    name: str = Field(max_length=100)
    prefix: str = Field(max_length=16, unique=True, index=True)
    key_hash: str = Field(max_length=64)
    role: str = code(Role.MEMBER)
    created_at: datetime = created_at()
    last_used_at: datetime | None = None
    revoked_at: datetime | None = None


class WebhookEndpoint(SQLModel, table=True):
    """A URL an organization wants events POSTed to, signed with its secret."""

    __tablename__ = "webhook_endpoints"

    id: int | None = Field(default=None, primary_key=True)
    org_id: int = fk("organizations.id")
    created_by_id: int = fk("users.id", index=False)
    url: str = Field(max_length=500)
    events: list = Field(default_factory=list, sa_type=sa.JSON)
    secret: str = Field(max_length=64)  # needed to sign, so kept; shown once
    is_active: bool = True
    created_at: datetime = created_at()
    removed_at: datetime | None = None


class WebhookDelivery(SQLModel, table=True):
    """One event to one endpoint: queued in the change's transaction, sent by the worker."""

    __tablename__ = "webhook_deliveries"
    __table_args__ = (
        sa.Index("ix_webhook_deliveries_status_next", "status", "next_attempt_at"),
        sa.Index("ix_webhook_deliveries_created_at", "created_at"),  # retention.prune_batch
    )

    id: int | None = Field(default=None, primary_key=True)
    endpoint_id: int = fk("webhook_endpoints.id")
    org_id: int = fk("organizations.id")
    event: str = Field(max_length=64)
    body: str = Field(sa_type=sa.Text)
    status: str = code(DeliveryStatus.QUEUED)
    attempts: int = 0
    next_attempt_at: datetime = created_at()
    last_status_code: int | None = None
    last_error: str = Field(default="", max_length=1000)
    created_at: datetime = created_at()
    sent_at: datetime | None = None


class LeadForm(SQLModel, table=True):
    """A provider's public web-to-lead form: each submission becomes a referral to a partner,
    the chosen one or the next active partner of a tier in turn."""

    __tablename__ = "lead_forms"

    id: int | None = Field(default=None, primary_key=True)
    org_id: int = fk("organizations.id")
    owner_id: int = fk("users.id", index=False)  # owns the referrals the form creates
    name: str = Field(max_length=100)
    public_token: str = Field(max_length=64, unique=True, index=True)
    fields: list = Field(default_factory=list, sa_type=sa.JSON)  # optional fields shown
    routing: str = code()  # FormRouting
    partner_org_id: int | None = fk("organizations.id", nullable=True, index=False)
    tier_id: int | None = fk("taxonomy_terms.id", nullable=True, index=False)
    turn: int = 0  # round robin: how many submissions were routed so far
    is_active: bool = True
    created_at: datetime = created_at()
    # Signs the time each page of the form was served (services.leads.forms: time to submit).
    stamp_key: str = Field(default_factory=lambda: secrets.token_hex(16), max_length=64)


class FormSubmission(SQLModel, table=True):
    """A submission of a public form, kept to rate-limit by form and client address."""

    __tablename__ = "form_submissions"
    __table_args__ = (
        sa.Index("ix_form_submissions_form_client_created", "form_id", "client_hash", "created_at"),
        sa.Index("ix_form_submissions_created_at", "created_at"),  # retention.prune_batch
    )

    id: int | None = Field(default=None, primary_key=True)
    form_id: int = fk("lead_forms.id", index=False)
    client_hash: str = Field(max_length=64)
    lead_id: int | None = fk("leads.id", nullable=True, index=False)
    created_at: datetime = created_at()


class IdempotentRequest(SQLModel, table=True):
    """A write sent to the REST API with an Idempotency-Key: the first response is kept for a
    day and replayed to a retry with the same key (services.integrations.idempotency)."""

    __tablename__ = "idempotent_requests"
    __table_args__ = (sa.UniqueConstraint("org_id", "key", name="uq_idempotent_requests_org_key"),)

    id: int | None = Field(default=None, primary_key=True)
    org_id: int = fk("organizations.id", index=False)
    key: str = Field(max_length=255)
    fingerprint: str = Field(max_length=64)  # SHA-256 of method, path, query and body
    status_code: int | None = None  # None while the first request is still running
    content_type: str = Field(default="", max_length=100)
    body: bytes | None = Field(default=None, sa_type=sa.LargeBinary)
    created_at: datetime = Field(default_factory=utcnow, nullable=False, index=True)
