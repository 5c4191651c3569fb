"""Who hears of deals: registrations, decisions, owners, stage moves and protection ending."""

from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlalchemy import update
from sqlmodel import Session, col, select

from ... import routes
from ...models import Approval, Deal, OrgKind, Outcome, ProtectionReminder, utcnow
from ..core import formats
from ..core.actor import Actor
from ..integrations import webhooks
from . import extension_events
from .delivery import (
    deal_links,
    notify,
    notify_organizations,
    or_managers,
    org_name,
    tell_deal_side,
)

REMIND_BEFORE = timedelta(days=7)
LAST_REMINDER = timedelta(days=1)


def _owner_on(deal: Deal, org_id: int) -> int | None:
    return deal.provider_owner_id if org_id == deal.provider_org_id else deal.partner_owner_id


def _other_org(deal: Deal, org_id: int) -> int:
    return deal.partner_org_id if org_id == deal.provider_org_id else deal.provider_org_id


def deal_registered(session: Session, *, actor: Actor, deal: Deal) -> None:
    """The other side of a new deal hears: its owner there, else its managers."""
    webhooks.enqueue(
        session,
        org_ids=[deal.provider_org_id, deal.partner_org_id],
        event="deal.created",
        data=webhooks.deal_data(deal),
    )
    other = _other_org(deal, actor.org_id)
    pending = deal.approval == Approval.PENDING
    text = (
        f"{actor.org_name} registered a deal for your approval: {deal.name}."
        if pending
        else f"{actor.org_name} recorded a deal with you: {deal.name}."
    )
    tell_deal_side(
        session,
        deal=deal,
        org_id=other,
        kind="deal_registered",
        text=text,
        actor=actor,
    )


def deal_decided(session: Session, *, actor: Actor, deal: Deal) -> None:
    """The provider approved or rejected a registration: the partner's owner hears."""
    partner = deal.partner_org_id
    if deal.approval == Approval.APPROVED:
        until = deal.protected_until.date().isoformat() if deal.protected_until else ""
        kind = "deal_approved"
        text = f"{actor.org_name} approved your deal {deal.name}: protected until {until}."
    else:
        kind = "deal_rejected"
        text = f"{actor.org_name} rejected your deal {deal.name}: {deal.rejection_reason}"
    tell_deal_side(
        session,
        deal=deal,
        org_id=partner,
        kind=kind,
        text=text,
        actor=actor,
    )


def deal_conflict_decided(
    session: Session,
    *,
    actor: Actor,
    deal: Deal,
    decision: str,
    reason: str,
    until: datetime,
    held: list[Deal],
) -> None:
    """The provider decided on a registration whose customer other partners' deals (`held`)
    protected until `until` (services.deals.conflicts): each partner hears in its own terms,
    never who the other is. `decision`: keep (this deal rejected), waive (approved without
    protection) or transfer (approved and protected; the held deals' protection ended)."""
    provider, customer = actor.org_name, deal.company
    day = until.date().isoformat()
    if decision == "keep":
        kind = "deal_rejected"
        text = (
            f"{provider} rejected your deal {deal.name}: {customer} is protected for another "
            f"partner until {day}. Reason: {reason}"
        )
    elif decision == "waive":
        kind = "deal_approved"
        text = (
            f"{provider} approved your deal {deal.name} without protection: {customer} is "
            f"protected for another partner until {day}."
        )
    else:
        kind = "deal_approved"
        own = deal.protected_until.date().isoformat() if deal.protected_until else ""
        text = (
            f"{provider} approved your deal {deal.name} and transferred the protection of "
            f"{customer} to you: protected until {own}. Reason: {reason}"
        )
    partner = deal.partner_org_id
    link = deal_links(deal)[partner]
    user_ids = or_managers(session, partner, deal.partner_owner_id)
    notify(session, org_id=partner, user_ids=user_ids, kind=kind, text=text, link=link, actor=actor)
    for other in held:
        ours = f"{other.company} (your deal {other.name})"
        if decision == "keep":
            kind = "deal_protection_kept"
            text = f"{provider} kept your protection of {ours} and rejected another registration."
        elif decision == "waive":
            kind = "deal_protection_kept"
            text = (
                f"{provider} approved another partner's deal for {other.company} without "
                f"protection: your protection of {ours} stands."
            )
        else:
            kind = "deal_protection_transferred"
            text = (
                f"Protection for {ours} was transferred to another partner by {provider}: {reason}"
            )
        notify(
            session,
            org_id=other.partner_org_id,
            user_ids=or_managers(session, other.partner_org_id, other.partner_owner_id),
            kind=kind,
            text=text,
            link=deal_links(other)[other.partner_org_id],
            actor=actor,
        )


def deal_changed(
    session: Session, *, actor: Actor, deal: Deal, lines: list[str], why: str = ""
) -> None:
    """The partner changed an approved deal's amount, close date or products: the provider's
    owner hears (else its managers), asked to approve it again when `why` says it must."""
    provider = deal.provider_org_id
    changes = "; ".join(lines)
    if why:
        kind = "deal_reapproval"
        text = f"{actor.org_name} changed the deal {deal.name}, which needs your approval again: "
        text += f"{why}. {changes}"
    else:
        kind, text = "deal_changed", f"{actor.org_name} changed the approved deal {deal.name}: "
        text += changes
    tell_deal_side(
        session,
        deal=deal,
        org_id=provider,
        kind=kind,
        text=text,
        actor=actor,
    )


