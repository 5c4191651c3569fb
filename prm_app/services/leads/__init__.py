"""Leads in both directions: a consultant's leads to providers, a provider's referrals to partners.

One Lead row (the origin organization's draft, then submitted) and one LeadRecipient per receiving
organization, each an independent decision: pending (opened, for referrals), then accepted or
rejected; an accepted recipient moves through the provider's lead stages and ends converted into
a Deal or lost. Referrals not accepted before their deadline are returned by a system job.

Members act on the leads they own (origin side) or are assigned (receiving side); managers and
admins on all of their organization's. Records of other organizations are NotFound. A referral's
contact details stay hidden from the receiving partner until it is opened.
"""

from dataclasses import dataclass, field, fields, replace
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import aliased
from sqlalchemy.sql import coercions, roles
from sqlalchemy.sql.visitors import InternalTraversal
from sqlmodel import Session, col, func, select

from ...models import (
    Approval,
    Deal,
    Lead,
    LeadDirection,
    LeadRecipient,
    LeadSource,
    LeadStatus,
    Membership,
    Organization,
    OrgKind,
    Outcome,
    Partnership,
    PartnershipStatus,
    Pipeline,
    RecipientStatus,
    Stage,
    TaxonomyTerm,
    TermKind,
    User,
    utcnow,
)
from ...models.pipeline import SEARCH_TABLE
from .. import notifications
from ..catalog import program
from ..core import activity, changes, inputs, listing
from ..core.actor import Actor
from ..core.errors import Invalid, NotAllowed, NotFound
from ..core.listing import Page
from ..customers import customer_keys

MAX_RECIPIENTS = 20
MAX_REASON = 1000
MAX_NOTE = MAX_REASON - 100  # a lost reason's note, after the reason itself
# The deal amount column is NUMERIC(14, 2): twelve digits before the decimal point.
FREE_MAIL_DOMAINS = frozenset(
    {
        "gmail.com",
        "googlemail.com",
        "outlook.com",
        "hotmail.com",
        "live.com",
        "msn.com",
        "yahoo.com",
        "icloud.com",
        "me.com",
        "aol.com",
        "proton.me",
        "protonmail.com",
        "gmx.com",
        "mail.com",
    }
)
SENT_SORTS = ("newest", "oldest", "company", "name")
RECEIVED_SORTS = ("newest", "oldest", "company", "deadline")
NOT_VISIBLE = "That lead does not exist or is not visible to you."
ORG_NOT_VISIBLE = "That organization does not exist or is not visible to you."
ONLY_OWN = "Only its owner or a manager of your organization can do that."

Status = RecipientStatus
_OPEN = (Status.PENDING, Status.OPENED)
_CLOSED = {
    Status.ACCEPTED: "This lead was already accepted.",
    Status.REJECTED: "This lead was rejected.",
    Status.CONVERTED: "This lead was already converted into a deal.",
    Status.LOST: "This lead was closed as lost.",
    Status.RETURNED: "This referral was returned: it was not accepted in time.",
    Status.PENDING: "This lead has not been accepted yet.",
    Status.OPENED: "This lead has not been accepted yet.",
}


@dataclass(frozen=True, slots=True)
class LeadInput:
    first_name: str
    last_name: str
    email: str
    company: str
    phone: str = ""
    title: str = ""
    notes: str = ""


@dataclass(frozen=True, slots=True)
class Conflict:
    """A customer already protected for another partner of the same provider."""

    deal_id: int
    partner_org_id: int
    partner_name: str
    company: str
    protected_until: datetime


@dataclass(frozen=True, slots=True)
class SentRow:
    id: int
    direction: str
    status: str
    first_name: str
    last_name: str
    email: str
    company: str
    owner_id: int
    owner_name: str
    recipients: int
    accepted: int  # recipients that accepted (or went on to convert or be lost)
    created_at: datetime
    submitted_at: datetime | None


@dataclass(frozen=True, slots=True)
class ReceivedRow:
    """A lead as one receiving organization sees it (contact "" while a referral is unopened)."""

    recipient_id: int
    lead_id: int
    direction: str
    status: str
    origin_org_id: int
    origin_org_name: str
    company: str
    first_name: str
    last_name: str
    email: str
    phone: str
    contact_hidden: bool
    stage_id: int | None
    stage_name: str
    owner_id: int | None
    owner_name: str
    deadline_at: datetime | None
    created_at: datetime
    protected_elsewhere: bool = False  # a provider's lead: the customer is another partner's


@dataclass(frozen=True, slots=True)
class RecipientView:
    id: int
    org_id: int
    org_name: str
    status: str
    reason: str
    stage_id: int | None
    stage_name: str
    owner_id: int | None
    owner_name: str
    deadline_at: datetime | None
    opened_at: datetime | None
    responded_at: datetime | None
    converted_at: datetime | None


@dataclass(frozen=True, slots=True)
class LeadDetail:
    id: int
    direction: str
    status: str
    side: str  # "origin" | "recipient"
    origin_org_id: int
    origin_org_name: str
    owner_id: int
    owner_name: str
    company: str
    first_name: str
    last_name: str
    email: str
    phone: str
    title: str
    notes: str
    contact_hidden: bool
    created_at: datetime
    submitted_at: datetime | None
    recipients: list[RecipientView] = field(default_factory=list)


# input -----------------------------------------------------------------------------------------


def lead_input(form: object) -> LeadInput:
    """Validate a lead form (a dict of field name to value) into a LeadInput."""
    if not isinstance(form, dict):
        raise Invalid("The form could not be read: send it again.")
    return LeadInput(
        first_name=inputs.text(
            form.get("first_name"), field="first_name", label="First name", max_len=100
        ),
        last_name=inputs.text(
            form.get("last_name"), field="last_name", label="Last name", max_len=100
        ),
        email=inputs.email(form.get("email")),
        company=inputs.text(form.get("company"), field="company", label="Company", max_len=200),
        phone=inputs.text(
            form.get("phone"), field="phone", label="Phone", max_len=50, required=False
        ),
        title=inputs.text(
            form.get("title"), field="title", label="Title", max_len=150, required=False
        ),
        notes=inputs.text(
            form.get("notes"), field="notes", label="Notes", max_len=5000, required=False
        ),
    )


def _checked_input(data: object) -> LeadInput:
    """A LeadInput re-validated (callers may build one by hand)."""
    if not isinstance(data, LeadInput):
        raise Invalid("The form could not be read: send it again.")
    return lead_input({f.name: getattr(data, f.name) for f in fields(LeadInput)})


# origin side: drafts and submission ------------------------------------------------------------


