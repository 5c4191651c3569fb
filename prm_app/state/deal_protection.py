"""A deal's protection as its page shows it to each side (services.deals.conflicts): this
deal's own, another partner's of the same customer (for a partner: only until when, never by
whom) and the conflict decisions written on it; for the provider, the deals involved."""

from typing import TypedDict

from sqlmodel import Session

from .. import routes
from ..models import OrgKind
from ..services.core.actor import Actor
from ..services.deals import conflicts
from . import view


class ProtectionView(TypedDict):
    """`needs_decision` is "yes" when Approve takes a decision."""

    own: str
    held_until: str
    needs_decision: str
    protect_until: str


class DealConflictRow(TypedDict):
    """A deal of another partner (the provider's view only): its customer, until when it was
    protected, and its page."""

    partner: str
    company: str
    until: str
    name: str
    link: str


def read(
    session: Session, actor: Actor, deal_id: int
) -> tuple[list[DealConflictRow], ProtectionView, list[str], list[DealConflictRow]]:
    """(the same customer protected for other partners now, this deal's protection, the conflict
    decisions about it, the other deals those were about); the lists of deals are the
    provider's only (empty for a partner)."""
    seen = conflicts.standing(session, actor=actor, deal_id=deal_id)
    now = [
        {
            "partner": c.partner_name,
            "company": c.company,
            "until": view.day(c.protected_until),
            "name": "",
            "link": routes.deal_page(OrgKind.PROVIDER, c.deal_id),
        }
        for c in seen.held
    ]
    involved = [
        {
            "partner": o.partner_name,
            "company": "",
            "until": "",
            "name": o.name,
            "link": routes.deal_page(OrgKind.PROVIDER, o.deal_id),
        }
        for o in seen.others
    ]
    protection: ProtectionView = {
        "own": seen.own,
        "held_until": view.day(seen.held_until),
        "needs_decision": "yes" if seen.needs_decision else "",
        "protect_until": view.day(seen.protect_until),
    }
    return now, protection, seen.decided, involved  # type: ignore[return-value]
