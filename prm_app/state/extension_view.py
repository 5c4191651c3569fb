"""A deal's protection extensions as its page shows them (services.deals.extensions): what the
caller may do now, the request waiting, and the history of requests and answers."""

from typing import TypedDict

from sqlmodel import Session

from ..models import ExtensionStatus
from ..services.core.actor import Actor
from ..services.deals import extensions
from . import view


class ExtensionView(TypedDict):
    """Flags are "yes" or ""; `pending_id` is "" when no request waits."""

    can_request: str
    closed: str
    max_days: str
    pending_id: str
    pending_days: str
    pending_reason: str
    pending_asked: str
    can_decide: str
    suggested_end: str
    earliest_end: str
    latest_end: str


class ExtensionRow(TypedDict):
    """One request and its answer, in words."""

    asked: str
    asked_for: str
    reason: str
    answer: str


def _answer(request: extensions.Request) -> str:
    if request.status == ExtensionStatus.APPROVED:
        return f"Approved on {view.day(request.decided_at)}: protected until " + view.day(
            request.new_until
        )
    if request.status == ExtensionStatus.DECLINED:
        return f"Declined on {view.day(request.decided_at)}: {request.decision_reason}"
    return "Waiting for the provider's answer"


def read(session: Session, actor: Actor, deal_id: int) -> tuple[ExtensionView, list[ExtensionRow]]:
    """(what the caller may do now and the request waiting, the history newest first)."""
    seen = extensions.outlook(session, actor=actor, deal_id=deal_id)
    pending = seen.pending
    shown: ExtensionView = {
        "can_request": "yes" if seen.can_request else "",
        "closed": seen.closed,
        "max_days": str(seen.max_days),
        "pending_id": str(pending.id) if pending else "",
        "pending_days": str(pending.days) if pending else "",
        "pending_reason": pending.reason if pending else "",
        "pending_asked": view.day(pending.asked_at) if pending else "",
        "can_decide": "yes" if seen.can_decide else "",
        "suggested_end": view.day(seen.suggested_end),
        "earliest_end": view.day(seen.earliest_end),
        "latest_end": view.day(seen.latest_end),
    }
    history: list[ExtensionRow] = [
        {
            "asked": view.day(r.asked_at),
            "asked_for": f"{r.days} days from {view.day(r.protected_until)}",
            "reason": r.reason,
            "answer": _answer(r),
        }
        for r in seen.history
    ]
    return shown, history
