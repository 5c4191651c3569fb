"""Custom values through the REST API: read as `custom` objects, written by the fields' API
names (services.custom_fields.access.by_key), partially (a PATCH changes only what it names).

The fields are always those services.custom_fields.access gives the key's organization for the
record: a hidden field is never read out, and a name the organization may not edit is refused
with the message the forms give (services.custom_fields.values.write).
"""

from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass

from sqlmodel import Session, col, select

from ...models import (
    Deal,
    FieldEntity,
    Lead,
    LeadDirection,
    LeadRecipient,
    OrgKind,
    Partnership,
)
from .. import custom_fields as cf
from .. import deals, leads, partnerships
from ..core import inputs
from ..core.actor import Actor
from ..core.errors import Invalid, NotFound
from ..custom_fields.access import partner_org_ids
from ..custom_fields.batch import deal_record, fields_per_record, lead_records, partnership_record
from ..leads import access as lead_access

MAX_VALUES = 100
NO_VALUES = "Send `custom` as an object of field names and values."
PARTNERSHIP_NOT_VISIBLE = "That partnership does not exist or is not visible to you."


@dataclass(frozen=True, slots=True)
class FieldInfo:
    """A custom field as the API names and types it for the key's organization."""

    name: str  # the name in `custom` objects
    label: str
    type: str
    options: list[str]  # a select's active options (its values are their labels)
    help_text: str
    section: str
    own: bool  # defined by the key's organization (else by the other side)
    org_id: int
    editable: bool
    required: bool


def field_list(
    session: Session, *, actor: Actor, entity: object, other_org_id: object = None
) -> list[FieldInfo]:
    """The fields of `entity` the key's organization sees: its own, and those the other side
    (one organization, or every partner when None) shows it. Only partners' fields: another
    organization's are none of its business."""
    if not isinstance(entity, str) or entity not in tuple(FieldEntity):
        raise Invalid("Choose lead, referral, deal or partner.", field="entity")
    others = partner_org_ids(session, actor.org_id)
    if other_org_id is not None:
        wanted = inputs.record_id(other_org_id, what="organization")
        others = [wanted] if wanted in others else []
    fields = cf.for_viewer(
        session, viewer_org_id=actor.org_id, entity=entity, counterpart_org_ids=others
    )
    return [
        FieldInfo(
            name=name,
            label=f.label,
            type=f.type,
            options=[str(o["label"]) for o in f.options if not o.get("archived")],
            help_text=f.help_text,
            section=f.section,
            own=f.own,
            org_id=f.org_id,
            editable=f.editable,
            required=f.required,
        )
        for name, f in cf.by_key(fields).items()
    ]


# reading ---------------------------------------------------------------------------------------


def of_leads(session: Session, *, actor: Actor, lead_ids: Sequence[int]) -> dict[int, dict]:
    """{lead id: `custom` object} for leads the caller already may see (a list's page)."""
    found = session.exec(select(Lead).where(col(Lead.id).in_(list(lead_ids)))).all()
    per = fields_per_record(
        session, viewer_org_id=actor.org_id, records=lead_records(session, actor.org_id, found)
    )
    return {
        lead.id: cf.plain_values(fields, lead.custom)
        for lead, fields in zip(found, per, strict=True)
        if lead.id is not None
    }


def of_deals(session: Session, *, actor: Actor, deal_ids: Sequence[int]) -> dict[int, dict]:
    """{deal id: `custom` object} for deals the caller already may see."""
    found = session.exec(select(Deal).where(col(Deal.id).in_(list(deal_ids)))).all()
    records = [deal_record(deal, actor.org_id) for deal in found]
    per = fields_per_record(session, viewer_org_id=actor.org_id, records=records)
    return {
        deal.id: cf.plain_values(fields, deal.custom)
        for deal, fields in zip(found, per, strict=True)
        if deal.id is not None
    }


def of_partnerships(session: Session, *, actor: Actor, ids: Sequence[int]) -> dict[int, dict]:
    """{partnership id: `custom` object} for partnerships of the caller's organization."""
    found = session.exec(
        select(Partnership).where(
            col(Partnership.id).in_(list(ids)),
            (Partnership.provider_org_id == actor.org_id)
            | (Partnership.consultant_org_id == actor.org_id),
        )
    ).all()
    records = [partnership_record(p, actor.org_id) for p in found]
    per = fields_per_record(session, viewer_org_id=actor.org_id, records=records)
    return {
        p.id: cf.plain_values(fields, p.custom)
        for p, fields in zip(found, per, strict=True)
        if p.id is not None
    }


def lead_custom(session: Session, *, actor: Actor, lead_id: object) -> dict:
    lead = _visible_lead(session, actor, lead_id)
    return cf.plain_values(cf.for_lead(session, lead, actor.org_id), lead.custom)


def deal_custom(session: Session, *, actor: Actor, deal_id: object) -> dict:
    deal = deals.visible(session, actor=actor, deal_id=deal_id)
    return cf.plain_values(cf.for_deal(session, deal, actor.org_id), deal.custom)


def partnership_custom(session: Session, *, actor: Actor, partnership_id: object) -> dict:
    partnership = _partnership(session, actor, partnership_id)
    fields = cf.for_partnership(session, partnership, actor.org_id)
    return cf.plain_values(fields, partnership.custom)


# writing ---------------------------------------------------------------------------------------


