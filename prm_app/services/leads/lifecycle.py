"""A lead's life: drafts and submission (origin side), then each recipient's decision and
progress (receiving side), and the system job returning overdue referrals."""

from datetime import datetime, timedelta
from typing import Any

from sqlmodel import Session, col, select

from ...models import (
    Lead,
    LeadDirection,
    LeadRecipient,
    LeadSource,
    LeadStatus,
    Pipeline,
    Stage,
    TaxonomyTerm,
    TermKind,
    utcnow,
)
from .. import notifications
from ..catalog import program
from ..core import activity, inputs
from ..core.actor import Actor
from ..core.errors import Invalid, NotFound
from ..customers import customer_keys, find_conflicts
from ..onboarding import holds
from . import consent
from . import custom as custom_values
from .access import (
    CLOSED,
    OPEN,
    Status,
    direction_of,
    own_lead,
    owner_of,
    provider_of,
    received,
    recipient_ids,
    require_draft,
    require_eligible,
    require_new_recipients,
    require_open,
    require_partnership,
    touched,
)
from .audit import conflict_state, iso, lead_state, recipient_state
from .fields import (
    DUPLICATE,
    DUPLICATE_WINDOW,
    MAX_NOTE,
    LeadInput,
    checked_input,
    lead_input,
    reason_text,
)


def checked_form(
    form: object,
    recipient_org_ids: object,
    *,
    submitting: bool,
    custom_problems: dict[str, str] | None = None,
) -> LeadInput:
    """The lead form checked whole, so that every field's message is told at once (the
    organizations first, as the form shows them, its custom fields last: `custom_problems`,
    from custom.problems): a draft may have none ticked."""
    problems: dict[str, str] = {}
    if submitting or recipient_org_ids:
        try:
            recipient_ids(recipient_org_ids)
        except Invalid as error:
            problems.update(error.problems)
    try:
        data = lead_input(form)
    except Invalid as error:
        if not error.problems:
            raise
        problems.update(error.problems)
    problems.update(custom_problems or {})
    if problems:
        first = next(iter(problems))
        raise Invalid(problems[first], field=first, problems=problems)
    return data


def save_draft(
    session: Session,
    *,
    actor: Actor,
    data: LeadInput,
    owner_id: object,
    lead_id: object = None,
    source: LeadSource = LeadSource.FORM,
    recipient_org_ids: object = (),
    custom: object = None,
    named_by: str = "id",
) -> int:
    """Create or update a draft of the actor's organization; returns its id. `source` (how a
    new lead came in) is set by the caller's channel, never by a client. `recipient_org_ids`
    are the organizations ticked, kept with the draft (none is fine; each is checked again when
    the draft is submitted). `custom`: its custom values as entered ({field id, or key with
    named_by="key": value}; None leaves them), kept without requiring any."""
    data = checked_input(data)
    owner_id = owner_of(session, actor, owner_id)
    ticked = recipient_ids(recipient_org_ids) if recipient_org_ids else []
    company_norm, email_domain = customer_keys(data.company, data.email)
    values: dict[str, Any] = {
        "first_name": data.first_name,
        "last_name": data.last_name,
        "email": data.email,
        "company": data.company,
        "phone": data.phone,
        "title": data.title,
        "notes": data.notes,
        "share_consent": data.share_consent,
        "company_norm": company_norm[:200],
        "email_domain": email_domain[:254],
        "owner_id": owner_id,
        "draft_recipient_ids": ticked,
    }
    if lead_id is None or lead_id == "":
        if source == LeadSource.API:
            _refuse_recent_duplicate(session, actor, data.email, company_norm[:200])
        lead = Lead(
            direction=direction_of(actor),
            origin_org_id=actor.org_id,
            created_by_id=actor.user_id,
            status=LeadStatus.DRAFT,
            source=source,
            **values,
        )
        session.add(lead)
        session.flush()
        touched(session, lead)
        activity.record(
            session, actor=actor, subject=lead, action="created", after=lead_state(lead)
        )
        if owner_id != actor.user_id:
            notifications.lead_assigned(
                session, actor=actor, lead=lead, owner_id=owner_id, origin=True
            )
        if custom is not None:
            custom_values.write_draft(
                session, actor=actor, lead=lead, custom=custom, named_by=named_by
            )
        return lead.id
    lead = own_lead(session, actor, lead_id)
    require_draft(lead)
    touched(session, lead)
    before = {k: getattr(lead, k) for k, v in values.items() if getattr(lead, k) != v}
    if before:
        for key in before:
            setattr(lead, key, values[key])
        lead.updated_at = utcnow()
        session.add(lead)
        activity.record(
            session,
            actor=actor,
            subject=lead,
            action="updated",
            before=before,
            after={k: values[k] for k in before},
        )
        if "owner_id" in before and owner_id != actor.user_id:
            notifications.lead_assigned(
                session, actor=actor, lead=lead, owner_id=owner_id, origin=True
            )
    if custom is not None:
        custom_values.write_draft(session, actor=actor, lead=lead, custom=custom, named_by=named_by)
    return lead.id


