"""Notifications: who hears of what, in the portal and by email, and each person's inbox.

Every notification is written in the transaction of the change it reports, for people of one
organization, with a link to the record in that organization's portal, and only for active
members of it (so nothing reaches another organization by mistake). Each person chooses per
category how they hear of it (CHANNELS: off, in the portal, in the portal and by email); email
goes through the outbox (services.integrations.mail). The actor is never told of their own change.

The event functions below (lead_sent, deal_moved, ...) decide the recipients; services call
them, never `notify` with people of their own choosing.
"""

from collections.abc import Iterable

import sqlalchemy as sa
from sqlmodel import Session, col, select

from ... import routes
from ...models import (
    Channel,
    Deal,
    Lead,
    LeadDirection,
    Membership,
    Notification,
    NotificationPreference,
    Organization,
    OrgKind,
    Role,
    User,
)
from ..core import changes
from ..core.actor import Actor
from ..integrations import mail

# Categories a person sets a channel for, in the order the preferences show them.
CATEGORIES: dict[str, str] = {
    "invitations": "Partner invitations",
    "leads": "Leads and referrals",
    "deals": "Deals",
    "protection": "Customer protection reminders",
    "imports": "CSV imports",
    "payouts": "Payouts",
    "tiers": "Partner tiers",
    "mdf": "Market development funds",
    "privacy": "Personal-data requests",
}


CHANNELS: dict[str, str] = {
    Channel.EMAIL: "In the portal and by email",
    Channel.IN_APP: "In the portal only",
    Channel.OFF: "Off",
}


DEFAULT_CHANNEL = Channel.EMAIL


# Every kind of notification and its category.
KINDS: dict[str, str] = {
    "invitation_received": "invitations",
    "invitation_accepted": "invitations",
    "invitation_rejected": "invitations",
    "application_received": "invitations",  # services.program: a confirmed application
    "locator_contact": "leads",  # services.program: a visitor contacted a partner
    "lead_received": "leads",
    "lead_assigned": "leads",
    "lead_accepted": "leads",
    "lead_rejected": "leads",
    "lead_converted": "leads",
    "lead_lost": "leads",
    "lead_returned": "leads",
    "deal_registered": "deals",
    "deal_approved": "deals",
    "deal_rejected": "deals",
    "deal_protection_kept": "deals",
    "deal_protection_transferred": "deals",
    "deal_changed": "deals",
    "deal_reapproval": "deals",
    "deal_owner_assigned": "deals",
    "deal_stage_changed": "deals",
    "deal_won": "deals",
    "deal_lost": "deals",
    # Extensions of a deal's protection (services.deals.extensions).
    "deal_extension_requested": "deals",
    "deal_extension_approved": "deals",
    "deal_extension_declined": "deals",
    "deal_withdrawn": "deals",
    "deal_resubmitted": "deals",
    "protection_expiring": "protection",
    "import_finished": "imports",
    "payout_requested": "payouts",  # the payouts issue plugs in here
    "payout_paid": "payouts",
    "tier_changed": "tiers",  # services.tiers
    # Market development funds (services.mdf.events).
    "mdf_allocated": "mdf",
    "mdf_requested": "mdf",
    "mdf_request_decided": "mdf",
    "mdf_claimed": "mdf",
    "mdf_claim_decided": "mdf",
    "mdf_expired": "mdf",
    "erasure_requested": "privacy",  # services.privacy: another organization erased a person
    "erasure_decided": "privacy",
}


def sentence(text: str) -> str:
    """A notification's text ends with one full stop, even when the name or reason it ends
    with has its own ("Litware Inc." + "." is not "Litware Inc..")."""
    if text.endswith("..") and not text.endswith("..."):
        return text[:-1]
    if text.endswith("...."):
        return text[:-1]
    return text


