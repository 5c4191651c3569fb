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
from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlalchemy import update
from sqlmodel import Session, col, func, select

from ... import routes
from ...models import (
    Approval,
    Channel,
    Deal,
    ImportBatch,
    ImportKind,
    Lead,
    LeadDirection,
    LeadRecipient,
    Membership,
    Notification,
    NotificationPreference,
    Organization,
    OrgKind,
    Outcome,
    Partnership,
    ProtectionReminder,
    Role,
    User,
    utcnow,
)
from ..core import changes, inputs
from ..core.actor import Actor
from ..core.errors import Invalid, NotFound
from ..integrations import mail, webhooks

# Categories a person sets a channel for, in the order the preferences show them.
CATEGORIES: dict[str, str] = {
    "invitations": "Partner invitations",
    "leads": "Leads and referrals",
    "deals": "Deals",
    "protection": "Customer protection reminders",
    "imports": "CSV imports",
    "payouts": "Payouts",
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
    "deal_owner_assigned": "deals",
    "deal_stage_changed": "deals",
    "deal_won": "deals",
    "deal_lost": "deals",
    "protection_expiring": "protection",
    "import_finished": "imports",
    "payout_requested": "payouts",  # the payouts issue plugs in here
    "payout_paid": "payouts",
}
PAGE_SIZE = 20
BELL_MAX = 99  # the bell shows "99+" beyond
REMIND_BEFORE = timedelta(days=7)
NOT_VISIBLE = "That notification does not exist or is not yours."


@dataclass(frozen=True, slots=True)
class Item:
    id: int
    kind: str
    text: str
    link: str
    read: bool
    created_at: datetime


# the core ---------------------------------------------------------------------------------------


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
    text = text[:500]
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
                user_ids=_members(session, org_id),
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


def _members(session: Session, org_id: int, *, managers: bool = False) -> list[int]:
    query = select(Membership.user_id).where(
        Membership.org_id == org_id, col(Membership.is_active).is_(True)
    )
    if managers:
        query = query.where(col(Membership.role).in_((Role.ADMIN, Role.MANAGER)))
    return list(session.exec(query).all())


def _or_managers(session: Session, org_id: int, user_id: int | None) -> list[int]:
    """The person in charge, or the organization's managers and admins when there is none
    (or they are no longer an active member)."""
    if user_id is not None and user_id in _members(session, org_id):
        return [user_id]
    return _members(session, org_id, managers=True)


def _org_name(session: Session, org_id: int) -> str:
    return session.exec(select(Organization.name).where(Organization.id == org_id)).one()


# links ------------------------------------------------------------------------------------------


def lead_link(lead: Lead, *, origin: bool) -> str:
    """A lead's page in the portal of its origin (origin=True) or of a recipient."""
    if lead.direction == LeadDirection.PARTNER_TO_PROVIDER:
        base = routes.Consultant.LEADS if origin else routes.Provider.LEADS
    else:
        base = routes.Provider.REFERRALS if origin else routes.Consultant.REFERRALS
    return f"{base}/{lead.id}"


def _deal_links(deal: Deal) -> dict[int, str]:
    return {
        deal.provider_org_id: routes.deal_page(OrgKind.PROVIDER, deal.id),
        deal.partner_org_id: routes.deal_page(OrgKind.CONSULTANT, deal.id),
    }


def _word(lead: Lead) -> str:
    return "lead" if lead.direction == LeadDirection.PARTNER_TO_PROVIDER else "referral"


# partnerships -----------------------------------------------------------------------------------


def invitation_sent(session: Session, *, actor: Actor, partnership: Partnership) -> None:
    """A provider invited a firm that has an account: its managers and admins may answer."""
    if partnership.consultant_org_id is None:
        return
    notify(
        session,
        org_id=partnership.consultant_org_id,
        user_ids=_members(session, partnership.consultant_org_id, managers=True),
        kind="invitation_received",
        text=f"{actor.org_name} invited you to its partner program.",
        link=routes.Consultant.PROVIDERS,
        actor=actor,
    )


def invitation_by_email(session: Session, *, actor: Actor, email: str, token: str) -> None:
    """A provider invited a firm with no account yet: the invitation goes to the address."""
    link = routes.partner_signup_link(mail.base_url(), token)
    text = f"{actor.org_name} invites your firm to its partner program."
    mail.enqueue(
        session,
        to=email,
        subject=text,
        body=f"Hello,\n\n{text}\n\nCreate your firm's account to accept it: {link}\n\n"
        f"The link works for 14 days.\n",
    )