def save_draft(
    session: Session,
    *,
    actor: Actor,
    data: LeadInput,
    owner_id: object,
    lead_id: object = None,
    source: LeadSource = LeadSource.FORM,
) -> int:
    """Create or update a draft of the actor's organization; returns its id. `source` (how a
    new lead came in) is set by the caller's channel, never by a client."""
    data = _checked_input(data)
    owner_id = _owner(session, actor, owner_id)
    company_norm, email_domain = customer_keys(data.company, data.email)
    values = {
        "first_name": data.first_name,
        "last_name": data.last_name,
        "email": data.email,
        "company": data.company,
        "phone": data.phone,
        "title": data.title,
        "notes": data.notes,
        "company_norm": company_norm[:200],
        "email_domain": email_domain[:254],
        "owner_id": owner_id,
    }
    if lead_id is None or lead_id == "":
        lead = Lead(
            direction=_direction(actor),
            origin_org_id=actor.org_id,
            created_by_id=actor.user_id,
            status=LeadStatus.DRAFT,
            source=source,
            **values,
        )
        session.add(lead)
        session.flush()
        _record_lead(session, actor, lead, "created", None, _lead_state(lead))
        if owner_id != actor.user_id:
            notifications.lead_assigned(
                session, actor=actor, lead=lead, owner_id=owner_id, origin=True
            )
        return lead.id
    lead = _own_lead(session, actor, lead_id)
    _require_draft(lead)
    before = {k: getattr(lead, k) for k, v in values.items() if getattr(lead, k) != v}
    if before:
        for key in before:
            setattr(lead, key, values[key])
        lead.updated_at = utcnow()
        session.add(lead)
        _record_lead(session, actor, lead, "updated", before, {k: values[k] for k in before})
        if "owner_id" in before and owner_id != actor.user_id:
            notifications.lead_assigned(
                session, actor=actor, lead=lead, owner_id=owner_id, origin=True
            )
    return lead.id


def delete_draft(session: Session, *, actor: Actor, lead_id: object) -> None:
    """Delete a draft of the actor's organization (a member: only their own)."""
    lead = _own_lead(session, actor, lead_id)
    _require_draft(lead)
    _record_lead(session, actor, lead, "deleted", _lead_state(lead), None)
    session.delete(lead)
    session.flush()


def submit(
    session: Session, *, actor: Actor, lead_id: object, recipient_org_ids: object
) -> list[int]:
    """Send a draft, or send a submitted lead on to more organizations (1..20 at a time);
    returns the new recipient ids.

    Leads go to providers the consultant may submit to (active, categorized partnership);
    referrals go to the provider's active partners and must be accepted within the provider's
    lead_accept_hours (a returned referral can so be sent to another partner). Customers already
    protected for another partner are recorded: the holder only in the provider's trail, never
    in the consultant's.
    """
    lead = _own_lead(session, actor, lead_id)
    org_ids = _recipient_ids(recipient_org_ids)
    _require_eligible(session, actor, org_ids)
    if lead.status != LeadStatus.DRAFT:
        _require_new_recipients(session, lead, org_ids)
    was = lead.status
    now = utcnow()
    deadline = accept_deadline(session, actor=actor, direction=lead.direction, now=now)
    recipients = [
        LeadRecipient(lead_id=lead.id, org_id=org_id, deadline_at=deadline) for org_id in org_ids
    ]
    session.add_all(recipients)
    if was == LeadStatus.DRAFT:
        lead.status = LeadStatus.SUBMITTED
        lead.submitted_at = now
    lead.updated_at = now
    session.add(lead)
    session.flush()

    if lead.direction == LeadDirection.PARTNER_TO_PROVIDER:
        found = _conflicts(session, org_ids, lead.company_norm, lead.email_domain, actor.org_id)
    else:  # the provider's own customers, held by a partner other than each recipient
        held = _conflicts(session, [actor.org_id], lead.company_norm, lead.email_domain, 0).get(
            actor.org_id, []
        )
        found = {org: [c for c in held if c.partner_org_id != org] for org in org_ids}
    origin_after: dict[str, Any] = {
        "status": lead.status,
        "recipient_org_ids": org_ids,
        "deadline_at": _iso(deadline),
    }
    if lead.direction == LeadDirection.PARTNER_TO_PROVIDER:
        origin_after["protected_at"] = sorted(org for org in org_ids if found.get(org))
    else:
        origin_after["conflicts"] = {
            str(org): [_conflict_state(c) for c in found[org]] for org in org_ids if found[org]
        }
    if was == LeadStatus.DRAFT:
        _record_lead(session, actor, lead, "submitted", {"status": was}, origin_after)
    else:
        _record_lead(session, actor, lead, "sent_to_more", None, origin_after)
    for recipient in recipients:
        after = {"status": recipient.status, "lead_id": lead.id, "origin_org_id": actor.org_id}
        if lead.direction == LeadDirection.PARTNER_TO_PROVIDER and found.get(recipient.org_id):
            after["conflicts"] = [_conflict_state(c) for c in found[recipient.org_id]]
        _record_recipient(session, actor, recipient, "received", None, after)
    notifications.lead_sent(session, actor=actor, lead=lead, recipients=recipients)
    return [r.id for r in recipients]


def accept_deadline(
    session: Session, *, actor: Actor, direction: str, now: datetime
) -> datetime | None:
    """When recipients of a lead sent now must have accepted it: a referral within the
    provider's lead_accept_hours; a consultant's lead has no deadline."""
    if direction != LeadDirection.PROVIDER_TO_PARTNER:
        return None
    return now + timedelta(hours=program.settings_of(session, actor.org_id).lead_accept_hours)


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


def create_and_submit(
    session: Session,
    *,
    actor: Actor,
    data: LeadInput,
    owner_id: object,
    recipient_org_ids: object,
    source: LeadSource = LeadSource.FORM,
) -> tuple[int, list[int]]:
    """Save a new draft and submit it at once: (lead id, recipient ids)."""
    lead_id = save_draft(session, actor=actor, data=data, owner_id=owner_id, source=source)
    return lead_id, submit(
        session, actor=actor, lead_id=lead_id, recipient_org_ids=recipient_org_ids
    )


# receiving side --------------------------------------------------------------------------------


def open_referral(session: Session, *, actor: Actor, recipient_id: object) -> None:
    """A partner opens a referral: its contact details become visible (idempotent)."""
    recipient, lead = _received(session, actor, recipient_id)
    if lead.direction != LeadDirection.PROVIDER_TO_PARTNER:
        raise Invalid("Only referrals are opened: accept or reject this lead.")
    if recipient.opened_at is not None:
        return
    if recipient.status != Status.PENDING:
        raise Invalid(_CLOSED[recipient.status])
    before = _recipient_state(recipient)
    recipient.status = Status.OPENED
    recipient.opened_at = recipient.updated_at = utcnow()
    session.add(recipient)
    _record_recipient(session, actor, recipient, "opened", before, _recipient_state(recipient))


