"""Return on funds: a partner names the MDF activity (its fund request) that produced a lead or
a deal it registered; the provider (and the partner) see per activity the leads and won deals
it produced beside what it cost."""

from dataclasses import dataclass
from decimal import Decimal

import sqlalchemy as sa
from sqlmodel import Session, col, func, select

from ...models import (
    ClaimStatus,
    Deal,
    FundRequestStatus,
    Lead,
    LeadRecipient,
    MdfClaim,
    MdfRequest,
    Organization,
    OrgKind,
    Outcome,
)
from ..core import activity, inputs
from ..core.actor import Actor
from ..core.errors import Invalid, NotFound
from . import books
from .requests import own_request

FUNDED = (FundRequestStatus.APPROVED, FundRequestStatus.CLAIMED)


def attribute(
    session: Session,
    *,
    actor: Actor,
    request_id: object,
    lead_id: object = None,
    deal_id: object = None,
) -> None:
    """Name the approved activity that produced one of the partner's leads (sent to the
    activity's provider) or deals (with that provider); "" or None as request clears it."""
    books.require_partner(actor)
    request = None
    if request_id not in (None, ""):
        request = own_request(session, actor, request_id)
        if request.status not in FUNDED:
            raise Invalid("Name an approved activity.", field="request_id")
    if deal_id not in (None, ""):
        deal_key = inputs.record_id(deal_id, what="deal")
        deal = session.exec(
            select(Deal).where(Deal.id == deal_key, Deal.partner_org_id == actor.org_id)
        ).first()
        if deal is None or (request and deal.provider_org_id != request.provider_org_id):
            raise NotFound("That deal does not exist or is not with that activity's provider.")
        before = {"mdf_request_id": deal.mdf_request_id}
        deal.mdf_request_id = request.id if request else None
        session.add(deal)
        books.touched_pair(session, deal.provider_org_id, deal.partner_org_id)
        activity.record(
            session,
            actor=actor,
            subject=deal,
            action="mdf_attributed",
            before=before,
            after={"mdf_request_id": deal.mdf_request_id},
        )
        return
    lead_key = inputs.record_id(lead_id, what="lead")
    lead = session.exec(
        select(Lead).where(Lead.id == lead_key, Lead.origin_org_id == actor.org_id)
    ).first()
    if lead is None:
        raise NotFound("That lead does not exist or is not visible to you.")
    if request is not None:
        sent = session.exec(
            select(LeadRecipient.id).where(
                LeadRecipient.lead_id == lead.id, LeadRecipient.org_id == request.provider_org_id
            )
        ).first()
        if sent is None:
            raise Invalid("That lead was not sent to the activity's provider.", field="lead_id")
    before = {"mdf_request_id": lead.mdf_request_id}
    lead.mdf_request_id = request.id if request else None
    session.add(lead)
    if request is not None:
        books.touched_pair(session, request.provider_org_id, actor.org_id)
    activity.record(
        session,
        actor=actor,
        subject=lead,
        action="mdf_attributed",
        before=before,
        after={"mdf_request_id": lead.mdf_request_id},
    )


def activities(
    session: Session, *, actor: Actor, deal_id: object = None, lead_id: object = None
) -> tuple[int | None, list[tuple[int, str]]]:
    """For the partner's managers, on one of its deals (or leads): the activity it names (None:
    none) and the funded activities it may name instead (id, title): those of the deal's
    provider, or of the providers the lead went to."""
    books.require_partner(actor)
    if deal_id not in (None, ""):
        deal_key = inputs.record_id(deal_id, what="deal")
        deal = session.exec(
            select(Deal).where(Deal.id == deal_key, Deal.partner_org_id == actor.org_id)
        ).first()
        if deal is None:
            raise NotFound("That deal does not exist or is not visible to you.")
        named, providers = deal.mdf_request_id, [deal.provider_org_id]
    else:
        lead_key = inputs.record_id(lead_id, what="lead")
        lead = session.exec(
            select(Lead).where(Lead.id == lead_key, Lead.origin_org_id == actor.org_id)
        ).first()
        if lead is None:
            raise NotFound("That lead does not exist or is not visible to you.")
        named = lead.mdf_request_id
        providers = list(
            session.exec(select(LeadRecipient.org_id).where(LeadRecipient.lead_id == lead.id))
        )
    funded = session.exec(
        select(MdfRequest.id, MdfRequest.title)
        .where(
            MdfRequest.partner_org_id == actor.org_id,
            col(MdfRequest.provider_org_id).in_(providers),
            col(MdfRequest.status).in_(FUNDED),
        )
        .order_by(col(MdfRequest.id).desc())
        .limit(200)
    ).all()
    return named, [(int(rid), title) for rid, title in funded if rid is not None]


