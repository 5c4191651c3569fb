"""Who hears of extensions of a deal's protection (services.deals.extensions), and what the
protection reminders say about extending it."""

from sqlmodel import Session, col, func, select

from ...models import Deal, ExtensionStatus, ProtectionExtension
from ..catalog import extension_rules, program
from ..core.actor import Actor
from ..integrations import webhooks
from .delivery import tell_deal_side


def _data(deal: Deal, extension: dict) -> dict:
    return {**webhooks.deal_data(deal), "extension": extension}


def extension_requested(session: Session, *, actor: Actor, deal: Deal, extension: dict) -> None:
    """The partner asked: the provider's owner of the deal hears (else its managers)."""
    webhooks.enqueue(
        session,
        org_ids=[deal.provider_org_id, deal.partner_org_id],
        event="deal.extension_requested",
        data=_data(deal, extension),
    )
    provider = deal.provider_org_id
    tell_deal_side(
        session,
        deal=deal,
        org_id=provider,
        kind="deal_extension_requested",
        text=f"{actor.org_name} asks to extend the protection of {deal.company} "
        f"(deal {deal.name}) by {extension['days']} days: {extension['reason']}",
        actor=actor,
    )


def extension_decided(session: Session, *, actor: Actor, deal: Deal, extension: dict) -> None:
    """The provider approved or declined: the partner's owner of the deal hears (else its
    managers)."""
    approved = extension["status"] == ExtensionStatus.APPROVED
    webhooks.enqueue(
        session,
        org_ids=[deal.provider_org_id, deal.partner_org_id],
        event="deal.extension_approved" if approved else "deal.extension_declined",
        data=_data(deal, extension),
    )
    if approved:
        kind = "deal_extension_approved"
        text = (
            f"{actor.org_name} extended your protection of {deal.company} (deal {deal.name}) "
            f"until {(extension['new_until'] or '')[:10]}."
        )
    else:
        kind = "deal_extension_declined"
        text = (
            f"{actor.org_name} declined to extend your protection of {deal.company} "
            f"(deal {deal.name}): {extension['decision_reason']}"
        )
    partner = deal.partner_org_id
    tell_deal_side(
        session,
        deal=deal,
        org_id=partner,
        kind=kind,
        text=text,
        actor=actor,
    )


def extension_outlook(session: Session, deal: Deal, provider_name: str) -> str:
    """What a protection reminder says about extending it."""
    found = dict(
        session.exec(
            select(ProtectionExtension.status, func.count())
            .where(ProtectionExtension.deal_id == deal.id)
            .group_by(col(ProtectionExtension.status))
        ).all()
    )
    if found.get(ExtensionStatus.PENDING):
        return f"Your request to extend it is waiting for {provider_name}'s answer."
    settings = program.settings_of(session, deal.provider_org_id)
    approved = found.get(ExtensionStatus.APPROVED, 0)
    if why := extension_rules.closed_because(settings.extension_mode, approved=approved):
        return why
    return (
        f"You can request an extension of up to {settings.extension_max_days} days on the "
        "deal's page."
    )