def accept(
    session: Session, *, actor: Actor, recipient_id: object, owner_id: object = None
) -> None:
    """Accept a pending or opened lead: it enters the provider's first lead stage."""
    recipient, lead = _received(session, actor, recipient_id)
    _require_open(recipient)
    now = utcnow()
    if recipient.deadline_at is not None and recipient.deadline_at <= now:
        raise Invalid("The time to accept this referral has passed.")
    if owner_id is None or owner_id == "":
        owner = recipient.owner_id or actor.user_id
    else:
        owner = _owner(session, actor, owner_id)
    _require_partnership(session, lead, recipient)
    before = _recipient_state(recipient)
    recipient.status = Status.ACCEPTED
    recipient.owner_id = owner
    recipient.stage_id = program.first_stage(session, _provider_of(lead, recipient), Pipeline.LEAD)
    recipient.responded_at = recipient.updated_at = now
    if recipient.opened_at is None:
        recipient.opened_at = now  # accepting shows the contact details
    session.add(recipient)
    _record_recipient(session, actor, recipient, "accepted", before, _recipient_state(recipient))
    notifications.lead_answered(
        session, actor=actor, lead=lead, recipient=recipient, action="accepted"
    )
    if owner != actor.user_id:
        notifications.lead_assigned(session, actor=actor, lead=lead, owner_id=owner, origin=False)


def reject(session: Session, *, actor: Actor, recipient_id: object, reason: object) -> None:
    """Reject a pending or opened lead, saying why."""
    reason = _reason(reason)
    recipient, lead = _received(session, actor, recipient_id)
    _require_open(recipient)
    before = _recipient_state(recipient)
    recipient.status = Status.REJECTED
    recipient.reason = reason
    recipient.responded_at = recipient.updated_at = utcnow()
    session.add(recipient)
    _record_recipient(
        session,
        actor,
        recipient,
        "rejected",
        before,
        {**_recipient_state(recipient), "reason": reason},
    )
    notifications.lead_answered(
        session, actor=actor, lead=lead, recipient=recipient, action="rejected"
    )


def move_stage(session: Session, *, actor: Actor, recipient_id: object, stage_id: object) -> None:
    """Move an accepted lead to another active lead stage of the provider."""
    recipient, lead = _received(session, actor, recipient_id)
    stage_id = inputs.record_id(stage_id, what="stage")
    if recipient.status != Status.ACCEPTED:
        raise Invalid(_CLOSED[recipient.status])
    stage = session.exec(
        select(Stage).where(
            Stage.id == stage_id,
            Stage.org_id == _provider_of(lead, recipient),
            Stage.pipeline == Pipeline.LEAD,
        )
    ).first()
    if stage is None:
        raise NotFound("That stage does not exist or is not visible to you.")
    if stage.archived_at is not None:
        raise Invalid(f"{stage.name} is archived: choose another stage.", field="stage_id")
    if stage.id == recipient.stage_id:
        return
    before = {"stage_id": recipient.stage_id}
    recipient.stage_id = stage.id
    recipient.updated_at = utcnow()
    session.add(recipient)
    _record_recipient(session, actor, recipient, "stage_moved", before, {"stage_id": stage.id})


def mark_lost(
    session: Session, *, actor: Actor, recipient_id: object, reason: object, note: object = ""
) -> None:
    """Close an accepted lead as lost, with a reason from the provider's list and a note."""
    recipient, lead = _received(session, actor, recipient_id)
    if recipient.status != Status.ACCEPTED:
        raise Invalid(_CLOSED[recipient.status])
    provider_id = _provider_of(lead, recipient)
    choices = lost_reason_choices(session, provider_org_ids=[provider_id])[provider_id]
    if reason not in choices:
        raise Invalid("Choose a lost reason from the list.", field="reason")
    note = inputs.text(note, field="note", label="Note", max_len=MAX_NOTE, required=False)
    text = f"{reason}: {note}" if note else str(reason)
    before = _recipient_state(recipient)
    recipient.status = Status.LOST
    recipient.reason = text
    recipient.updated_at = utcnow()
    session.add(recipient)
    _record_recipient(
        session, actor, recipient, "lost", before, {**_recipient_state(recipient), "reason": text}
    )
    notifications.lead_answered(session, actor=actor, lead=lead, recipient=recipient, action="lost")


def lost_reason_choices(session: Session, *, provider_org_ids: object) -> dict[int, list[str]]:
    """Each provider's active lost reasons, in its order, in one query (not confidential)."""
    ids = (
        [i for i in provider_org_ids if isinstance(i, int)]
        if isinstance(provider_org_ids, list | set | tuple)
        else []
    )
    found: dict[int, list[str]] = {org_id: [] for org_id in ids}
    rows = session.exec(
        select(TaxonomyTerm.org_id, TaxonomyTerm.name)
        .where(
            col(TaxonomyTerm.org_id).in_(ids),
            TaxonomyTerm.kind == TermKind.LOST_REASON,
            col(TaxonomyTerm.archived_at).is_(None),
        )
        .order_by(col(TaxonomyTerm.org_id), col(TaxonomyTerm.position), col(TaxonomyTerm.id))
    )
    for org_id, name in rows:
        found[org_id].append(name)
    return found


def return_overdue(session: Session, *, now: datetime | None = None) -> int:
    """System job: referrals still pending or opened after their deadline are returned."""
    now = now or utcnow()
    overdue = session.exec(
        select(LeadRecipient)
        .join(Lead, col(Lead.id) == LeadRecipient.lead_id)
        .where(
            Lead.direction == LeadDirection.PROVIDER_TO_PARTNER,
            col(LeadRecipient.status).in_(_OPEN),
            col(LeadRecipient.deadline_at).is_not(None),
            col(LeadRecipient.deadline_at) <= now,
        )
        .order_by(col(LeadRecipient.id))
        .with_for_update(of=LeadRecipient, skip_locked=True)  # another worker has those
    ).all()
    for recipient in overdue:
        before = _recipient_state(recipient)
        recipient.status = Status.RETURNED
        recipient.updated_at = now
        session.add(recipient)
        _record_recipient(session, None, recipient, "returned", before, _recipient_state(recipient))
        notifications.lead_returned(
            session, lead=session.get(Lead, recipient.lead_id), recipient=recipient
        )
    session.flush()
    return len(overdue)


