"""The provider's decisions on the demo's partner registrations, in the timeline.

The demo writes its deals directly, already approved or rejected: the "approved" or "rejected"
event the deal services write with each decision is added here, dated when it was made (the
deal's approval time; a rejection the day after its registration), so that the scorecard's
"time to decide a deal registration" (services.scorecard.moments) has records to show.
"""

from sqlmodel import col, select

from ..models import Approval, Deal, Membership
from .context import Demo


def create_registration_decisions(demo: Demo) -> None:
    decided = demo.session.exec(
        select(Deal)
        .join(Membership, col(Membership.user_id) == Deal.registered_by_id)
        .where(
            Membership.org_id == Deal.partner_org_id,  # registered by the partner
            col(Deal.approval).in_((Approval.APPROVED, Approval.REJECTED)),
        )
        .order_by(col(Deal.id))
    ).all()
    for deal in decided:
        approved = deal.approval == Approval.APPROVED and deal.approved_at is not None
        at = deal.approved_at if approved else demo.after(deal.created_at, days=1)
        provider = demo.key_of(deal.provider_org_id)
        demo.log(
            demo.actor(provider),
            (provider,),
            deal,
            "approved" if approved else "rejected",
            at=at,
        )
