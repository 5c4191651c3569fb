"""A deal's withdrawal and resubmission chain as its page shows them to each side
(services.deals.withdrawal): read with the rest of the deal by DealDetailState."""

from typing import TypedDict

from sqlmodel import Session

from .. import routes
from ..services.core.actor import Actor
from ..services.deals import withdrawal
from . import view


class ResubmissionView(TypedDict):
    """`can` is "yes" when the caller may resubmit the deal now; `why_not` says why it cannot
    (for the partner of a finished registration); `form_*` prefill the resubmission form."""

    withdrawn_at: str
    withdrawal_reason: str
    can: str
    why_not: str
    left: str
    form_name: str
    form_company: str
    form_contact_name: str
    form_contact_email: str
    form_amount: str
    form_close_date: str


class ChainRow(TypedDict):
    """One registration of the deal's resubmission chain, oldest first."""

    name: str
    approval: str
    outcome: str
    created: str
    reason: str
    link: str
    current: str  # "yes" for the deal whose page this is


def read(session: Session, actor: Actor, deal_id: int) -> tuple[ResubmissionView, list[ChainRow]]:
    """(what the withdrawal card shows, the chain: empty when the deal was never resubmitted)."""
    seen = withdrawal.standing(session, actor=actor, deal_id=deal_id)
    chain: list[ChainRow] = [
        {
            "name": link.name,
            "approval": link.approval,
            "outcome": link.outcome,
            "created": view.day(link.created_at),
            "reason": link.reason,
            "link": routes.deal_page(actor.org_kind, link.deal_id),
            "current": "yes" if link.current else "",
        }
        for link in seen.chain
    ]
    shown: ResubmissionView = {
        "withdrawn_at": view.day(seen.withdrawn_at),
        "withdrawal_reason": seen.withdrawal_reason,
        "can": "yes" if seen.can_resubmit else "",
        "why_not": seen.why_not,
        "left": str(seen.resubmissions_left),
        "form_name": seen.form["name"],
        "form_company": seen.form["company"],
        "form_contact_name": seen.form["contact_name"],
        "form_contact_email": seen.form["contact_email"],
        "form_amount": seen.form["amount"],
        "form_close_date": seen.form["close_date"],
    }
    return shown, chain if len(chain) > 1 else []