def convert(
    session: Session,
    *,
    actor: Actor,
    recipient_id: object,
    amount: object,
    close_date: object = None,
) -> int:
    """Turn an accepted lead into a deal (either side may); returns the deal id.

    A consultant's lead becomes a deal registration awaiting the provider's approval; a referral
    converted by its provider is approved and protected at once.
    """
    amount = inputs.amount(amount)
    close_date = inputs.day(close_date, field="close_date", label="close date")
    recipient, lead, side = _either_side(session, actor, recipient_id)
    if recipient.status != Status.ACCEPTED:
        raise Invalid(_CLOSED[recipient.status])
    _require_partnership(session, lead, recipient)
    provider_id = _provider_of(lead, recipient)
    is_referral = lead.direction == LeadDirection.PROVIDER_TO_PARTNER
    partner_id = recipient.org_id if is_referral else lead.origin_org_id
    settings = program.settings_of(session, provider_id)
    now = utcnow()
    approved = is_referral and actor.org_id == provider_id
    contact = f"{lead.first_name} {lead.last_name}"
    deal = Deal(
        provider_org_id=provider_id,
        partner_org_id=partner_id,
        source_recipient_id=recipient.id,
        registered_by_id=actor.user_id,
        name=f"{lead.company} \u2013 {contact}"[:200],
        company=lead.company,
        company_norm=lead.company_norm,
        email_domain=lead.email_domain,
        contact_name=contact[:200],
        contact_email=lead.email,
        amount=amount,
        currency=settings.currency,
        close_date=close_date,
        stage_id=program.first_stage(session, provider_id, Pipeline.DEAL),
        approval=Approval.APPROVED if approved else Approval.PENDING,
        provider_owner_id=lead.owner_id if is_referral else recipient.owner_id,
        partner_owner_id=recipient.owner_id if is_referral else lead.owner_id,
        approved_at=now if approved else None,
        protected_until=now + timedelta(days=settings.protection_days) if approved else None,
    )
    session.add(deal)
    session.flush()
    before = _recipient_state(recipient)
    recipient.status = Status.CONVERTED
    recipient.converted_at = recipient.updated_at = now
    session.add(recipient)
    after = {
        **_recipient_state(recipient),
        "deal_id": deal.id,
        "amount": str(amount),
        "approval": deal.approval,
    }
    _record_recipient(session, actor, recipient, "converted", before, after)
    _record_lead(
        session,
        actor,
        lead,
        "converted",
        None,
        {"recipient_id": recipient.id, "deal_id": deal.id, "by": side},
    )
    activity.record(
        session,
        actor=actor,
        org_id=actor.org_id,
        entity_type="deal",
        entity_id=deal.id,
        action="converted",
        after={"lead_id": lead.id, "amount": str(amount), "approval": deal.approval},
    )
    changes.deals_changed(session, deal.provider_org_id, deal.partner_org_id)
    notifications.lead_answered(
        session, actor=actor, lead=lead, recipient=recipient, action="converted"
    )
    return deal.id


# conflicts -------------------------------------------------------------------------------------


def conflicts(
    session: Session,
    *,
    provider_org_id: object,
    company_norm: object,
    email_domain: object,
    exclude_partner_org_id: object,
) -> list[Conflict]:
    """The provider's customers protected for another partner matching the company or domain."""
    provider_org_id = inputs.record_id(provider_org_id, what="organization")
    exclude = inputs.record_id(exclude_partner_org_id, what="organization")
    company_norm = company_norm if isinstance(company_norm, str) else ""
    email_domain = email_domain if isinstance(email_domain, str) else ""
    found = _conflicts(session, [provider_org_id], company_norm, email_domain, exclude)
    return found.get(provider_org_id, [])


def conflicts_for(session: Session, *, actor: Actor, lead_id: object) -> list[Conflict]:
    """For a provider deciding on a lead (or sending a referral): the same customer's deals
    protected for other partners, to compare side by side. A consultant is never told who."""
    seen = detail(session, actor=actor, lead_id=lead_id)
    if actor.org_kind != OrgKind.PROVIDER:
        return []
    lead = session.get(Lead, seen.id)
    exclude = lead.origin_org_id if seen.side == "recipient" else 0
    found = _conflicts(session, [actor.org_id], lead.company_norm, lead.email_domain, exclude)
    return found.get(actor.org_id, [])


def protection_notice(
    session: Session, *, actor: Actor, lead_id: object
) -> list[tuple[str, datetime]]:
    """For the submitting consultant: (provider name, protected until) where the customer is
    already protected for another partner. Never says who holds it."""
    actor.require_kind(OrgKind.CONSULTANT)
    lead = _own_lead(session, actor, lead_id)
    if not (lead.company_norm or _domain_key(lead.email_domain)):
        return []
    now = utcnow()
    rows = session.exec(
        select(Organization.name, func.max(Deal.protected_until))
        .select_from(LeadRecipient)
        .join(Organization, col(Organization.id) == LeadRecipient.org_id)
        .join(Deal, col(Deal.provider_org_id) == LeadRecipient.org_id)
        .where(
            LeadRecipient.lead_id == lead.id,
            *_protected(now, lead.company_norm, lead.email_domain, actor.org_id),
        )
        .group_by(LeadRecipient.org_id, Organization.name)
        .order_by(func.lower(Organization.name))
    ).all()
    return [(name, until) for name, until in rows]


# lists and detail ------------------------------------------------------------------------------