@dataclass(frozen=True, slots=True)
class ReturnRow:
    request_id: int
    title: str
    other_name: str
    currency: str
    spent: Decimal  # the approved claim (0 before one)
    leads: int
    won_deals: int
    won_amount: Decimal

    @property
    def ratio(self) -> Decimal | None:
        """Won revenue per unit of funds spent (None before any spending)."""
        return (self.won_amount / self.spent).quantize(Decimal("0.01")) if self.spent else None


def returns(session: Session, *, actor: Actor, limit: int = 200) -> list[ReturnRow]:
    """Per funded activity of the caller's organization: what it cost, the leads it produced
    and the deals won from it (named on the deal, or on the lead the deal came from)."""
    books.require_managers(actor)
    provider = actor.org_kind == OrgKind.PROVIDER
    own = MdfRequest.provider_org_id if provider else MdfRequest.partner_org_id
    other = MdfRequest.partner_org_id if provider else MdfRequest.provider_org_id
    requests = session.exec(
        select(MdfRequest.id, MdfRequest.title, Organization.name, MdfRequest.currency)
        .join(Organization, col(Organization.id) == other)
        .where(own == actor.org_id, col(MdfRequest.status).in_(FUNDED))
        .order_by(col(MdfRequest.id).desc())
        .limit(limit)
    ).all()
    ids = [r[0] for r in requests]
    if not ids:
        return []
    spent = dict(
        session.exec(
            select(col(MdfClaim.request_id), func.sum(MdfClaim.approved_amount))
            .where(col(MdfClaim.request_id).in_(ids), MdfClaim.status == ClaimStatus.APPROVED)
            .group_by(col(MdfClaim.request_id))
        ).all()
    )
    leads = dict(
        session.exec(
            select(col(Lead.mdf_request_id), func.count())
            .where(col(Lead.mdf_request_id).in_(ids))
            .group_by(col(Lead.mdf_request_id))
        ).all()
    )
    source = (
        select(Lead.mdf_request_id)
        .join(LeadRecipient, col(LeadRecipient.lead_id) == Lead.id)
        .where(LeadRecipient.id == Deal.source_recipient_id)
        .correlate(Deal)
        .scalar_subquery()
    )
    named = func.coalesce(Deal.mdf_request_id, source)
    won: dict[int, tuple[int, Decimal]] = {
        request_id: (count, total)
        for request_id, count, total in session.exec(
            select(named.label("rid"), func.count(), func.sum(Deal.amount))
            .where(
                Deal.outcome == Outcome.WON,
                (Deal.provider_org_id if provider else Deal.partner_org_id) == actor.org_id,
                sa.or_(col(Deal.mdf_request_id).in_(ids), source.in_(ids)),
            )
            .group_by(named)
        ).all()
    }
    nothing = (0, Decimal(0))
    return [
        ReturnRow(
            request_id=rid or 0,
            title=title,
            other_name=name,
            currency=currency,
            spent=Decimal(spent.get(rid or 0) or 0),
            leads=int(leads.get(rid or 0) or 0),
            won_deals=int(won.get(rid or 0, nothing)[0] or 0),
            won_amount=Decimal(won.get(rid or 0, nothing)[1] or 0),
        )
        for rid, title, name, currency in requests
    ]
