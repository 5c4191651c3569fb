"""One lead as the caller may see it, with its recipients."""

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy.orm import aliased
from sqlmodel import Session, col, func, select

from ...models import (
    Deal,
    Lead,
    LeadDirection,
    LeadRecipient,
    LeadStatus,
    Organization,
    Stage,
    User,
)
from .. import custom_fields as cf
from ..core import inputs
from ..core.actor import Actor
from ..core.errors import NotFound
from .access import NOT_VISIBLE
from .custom import lead_fields


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
    deal_id: int | None = None  # the deal it was converted into


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
    # A draft's organizations ticked when it was saved (origin side only).
    draft_recipient_ids: list[int] = field(default_factory=list)
    share_consent: bool = False  # the contact's permission to share with partners
    erased: bool = False  # the contact's details erased or stripped (services.privacy)
    # The custom fields this side sees (its own, and the other side's not hidden from it),
    # and the lead's values of those fields only.
    custom_fields: list[cf.FieldAccess] = field(default_factory=list)
    custom: dict = field(default_factory=dict)


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
        return _detail(session, actor, lead, "origin", recipients, hidden=False)
    recipients = _recipient_views(session, lead.id, actor.org_id)
    if not recipients or not (actor.sees_all or recipients[0].owner_id == actor.user_id):
        raise NotFound(NOT_VISIBLE)
    row = session.get(LeadRecipient, recipients[0].id)
    hidden = lead.direction == LeadDirection.PROVIDER_TO_PARTNER and row.opened_at is None
    return _detail(session, actor, lead, "recipient", recipients, hidden=hidden)


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
        .add_columns(col(Deal.id).label("deal_id"))
        .join(org, org.id == LeadRecipient.org_id)
        .outerjoin(Deal, col(Deal.source_recipient_id) == LeadRecipient.id)
        .outerjoin(Stage, col(Stage.id) == LeadRecipient.stage_id)
        .outerjoin(owner, owner.id == LeadRecipient.owner_id)
        .where(LeadRecipient.lead_id == lead_id)
        .order_by(func.lower(org.name), col(LeadRecipient.id))
    )
    if org_id is not None:
        query = query.where(LeadRecipient.org_id == org_id)
    return [RecipientView(**row._mapping) for row in session.exec(query)]


def _detail(
    session: Session,
    actor: Actor,
    lead: Lead,
    side: str,
    recipients: list[RecipientView],
    *,
    hidden: bool,
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

    fields = lead_fields(session, actor=actor, lead=lead)
    values = lead.custom or {}

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
        draft_recipient_ids=(
            [int(i) for i in lead.draft_recipient_ids or [] if isinstance(i, int)]
            if side == "origin" and lead.status == LeadStatus.DRAFT
            else []
        ),
        share_consent=lead.share_consent,
        erased=lead.erased_at is not None,
        custom_fields=fields,
        custom={f.name: values[f.name] for f in fields if f.name in values},
    )