def notify(
    session: Session,
    *,
    org_id: int,
    user_ids: Iterable[int | None],
    kind: str,
    text: str,
    link: str,
    actor: Actor | None = None,
) -> list[int]:
    """Notify these people of the organization (active members only, never the actor) as each
    of them chose for the kind's category; returns who was notified."""
    category = KINDS[kind]
    wanted = {u for u in user_ids if isinstance(u, int)}
    if actor is not None:
        wanted.discard(actor.user_id)
    if not wanted:
        return []
    rows = session.exec(
        select(User.id, User.email, User.name, NotificationPreference.channel)
        .join(Membership, col(Membership.user_id) == User.id)
        .outerjoin(
            NotificationPreference,
            sa.and_(
                col(NotificationPreference.user_id) == User.id,
                NotificationPreference.category == category,
            ),
        )
        .where(
            Membership.org_id == org_id,
            col(Membership.user_id).in_(wanted),
            col(Membership.is_active).is_(True),
            col(User.is_active).is_(True),
        )
        .order_by(col(User.id))
    ).all()
    text = sentence(text)[:500]
    notified = []
    for user_id, email, name, channel in rows:
        channel = channel or DEFAULT_CHANNEL
        if channel == Channel.OFF:
            continue
        session.add(Notification(user_id=user_id, org_id=org_id, kind=kind, text=text, link=link))
        notified.append(user_id)
        if channel == Channel.EMAIL:
            mail.enqueue(session, to=email, subject=text, body=_body(name, text, link))
    changes.users_notified(session, *notified)
    return notified


def notify_organizations(
    session: Session, *, links: dict[int, str], kind: str, text: str, actor: Actor | None = None
) -> int:
    """Notify every active member of these organizations (ids to the record's link in each
    organization's portal); returns how many people were notified."""
    total = 0
    for org_id, link in links.items():
        total += len(
            notify(
                session,
                org_id=org_id,
                user_ids=members(session, org_id),
                kind=kind,
                text=text,
                link=link,
                actor=actor,
            )
        )
    return total


def _body(name: str, text: str, link: str) -> str:
    base = mail.base_url()
    return (
        f"Hello {name},\n\n{text}\n\nOpen it in the portal: {base}{link}\n\n"
        f"-- \nYou get this email because of your notification settings: "
        f"{base}{routes.NOTIFICATIONS}\n"
    )


def members(session: Session, org_id: int, *, managers: bool = False) -> list[int]:
    query = select(Membership.user_id).where(
        Membership.org_id == org_id, col(Membership.is_active).is_(True)
    )
    if managers:
        query = query.where(col(Membership.role).in_((Role.ADMIN, Role.MANAGER)))
    return list(session.exec(query).all())


def or_managers(session: Session, org_id: int, user_id: int | None) -> list[int]:
    """The person in charge, or the organization's managers and admins when there is none
    (or they are no longer an active member)."""
    if user_id is not None and user_id in members(session, org_id):
        return [user_id]
    return members(session, org_id, managers=True)


def org_name(session: Session, org_id: int) -> str:
    return session.exec(select(Organization.name).where(Organization.id == org_id)).one()


def lead_link(lead: Lead, *, origin: bool) -> str:
    """A lead's page in the portal of its origin (origin=True) or of a recipient."""
    if lead.direction == LeadDirection.PARTNER_TO_PROVIDER:
        base = routes.Consultant.LEADS if origin else routes.Provider.LEADS
    else:
        base = routes.Provider.REFERRALS if origin else routes.Consultant.REFERRALS
    return f"{base}/{lead.id}"


def deal_links(deal: Deal) -> dict[int, str]:
    return {
        deal.provider_org_id: routes.deal_page(OrgKind.PROVIDER, deal.id),
        deal.partner_org_id: routes.deal_page(OrgKind.CONSULTANT, deal.id),
    }


def tell_deal_side(
    session: Session,
    *,
    deal: Deal,
    org_id: int,
    kind: str,
    text: str,
    actor: Actor,
    owner_id: int | None = None,
) -> None:
    """Tell one side of a deal: its owner there (`owner_id`, else the deal's), else that side's
    managers; the link opens the deal in that side's portal."""
    if owner_id is None:
        owner_id = (
            deal.provider_owner_id if org_id == deal.provider_org_id else deal.partner_owner_id
        )
    notify(
        session,
        org_id=org_id,
        user_ids=or_managers(session, org_id, owner_id),
        kind=kind,
        text=text,
        link=deal_links(deal)[org_id],
        actor=actor,
    )


def lead_word(lead: Lead) -> str:
    return "lead" if lead.direction == LeadDirection.PARTNER_TO_PROVIDER else "referral"
