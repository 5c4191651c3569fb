"""A lead's custom values: what the Submit form asks, what a draft keeps, what submitting and
sending on require, and editing them on the lead's page.

Every read and write goes through services.custom_fields with the acting organization's fields
(its own, and those of the organizations on the lead's other side that are not hidden from it).
A draft keeps what was entered and requires nothing; submitting requires the sender's own
required fields and each chosen recipient's (only theirs); sending on requires the new
recipients' fields.
"""

from collections.abc import Mapping, Sequence

from sqlmodel import Session, col, select

from ...models import CustomField, FieldEntity, Lead, LeadDirection, LeadRecipient, LeadStatus
from .. import custom_fields as cf
from ..core import inputs
from ..core.actor import Actor
from ..core.errors import Invalid, NotAllowed, NotFound
from .access import NOT_VISIBLE, direction_of, own_lead, partners, touched

UNREADABLE = "The form could not be read: send it again."


def form_fields(session: Session, *, actor: Actor, org_ids: object) -> list[cf.FieldAccess]:
    """The fields the Submit New Lead/Referral form shows for these recipients (ids the actor
    is not partnered with simply bring no fields): the actor's own, then each recipient's."""
    return cf.for_viewer(
        session,
        viewer_org_id=actor.org_id,
        entity=_entity(actor),
        counterpart_org_ids=partnered(session, actor, _int_ids(org_ids)),
    )


def lead_fields(
    session: Session, *, actor: Actor, lead: Lead, adding: Sequence[int] = ()
) -> list[cf.FieldAccess]:
    """The fields of `lead` the actor's organization sees (cf.for_lead), a draft's ticked
    organizations counting only while they are the actor's partners; `adding`: organizations
    it is being sent to."""
    others = [*cf.lead_counterparts(session, lead, actor.org_id), *adding]
    if lead.origin_org_id == actor.org_id:
        others = partnered(session, actor, others)
    return cf.for_viewer(
        session,
        viewer_org_id=actor.org_id,
        entity=cf.lead_entity(lead),
        counterpart_org_ids=others,
    )


def partnered(session: Session, actor: Actor, org_ids: Sequence[int]) -> list[int]:
    """The organizations of `org_ids` the actor's is (or was) partnered with."""
    if not org_ids:
        return []
    found = {row[0] for row in session.exec(partners(actor, list(org_ids)))}
    return [i for i in org_ids if i in found]


def values_of(custom: object) -> Mapping[str, object]:
    """Submitted custom values: {field id or key: value} (None: none sent)."""
    if custom is None:
        return {}
    if not isinstance(custom, Mapping) or not all(isinstance(k, str) for k in custom):
        raise Invalid(UNREADABLE)
    return custom


def problems(
    session: Session,
    *,
    actor: Actor,
    lead_id: object,
    recipient_org_ids: object,
    custom: object,
    submitting: bool,
) -> dict[str, str]:
    """What is wrong with a Submit form's custom values ({} when nothing is), without saving
    anything: the form tells them together with its other fields' messages."""
    values = values_of(custom)
    ids = _int_ids(recipient_org_ids)
    current: Mapping = {}
    if lead_id not in (None, ""):
        current = own_lead(session, actor, lead_id).custom or {}
    fields = form_fields(session, actor=actor, org_ids=ids)
    try:
        cf.write(fields, current, values, required_of=_required_of(actor, ids, submitting))
    except Invalid as error:
        return dict(error.problems)
    return {}


def write_draft(
    session: Session,
    *,
    actor: Actor,
    lead: Lead,
    custom: object,
    named_by: str = "id",
) -> None:
    """Keep a draft's custom values as entered (every field it may edit: one left out is
    emptied): nothing is required yet."""
    fields = lead_fields(session, actor=actor, lead=lead)
    written = cf.write(
        fields, lead.custom, values_of(custom), named_by=_named(named_by), required_of=[]
    )
    cf.save(session, actor=actor, record=lead, written=written)