def invitation_answered(
    session: Session, *, actor: Actor, partnership: Partnership, accepted: bool
) -> None:
    """The firm accepted or declined: whoever invited it hears (else the provider's managers)."""
    verb = "accepted" if accepted else "declined"
    notify(
        session,
        org_id=partnership.provider_org_id,
        user_ids=_or_managers(session, partnership.provider_org_id, partnership.invited_by_id),
        kind="invitation_accepted" if accepted else "invitation_rejected",
        text=f"{actor.org_name} {verb} your invitation to your partner program.",
        link=routes.Provider.PARTNERS,
        actor=actor,
    )


# leads ------------------------------------------------------------------------------------------


def lead_sent(
    session: Session, *, actor: Actor, lead: Lead, recipients: list[LeadRecipient]
) -> None:
    """Each receiving organization's managers hear of a new lead or referral, and so does the
    person the partnership names for it (the provider's partner manager; the consultant's
    assigned user)."""
    consultant_origin = lead.direction == LeadDirection.PARTNER_TO_PROVIDER
    named = Partnership.partner_manager_id if consultant_origin else Partnership.assigned_user_id
    other = Partnership.provider_org_id if consultant_origin else Partnership.consultant_org_id
    own = Partnership.consultant_org_id if consultant_origin else Partnership.provider_org_id
    org_ids = [r.org_id for r in recipients]
    in_charge = dict(
        session.exec(
            select(other, named).where(own == lead.origin_org_id, col(other).in_(org_ids))
        ).all()
    )
    for recipient in recipients:
        people = set(_members(session, recipient.org_id, managers=True))
        people.add(in_charge.get(recipient.org_id))
        notify(
            session,
            org_id=recipient.org_id,
            user_ids=people,
            kind="lead_received",
            text=f"{actor.org_name} sent you a {_word(lead)}: {lead.company}.",
            link=lead_link(lead, origin=False),
            actor=actor,
        )
        data = webhooks.lead_data(lead, [recipient])  # never who else received it
        webhooks.enqueue(session, org_ids=[recipient.org_id], event="lead.submitted", data=data)
    data = webhooks.lead_data(lead, recipients)
    webhooks.enqueue(session, org_ids=[lead.origin_org_id], event="lead.submitted", data=data)


def lead_assigned(
    session: Session, *, actor: Actor, lead: Lead, owner_id: int, origin: bool
) -> None:
    """Someone was given a lead or referral by a colleague."""
    notify(
        session,
        org_id=actor.org_id,
        user_ids=[owner_id],
        kind="lead_assigned",
        text=f"{actor.name} gave you the {_word(lead)} {lead.company}.",
        link=lead_link(lead, origin=origin),
        actor=actor,
    )


_ANSWERS = {
    "accepted": ("lead_accepted", "accepted your {word} {company}."),
    "rejected": ("lead_rejected", "rejected your {word} {company}: {reason}"),
    "lost": ("lead_lost", "closed your {word} {company} as lost: {reason}"),
    "converted": ("lead_converted", "converted your {word} {company} into a deal."),
}


def lead_answered(
    session: Session, *, actor: Actor, lead: Lead, recipient: LeadRecipient, action: str
) -> None:
    """A recipient accepted, rejected, lost or converted a lead: its owner at the origin hears
    (a conversion by the origin side tells the recipient's owner instead)."""
    kind, template = _ANSWERS[action]
    webhooks.enqueue(
        session,
        org_ids=[lead.origin_org_id, recipient.org_id],
        event=f"lead.{action}",
        data=webhooks.lead_data(lead, [recipient]),
    )
    if actor.org_id == lead.origin_org_id:  # the origin converted it
        notify(
            session,
            org_id=recipient.org_id,
            user_ids=_or_managers(session, recipient.org_id, recipient.owner_id),
            kind=kind,
            text=f"{actor.org_name} converted the {_word(lead)} {lead.company} into a deal.",
            link=lead_link(lead, origin=False),
            actor=actor,
        )
        return
    text = template.format(word=_word(lead), company=lead.company, reason=recipient.reason)
    notify(
        session,
        org_id=lead.origin_org_id,
        user_ids=_or_managers(session, lead.origin_org_id, lead.owner_id),
        kind=kind,
        text=f"{actor.org_name} {text}",
        link=lead_link(lead, origin=True),
        actor=actor,
    )


def lead_returned(session: Session, *, lead: Lead, recipient: LeadRecipient) -> None:
    """A referral came back unanswered after its deadline: both sides hear."""
    partner = _org_name(session, recipient.org_id)
    notify(
        session,
        org_id=lead.origin_org_id,
        user_ids=_or_managers(session, lead.origin_org_id, lead.owner_id),
        kind="lead_returned",
        text=f"Your {_word(lead)} {lead.company} came back: {partner} did not accept it in time.",
        link=lead_link(lead, origin=True),
    )
    notify(
        session,
        org_id=recipient.org_id,
        user_ids=_or_managers(session, recipient.org_id, recipient.owner_id),
        kind="lead_returned",
        text=f"The {_word(lead)} {lead.company} was returned to "
        f"{_org_name(session, lead.origin_org_id)}: it was not accepted in time.",
        link=lead_link(lead, origin=False),
    )