def list_sent(
    session: Session,
    *,
    actor: Actor,
    direction: object = None,
    status: object = None,
    search: object = "",
    owner_id: object = None,
    recipient_org_id: object = None,
    created_from: object = None,
    created_to: object = None,
    page: object = 1,
    page_size: object = 25,
    sort: object = "newest",
) -> Page:
    """The actor's organization's leads (or referrals), one page, with recipient counts.

    Filters: direction, status, owner, an organization it was sent to, the day range it was
    created in (UTC, both ends included) and a search of the contact and company.
    """
    page, page_size = listing.paging(page, page_size)
    if sort not in SENT_SORTS:
        raise Invalid("Sort by newest, oldest, company or name.", field="sort")
    filters = {
        "direction": direction,
        "status": status,
        "search": search,
        "owner_id": owner_id,
        "recipient_org_id": recipient_org_id,
        "created_from": created_from,
        "created_to": created_to,
    }
    where = sent_scope(actor, **filters)
    order = {
        "newest": [col(Lead.created_at).desc(), col(Lead.id).desc()],
        "oldest": [col(Lead.created_at), col(Lead.id)],
        "company": [col(Lead.company_norm), col(Lead.id)],  # ix_leads_origin_org_company
        "name": [func.lower(Lead.last_name), func.lower(Lead.first_name), col(Lead.id)],
    }[sort]
    owner = aliased(User)
    accepted = (Status.ACCEPTED, Status.CONVERTED, Status.LOST)
    # Counted per listed lead (correlated), never aggregated over the whole recipients table.
    recipients = (
        select(func.count())
        .where(LeadRecipient.lead_id == Lead.id)
        .correlate(Lead)
        .scalar_subquery()
    )
    accepted_count = (
        select(func.count())
        .where(LeadRecipient.lead_id == Lead.id, col(LeadRecipient.status).in_(accepted))
        .correlate(Lead)
        .scalar_subquery()
    )
    count = (
        select(func.count())
        .select_from(Lead)
        .where(*sent_scope(actor, **filters, every_match=True))
    )
    keys = select(Lead.id).where(*where).order_by(*order)

    def display(chosen: Any) -> Any:
        return (
            select(
                Lead.id,
                Lead.direction,
                Lead.status,
                Lead.first_name,
                Lead.last_name,
                Lead.email,
                Lead.company,
                Lead.owner_id,
                col(owner.name).label("owner_name"),
                recipients.label("recipients"),
                accepted_count.label("accepted"),
                Lead.created_at,
                Lead.submitted_at,
                chosen.c.total,
            )
            .select_from(chosen)
            .join(Lead, col(Lead.id) == chosen.c.id)
            .join(owner, owner.id == Lead.owner_id)
            .order_by(*order)
        )

    along = _counted_along(session, filters["search"])
    return listing.keyed_page(
        session, keys, count, page, page_size, SentRow, display, counted_along=along
    )


def list_received(
    session: Session,
    *,
    actor: Actor,
    status: object = None,
    search: object = "",
    stage_id: object = None,
    owner_id: object = None,
    origin_org_id: object = None,
    created_from: object = None,
    created_to: object = None,
    page: object = 1,
    page_size: object = 25,
    sort: object = "newest",
) -> Page:
    """Leads (or referrals) received by the actor's organization, one page.

    Filters: status, stage, assignee, the sending organization, the day range it was received
    in (UTC, both ends included) and a search of the company and visible contact details.

    Unopened referrals show their company but not their contact, and search does not look into
    contact details it would not show.
    """
    page, page_size = listing.paging(page, page_size)
    if sort not in RECEIVED_SORTS:
        raise Invalid("Sort by newest, oldest, company or deadline.", field="sort")
    where, on_lead = received_scope(
        actor,
        status=status,
        search=search,
        stage_id=stage_id,
        owner_id=owner_id,
        origin_org_id=origin_org_id,
        created_from=created_from,
        created_to=created_to,
    )
    hidden = hidden_contact()
    order = {
        "newest": [col(LeadRecipient.created_at).desc(), col(LeadRecipient.id).desc()],
        "oldest": [col(LeadRecipient.created_at), col(LeadRecipient.id)],
        # The lead's company_norm, copied onto its recipients (ix_lead_recipients_org_company);
        # one recipient row per lead and organization, so the lead id breaks ties.
        "company": [col(LeadRecipient.company_norm), col(LeadRecipient.lead_id)],
        "deadline": [col(LeadRecipient.deadline_at).asc().nulls_last(), col(LeadRecipient.id)],
    }[sort]
    count = select(func.count()).select_from(LeadRecipient).where(*where, *on_lead)
    keys = select(LeadRecipient.id).where(*where, *on_lead).order_by(*order)
    if on_lead:
        count = count.join(Lead, col(Lead.id) == LeadRecipient.lead_id)
        keys = keys.join(Lead, col(Lead.id) == LeadRecipient.lead_id)
    origin, owner = aliased(Organization), aliased(User)
    shown = [
        sa.case((hidden, ""), else_=column).label(column.key)
        for column in (*_CONTACT_COLUMNS, Lead.phone)
    ]

    def display(chosen: Any) -> Any:
        return (
            select(
                col(LeadRecipient.id).label("recipient_id"),
                col(Lead.id).label("lead_id"),
                Lead.direction,
                LeadRecipient.status,
                Lead.origin_org_id,
                col(origin.name).label("origin_org_name"),
                Lead.company,
                *shown,
                hidden.label("contact_hidden"),
                LeadRecipient.stage_id,
                func.coalesce(Stage.name, "").label("stage_name"),
                LeadRecipient.owner_id,
                func.coalesce(owner.name, "").label("owner_name"),
                LeadRecipient.deadline_at,
                LeadRecipient.created_at,
                chosen.c.total,
            )
            .select_from(chosen)
            .join(LeadRecipient, col(LeadRecipient.id) == chosen.c.id)
            .join(Lead, col(Lead.id) == LeadRecipient.lead_id)
            .join(origin, origin.id == Lead.origin_org_id)
            .outerjoin(Stage, col(Stage.id) == LeadRecipient.stage_id)
            .outerjoin(owner, owner.id == LeadRecipient.owner_id)
            .order_by(*order)
        )

    along = _counted_along(session, search)
    found = listing.keyed_page(
        session, keys, count, page, page_size, ReceivedRow, display, counted_along=along
    )
    if actor.org_kind != OrgKind.PROVIDER or not found.rows:
        return found
    flagged = _protected_elsewhere(session, actor.org_id, [r.lead_id for r in found.rows])
    rows = [replace(r, protected_elsewhere=r.lead_id in flagged) for r in found.rows]
    return replace(found, rows=rows)


