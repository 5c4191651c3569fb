"""Who hears of a partner's withdrawal or resubmission of a registration (the provider)."""

from sqlmodel import Session

from ...models import Deal
from ..core.actor import Actor
from ..integrations import webhooks
from .delivery import tell_deal_side


def deal_withdrawn(session: Session, *, actor: Actor, deal: Deal) -> None:
    """The partner withdrew a registration: the provider's owner (else its managers) hears,
    with the reason; both organizations' webhooks get `deal.withdrawn`."""
    webhooks.enqueue(
        session,
        org_ids=[deal.provider_org_id, deal.partner_org_id],
        event="deal.withdrawn",
        data={**webhooks.deal_data(deal), "reason": deal.withdrawal_reason},
    )
    provider = deal.provider_org_id
    tell_deal_side(
        session,
        deal=deal,
        org_id=provider,
        kind="deal_withdrawn",
        text=(
            f"{actor.org_name} withdrew its deal {deal.name}; its protection of {deal.company} "
            f"ended. Reason: {deal.withdrawal_reason}"
        ),
        actor=actor,
    )


def deal_resubmitted(session: Session, *, actor: Actor, deal: Deal, earlier: Deal) -> None:
    """The partner resubmitted a rejected or expired registration as `deal`: the provider's
    owner of the earlier one (else its managers) hears; webhooks get `deal.created` and
    `deal.resubmitted`."""
    org_ids = [deal.provider_org_id, deal.partner_org_id]
    data = webhooks.deal_data(deal)
    webhooks.enqueue(session, org_ids=org_ids, event="deal.created", data=data)
    webhooks.enqueue(
        session,
        org_ids=org_ids,
        event="deal.resubmitted",
        data={**data, "resubmitted_from": earlier.id},
    )
    provider = deal.provider_org_id
    tell_deal_side(
        session,
        deal=deal,
        org_id=provider,
        kind="deal_resubmitted",
        text=(
            f"{actor.org_name} resubmitted its {earlier.approval} deal {earlier.name} for "
            f"your approval: {deal.name}."
        ),
        actor=actor,
        owner_id=earlier.provider_owner_id,
    )
