"""What happened: activity events, notifications, outgoing email and import batches."""

from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from .base import code, created_at, fk
from .enums import EmailStatus, ImportStatus


class ActivityEvent(SQLModel, table=True):
    """One change to one record: the timeline and the audit trail."""

    __tablename__ = "activity_events"
    __table_args__ = (
        sa.Index("ix_activity_events_entity", "entity_type", "entity_id", "id"),
        # The audit log (services.audit): newest first by keyset on id, within one
        # organization, optionally for one person, record type or action; dates become id
        # bounds through (org_id, created_at).
        sa.Index("ix_activity_events_org_id_id", "org_id", "id"),
        sa.Index("ix_activity_events_org_actor", "org_id", "actor_id", "id"),
        sa.Index("ix_activity_events_org_type", "org_id", "entity_type", "id"),
        sa.Index("ix_activity_events_org_action", "org_id", "action", "id"),
        sa.Index("ix_activity_events_org_created", "org_id", "created_at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    org_id: int = fk("organizations.id", index=False)  # the organization whose trail holds it
    actor_id: int | None = fk("users.id", nullable=True, index=False)
    entity_type: str = code()
    entity_id: int
    action: str = Field(max_length=64)
    before: dict | None = Field(default=None, sa_type=sa.JSON)
    after: dict | None = Field(default=None, sa_type=sa.JSON)
    # How the actor acted (services.core.channel): ui, api, import, job, public_form, system;
    # and which key, batch, job or form.
    via: str = Field(default="", max_length=16)
    via_label: str = Field(default="", max_length=120)
    created_at: datetime = created_at()


class DataExport(SQLModel, table=True):
    """A full export of one organization's own data: every table it owns as CSV files in a
    zip, written by a background job into the private store, downloadable once by its admins."""

    __tablename__ = "data_exports"
    __table_args__ = (sa.Index("ix_data_exports_org_id_id", "org_id", "id"),)

    id: int | None = Field(default=None, primary_key=True)
    org_id: int = fk("organizations.id", index=False)
    requested_by_id: int | None = fk("users.id", nullable=True, index=False)
    status: str = code("queued")  # queued | running | ready | downloaded | failed
    tables_done: int = 0
    tables_total: int = 0
    rows_written: int = 0
    file_key: str = Field(default="", max_length=200)
    size_bytes: int = 0
    error: str = Field(default="", max_length=500)
    created_at: datetime = created_at()
    finished_at: datetime | None = None
    downloaded_at: datetime | None = None


class Notification(SQLModel, table=True):
    """One thing one person should know about, with a link to the record in their portal."""

    __tablename__ = "notifications"
    __table_args__ = (
        sa.Index("ix_notifications_user_read", "user_id", "read_at"),
        sa.Index(
            "ix_notifications_user_org_id", "user_id", "org_id", "id"
        ),  # the inbox, newest first
    )

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = fk("users.id", index=False)
    org_id: int = fk("organizations.id", index=False)
    kind: str = code()
    text: str = Field(max_length=500)
    link: str = Field(default="", max_length=300)
    read_at: datetime | None = None
    created_at: datetime = created_at()


class OutboundEmail(SQLModel, table=True):
    """The outbox: written in the user's transaction, sent later by the mail worker."""

    __tablename__ = "outbound_emails"
    __table_args__ = (
        sa.Index("ix_outbound_emails_status_next", "status", "next_attempt_at"),
        sa.Index("ix_outbound_emails_created_at", "created_at"),  # retention.prune_batch
    )

    id: int | None = Field(default=None, primary_key=True)
    to_address: str = Field(max_length=254)
    subject: str = Field(max_length=300)
    body: str = Field(sa_type=sa.Text)
    status: str = code(EmailStatus.QUEUED)
    attempts: int = 0
    next_attempt_at: datetime = created_at()
    last_error: str = Field(default="", max_length=1000)
    created_at: datetime = created_at()
    sent_at: datetime | None = None


class NotificationPreference(SQLModel, table=True):
    """How one person hears of one category of notifications (no row: the category's default)."""

    __tablename__ = "notification_preferences"

    user_id: int = Field(foreign_key="users.id", primary_key=True, ondelete="CASCADE")
    category: str = Field(sa_type=sa.String(32), primary_key=True)  # notifications.CATEGORIES
    channel: str = code()  # Channel: off | in_app | email
    updated_at: datetime = created_at()


class ProtectionReminder(SQLModel, table=True):
    """The protection expiry a deal's partner was last reminded of, and how many days before it
    (7, then 1): each threshold reminds once per protection period."""

    __tablename__ = "protection_reminders"

    deal_id: int = Field(foreign_key="deals.id", primary_key=True, ondelete="CASCADE")
    protected_until: datetime
    reminded_at: datetime = created_at()
    days_before: int = 7


class ImportBatch(SQLModel, table=True):
    """One CSV import: its counts, its error report, and whether it was undone."""

    __tablename__ = "import_batches"

    id: int | None = Field(default=None, primary_key=True)
    org_id: int = fk("organizations.id")
    created_by_id: int = fk("users.id", index=False)
    kind: str = code()  # ImportKind
    file_name: str = Field(max_length=255)
    rows_total: int = 0
    rows_imported: int = 0
    rows_failed: int = 0
    # Create, update or both (services.imports.updates.MODES), and the rows updated in place
    # or found unchanged (rows_imported counts the created ones).
    mode: str = code("create")
    rows_updated: int = 0
    rows_unchanged: int = 0
    mapping: dict | None = Field(default=None, sa_type=sa.JSON)
    error_report: str = Field(default="", sa_type=sa.Text)
    # How the uploaded CSV was written (services.imports.files.ENCODINGS, DELIMITERS), so that
    # its error file is written the same way; "" for a spreadsheet (and batches from before).
    file_encoding: str = code("")
    file_delimiter: str = Field(default="", max_length=1)
    status: str = code(ImportStatus.VALIDATED)
    created_at: datetime = created_at()
    finished_at: datetime | None = None
    undone_at: datetime | None = None


class ImportChange(SQLModel, table=True):
    """One record an import updated in place: its fields before and after, so that undoing the
    import restores `before` (while the record was not changed since)."""

    __tablename__ = "import_changes"

    id: int | None = Field(default=None, primary_key=True)
    batch_id: int = fk("import_batches.id", ondelete="CASCADE")
    entity_type: str = code()  # activity.ENTITY_TYPES: "lead" or "deal"
    entity_id: int
    before: dict = Field(default_factory=dict, sa_type=sa.JSON)
    after: dict = Field(default_factory=dict, sa_type=sa.JSON)
    version: int | None = None  # a deal's version once updated (changed since if it differs)