# deals ------------------------------------------------------------------------------------------


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
    notify(
        session,
        org_id=other,
        user_ids=_or_managers(session, other, _owner_on(deal, other)),
        kind="deal_registered",
        text=text,
        link=_deal_links(deal)[other],
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
    notify(
        session,
        org_id=partner,
        user_ids=_or_managers(session, partner, deal.partner_owner_id),
        kind=kind,
        text=text,
        link=_deal_links(deal)[partner],
        actor=actor,
    )


def deal_owner_assigned(session: Session, *, actor: Actor, deal: Deal, owner_id: int) -> None:
    notify(
        session,
        org_id=actor.org_id,
        user_ids=[owner_id],
        kind="deal_owner_assigned",
        text=f"{actor.name} gave you the deal {deal.name}.",
        link=_deal_links(deal)[actor.org_id],
        actor=actor,
    )


def deal_moved(session: Session, *, actor: Actor, deal: Deal, stage_name: str) -> None:
    """A stage move: Closed Won tells every member of both organizations; otherwise the deal's
    owners on both sides hear (Closed Lost with its reason)."""
    links = _deal_links(deal)
    event = {Outcome.WON: "deal.won", Outcome.LOST: "deal.lost"}.get(deal.outcome)
    webhooks.enqueue(
        session,
        org_ids=list(links),
        event=event or "deal.stage_changed",
        data=webhooks.deal_data(deal, stage_name),
    )
    names = {org: _org_name(session, org) for org in links}
    if deal.outcome == Outcome.WON:
        amount = f"{deal.currency} {deal.amount:,.2f}"
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
    """System job: each approved open deal whose protection ends within REMIND_BEFORE reminds
    its partner (owner, else managers) once per protection period; returns how many deals."""
    now = now or utcnow()
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
            ),
        )
        .order_by(col(Deal.id))
        .limit(500)
        .with_for_update(of=Deal, skip_locked=True)  # another worker reminds those
    ).all()
    reminded = 0
    for deal in due:
        if not _claim_reminder(session, deal, now):
            continue
        reminded += 1
        provider = _org_name(session, deal.provider_org_id)
        until = deal.protected_until.date().isoformat()
        notify(
            session,
            org_id=deal.partner_org_id,
            user_ids=_or_managers(session, deal.partner_org_id, deal.partner_owner_id),
            kind="protection_expiring",
            text=f"Your protection of {deal.company} with {provider} ends on {until} "
            f"(deal {deal.name}).",
            link=routes.deal_page(OrgKind.CONSULTANT, deal.id),
        )
    session.flush()
    return reminded


def _claim_reminder(session: Session, deal: Deal, now: datetime) -> bool:
    """Record that this protection period is reminded; False if another run already did."""
    reminder = session.get(ProtectionReminder, deal.id)
    if reminder is None:
        try:
            with session.begin_nested():
                session.add(
                    ProtectionReminder(
                        deal_id=deal.id, protected_until=deal.protected_until, reminded_at=now
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
        )
        .values(protected_until=deal.protected_until, reminded_at=now)
        .execution_options(synchronize_session=False)
    )
    return result.rowcount == 1


# imports and payouts ----------------------------------------------------------------------------


def import_finished(session: Session, *, actor: Actor, batch: ImportBatch) -> None:
    """Whoever started an import hears how it went (by email too, if they chose so: a long
    import may outlive the page)."""
    provider = actor.org_kind == OrgKind.PROVIDER
    link = {
        ImportKind.LEADS: routes.Consultant.LEADS,
        ImportKind.REFERRALS: routes.Provider.REFERRALS,
        ImportKind.DEALS: routes.Provider.DEALS if provider else routes.Consultant.DEALS,
    }.get(batch.kind, routes.home_for(actor.org_kind))
    text = (
        f"Your import of {batch.file_name} finished: {batch.rows_imported} imported, "
        f"{batch.rows_failed} failed."
    )
    notify(
        session,
        org_id=actor.org_id,
        user_ids=[batch.created_by_id],
        kind="import_finished",
        text=text,
        link=link,
    )