def delete_draft(session: Session, *, actor: Actor, lead_id: object) -> None:
    """Delete a draft of the actor's organization (a member: only their own)."""
    lead = own_lead(session, actor, lead_id)
    require_draft(lead)
    touched(session, lead)
    activity.record(session, actor=actor, subject=lead, action="deleted", before=lead_state(lead))
    session.delete(lead)
    session.flush()


def submit(
    session: Session,
    *,
    actor: Actor,
    lead_id: object,
    recipient_org_ids: object,
    custom: object = None,
    named_by: str = "id",
    check_required: bool = True,
) -> list[int]:
    """Send a draft, or send a submitted lead on to more organizations (1..20 at a time);
    returns the new recipient ids.

    Custom fields: `custom` adds or changes values (say, the new recipients' fields asked when
    sending on); then each chosen organization's required fields must have a value, and on
    the first submission the sender's own required fields too (only theirs: a provider it does
    not go to requires nothing). `check_required` False: a channel no person fills (a public
    web form) sends it regardless.

    Leads go to providers the consultant may submit to (active, categorized partnership);
    referrals go to the provider's active partners and must be accepted within the provider's
    lead_accept_hours (a returned referral can so be sent to another partner). Customers already
    protected for another partner are recorded: the holder only in the provider's trail, never
    in the consultant's.
    """
    lead = own_lead(session, actor, lead_id)
    org_ids = recipient_ids(recipient_org_ids)
    require_eligible(session, actor, org_ids)
    if lead.direction == LeadDirection.PROVIDER_TO_PARTNER:
        consent.require(session, provider_org_id=actor.org_id, consent=lead.share_consent)
        for org_id in org_ids:
            holds.require_signed(
                session,
                provider_org_id=actor.org_id,
                partner_org_id=org_id,
                field="recipient_org_ids",
            )
    if lead.status != LeadStatus.DRAFT:
        require_new_recipients(session, lead, org_ids)
    was = lead.status
    custom_values.write_on_submit(
        session,
        actor=actor,
        lead=lead,
        org_ids=org_ids,
        custom=custom,
        first=was == LeadStatus.DRAFT,
        named_by=named_by,
        check_required=check_required,
    )
    now = utcnow()
    deadline = accept_deadline(session, actor=actor, direction=lead.direction, now=now)
    recipients = [
        LeadRecipient(lead_id=lead.id, org_id=org_id, deadline_at=deadline) for org_id in org_ids
    ]
    session.add_all(recipients)
    touched(session, lead, *recipients)
    if was == LeadStatus.DRAFT:
        lead.status = LeadStatus.SUBMITTED
        lead.submitted_at = now
        lead.draft_recipient_ids = []
    lead.updated_at = now
    session.add(lead)
    session.flush()

    if lead.direction == LeadDirection.PARTNER_TO_PROVIDER:
        found = find_conflicts(session, org_ids, lead.company_norm, lead.email_domain, actor.org_id)
    else:  # the provider's own customers, held by a partner other than each recipient
        held = find_conflicts(session, [actor.org_id], lead.company_norm, lead.email_domain, 0).get(
            actor.org_id, []
        )
        found = {org: [c for c in held if c.partner_org_id != org] for org in org_ids}
    origin_after: dict[str, Any] = {
        "status": lead.status,
        "recipient_org_ids": org_ids,
        "deadline_at": iso(deadline),
    }
    if lead.direction == LeadDirection.PARTNER_TO_PROVIDER:
        origin_after["protected_at"] = sorted(org for org in org_ids if found.get(org))
    else:
        origin_after["conflicts"] = {
            str(org): [conflict_state(c) for c in found[org]] for org in org_ids if found[org]
        }
    if was == LeadStatus.DRAFT:
        activity.record(
            session,
            actor=actor,
            subject=lead,
            action="submitted",
            before={"status": was},
            after=origin_after,
        )
    else:
        activity.record(
            session, actor=actor, subject=lead, action="sent_to_more", after=origin_after
        )
    for recipient in recipients:
        after = {"status": recipient.status, "lead_id": lead.id, "origin_org_id": actor.org_id}
        if lead.direction == LeadDirection.PARTNER_TO_PROVIDER and found.get(recipient.org_id):
            after["conflicts"] = [conflict_state(c) for c in found[recipient.org_id]]
        activity.record(
            session,
            actor=actor,
            subject=recipient,
            action="received",
            org_id=recipient.org_id,
            after=after,
        )
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


