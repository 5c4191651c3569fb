"""Who hears of partner invitations, leads and referrals, imports and payouts."""

from collections.abc import Iterable

from sqlmodel import Session, col, select

from ... import routes
from ...models import (
    ImportBatch,
    ImportKind,
    Lead,
    LeadDirection,
    LeadRecipient,
    OrgKind,
    Partnership,
)
from ..core.actor import Actor
from ..integrations import mail, webhooks
from .delivery import lead_link, lead_word, members, notify, or_managers, org_name


def invitation_sent(session: Session, *, actor: Actor, partnership: Partnership) -> None:
    """A provider invited a firm that has an account: its managers and admins may answer."""
    if partnership.consultant_org_id is None:
        return
    notify(
        session,
        org_id=partnership.consultant_org_id,
        user_ids=members(session, partnership.consultant_org_id, managers=True),
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
        user_ids=or_managers(session, partnership.provider_org_id, partnership.invited_by_id),
        kind="invitation_accepted" if accepted else "invitation_rejected",
        text=f"{actor.org_name} {verb} your invitation to your partner program.",
        link=routes.Provider.PARTNERS,
        actor=actor,
    )


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
        people = set(members(session, recipient.org_id, managers=True))
        people.add(in_charge.get(recipient.org_id))
        notify(
            session,
            org_id=recipient.org_id,
            user_ids=people,
            kind="lead_received",
            text=f"{actor.org_name} sent you a {lead_word(lead)}: {lead.company}.",
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
        text=f"{actor.name} gave you the {lead_word(lead)} {lead.company}.",
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
            user_ids=or_managers(session, recipient.org_id, recipient.owner_id),
            kind=kind,
            text=f"{actor.org_name} converted the {lead_word(lead)} {lead.company} into a deal.",
            link=lead_link(lead, origin=False),
            actor=actor,
        )
        return
    text = template.format(word=lead_word(lead), company=lead.company, reason=recipient.reason)
    notify(
        session,
        org_id=lead.origin_org_id,
        user_ids=or_managers(session, lead.origin_org_id, lead.owner_id),
        kind=kind,
        text=f"{actor.org_name} {text}",
        link=lead_link(lead, origin=True),
        actor=actor,
    )


def lead_returned(session: Session, *, lead: Lead, recipient: LeadRecipient) -> None:
    """A referral came back unanswered after its deadline: both sides hear."""
    partner = org_name(session, recipient.org_id)
    notify(
        session,
        org_id=lead.origin_org_id,
        user_ids=or_managers(session, lead.origin_org_id, lead.owner_id),
        kind="lead_returned",
        text=f"Your {lead_word(lead)} {lead.company} came back: {partner} did not accept it in time.",
        link=lead_link(lead, origin=True),
    )
    notify(
        session,
        org_id=recipient.org_id,
        user_ids=or_managers(session, recipient.org_id, recipient.owner_id),
        kind="lead_returned",
        text=f"The {lead_word(lead)} {lead.company} was returned to "
        f"{org_name(session, lead.origin_org_id)}: it was not accepted in time.",
        link=lead_link(lead, origin=False),
    )


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
            user_ids=members(session, org_id, managers=True),
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
