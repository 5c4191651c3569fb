"""A provider's partners' figures over a trailing window, a few grouped queries for all of them.

The window is (now - days, now]: a deal won exactly `days` days ago no longer counts.
- won revenue and deals won: the partner's deals closed as won in the window (revenue: those in
  the provider's currency);
- approved registrations: the partner's deals approved in the window;
- leads accepted: the partner's leads the provider accepted in the window (still accepted, or
  since converted or closed as lost);
- certifications: the provider's active certifications ticked on the partner's card.
"""

from collections.abc import Iterable
from datetime import datetime, timedelta
from decimal import Decimal

import sqlalchemy as sa
from sqlmodel import Session, col, select

from ...models import (
    Approval,
    Deal,
    Lead,
    LeadDirection,
    LeadRecipient,
    Outcome,
    PartnerCertification,
    Partnership,
    RecipientStatus,
    TaxonomyTerm,
)
from ..catalog import program
from .criteria import KEYS, Figures

_ACCEPTED = (RecipientStatus.ACCEPTED, RecipientStatus.CONVERTED, RecipientStatus.LOST)


def figures(
    session: Session,
    provider_id: int,
    partner_org_ids: Iterable[int],
    *,
    window_days: int,
    now: datetime,
) -> dict[int, Figures]:
    """Each partner's figures (every key of CRITERIA) over the window ending at `now`."""
    ids = list(partner_org_ids)
    found: dict[int, Figures] = {
        i: {k: Decimal("0.00") if k == "won_revenue" else 0 for k in KEYS} for i in ids
    }
    if not ids:
        return found
    since = now - timedelta(days=window_days)
    currency = program.settings_of(session, provider_id).currency
    deals = sa.and_(col(Deal.provider_org_id) == provider_id, col(Deal.partner_org_id).in_(ids))
    for partner, count, revenue in session.exec(
        select(
            Deal.partner_org_id,
            sa.func.count(),
            sa.func.sum(sa.case((col(Deal.currency) == currency, Deal.amount), else_=0)),
        )
        .where(deals, Deal.outcome == Outcome.WON, col(Deal.closed_at) > since)
        .where(col(Deal.closed_at) <= now)
        .group_by(col(Deal.partner_org_id))
    ):
        found[partner]["deals_won"] = count
        found[partner]["won_revenue"] = Decimal(revenue or 0).quantize(Decimal("0.01"))
    for partner, count in session.exec(
        select(Deal.partner_org_id, sa.func.count())
        .where(deals, Deal.approval == Approval.APPROVED, col(Deal.approved_at) > since)
        .where(col(Deal.approved_at) <= now)
        .group_by(col(Deal.partner_org_id))
    ):
        found[partner]["registrations"] = count
    for partner, count in session.exec(
        select(Lead.origin_org_id, sa.func.count())
        .join(LeadRecipient, col(LeadRecipient.lead_id) == Lead.id)
        .where(
            col(Lead.origin_org_id).in_(ids),
            Lead.direction == LeadDirection.PARTNER_TO_PROVIDER,
            LeadRecipient.org_id == provider_id,
            col(LeadRecipient.status).in_(_ACCEPTED),
            col(LeadRecipient.responded_at) > since,
            col(LeadRecipient.responded_at) <= now,
        )
        .group_by(col(Lead.origin_org_id))
    ):
        found[partner]["leads_accepted"] = count
    for certified, count in session.exec(
        select(Partnership.consultant_org_id, sa.func.count())
        .join(PartnerCertification, col(PartnerCertification.partnership_id) == Partnership.id)
        .join(TaxonomyTerm, col(TaxonomyTerm.id) == PartnerCertification.term_id)
        .where(
            Partnership.provider_org_id == provider_id,
            col(Partnership.consultant_org_id).in_(ids),
            col(TaxonomyTerm.archived_at).is_(None),
        )
        .group_by(col(Partnership.consultant_org_id))
    ):
        if certified is not None:
            found[certified]["certifications"] = count
    return found
