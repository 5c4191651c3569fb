"""Records that have served their purpose, deleted by a background sweep in small batches.

- Webhook deliveries sent or given up on, and mail sent or given up on, once older than
  PRM_RETENTION_DAYS (default 30): Settings shows the recent deliveries; a mail's copy holds
  personal data and is only kept to be sent.
- A public form's bot submissions (caught by the honeypot, no referral made) once out of the
  rate limit's window. Submissions that became referrals stay: they count the form's referrals.
- The activity trail (the audit log and the records' timelines) once older than
  PRM_AUDIT_RETENTION_DAYS (default 400). Read by id, oldest first, a batch at a time: ids grow
  with time, so the sweep stops at the first batch holding an event still kept.
- Not deleted but stripped: the contact details of leads and referrals closed for longer than
  their provider keeps contacts (OrgSettings.contact_retention_months; services.privacy.retention).

Each table is read through an index on `created_at`; concurrent sweeps of several workers
delete disjoint or already deleted rows, which is harmless.
"""

from datetime import datetime, timedelta

from sqlalchemy import delete
from sqlmodel import Session, col, select

from ... import settings
from ...models import (
    ActivityEvent,
    DeliveryStatus,
    EmailStatus,
    FormSubmission,
    OutboundEmail,
    WebhookDelivery,
    utcnow,
)
from ..leads.forms import WINDOW
from ..privacy import retention as contacts

BATCH = 1000


def retention_days() -> int:
    """How long sent and failed deliveries and mail are kept: PRM_RETENTION_DAYS (default 30)."""
    return settings.current().retention_days


def prune_batch(session: Session, *, now: datetime | None = None) -> int:
    """Delete up to BATCH expired rows of each table; returns how many were deleted in all (a
    full batch of any table means more may be left)."""
    now = now or utcnow()
    kept_until = now - timedelta(days=retention_days())
    expired = [
        (
            WebhookDelivery,
            col(WebhookDelivery.created_at) < kept_until,
            col(WebhookDelivery.status).in_([DeliveryStatus.SENT, DeliveryStatus.FAILED]),
        ),
        (
            OutboundEmail,
            col(OutboundEmail.created_at) < kept_until,
            col(OutboundEmail.status).in_([EmailStatus.SENT, EmailStatus.FAILED]),
        ),
        (
            FormSubmission,
            col(FormSubmission.created_at) < now - WINDOW,
            col(FormSubmission.lead_id).is_(None),
        ),
    ]
    deleted = 0
    for model, old, done in expired:
        ids = select(model.id).where(old, done).order_by(col(model.created_at)).limit(BATCH)
        ids = session.exec(ids).all()
        if ids:
            session.exec(delete(model).where(col(model.id).in_(ids)))
            deleted += len(ids)
    return deleted + _prune_trail(session, now) + contacts.strip_batch(session, now=now)


def _prune_trail(session: Session, now: datetime) -> int:
    """Delete the oldest events of the trail (up to BATCH) older than the audit retention:
    the first BATCH by id, of which those expired (never a scan for expired rows)."""
    kept_until = now - timedelta(days=settings.current().audit_retention_days)
    oldest = select(ActivityEvent.id, ActivityEvent.created_at)
    oldest = oldest.order_by(col(ActivityEvent.id)).limit(BATCH)
    ids = [id_ for id_, at in session.exec(oldest).all() if at < kept_until]
    if ids:
        session.exec(delete(ActivityEvent).where(col(ActivityEvent.id).in_(ids)))
    return len(ids)