def imported_for(
    session: Session, *, actor: Actor, batch: ImportBatch, counts: dict[int, int]
) -> None:
    """An import sent submitted leads, referrals or deals to other organizations (counts: how
    many to each): one summary for each one's managers, not one notification per row."""
    kind = ImportKind(batch.kind)
    noun = {
        ImportKind.LEADS: "leads",
        ImportKind.REFERRALS: "referrals",
        ImportKind.DEALS: "deals",
    }[kind]
    if kind == ImportKind.DEALS:
        event = "deal_registered"
        link = (
            routes.Consultant.DEALS if actor.org_kind == OrgKind.PROVIDER else routes.Provider.DEALS
        )
    else:
        event = "lead_received"
        link = routes.Provider.LEADS if kind == ImportKind.LEADS else routes.Consultant.REFERRALS
    for org_id, count in counts.items():
        if count <= 0:
            continue
        notify(
            session,
            org_id=org_id,
            user_ids=_members(session, org_id, managers=True),
            kind=event,
            text=f"{actor.org_name} sent you {count} {noun} from a file.",
            link=link,
            actor=actor,
        )


def payout_event(
    session: Session,
    *,
    actor: Actor | None,
    org_id: int,
    user_ids: Iterable[int],
    paid: bool,
    text: str,
    link: str,
) -> list[int]:
    """For the payouts feature: a payout was requested (tell the provider's people who approve
    it) or paid (tell the partner who asked)."""
    return notify(
        session,
        org_id=org_id,
        user_ids=user_ids,
        kind="payout_paid" if paid else "payout_requested",
        text=text,
        link=link,
        actor=actor,
    )


# the inbox --------------------------------------------------------------------------------------


def _mine(actor: Actor):
    return sa.and_(Notification.user_id == actor.user_id, Notification.org_id == actor.org_id)


def unread_count(session: Session, *, actor: Actor) -> int:
    return session.exec(
        select(func.count())
        .select_from(Notification)
        .where(_mine(actor), col(Notification.read_at).is_(None))
    ).one()


def inbox(session: Session, *, actor: Actor, page: object = 1, unread_only: bool = False):
    """One page of the caller's notifications, newest first: (items, total)."""
    page = page if isinstance(page, int) and not isinstance(page, bool) and 0 < page < 10**6 else 1
    conditions = [_mine(actor)]
    if unread_only:
        conditions.append(col(Notification.read_at).is_(None))
    total = session.exec(select(func.count()).select_from(Notification).where(*conditions)).one()
    rows = session.exec(
        select(Notification)
        .where(*conditions)
        .order_by(col(Notification.id).desc())
        .offset((page - 1) * PAGE_SIZE)
        .limit(PAGE_SIZE)
    ).all()
    items = [Item(n.id, n.kind, n.text, n.link, n.read_at is not None, n.created_at) for n in rows]
    return items, total


def mark_read(session: Session, *, actor: Actor, notification_id: object) -> str:
    """Mark one of the caller's notifications read; returns its link (NotFound if not theirs)."""
    notification_id = inputs.record_id(notification_id, what="notification")
    notification = session.exec(
        select(Notification).where(Notification.id == notification_id, _mine(actor))
    ).first()
    if notification is None:
        raise NotFound(NOT_VISIBLE)
    if notification.read_at is None:
        notification.read_at = utcnow()
        session.add(notification)
        changes.users_notified(session, actor.user_id)  # the other tabs' bells
    return notification.link if _internal(notification.link) else routes.home_for(actor.org_kind)


def mark_all_read(session: Session, *, actor: Actor) -> int:
    """Mark every unread notification of the caller read; returns how many."""
    result = session.execute(
        update(Notification)
        .where(_mine(actor), col(Notification.read_at).is_(None))
        .values(read_at=utcnow())
        .execution_options(synchronize_session=False)
    )
    if result.rowcount:
        changes.users_notified(session, actor.user_id)
    return result.rowcount


def _internal(link: str) -> bool:
    """A path of this portal (never another site)."""
    return link.startswith("/") and not link.startswith("//") and "\\" not in link


# preferences ------------------------------------------------------------------------------------


def preferences(session: Session, *, actor: Actor) -> dict[str, str]:
    """The caller's channel for every category (the default where they never chose)."""
    chosen = dict(
        session.exec(
            select(NotificationPreference.category, NotificationPreference.channel).where(
                NotificationPreference.user_id == actor.user_id
            )
        ).all()
    )
    return {category: chosen.get(category, DEFAULT_CHANNEL) for category in CATEGORIES}


def set_preference(session: Session, *, actor: Actor, category: object, channel: object) -> None:
    """Choose how the caller hears of one category."""
    if not isinstance(category, str) or category not in CATEGORIES:
        raise Invalid("Choose a category from the list.", field="category")
    if not isinstance(channel, str) or channel not in CHANNELS:
        raise Invalid("Choose how to be notified from the list.", field="channel")
    row = session.get(NotificationPreference, (actor.user_id, category))
    if row is None:
        row = NotificationPreference(user_id=actor.user_id, category=category, channel=channel)
    row.channel, row.updated_at = channel, utcnow()
    session.add(row)
