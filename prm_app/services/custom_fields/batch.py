"""The fields of many records at once, as one viewer sees each: for the paths that read a page
or a file of records (API lists, exports, webhooks) without asking `access` once per record.

A record's fields are the viewer's own and those of the record's other side (its counterparts),
exactly as access.for_viewer gives them for that one record: the definitions are read once per
kind of record, then each record keeps the ones of its own counterparts.
"""

from collections.abc import Iterable, Sequence
from typing import Any

from sqlmodel import Session, col, select

from ...models import Deal, FieldEntity, Lead, LeadDirection, LeadRecipient, Partnership
from .access import FieldAccess, for_viewer

Record = tuple[str, Iterable[int]]  # (entity, counterpart organization ids)


def fields_per_record(
    session: Session, *, viewer_org_id: int, records: Sequence[Record]
) -> list[list[FieldAccess]]:
    """For each (entity, counterparts) the fields `viewer_org_id` may see on such a record."""
    wanted = [(str(entity), {int(o) for o in others}) for entity, others in records]
    across: dict[str, set[int]] = {}
    for entity, others in wanted:
        across.setdefault(entity, set()).update(others)
    defined = {
        entity: for_viewer(
            session, viewer_org_id=viewer_org_id, entity=entity, counterpart_org_ids=others
        )
        for entity, others in across.items()
    }
    return [
        [f for f in defined[entity] if f.own or f.org_id in others] for entity, others in wanted
    ]


def lead_records(session: Session, viewer_org_id: int, leads: Sequence[Lead | Any]) -> list[Record]:
    """(entity, counterparts) of each lead for the viewer, in one query for their recipients:
    the same as access.lead_entity and access.lead_counterparts. A lead may be a row of a query
    with the lead's id, direction, origin_org_id and draft_recipient_ids."""
    sent: dict[int, set[int]] = {}
    own = [lead.id for lead in leads if lead.origin_org_id == viewer_org_id and lead.id]
    if own:
        for lead_id, org_id in session.exec(
            select(LeadRecipient.lead_id, LeadRecipient.org_id).where(
                col(LeadRecipient.lead_id).in_(own)
            )
        ):
            sent.setdefault(lead_id, set()).add(org_id)
    records: list[Record] = []
    for lead in leads:
        entity = (
            FieldEntity.REFERRAL
            if lead.direction == LeadDirection.PROVIDER_TO_PARTNER
            else FieldEntity.LEAD
        )
        if lead.origin_org_id != viewer_org_id:
            others: set[int] = {lead.origin_org_id}
        else:
            drafted = {int(i) for i in lead.draft_recipient_ids or ()}
            others = sent.get(lead.id or 0, set()) | drafted
        records.append((entity.value, others))
    return records


def deal_record(deal: Deal, viewer_org_id: int) -> Record:
    other = deal.partner_org_id if viewer_org_id == deal.provider_org_id else deal.provider_org_id
    return (FieldEntity.DEAL.value, [other])


def partnership_record(partnership: Partnership, viewer_org_id: int) -> Record:
    if viewer_org_id == partnership.provider_org_id:
        others = [partnership.consultant_org_id] if partnership.consultant_org_id else []
    else:
        others = [partnership.provider_org_id]
    return (FieldEntity.PARTNER.value, others)
