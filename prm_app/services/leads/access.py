"""Loading leads for the acting user: who may see and act on which lead, and to whom it may go."""

from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, col, func, select

from ...models import (
    Lead,
    LeadDirection,
    LeadRecipient,
    LeadStatus,
    Membership,
    Organization,
    OrgKind,
    Partnership,
    PartnershipStatus,
    RecipientStatus,
    User,
)
from ..core import changes, inputs
from ..core.actor import Actor
from ..core.errors import Invalid, NotAllowed, NotFound
from ..identity import team

MAX_RECIPIENTS = 20
NOT_VISIBLE = "That lead does not exist or is not visible to you."
ORG_NOT_VISIBLE = "That organization does not exist or is not visible to you."
ONLY_MANAGER_GIVES = "Only a manager can give a lead to someone else."
ONLY_OWN = "Only its owner or a manager of your organization can do that."

Status = RecipientStatus
OPEN = (Status.PENDING, Status.OPENED)
CLOSED = {
    Status.ACCEPTED: "This lead was already accepted.",
    Status.REJECTED: "This lead was rejected.",
    Status.CONVERTED: "This lead was already converted into a deal.",
    Status.LOST: "This lead was closed as lost.",
    Status.RETURNED: "This referral was returned: it was not accepted in time.",
    Status.PENDING: "This lead has not been accepted yet.",
    Status.OPENED: "This lead has not been accepted yet.",
}


def touched(session: Session, lead: Lead, *recipients: LeadRecipient) -> None:
    """Note a change of the lead for the open views of its origin and of these recipients
    (the other recipients see only their own row, unchanged)."""
    changes.touched(
        session, changes.Topic.LEADS, lead.origin_org_id, *(r.org_id for r in recipients)
    )


def direction_of(actor: Actor) -> LeadDirection:
    if actor.org_kind == OrgKind.CONSULTANT:
        return LeadDirection.PARTNER_TO_PROVIDER
    if actor.org_kind == OrgKind.PROVIDER:
        return LeadDirection.PROVIDER_TO_PARTNER
    raise NotAllowed("Your organization cannot send leads.")


def own_lead(session: Session, actor: Actor, lead_id: object) -> Lead:
    """A lead of the actor's organization, locked; a member's only when they own it."""
    lead_id = inputs.record_id(lead_id, what="lead")
    lead = session.exec(
        select(Lead).where(Lead.id == lead_id, Lead.origin_org_id == actor.org_id).with_for_update()
    ).first()
    if lead is None:
        raise NotFound(NOT_VISIBLE)
    if not (actor.sees_all or lead.owner_id == actor.user_id):
        raise NotAllowed(ONLY_OWN)
    return lead


def received(session: Session, actor: Actor, recipient_id: object) -> tuple[LeadRecipient, Lead]:
    """A recipient row of the actor's organization and its lead, locked.

    A member acts only on the rows they are assigned.
    """
    recipient_id = inputs.record_id(recipient_id, what="lead")
    row = session.exec(
        select(LeadRecipient, Lead)
        .join(Lead, col(Lead.id) == LeadRecipient.lead_id)
        .where(LeadRecipient.id == recipient_id, LeadRecipient.org_id == actor.org_id)
        .with_for_update(of=LeadRecipient)
    ).first()
    if row is None:
        raise NotFound(NOT_VISIBLE)
    recipient, lead = row
    if not (actor.sees_all or recipient.owner_id == actor.user_id):
        raise NotAllowed("Only the person it is assigned to or a manager can do that.")
    return recipient, lead


def either_side(
    session: Session, actor: Actor, recipient_id: object
) -> tuple[LeadRecipient, Lead, str]:
    """A recipient row seen from its receiving organization or its lead's origin, locked."""
    recipient_id = inputs.record_id(recipient_id, what="lead")
    row = session.exec(
        select(LeadRecipient, Lead)
        .join(Lead, col(Lead.id) == LeadRecipient.lead_id)
        .where(
            LeadRecipient.id == recipient_id,
            sa.or_(LeadRecipient.org_id == actor.org_id, Lead.origin_org_id == actor.org_id),
        )
        .with_for_update(of=LeadRecipient)
    ).first()
    if row is None:
        raise NotFound(NOT_VISIBLE)
    recipient, lead = row
    if recipient.org_id == actor.org_id:
        if not (actor.sees_all or recipient.owner_id == actor.user_id):
            raise NotAllowed("Only the person it is assigned to or a manager can do that.")
        return recipient, lead, "recipient"
    if not (actor.sees_all or lead.owner_id == actor.user_id):
        raise NotAllowed(ONLY_OWN)
    return recipient, lead, "origin"