def sent_scope(
    actor: Actor,
    *,
    direction: object = None,
    status: object = None,
    search: object = "",
    owner_id: object = None,
    recipient_org_id: object = None,
    created_from: object = None,
    created_to: object = None,
    every_match: bool = False,
) -> list:
    """Conditions on Lead of the sent list: the organization's (a member's own), filtered.

    every_match: for a caller that reads every match (a count, an export): a search's
    candidates then lead the way on SQLite (_scope_column).
    """
    text = listing.search_text(search)
    org = _scope_column(Lead.origin_org_id, text) if every_match else Lead.origin_org_id
    where: list = [org == actor.org_id]
    if not actor.sees_all:
        where.append(Lead.owner_id == actor.user_id)
    if direction is not None and direction != "":
        if direction not in tuple(LeadDirection):
            raise Invalid("Choose leads or referrals.", field="direction")
        where.append(Lead.direction == direction)
    if status is not None and status != "":
        if status not in tuple(LeadStatus):
            raise Invalid("Choose draft or submitted.", field="status")
        where.append(Lead.status == status)
    if (owner_filter := listing.filter_id(owner_id, "owner_id")) is not None:
        where.append(Lead.owner_id == owner_filter)
    if (org_filter := listing.filter_id(recipient_org_id, "recipient_org_id")) is not None:
        if every_match:  # their ids, read once from ix_lead_recipients_org_origin_created
            sent_to = select(LeadRecipient.lead_id).where(
                LeadRecipient.org_id == org_filter, LeadRecipient.origin_org_id == actor.org_id
            )
            where.append(col(Lead.id).in_(sent_to))
        else:  # a page stops at its last lead: each lead's recipients probed
            where.append(
                sa.exists().where(
                    LeadRecipient.lead_id == Lead.id, LeadRecipient.org_id == org_filter
                )
            )
    where += _created_between(Lead.created_at, created_from, created_to)
    if text:
        where.append(
            sa.or_(
                *(listing.contains(column, text) for column in _CONTACT_COLUMNS),
                listing.contains(Lead.company, text),
            )
        )
        where.append(_searched(text))
    return where


def received_scope(
    actor: Actor,
    *,
    status: object = None,
    search: object = "",
    stage_id: object = None,
    owner_id: object = None,
    origin_org_id: object = None,
    created_from: object = None,
    created_to: object = None,
) -> tuple[list, list]:
    """Conditions of the received list: (on LeadRecipient, on its Lead, which they join)."""
    hidden = hidden_contact()
    text = listing.search_text(search)
    where: list = [LeadRecipient.org_id == actor.org_id]
    on_lead: list = []  # conditions that need the lead row joined
    if not actor.sees_all:
        where.append(LeadRecipient.owner_id == actor.user_id)
    if status is not None and status != "":
        if status not in tuple(RecipientStatus):
            raise Invalid("Choose a status from the list.", field="status")
        where.append(LeadRecipient.status == status)
    if (stage_filter := listing.filter_id(stage_id, "stage_id")) is not None:
        where.append(LeadRecipient.stage_id == stage_filter)
    if (owner_filter := listing.filter_id(owner_id, "owner_id")) is not None:
        where.append(LeadRecipient.owner_id == owner_filter)
    if (org_filter := listing.filter_id(origin_org_id, "origin_org_id")) is not None:
        where.append(LeadRecipient.origin_org_id == org_filter)  # the lead's, copied
    where += _created_between(LeadRecipient.created_at, created_from, created_to)
    if text:
        contact = sa.or_(*(listing.contains(column, text) for column in _CONTACT_COLUMNS))
        on_lead.append(
            sa.or_(listing.contains(Lead.company, text), sa.and_(sa.not_(hidden), contact))
        )
        on_lead.append(_searched(text))
    return where, on_lead


def hidden_contact() -> sa.ColumnElement[bool]:
    """Whether a received row's contact is hidden from its recipient: an unopened referral."""
    return _hidden(Lead.direction, LeadRecipient.opened_at)


def detail(session: Session, *, actor: Actor, lead_id: object) -> LeadDetail:
    """A lead with every recipient (origin side), or as its recipient sees it (receiving side)."""
    lead_id = inputs.record_id(lead_id, what="lead")
    lead = session.get(Lead, lead_id)
    if lead is None:
        raise NotFound(NOT_VISIBLE)
    if lead.origin_org_id == actor.org_id:
        if not (actor.sees_all or lead.owner_id == actor.user_id):
            raise NotFound(NOT_VISIBLE)
        recipients = _recipient_views(session, lead.id, None)
        return _detail(session, lead, "origin", recipients, hidden=False)
    recipients = _recipient_views(session, lead.id, actor.org_id)
    if not recipients or not (actor.sees_all or recipients[0].owner_id == actor.user_id):
        raise NotFound(NOT_VISIBLE)
    row = session.get(LeadRecipient, recipients[0].id)
    hidden = lead.direction == LeadDirection.PROVIDER_TO_PARTNER and row.opened_at is None
    return _detail(session, lead, "recipient", recipients, hidden=hidden)


# helpers: loading and authorization ------------------------------------------------------------


def _direction(actor: Actor) -> LeadDirection:
    if actor.org_kind == OrgKind.CONSULTANT:
        return LeadDirection.PARTNER_TO_PROVIDER
    if actor.org_kind == OrgKind.PROVIDER:
        return LeadDirection.PROVIDER_TO_PARTNER
    raise NotAllowed("Your organization cannot send leads.")


def _own_lead(session: Session, actor: Actor, lead_id: object) -> Lead:
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


def _received(session: Session, actor: Actor, recipient_id: object) -> tuple[LeadRecipient, Lead]:
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