def set_lead_custom(session: Session, *, actor: Actor, lead_id: object, values: object) -> dict:
    """Change the named values of a lead (a PATCH, through leads.set_custom: who may edit
    which); returns its `custom`."""
    lead = _visible_lead(session, actor, lead_id)
    fields = cf.for_lead(session, lead, actor.org_id)
    with api_names(fields):
        leads.set_custom(
            session,
            actor=actor,
            lead_id=lead.id,
            values=_values(values),
            named_by="key",
            partial=True,
        )
    return cf.plain_values(fields, lead.custom)


def set_deal_custom(session: Session, *, actor: Actor, deal_id: object, values: object) -> dict:
    """Change the named values of a deal (a PATCH, through deals.set_custom: refused like any
    edit once the deal can no longer change); returns its `custom`."""
    deal = deals.visible(session, actor=actor, deal_id=deal_id)
    fields = cf.for_deal(session, deal, actor.org_id)
    with api_names(fields):
        deals.set_custom(
            session,
            actor=actor,
            deal_id=deal.id,
            version=deal.version,  # the API has no optimistic lock: the change is partial
            values=_values(values),
            named_by="key",
            partial=True,
        )
    return cf.plain_values(fields, deal.custom)


def set_partnership_custom(
    session: Session, *, actor: Actor, partnership_id: object, values: object
) -> dict:
    """Change the named values of a partnership (a PATCH, through partnerships.set_custom:
    managers and admins of an active partnership); returns its `custom`."""
    partnership = _partnership(session, actor, partnership_id)
    fields = cf.for_partnership(session, partnership, actor.org_id)
    with api_names(fields):
        partnerships.set_custom(
            session,
            actor=actor,
            partnership_id=partnership.id,
            values=dict(_values(values)),
            named_by="key",
            complete=False,
        )
    return cf.plain_values(fields, partnership.custom)


@contextmanager
def api_names(fields: Sequence[cf.FieldAccess]) -> Iterator[None]:
    """Problems of custom values (a service names them as the forms do, "custom_<id>") named
    as the API names the values ("custom.<name>"); the form's other problems stay as they are."""
    try:
        yield
    except Invalid as error:
        if not any(key.startswith("custom_") for key in error.problems):
            raise
        names = {f.form_name: f"custom.{name}" for name, f in cf.by_key(fields).items()}
        problems = {
            names.get(key, "custom." + key.removeprefix("custom_"))
            if key.startswith("custom_")
            else key: message
            for key, message in error.problems.items()
        }
        first = next(iter(problems))
        raise Invalid(problems[first], field=first, problems=problems) from None


def new_record_fields(
    session: Session, *, actor: Actor, entity: FieldEntity, other_org_ids: Sequence[int]
) -> list[cf.FieldAccess]:
    """The fields the caller fills on a record it is creating with these organizations."""
    return cf.for_viewer(
        session, viewer_org_id=actor.org_id, entity=entity, counterpart_org_ids=other_org_ids
    )


def _values(values: object) -> Mapping[str, object]:
    if not isinstance(values, Mapping) or len(values) > MAX_VALUES:
        raise Invalid(NO_VALUES, field="custom")
    if any(not isinstance(name, str) for name in values):
        raise Invalid(NO_VALUES, field="custom")
    return values


def _visible_lead(session: Session, actor: Actor, lead_id: object, *, lock: bool = False) -> Lead:
    """A lead the caller sees as leads.detail decides (its owner or a manager, either side)."""
    found = leads.detail(session, actor=actor, lead_id=lead_id)
    query = select(Lead).where(Lead.id == found.id)
    lead = session.exec(query.with_for_update() if lock else query).one()
    return lead


def _partnership(
    session: Session, actor: Actor, partnership_id: object, *, lock: bool = False
) -> Partnership:
    """A partnership of the caller's organization, on either side."""
    if actor.org_kind not in (OrgKind.PROVIDER, OrgKind.CONSULTANT):
        raise NotFound(PARTNERSHIP_NOT_VISIBLE)
    partnership_id = inputs.record_id(partnership_id, what="partnership")
    own = (
        Partnership.provider_org_id
        if actor.org_kind == OrgKind.PROVIDER
        else Partnership.consultant_org_id
    )
    query = select(Partnership).where(Partnership.id == partnership_id, own == actor.org_id)
    partnership = session.exec(query.with_for_update() if lock else query).first()
    if partnership is None:
        raise NotFound(PARTNERSHIP_NOT_VISIBLE)
    return partnership


def convert_fields(session: Session, *, actor: Actor, recipient_id: object) -> list[cf.FieldAccess]:
    """The deal fields the caller fills when converting a lead it received (only to name their
    problems: leads.convert decides who may convert what)."""
    received = inputs.record_id(recipient_id, what="lead")
    origin = session.exec(
        select(Lead.origin_org_id)
        .join(LeadRecipient, col(LeadRecipient.lead_id) == Lead.id)
        .where(LeadRecipient.id == received, LeadRecipient.org_id == actor.org_id)
    ).first()
    others = [origin] if origin is not None else []
    return new_record_fields(session, actor=actor, entity=FieldEntity.DEAL, other_org_ids=others)


def lead_entity_of(actor: Actor) -> FieldEntity:
    """What the caller's new leads are: a consultant's leads, a provider's referrals."""
    if lead_access.direction_of(actor) == LeadDirection.PARTNER_TO_PROVIDER:
        return FieldEntity.LEAD
    return FieldEntity.REFERRAL