def deal_owner_assigned(session: Session, *, actor: Actor, deal: Deal, owner_id: int) -> None:
    notify(
        session,
        org_id=actor.org_id,
        user_ids=[owner_id],
        kind="deal_owner_assigned",
        text=f"{actor.name} gave you the deal {deal.name}.",
        link=deal_links(deal)[actor.org_id],
        actor=actor,
    )


def deal_moved(session: Session, *, actor: Actor, deal: Deal, stage_name: str) -> None:
    """A stage move: Closed Won tells every member of both organizations; otherwise the deal's
    owners on both sides hear (Closed Lost with its reason)."""
    links = deal_links(deal)
    event = {Outcome.WON: "deal.won", Outcome.LOST: "deal.lost"}.get(deal.outcome)
    webhooks.enqueue(
        session,
        org_ids=list(links),
        event=event or "deal.stage_changed",
        data=webhooks.deal_data(deal, stage_name),
    )
    names = {org: org_name(session, org) for org in links}
    if deal.outcome == Outcome.WON:
        amount = formats.money(deal.amount, deal.currency)
        notify_organizations(
            session,
            links=links,
            kind="deal_won",
            text=f"Closed Won: {deal.name} ({amount}), {names[deal.provider_org_id]} with "
            f"{names[deal.partner_org_id]}.",
        )  # every party, the one who closed it included
        return
    if deal.outcome == Outcome.LOST:
        kind, text = "deal_lost", f"Closed Lost: {deal.name} ({deal.lost_reason})."
    else:
        kind, text = "deal_stage_changed", f"{deal.name} moved to {stage_name}."
    for org_id, link in links.items():
        who = actor.name if org_id == actor.org_id else names[actor.org_id]
        notify(
            session,
            org_id=org_id,
            user_ids=[_owner_on(deal, org_id)],
            kind=kind,
            text=f"{text} (by {who})" if kind == "deal_stage_changed" else text,
            link=link,
            actor=actor,
        )


def remind_protection(session: Session, *, now: datetime | None = None) -> int:
    """System job: each approved open deal whose protection ends within REMIND_BEFORE (7 days)
    reminds its partner (owner, else managers), and again within LAST_REMINDER (1 day): each
    threshold once per protection period (an extension starts a new one). The reminder says
    whether the protection can be extended. Returns how many deals were reminded."""
    now = now or utcnow()
    last_day = col(Deal.protected_until) <= now + LAST_REMINDER
    due = session.exec(
        select(Deal)
        .outerjoin(ProtectionReminder, col(ProtectionReminder.deal_id) == Deal.id)
        .where(
            Deal.approval == Approval.APPROVED,
            Deal.outcome == Outcome.OPEN,
            col(Deal.protected_until) > now,
            col(Deal.protected_until) <= now + REMIND_BEFORE,
            sa.or_(
                col(ProtectionReminder.deal_id).is_(None),
                col(ProtectionReminder.protected_until) != Deal.protected_until,
                sa.and_(last_day, col(ProtectionReminder.days_before) > LAST_REMINDER.days),
            ),
        )
        .order_by(col(Deal.id))
        .limit(500)
        .with_for_update(of=Deal, skip_locked=True)  # another worker reminds those
    ).all()
    reminded = 0
    for deal in due:
        days_before = _threshold(deal, now)
        if not _claim_reminder(session, deal, now, days_before):
            continue
        reminded += 1
        provider = org_name(session, deal.provider_org_id)
        until = deal.protected_until.date().isoformat()
        outlook = extension_events.extension_outlook(session, deal, provider)
        notify(
            session,
            org_id=deal.partner_org_id,
            user_ids=or_managers(session, deal.partner_org_id, deal.partner_owner_id),
            kind="protection_expiring",
            text=f"Your protection of {deal.company} with {provider} ends on {until} "
            f"(deal {deal.name}). {outlook}",
            link=routes.deal_page(OrgKind.CONSULTANT, deal.id),
        )
    session.flush()
    return reminded


def _threshold(deal: Deal, now: datetime) -> int:
    """The reminder due now: LAST_REMINDER's days within it, else REMIND_BEFORE's."""
    if deal.protected_until is not None and deal.protected_until <= now + LAST_REMINDER:
        return LAST_REMINDER.days
    return REMIND_BEFORE.days


def _claim_reminder(session: Session, deal: Deal, now: datetime, days_before: int) -> bool:
    """Record that this protection period is reminded at `days_before`; False if another run
    already did."""
    reminder = session.get(ProtectionReminder, deal.id)
    if reminder is None:
        try:
            with session.begin_nested():
                session.add(
                    ProtectionReminder(
                        deal_id=deal.id,
                        protected_until=deal.protected_until,
                        reminded_at=now,
                        days_before=days_before,
                    )
                )
        except sa.exc.IntegrityError:
            return False
        return True
    result = session.execute(
        update(ProtectionReminder)
        .where(
            col(ProtectionReminder.deal_id) == deal.id,
            col(ProtectionReminder.protected_until) == reminder.protected_until,
            col(ProtectionReminder.days_before) == reminder.days_before,
        )
        .values(protected_until=deal.protected_until, reminded_at=now, days_before=days_before)
        .execution_options(synchronize_session=False)
    )
    return result.rowcount == 1