def _either_side(
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


def _owner(session: Session, actor: Actor, owner_id: object) -> int:
    """An active member of the actor's organization; members may only name themselves."""
    owner_id = inputs.record_id(owner_id, what="person")
    if not actor.sees_all and owner_id != actor.user_id:
        raise NotAllowed("Only a manager can give a lead to someone else.")
    row = session.exec(
        select(User.name, User.is_active, Membership.is_active)
        .join(Membership, col(Membership.user_id) == User.id)
        .where(Membership.org_id == actor.org_id, Membership.user_id == owner_id)
    ).first()
    if row is None:
        raise NotFound("That person is not in your organization.")
    name, user_active, member_active = row
    if not (user_active and member_active):
        raise Invalid(f"{name} is deactivated: choose someone else.", field="owner_id")
    return owner_id


def _require_draft(lead: Lead) -> None:
    if lead.status != LeadStatus.DRAFT:
        raise Invalid("This lead was already submitted: it can no longer be changed.")


def _require_new_recipients(session: Session, lead: Lead, org_ids: list[int]) -> None:
    """None of the organizations has received this lead before."""
    already = session.exec(
        select(Organization.name)
        .join(LeadRecipient, col(LeadRecipient.org_id) == Organization.id)
        .where(LeadRecipient.lead_id == lead.id, col(LeadRecipient.org_id).in_(org_ids))
        .order_by(func.lower(Organization.name))
    ).first()
    if already is not None:
        raise Invalid(f"It was already sent to {already}.", field="recipient_org_ids")


def _require_open(recipient: LeadRecipient) -> None:
    if recipient.status not in _OPEN:
        raise Invalid(_CLOSED[recipient.status])


def _recipient_ids(value: object) -> list[int]:
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


def _require_eligible(session: Session, actor: Actor, org_ids: list[int]) -> None:
    """Every organization is an eligible recipient; names the first that is not."""
    is_consultant = actor.org_kind == OrgKind.CONSULTANT
    own, other = (
        (Partnership.consultant_org_id, Partnership.provider_org_id)
        if is_consultant
        else (Partnership.provider_org_id, Partnership.consultant_org_id)
    )
    rows = {
        org_id: (name, status, categorized)
        for org_id, name, status, categorized in session.exec(
            select(
                other,
                Organization.name,
                Partnership.status,
                col(Partnership.categorized_at).is_not(None),
            )
            .join(Organization, col(Organization.id) == other)
            .where(own == actor.org_id, col(other).in_(org_ids))
        )
    }
    for org_id in org_ids:
        if org_id not in rows:
            raise NotFound(ORG_NOT_VISIBLE)
        name, status, categorized = rows[org_id]
        if refusal := recipient_refusal(name, status, categorized, consultant=is_consultant):
            raise Invalid(refusal, field="recipient_org_ids")


def _require_partnership(session: Session, lead: Lead, recipient: LeadRecipient) -> None:
    """The two organizations are still active partners."""
    provider_id = _provider_of(lead, recipient)
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


def _provider_of(lead: Lead, recipient: LeadRecipient) -> int:
    """The provider organization of a lead's recipient row."""
    if lead.direction == LeadDirection.PROVIDER_TO_PARTNER:
        return lead.origin_org_id
    return recipient.org_id


# helpers: conflicts ----------------------------------------------------------------------------


def _domain_key(email_domain: str) -> str:
    """The email domain as a conflict key ("" for free-mail domains)."""
    domain = email_domain.strip().lower()
    return "" if domain in FREE_MAIL_DOMAINS else domain


def protecting(now: datetime, exclude: int) -> list:
    """Conditions on Deal: it protects its customer now for a partner other than `exclude`."""
    return [
        Deal.partner_org_id != exclude,
        Deal.approval == Approval.APPROVED,
        col(Deal.outcome).in_([Outcome.OPEN, Outcome.WON]),
        col(Deal.protected_until) > now,
    ]


def _protected(now: datetime, company_norm: str, email_domain: str, exclude: int) -> list:
    """Conditions on Deal: protected for a partner other than `exclude`, same customer."""
    same = []
    if company_norm:
        same.append(Deal.company_norm == company_norm)
    if domain := _domain_key(email_domain):
        same.append(Deal.email_domain == domain)
    return [*protecting(now, exclude), sa.or_(*same) if same else sa.false()]


def _conflicts(
    session: Session, provider_ids: list[int], company_norm: str, email_domain: str, exclude: int
) -> dict[int, list[Conflict]]:
    """Conflicts by provider id, for several providers in one query."""
    if not (company_norm or _domain_key(email_domain)):
        return {}
    rows = session.exec(
        select(Deal, Organization.name)
        .join(Organization, col(Organization.id) == Deal.partner_org_id)
        .where(
            col(Deal.provider_org_id).in_(provider_ids),
            *_protected(utcnow(), company_norm, email_domain, exclude),
        )
        .order_by(col(Deal.protected_until).desc(), col(Deal.id))
    )
    found: dict[int, list[Conflict]] = {}
    for deal, name in rows:
        found.setdefault(deal.provider_org_id, []).append(
            Conflict(deal.id, deal.partner_org_id, name, deal.company, deal.protected_until)
        )
    return found


def _protected_elsewhere(session: Session, provider_id: int, lead_ids: list[int]) -> set[int]:
    """Of these leads received by the provider, those naming a customer protected for another
    partner (one query for a whole page)."""
    same_customer = sa.or_(
        sa.and_(Lead.company_norm != "", Deal.company_norm == Lead.company_norm),
        sa.and_(
            Lead.email_domain != "",
            col(Lead.email_domain).not_in(FREE_MAIL_DOMAINS),
            Deal.email_domain == Lead.email_domain,
        ),
    )
    held = (
        sa.exists()
        .where(
            Deal.provider_org_id == provider_id,
            Deal.partner_org_id != Lead.origin_org_id,
            Deal.approval == Approval.APPROVED,
            col(Deal.outcome).in_([Outcome.OPEN, Outcome.WON]),
            col(Deal.protected_until) > utcnow(),
            same_customer,
        )
        .correlate(Lead)
    )
    return set(
        session.exec(
            select(Lead.id).where(
                col(Lead.id).in_(lead_ids),
                Lead.direction == LeadDirection.PARTNER_TO_PROVIDER,
                held,
            )
        ).all()
    )


def _conflict_state(conflict: Conflict) -> dict[str, Any]:
    return {
        "deal_id": conflict.deal_id,
        "partner_org_id": conflict.partner_org_id,
        "protected_until": _iso(conflict.protected_until),
    }


# helpers: values -------------------------------------------------------------------------------


def _reason(value: object) -> str:
    return inputs.text(value, field="reason", label="Reason", max_len=MAX_REASON)


def _created_between(column: Any, start: object, end: object) -> list:
    """Conditions for a day range (ISO dates, either end optional, both included, UTC)."""
    first = _day(start, field_name="created_from", label="From")
    last = _day(end, field_name="created_to", label="To")
    if first and last and first > last:
        raise Invalid("The start date is after the end date.", field="created_from")
    conditions = []
    if first:
        conditions.append(col(column) >= datetime.combine(first, time.min, UTC))
    if last and last < date.max:
        conditions.append(col(column) < datetime.combine(last + timedelta(days=1), time.min, UTC))
    return conditions


def _day(value: object, *, field_name: str, label: str) -> date | None:
    try:
        return inputs.day(value, field=field_name, label="date")
    except Invalid:
        raise Invalid(f"{label}: enter a date as YYYY-MM-DD.", field=field_name) from None


_CONTACT_COLUMNS = (Lead.first_name, Lead.last_name, Lead.email)


def _searched(text: str) -> sa.ColumnElement[bool]:
    """True of every lead a search matches (the text is in one of its searched columns, so in
    them all joined): redundant for the result, it lets the database find the few candidates
    in an index. PostgreSQL: the trigram index ix_leads_search, which holds this very
    expression (models.SEARCHED). SQLite: the FTS5 trigram table leads_search (the same text),
    whose phrase query finds text of 3 characters or more; shorter text scans."""
    space = sa.literal_column("' '")
    joined = Lead.first_name.concat(space).concat(Lead.last_name).concat(space)
    trigrams = listing.contains(joined.concat(Lead.email).concat(space).concat(Lead.company), text)
    if not _by_trigrams(text):
        return _ByDialect(sqlite=sa.true(), other=trigrams)
    folded = text.lower()  # as listing.contains: what the exact condition looks for
    phrase = '"' + folded.replace('"', '""') + '"'  # an FTS5 string: nothing in it is syntax
    fts = select(_SEARCH_INDEX.c.rowid).where(sa.literal_column(SEARCH_TABLE).op("MATCH")(phrase))
    return _ByDialect(sqlite=col(Lead.id).in_(fts), other=trigrams)


_SEARCH_INDEX = sa.table(SEARCH_TABLE, sa.column("rowid"))


def _by_trigrams(text: str) -> bool:
    """Whether a search text is long enough for a trigram index (3 characters, as compared)."""
    return len(text.lower()) >= 3


def _counted_along(session: Session, search: object) -> bool:
    """Whether a list's page reads every match: PostgreSQL takes a search's candidates from
    its trigram index, all of them, then sorts them (so the page counts them too); SQLite
    reads the page in list order until it is full and counts from its FTS index apart. A text
    too short for trigrams is no such search."""
    text = listing.search_text(search)
    return _by_trigrams(text) and session.get_bind().dialect.name != "sqlite"


def _scope_column(column: Any, text: str) -> Any:
    """The sent list's organization column where every match is read. While a search reads
    its candidates from SQLite's FTS index, it is written `column + 0`, which no index serves:
    SQLite (having no statistics) would rather walk every lead of the organization and look
    each one up in the candidates. A page is best read that way (in list order, until it is
    full); a count from the few candidates. (The received list's count reaches the candidates'
    recipient rows through their unique (lead_id, org_id) index on its own.)"""
    return _ByDialect(sqlite=column + 0, other=column) if _by_trigrams(text) else column


class _ByDialect(sa.ColumnElement[Any]):
    """An expression written one way for SQLite and another for the other databases."""

    inherit_cache = True
    _traverse_internals = [
        ("sqlite", InternalTraversal.dp_clauseelement),
        ("other", InternalTraversal.dp_clauseelement),
    ]

    def __init__(self, *, sqlite: sa.ColumnElement[Any], other: sa.ColumnElement[Any]):
        self.sqlite, self.other = (
            coercions.expect(roles.ExpressionElementRole, e) for e in (sqlite, other)
        )
        self.type = self.other.type

    def self_group(self, against: Any = None) -> "_ByDialect":
        return self  # compiled in parentheses; a condition is not compared with 1 on SQLite


@compiles(_ByDialect)
def _other_dialects(element: _ByDialect, compiler: Any, **kw: Any) -> str:
    return f"({compiler.process(element.other, **kw)})"


@compiles(_ByDialect, "sqlite")
def _sqlite(element: _ByDialect, compiler: Any, **kw: Any) -> str:
    return f"({compiler.process(element.sqlite, **kw)})"


def _hidden(direction: Any, opened_at: Any) -> sa.ColumnElement[bool]:
    """Whether a received row's contact is hidden: an unopened referral."""
    return sa.and_(direction == LeadDirection.PROVIDER_TO_PARTNER, col(opened_at).is_(None))


def _recipient_views(session: Session, lead_id: int, org_id: int | None) -> list[RecipientView]:
    org, owner = aliased(Organization), aliased(User)
    query = (
        select(
            LeadRecipient.id,
            LeadRecipient.org_id,
            col(org.name).label("org_name"),
            LeadRecipient.status,
            LeadRecipient.reason,
            LeadRecipient.stage_id,
            func.coalesce(Stage.name, "").label("stage_name"),
            LeadRecipient.owner_id,
            func.coalesce(owner.name, "").label("owner_name"),
            LeadRecipient.deadline_at,
            LeadRecipient.opened_at,
            LeadRecipient.responded_at,
            LeadRecipient.converted_at,
        )
        .join(org, org.id == LeadRecipient.org_id)
        .outerjoin(Stage, col(Stage.id) == LeadRecipient.stage_id)
        .outerjoin(owner, owner.id == LeadRecipient.owner_id)
        .where(LeadRecipient.lead_id == lead_id)
        .order_by(func.lower(org.name), col(LeadRecipient.id))
    )
    if org_id is not None:
        query = query.where(LeadRecipient.org_id == org_id)
    return [RecipientView(**row._mapping) for row in session.exec(query)]


def _detail(
    session: Session, lead: Lead, side: str, recipients: list[RecipientView], *, hidden: bool
) -> LeadDetail:
    origin_name, owner_name = session.exec(
        select(Organization.name, User.name)
        .select_from(Lead)
        .join(Organization, col(Organization.id) == Lead.origin_org_id)
        .join(User, col(User.id) == Lead.owner_id)
        .where(Lead.id == lead.id)
    ).one()

    def shown(value: str) -> str:
        return "" if hidden else value

    return LeadDetail(
        id=lead.id,
        direction=lead.direction,
        status=lead.status,
        side=side,
        origin_org_id=lead.origin_org_id,
        origin_org_name=origin_name,
        owner_id=lead.owner_id,
        owner_name=owner_name,
        company=lead.company,
        first_name=shown(lead.first_name),
        last_name=shown(lead.last_name),
        email=shown(lead.email),
        phone=shown(lead.phone),
        title=shown(lead.title),
        notes=shown(lead.notes),
        contact_hidden=hidden,
        created_at=lead.created_at,
        submitted_at=lead.submitted_at,
        recipients=recipients,
    )


# helpers: the activity trail -------------------------------------------------------------------


def _iso(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment else None


def _lead_state(lead: Lead) -> dict[str, Any]:
    return {
        "direction": lead.direction,
        "status": lead.status,
        "owner_id": lead.owner_id,
        "company": lead.company,
        "email": lead.email,
    }


def _recipient_state(recipient: LeadRecipient) -> dict[str, Any]:
    return {
        "status": recipient.status,
        "owner_id": recipient.owner_id,
        "stage_id": recipient.stage_id,
    }


def _record_lead(
    session: Session,
    actor: Actor,
    lead: Lead,
    action: str,
    before: dict[str, Any] | None,
    after: dict[str, Any] | None,
) -> None:
    activity.record(
        session,
        actor=actor,
        org_id=lead.origin_org_id,
        entity_type="lead",
        entity_id=lead.id,
        action=action,
        before=before,
        after=after,
    )


def _record_recipient(
    session: Session,
    actor: Actor | None,
    recipient: LeadRecipient,
    action: str,
    before: dict[str, Any] | None,
    after: dict[str, Any] | None,
) -> None:
    activity.record(
        session,
        actor=actor,
        org_id=recipient.org_id,
        entity_type="lead_recipient",
        entity_id=recipient.id,
        action=action,
        before=before,
        after=after,
    )