def _refuse_recent_duplicate(session: Session, actor: Actor, email: str, company_norm: str) -> None:
    """A lead sent through the API with the email and company of one the organization created
    moments ago is the same request retried without an Idempotency-Key: refused."""
    if not email or not company_norm:
        return
    direction = direction_of(actor)
    recent = session.exec(
        select(Lead.id)
        .where(
            Lead.origin_org_id == actor.org_id,
            Lead.direction == direction,
            Lead.company_norm == company_norm,
            Lead.email == email,
            col(Lead.created_at) > utcnow() - DUPLICATE_WINDOW,
        )
        .limit(1)
    ).first()
    if recent is not None:
        noun = "referral" if direction == LeadDirection.PROVIDER_TO_PARTNER else "lead"
        raise Invalid(DUPLICATE.format(noun=noun), field="email")


def create_and_submit(
    session: Session,
    *,
    actor: Actor,
    data: LeadInput,
    owner_id: object,
    recipient_org_ids: object,
    source: LeadSource = LeadSource.FORM,
    custom: object = None,
    named_by: str = "id",
    check_required: bool = True,
) -> tuple[int, list[int]]:
    """Save a new draft and submit it at once: (lead id, recipient ids). `custom`: its custom
    values, the recipients' required ones included (see submit)."""
    lead_id = save_draft(
        session,
        actor=actor,
        data=data,
        owner_id=owner_id,
        source=source,
        recipient_org_ids=recipient_org_ids if custom is not None else (),
        custom=custom,
        named_by=named_by,
    )
    return lead_id, submit(
        session,
        actor=actor,
        lead_id=lead_id,
        recipient_org_ids=recipient_org_ids,
        check_required=check_required,
    )


def open_referral(session: Session, *, actor: Actor, recipient_id: object) -> None:
    """A partner opens a referral: its contact details become visible (idempotent)."""
    recipient, lead = received(session, actor, recipient_id)
    if lead.direction != LeadDirection.PROVIDER_TO_PARTNER:
        raise Invalid("Only referrals are opened: accept or reject this lead.")
    if recipient.opened_at is not None:
        return
    if recipient.status != Status.PENDING:
        raise Invalid(CLOSED[recipient.status])
    before = recipient_state(recipient)
    recipient.status = Status.OPENED
    touched(session, lead, recipient)
    recipient.opened_at = recipient.updated_at = utcnow()
    session.add(recipient)
    activity.record(
        session,
        actor=actor,
        subject=recipient,
        action="opened",
        before=before,
        after=recipient_state(recipient),
    )


