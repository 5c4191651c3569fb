"""When the clock of each timed scorecard figure starts and stops: the one place that says so.

Each function returns a subquery of one provider's records behind one figure, one row per
record, with
the same columns: `id` (the record's), `provider` and `partner` (the two organizations),
`started` and `ended` (UTC), `rejected` (1 when the decision was a no, else 0) and `link_id`
(the record its page shows: the lead of a lead decision, the deal of a registration or a
commission; NULL for a payout, shown on the commissions page).

- A lead's decision: the provider received a partner's lead (col(LeadRecipient.created_at), direction
  partner to provider) -> it accepted or rejected it (col(LeadRecipient.responded_at)). A lead
  returned unanswered at its deadline was never decided.
- A deal registration's decision: the partner submitted it (col(Deal.created_at)) -> the provider
  first approved or rejected it. The deal keeps only the time of its last approval and none of a
  rejection, so the moment comes from the timeline: the first "approved" or "rejected" event on
  the deal (services.deals.lifecycle writes one with each decision). A deal the provider recorded
  itself was approved when created and has no such event: it was never submitted, not counted.
- A commission's approval: the deal was closed as won (col(Deal.closed_at)) -> the provider approved
  the commission it accrued (the commission_approval transaction's created_at).
- A payout: the partner requested it (col(PayoutRequest.created_at)) -> it was marked paid (paid_at).
"""

from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, col, func

from ...models import (
    ActivityEvent,
    Deal,
    LeadRecipient,
    LedgerKind,
    LedgerTransaction,
    PayoutRequest,
    PayoutStatus,
    RecipientStatus,
)

DEAL_DECISIONS = ("approved", "rejected")  # the deal services' actions that decide a registration


def lead_decisions(provider: int) -> Any:
    """Partners' leads the provider accepted or rejected (see received_leads)."""
    return (
        sa.select(
            col(LeadRecipient.id).label("id"),
            col(LeadRecipient.org_id).label("provider"),
            col(LeadRecipient.origin_org_id).label("partner"),
            col(LeadRecipient.created_at).label("started"),
            col(LeadRecipient.responded_at).label("ended"),
            sa.case((col(LeadRecipient.status) == RecipientStatus.REJECTED, 1), else_=0).label(
                "rejected"
            ),
            col(LeadRecipient.lead_id).label("link_id"),
        )
        .where(
            *received_leads(provider),
            col(LeadRecipient.responded_at).is_not(None),
            col(LeadRecipient.status) != RecipientStatus.RETURNED,
        )
        .subquery("lead_decisions")
    )


def received_leads(provider: int) -> list:
    """Conditions on LeadRecipient: the leads a provider received, all from its partners (a
    provider receives no referral; a lead has recipients once submitted). Read without the
    leads table: the recipient's copy of the sender (origin_org_id) is indexed with it."""
    return [col(LeadRecipient.org_id) == provider]


def registration_decisions(provider: int) -> Any:
    """Deal registrations the provider approved or rejected, at their first decision."""
    first = (
        sa.select(
            col(ActivityEvent.entity_id).label("deal_id"),
            func.min(col(ActivityEvent.id)).label("event_id"),
        )
        .where(
            col(ActivityEvent.org_id) == provider,  # the provider's trail holds its decisions
            col(ActivityEvent.entity_type) == "deal",
            col(ActivityEvent.action).in_(DEAL_DECISIONS),
        )
        .group_by(col(ActivityEvent.entity_id))
        .subquery("first_decisions")
    )
    return (
        sa.select(
            col(Deal.id).label("id"),
            col(Deal.provider_org_id).label("provider"),
            col(Deal.partner_org_id).label("partner"),
            col(Deal.created_at).label("started"),
            col(ActivityEvent.created_at).label("ended"),
            sa.case((col(ActivityEvent.action) == "rejected", 1), else_=0).label("rejected"),
            col(Deal.id).label("link_id"),
        )
        .join(first, first.c.deal_id == col(Deal.id))
        .join(ActivityEvent, col(ActivityEvent.id) == first.c.event_id)
        .where(col(Deal.provider_org_id) == provider)
        .subquery("registration_decisions")
    )


def commission_approvals(provider: int) -> Any:
    """Commissions the provider approved, from their deal's Closed Won."""
    return (
        sa.select(
            col(LedgerTransaction.id).label("id"),
            col(LedgerTransaction.provider_org_id).label("provider"),
            col(LedgerTransaction.partner_org_id).label("partner"),
            col(Deal.closed_at).label("started"),
            col(LedgerTransaction.created_at).label("ended"),
            sa.literal(0).label("rejected"),
            col(Deal.id).label("link_id"),
        )
        .join(Deal, col(Deal.id) == col(LedgerTransaction.deal_id))
        .where(
            col(LedgerTransaction.provider_org_id) == provider,
            col(LedgerTransaction.kind) == LedgerKind.COMMISSION_APPROVAL,
            col(Deal.closed_at).is_not(None),
        )
        .subquery("commission_approvals")
    )


def payouts(provider: int) -> Any:
    """Payout and credit requests the provider paid."""
    return (
        sa.select(
            col(PayoutRequest.id).label("id"),
            col(PayoutRequest.provider_org_id).label("provider"),
            col(PayoutRequest.partner_org_id).label("partner"),
            col(PayoutRequest.created_at).label("started"),
            col(PayoutRequest.paid_at).label("ended"),
            sa.literal(0).label("rejected"),
            sa.null().label("link_id"),
        )
        .where(
            col(PayoutRequest.provider_org_id) == provider,
            col(PayoutRequest.status) == PayoutStatus.PAID,
            col(PayoutRequest.paid_at).is_not(None),
        )
        .subquery("payouts")
    )


def seconds(session: Session, start: Any, end: Any) -> Any:
    """The seconds from `start` to `end`, computed by the database."""
    if session.get_bind().dialect.name == "postgresql":
        return func.extract("epoch", end - start)
    return (func.julianday(end) - func.julianday(start)) * 86400
