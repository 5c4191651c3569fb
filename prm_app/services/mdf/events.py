"""Who hears of each MDF step (in the portal and by email, as each person chose for the
"Market development funds" category), and the webhooks of both organizations."""

from decimal import Decimal

from sqlmodel import Session

from ... import routes
from ...models import MdfClaim, MdfRequest
from ..core.actor import Actor
from ..integrations import webhooks
from ..notifications.delivery import members, notify


def money(currency: str, amount: Decimal | None) -> str:
    return f"{currency} {amount or 0:,.2f}"


def request_data(request: MdfRequest) -> dict:
    return {
        "mdf_request_id": request.id,
        "budget_id": request.budget_id,
        "provider_org_id": request.provider_org_id,
        "partner_org_id": request.partner_org_id,
        "activity_type": request.activity_type,
        "title": request.title,
        "starts_on": request.starts_on.isoformat(),
        "ends_on": request.ends_on.isoformat(),
        "requested_amount": str(request.requested_amount),
        "approved_amount": None
        if request.approved_amount is None
        else str(request.approved_amount),
        "currency": request.currency,
        "status": request.status,
    }


def claim_data(claim: MdfClaim, request: MdfRequest) -> dict:
    return {
        **request_data(request),
        "mdf_claim_id": claim.id,
        "claim_amount": str(claim.amount),
        "claim_approved_amount": None
        if claim.approved_amount is None
        else str(claim.approved_amount),
        "claim_status": claim.status,
        "payout_request_id": claim.payout_request_id,
    }


def _hook(session: Session, provider: int, partner: int, event: str, data: dict) -> None:
    webhooks.enqueue(session, org_ids=[provider, partner], event=event, data=data)


def allocated(
    session: Session, *, actor: Actor, partner_org_id: int, budget_id: int, amount: str
) -> None:
    _hook(
        session,
        actor.org_id,
        partner_org_id,
        "mdf.allocated",
        {"budget_id": budget_id, "partner_org_id": partner_org_id, "amount": amount},
    )
    notify(
        session,
        org_id=partner_org_id,
        user_ids=members(session, partner_org_id, managers=True),
        kind="mdf_allocated",
        text=f"{actor.org_name} allocated {amount} of market development funds to you.",
        link=routes.Consultant.FUNDS,
        actor=actor,
    )


def requested(session: Session, *, actor: Actor, request: MdfRequest) -> None:
    _hook(
        session,
        request.provider_org_id,
        request.partner_org_id,
        "mdf.request_submitted",
        request_data(request),
    )
    notify(
        session,
        org_id=request.provider_org_id,
        user_ids=members(session, request.provider_org_id, managers=True),
        kind="mdf_requested",
        text=f"{actor.org_name} requests "
        f"{money(request.currency, request.requested_amount)} for {request.title}.",
        link=routes.Provider.FUNDS,
        actor=actor,
    )


def request_decided(session: Session, *, actor: Actor, request: MdfRequest) -> None:
    approved = request.approved_amount is not None
    _hook(
        session,
        request.provider_org_id,
        request.partner_org_id,
        "mdf.request_approved" if approved else "mdf.request_denied",
        request_data(request),
    )
    if approved:
        text = (
            f"{actor.org_name} approved {money(request.currency, request.approved_amount)} "
            f"for {request.title}."
        )
    else:
        text = (
            f"{actor.org_name} denied your fund request {request.title}: {request.decision_reason}"
        )
    notify(
        session,
        org_id=request.partner_org_id,
        user_ids=[
            request.requested_by_id,
            *members(session, request.partner_org_id, managers=True),
        ],
        kind="mdf_request_decided",
        text=text,
        link=routes.Consultant.FUNDS,
        actor=actor,
    )


def claimed(session: Session, *, actor: Actor, claim: MdfClaim, request: MdfRequest) -> None:
    _hook(
        session,
        claim.provider_org_id,
        claim.partner_org_id,
        "mdf.claim_submitted",
        claim_data(claim, request),
    )
    notify(
        session,
        org_id=claim.provider_org_id,
        user_ids=members(session, claim.provider_org_id, managers=True),
        kind="mdf_claimed",
        text=f"{actor.org_name} claims {money(claim.currency, claim.amount)} for {request.title}.",
        link=routes.Provider.FUNDS,
        actor=actor,
    )


def claim_decided(session: Session, *, actor: Actor, claim: MdfClaim, request: MdfRequest) -> None:
    approved = claim.approved_amount is not None
    _hook(
        session,
        claim.provider_org_id,
        claim.partner_org_id,
        "mdf.claim_approved" if approved else "mdf.claim_rejected",
        claim_data(claim, request),
    )
    if approved:
        text = (
            f"{actor.org_name} approved your claim for {request.title}: "
            f"{money(claim.currency, claim.approved_amount)} will be reimbursed."
        )
    else:
        text = f"{actor.org_name} rejected your claim for {request.title}: {claim.decision_reason}"
    notify(
        session,
        org_id=claim.partner_org_id,
        user_ids=[claim.submitted_by_id, *members(session, claim.partner_org_id, managers=True)],
        kind="mdf_claim_decided",
        text=text,
        link=routes.Consultant.FUNDS,
        actor=actor,
    )


def expired(
    session: Session, *, provider_org_id: int, partner_org_id: int, budget_id: int, amount: str
) -> None:
    _hook(
        session,
        provider_org_id,
        partner_org_id,
        "mdf.expired",
        {"budget_id": budget_id, "partner_org_id": partner_org_id, "amount": amount},
    )
    notify(
        session,
        org_id=partner_org_id,
        user_ids=members(session, partner_org_id, managers=True),
        kind="mdf_expired",
        text=f"{amount} of unused market development funds expired at the period's end.",
        link=routes.Consultant.FUNDS,
    )