def accept(
    session: Session, *, actor: Actor, recipient_id: object, owner_id: object = None
) -> None:
    """Accept a pending or opened lead: it enters the provider's first lead stage."""
    recipient, lead = received(session, actor, recipient_id)
    require_open(recipient)
    now = utcnow()
    if recipient.deadline_at is not None and recipient.deadline_at <= now:
        raise Invalid("The time to accept this referral has passed.")
    if owner_id is None or owner_id == "":
        owner = recipient.owner_id or actor.user_id
    else:
        owner = owner_of(session, actor, owner_id)
    require_partnership(session, lead, recipient)
    before = recipient_state(recipient)
    recipient.status = Status.ACCEPTED
    touched(session, lead, recipient)
    recipient.owner_id = owner
    recipient.stage_id = program.first_stage(session, provider_of(lead, recipient), Pipeline.LEAD)
    recipient.responded_at = recipient.updated_at = now
    if recipient.opened_at is None:
        recipient.opened_at = now  # accepting shows the contact details
    session.add(recipient)
    activity.record(
        session,
        actor=actor,
        subject=recipient,
        action="accepted",
        before=before,
        after=recipient_state(recipient),
    )
    notifications.lead_answered(
        session, actor=actor, lead=lead, recipient=recipient, action="accepted"
    )
    if owner != actor.user_id:
        notifications.lead_assigned(session, actor=actor, lead=lead, owner_id=owner, origin=False)


def reject(session: Session, *, actor: Actor, recipient_id: object, reason: object) -> None:
    """Reject a pending or opened lead, saying why."""
    reason = reason_text(reason)
    recipient, lead = received(session, actor, recipient_id)
    require_open(recipient)
    before = recipient_state(recipient)
    recipient.status = Status.REJECTED
    touched(session, lead, recipient)
    recipient.reason = reason
    recipient.responded_at = recipient.updated_at = utcnow()
    session.add(recipient)
    activity.record(
        session,
        actor=actor,
        subject=recipient,
        action="rejected",
        before=before,
        after={**recipient_state(recipient), "reason": reason},
    )
    notifications.lead_answered(
        session, actor=actor, lead=lead, recipient=recipient, action="rejected"
    )


def move_stage(session: Session, *, actor: Actor, recipient_id: object, stage_id: object) -> None:
    """Move an accepted lead to another active lead stage of the provider."""
    recipient, lead = received(session, actor, recipient_id)
    stage_id = inputs.record_id(stage_id, what="stage")
    if recipient.status != Status.ACCEPTED:
        raise Invalid(CLOSED[recipient.status])
    stage = session.exec(
        select(Stage).where(
            Stage.id == stage_id,
            Stage.org_id == provider_of(lead, recipient),
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
    touched(session, lead, recipient)
    session.add(recipient)
    activity.record(
        session,
        actor=actor,
        subject=recipient,
        action="stage_moved",
        before=before,
        after={"stage_id": stage.id},
    )


def mark_lost(
    session: Session, *, actor: Actor, recipient_id: object, reason: object, note: object = ""
) -> None:
    """Close an accepted lead as lost, with a reason from the provider's list and a note."""
    recipient, lead = received(session, actor, recipient_id)
    if recipient.status != Status.ACCEPTED:
        raise Invalid(CLOSED[recipient.status])
    provider_id = provider_of(lead, recipient)
    choices = lost_reason_choices(session, provider_org_ids=[provider_id])[provider_id]
    if reason not in choices:
        raise Invalid("Choose a lost reason from the list.", field="reason")
    note = inputs.text(note, field="note", label="Note", max_len=MAX_NOTE, required=False)
    text = f"{reason}: {note}" if note else str(reason)
    before = recipient_state(recipient)
    recipient.status = Status.LOST
    touched(session, lead, recipient)
    recipient.reason = text
    recipient.updated_at = utcnow()
    session.add(recipient)
    activity.record(
        session,
        actor=actor,
        subject=recipient,
        action="lost",
        before=before,
        after={**recipient_state(recipient), "reason": text},
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
            col(LeadRecipient.status).in_(OPEN),
            col(LeadRecipient.deadline_at).is_not(None),
            col(LeadRecipient.deadline_at) <= now,
        )
        .order_by(col(LeadRecipient.id))
        .with_for_update(of=LeadRecipient, skip_locked=True)  # another worker has those
    ).all()
    for recipient in overdue:
        before = recipient_state(recipient)
        recipient.status = Status.RETURNED
        recipient.updated_at = now
        session.add(recipient)
        activity.record(
            session,
            actor=None,
            subject=recipient,
            action="returned",
            org_id=recipient.org_id,
            before=before,
            after=recipient_state(recipient),
        )
        lead = session.exec(select(Lead).where(Lead.id == recipient.lead_id)).one()
        touched(session, lead, recipient)
        notifications.lead_returned(session, lead=lead, recipient=recipient)
    session.flush()
    return len(overdue)