def write_on_submit(
    session: Session,
    *,
    actor: Actor,
    lead: Lead,
    org_ids: Sequence[int],
    custom: object,
    first: bool,
    named_by: str = "id",
    check_required: bool = True,
) -> None:
    """Merge the values sent with a submission (before anything else of it is done), then
    require the fields of the organizations it now goes to (and, on its first submission, the sender's own required fields). Every
    message is told at once, keyed by each field's form name."""
    values = values_of(custom)
    fields = lead_fields(session, actor=actor, lead=lead, adding=org_ids)
    required_of = [actor.org_id, *org_ids] if first else list(org_ids)
    if not check_required:
        required_of = []
    found: dict[str, str] = {}
    written = None
    try:
        written = cf.write(
            fields,
            lead.custom,
            values,
            named_by=_named(named_by),
            complete=False,
            required_of=required_of,
        )
    except Invalid as error:
        found.update(error.problems)
    after = written.custom if written is not None else lead.custom
    for field in cf.missing_required(fields, after, required_of):
        found.setdefault(field.form_name, f"{field.label} is required.")
    if found:
        first_problem = next(iter(found))
        raise Invalid(found[first_problem], field=first_problem, problems=found)
    if written is not None:
        cf.save(session, actor=actor, record=lead, written=written)
    if first:
        _drop_unsent(session, lead, {actor.org_id, *org_ids})


def _drop_unsent(session: Session, lead: Lead, kept_org_ids: set[int]) -> None:
    """Forget a draft's values for organizations it was not sent to (ticked, filled in, then
    unticked): one sent on to later must not find what was typed for it back then."""
    held = [int(key) for key in lead.custom or {} if key.isdigit()]
    if not held:
        return
    unsent = set(
        session.exec(
            select(CustomField.id).where(
                col(CustomField.id).in_(held), col(CustomField.org_id).not_in(kept_org_ids)
            )
        )
    )
    if unsent:
        lead.custom = {
            k: v for k, v in lead.custom.items() if not (k.isdigit() and int(k) in unsent)
        }
        session.add(lead)


def set_custom(
    session: Session,
    *,
    actor: Actor,
    lead_id: object,
    values: object,
    named_by: str = "id",
    partial: bool = False,
) -> None:
    """Change a lead's custom values from its page (either side: its origin, or one of its
    recipients), through the fields the actor's organization may edit. The page posts every
    editable field (`partial` False: a required one may not be left empty); the API may send
    only some (`partial` True)."""
    lead = _lead_for(session, actor, lead_id)
    fields = lead_fields(session, actor=actor, lead=lead)
    written = cf.write(
        fields,
        lead.custom,
        values_of(values),
        named_by=_named(named_by),
        complete=not partial,
        required_of=[] if lead.status == LeadStatus.DRAFT else None,
    )
    if written.after:
        recipients = session.exec(select(LeadRecipient).where(LeadRecipient.lead_id == lead.id))
        touched(session, lead, *recipients)
    cf.save(session, actor=actor, record=lead, written=written)


def _lead_for(session: Session, actor: Actor, lead_id: object) -> Lead:
    """The lead, locked, for its origin (a member: their own) or one of its recipients (a
    member: the one assigned to it)."""
    lead_id = inputs.record_id(lead_id, what="lead")
    lead = session.get(Lead, lead_id)
    if lead is None:
        raise NotFound(NOT_VISIBLE)
    if lead.origin_org_id == actor.org_id:
        return own_lead(session, actor, lead_id)
    recipient = session.exec(
        select(LeadRecipient).where(
            LeadRecipient.lead_id == lead_id, LeadRecipient.org_id == actor.org_id
        )
    ).first()
    if recipient is None:
        raise NotFound(NOT_VISIBLE)
    if not (actor.sees_all or recipient.owner_id == actor.user_id):
        raise NotAllowed("Only the person it is assigned to or a manager can do that.")
    return session.exec(select(Lead).where(Lead.id == lead_id).with_for_update()).one()


def _entity(actor: Actor) -> FieldEntity:
    if direction_of(actor) == LeadDirection.PROVIDER_TO_PARTNER:
        return FieldEntity.REFERRAL
    return FieldEntity.LEAD


def _required_of(actor: Actor, ids: list[int], submitting: bool) -> list[int]:
    return [actor.org_id, *ids] if submitting else []


def _int_ids(value: object) -> list[int]:
    if not isinstance(value, list | tuple):
        return []
    found = []
    for v in value:
        try:
            found.append(inputs.record_id(v, what="organization"))
        except (Invalid, NotFound):
            continue
    return found


def _named(named_by: object) -> str:
    if named_by not in ("id", "key"):
        raise Invalid(UNREADABLE)
    return str(named_by)
