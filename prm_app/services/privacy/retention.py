"""The retention sweep's part: a provider that keeps contacts N months has the contact details
of its closed leads and referrals stripped once every recipient closed them (rejected, lost,
converted or returned) more than N months ago. The business record stays (company, status,
stages, dates, deals and ledger), marked `erased_at`; the trail records it as a job's act."""

from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Session, col, func, or_, select

from ...models import Lead, LeadRecipient, LeadStatus, OrgSettings, RecipientStatus, utcnow
from ..core import activity, changes

BATCH = 500
OPEN = (RecipientStatus.PENDING, RecipientStatus.OPENED, RecipientStatus.ACCEPTED)
ERASED_NAME = "Erased"


def months_before(moment: datetime, months: int) -> datetime:
    """The same day `months` calendar months earlier (the month's last day when shorter)."""
    year, month = divmod(moment.year * 12 + moment.month - 1 - months, 12)
    month += 1
    day = moment.day
    while True:
        try:
            return moment.replace(year=year, month=month, day=day)
        except ValueError:
            day -= 1


def strip_batch(session: Session, *, now: datetime | None = None) -> int:
    """Strip up to BATCH leads of each provider keeping contacts a limited time; returns how
    many were stripped (BATCH for one provider means more may be left)."""
    now = now or utcnow()
    stripped = 0
    for org_id, months in session.exec(
        select(OrgSettings.org_id, OrgSettings.contact_retention_months).where(
            col(OrgSettings.contact_retention_months).is_not(None)
        )
    ).all():
        if not months:
            continue
        cutoff = months_before(now, months)
        mine = select(LeadRecipient.lead_id).where(LeadRecipient.org_id == org_id)
        recent = select(LeadRecipient.id).where(
            LeadRecipient.lead_id == Lead.id,
            or_(
                col(LeadRecipient.status).in_(OPEN),
                func.coalesce(
                    LeadRecipient.converted_at,
                    LeadRecipient.responded_at,
                    LeadRecipient.updated_at,
                    LeadRecipient.created_at,
                )
                >= cutoff,
            ),
        )
        leads = session.exec(
            select(Lead)
            .where(
                col(Lead.erased_at).is_(None),
                Lead.status == LeadStatus.SUBMITTED,
                or_(Lead.origin_org_id == org_id, col(Lead.id).in_(mine)),
                ~sa.exists(recent.correlate(Lead)),
            )
            .order_by(col(Lead.id))
            .limit(BATCH)
        ).all()
        for lead in leads:
            _strip(session, lead, org_id, months, now)
        stripped += len(leads)
    session.flush()
    return stripped


def _strip(session: Session, lead: Lead, org_id: int, months: int, now: datetime) -> None:
    for key in ("last_name", "email", "phone", "title", "notes"):
        setattr(lead, key, "")
    lead.first_name = ERASED_NAME
    lead.erased_at = now
    lead.updated_at = now
    session.add(lead)
    after = {"stripped": True, "after_months": months}
    for owner in {lead.origin_org_id, org_id}:
        activity.record(
            session, actor=None, subject=lead, action="contact_stripped", org_id=owner, after=after
        )
        changes.touched(session, changes.Topic.LEADS, owner)


__all__ = ["BATCH", "months_before", "strip_batch"]