def owner_of(session: Session, actor: Actor, owner_id: object) -> int:
    """An active member of the actor's organization; members may only name themselves."""
    owner_id = inputs.record_id(owner_id, what="person")
    if not actor.sees_all and owner_id != actor.user_id:
        raise NotAllowed(ONLY_MANAGER_GIVES)
    return team.active_member(session, org_id=actor.org_id, user_id=owner_id, field="owner_id")


def require_draft(lead: Lead) -> None:
    if lead.status != LeadStatus.DRAFT:
        raise Invalid("This lead was already submitted: it can no longer be changed.")


def require_new_recipients(session: Session, lead: Lead, org_ids: list[int]) -> None:
    """None of the organizations has received this lead before."""
    already = session.exec(
        select(Organization.name)
        .join(LeadRecipient, col(LeadRecipient.org_id) == Organization.id)
        .where(LeadRecipient.lead_id == lead.id, col(LeadRecipient.org_id).in_(org_ids))
        .order_by(func.lower(Organization.name))
    ).first()
    if already is not None:
        raise Invalid(f"It was already sent to {already}.", field="recipient_org_ids")


def require_open(recipient: LeadRecipient) -> None:
    if recipient.status not in OPEN:
        raise Invalid(CLOSED[recipient.status])


def recipient_ids(value: object) -> list[int]:
    """1..20 distinct organization ids."""
    if not isinstance(value, list | tuple):
        raise Invalid("Choose at least one organization to send it to.", field="recipient_org_ids")
    if not 1 <= len(value) <= MAX_RECIPIENTS:
        raise Invalid(
            f"Choose from 1 to {MAX_RECIPIENTS} organizations to send it to.",
            field="recipient_org_ids",
        )
    ids = [inputs.record_id(v, what="organization") for v in value]
    if len(set(ids)) != len(ids):
        raise Invalid("Each organization can be chosen only once.", field="recipient_org_ids")
    return ids


def members(org_id: int) -> Any:
    """Query of the organization's people: (id, lower-cased email, name, user active, member
    active)."""
    return (
        select(User.id, func.lower(User.email), User.name, User.is_active, Membership.is_active)
        .join(Membership, col(Membership.user_id) == User.id)
        .where(Membership.org_id == org_id)
    )


def partners(actor: Actor, org_ids: list[int] | None = None) -> Any:
    """Query of the organizations the actor's is partnered with (or those of `org_ids`): (id,
    name, partnership status, categorized by a consultant), as recipient_refusal takes them."""
    own, other = (
        (Partnership.consultant_org_id, Partnership.provider_org_id)
        if actor.org_kind == OrgKind.CONSULTANT
        else (Partnership.provider_org_id, Partnership.consultant_org_id)
    )
    query = (
        select(
            other,
            Organization.name,
            Partnership.status,
            col(Partnership.categorized_at).is_not(None),
        )
        .join(Organization, col(Organization.id) == other)
        .where(own == actor.org_id)
    )
    return query if org_ids is None else query.where(col(other).in_(org_ids))


def require_eligible(session: Session, actor: Actor, org_ids: list[int]) -> None:
    """Every organization is an eligible recipient; names the first that is not."""
    is_consultant = actor.org_kind == OrgKind.CONSULTANT
    rows = {
        org_id: (name, status, categorized)
        for org_id, name, status, categorized in session.exec(partners(actor, org_ids))
    }
    for org_id in org_ids:
        if org_id not in rows:
            raise NotFound(ORG_NOT_VISIBLE)
        name, status, categorized = rows[org_id]
        if refusal := recipient_refusal(name, status, categorized, consultant=is_consultant):
            raise Invalid(refusal, field="recipient_org_ids")


def recipient_refusal(name: str, status: str, categorized: bool, *, consultant: bool) -> str | None:
    """Why an organization the actor is partnered with cannot receive its leads (None: it can).

    A provider sends referrals to its active partners; a consultant submits to active providers
    it has categorized.
    """
    if status != PartnershipStatus.ACTIVE:
        return f"{name} is not an active partner: the lead cannot be sent there."
    if consultant and not categorized:
        return f"{name} cannot receive your leads yet: categorize it under My providers first."
    return None


def require_partnership(session: Session, lead: Lead, recipient: LeadRecipient) -> None:
    """The two organizations are still active partners."""
    provider_id = provider_of(lead, recipient)
    partner_id = recipient.org_id if provider_id == lead.origin_org_id else lead.origin_org_id
    found = session.exec(
        select(Partnership.id).where(
            Partnership.provider_org_id == provider_id,
            Partnership.consultant_org_id == partner_id,
            Partnership.status == PartnershipStatus.ACTIVE,
        )
    ).first()
    if found is None:
        raise Invalid("This partnership has ended: the lead can no longer be worked.")


def provider_of(lead: Lead, recipient: LeadRecipient) -> int:
    """The provider organization of a lead's recipient row."""
    if lead.direction == LeadDirection.PROVIDER_TO_PARTNER:
        return lead.origin_org_id
    return recipient.org_id
