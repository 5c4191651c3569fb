"""Who sees and edits which custom field: the one place every path asks.

A record's fields are its parties' fields for its kind: a lead has its consultant's private lead
fields and the lead fields of each provider it went to; a referral its provider's referral
fields; a deal its provider's deal fields; a partnership the provider's partner fields and the
consultant's private fields on its view of that provider.

A viewer sees its own organization's fields (internal access: editable, or required) and the
fields of the record's other side that are not hidden from partners (visible, editable,
required). Only a provider's fields are ever shown to the other side: a consultant's fields are
private. Archived fields are hidden from everyone; their values stay.

Every path (forms, detail pages, lists, filters, exports, imports, the REST API, webhooks, the
timeline) asks `for_viewer` for the fields, then reads and writes through services.custom_fields
.values, which only ever touch the fields it returned.
"""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from sqlmodel import Session, col, select

from ...models import (
    CustomField,
    Deal,
    FieldEntity,
    InternalAccess,
    Lead,
    LeadDirection,
    LeadRecipient,
    PartnerAccess,
    Partnership,
)


@dataclass(frozen=True, slots=True)
class FieldAccess:
    """One field as one organization may use it on one kind of record."""

    id: int
    org_id: int  # the organization that defined it
    entity: str
    key: str
    label: str
    type: str
    options: tuple[dict, ...]
    help_text: str
    section: str
    position: int
    own: bool  # defined by the viewer's organization (internal access) or by the other side
    editable: bool
    required: bool

    @property
    def name(self) -> str:
        """The field's id as a record's `custom` keys it and forms name it."""
        return str(self.id)

    @property
    def form_name(self) -> str:
        """The name of its input in a form, and of its messages ("custom_12")."""
        return f"custom_{self.id}"


def for_viewer(
    session: Session,
    *,
    viewer_org_id: int,
    entity: FieldEntity | str,
    counterpart_org_ids: Iterable[int] = (),
) -> list[FieldAccess]:
    """The active fields of `entity` that `viewer_org_id` may see on a record whose other side
    is `counterpart_org_ids`: its own first, then each counterpart's, by section and position."""
    others = sorted({int(o) for o in counterpart_org_ids} - {viewer_org_id})
    rows = session.exec(
        select(CustomField)
        .where(
            CustomField.entity == str(entity),
            col(CustomField.org_id).in_([viewer_org_id, *others]),
            col(CustomField.archived_at).is_(None),
        )
        .order_by(col(CustomField.position), col(CustomField.id))
    ).all()
    shown = [access_of(field, viewer_org_id) for field in rows]
    ordered = [f for f in shown if f is not None]
    return sorted(ordered, key=lambda f: (not f.own, f.org_id, f.section.casefold(), f.position))


def access_of(field: CustomField, viewer_org_id: int) -> FieldAccess | None:
    """What `viewer_org_id` may do with `field` (None: it may not see it)."""
    own = field.org_id == viewer_org_id
    if own:
        editable, required = True, field.internal_access == InternalAccess.REQUIRED
    elif field.partner_access == PartnerAccess.HIDDEN:
        return None
    else:
        editable = field.partner_access in (PartnerAccess.EDITABLE, PartnerAccess.REQUIRED)
        required = field.partner_access == PartnerAccess.REQUIRED
    assert field.id is not None
    return FieldAccess(
        id=field.id,
        org_id=field.org_id,
        entity=field.entity,
        key=field.key,
        label=field.label,
        type=field.type,
        options=tuple(field.options or ()),
        help_text=field.help_text,
        section=field.section,
        position=field.position,
        own=own,
        editable=editable,
        required=required,
    )


def partner_org_ids(session: Session, org_id: int) -> list[int]:
    """Every organization across a partnership of `org_id` (in any status: their records stay)."""
    rows = session.exec(
        select(Partnership.provider_org_id, Partnership.consultant_org_id).where(
            (Partnership.provider_org_id == org_id) | (Partnership.consultant_org_id == org_id)
        )
    ).all()
    return sorted({o for pair in rows for o in pair if o is not None and o != org_id})


# --- a record's other side, as one viewer sees it --------------------------------------------


def lead_entity(lead: Lead) -> FieldEntity:
    """A lead partners send carries lead fields; a provider's referral, referral fields."""
    if lead.direction == LeadDirection.PROVIDER_TO_PARTNER:
        return FieldEntity.REFERRAL
    return FieldEntity.LEAD


def lead_counterparts(session: Session, lead: Lead, viewer_org_id: int) -> list[int]:
    """The organizations on the other side of `lead` for the viewer: its recipients (a draft's
    chosen ones) for the organization that sent it, the sender for a recipient."""
    if viewer_org_id != lead.origin_org_id:
        return [lead.origin_org_id]
    if lead.id is None:
        return [int(i) for i in lead.draft_recipient_ids or ()]
    sent_to = session.exec(select(LeadRecipient.org_id).where(LeadRecipient.lead_id == lead.id))
    return sorted({*sent_to, *(int(i) for i in lead.draft_recipient_ids or ())})


def for_lead(session: Session, lead: Lead, viewer_org_id: int) -> list[FieldAccess]:
    """The fields of `lead` its viewer (the sender, or one recipient) may see."""
    return for_viewer(
        session,
        viewer_org_id=viewer_org_id,
        entity=lead_entity(lead),
        counterpart_org_ids=lead_counterparts(session, lead, viewer_org_id),
    )


def for_deal(session: Session, deal: Deal, viewer_org_id: int) -> list[FieldAccess]:
    other = deal.partner_org_id if viewer_org_id == deal.provider_org_id else deal.provider_org_id
    return for_viewer(
        session, viewer_org_id=viewer_org_id, entity=FieldEntity.DEAL, counterpart_org_ids=[other]
    )


def for_partnership(
    session: Session, partnership: Partnership, viewer_org_id: int
) -> list[FieldAccess]:
    if viewer_org_id == partnership.provider_org_id:
        others = [partnership.consultant_org_id] if partnership.consultant_org_id else []
    else:
        others = [partnership.provider_org_id]
    return for_viewer(
        session,
        viewer_org_id=viewer_org_id,
        entity=FieldEntity.PARTNER,
        counterpart_org_ids=others,
    )


def by_key(fields: Sequence[FieldAccess]) -> dict[str, FieldAccess]:
    """Fields by the name the API, imports and exports use: the key, or "<key>:<org id>"
    for a counterpart's field whose key is also another visible field's."""
    counts: dict[str, int] = {}
    for field in fields:
        counts[field.key] = counts.get(field.key, 0) + 1
    named: dict[str, FieldAccess] = {}
    for field in fields:
        clash = counts[field.key] > 1 and not field.own
        named[f"{field.key}:{field.org_id}" if clash else field.key] = field
    return named
