"""Erasure requests between organizations: one organization erased a person, another holding a
copy of a shared lead or deal erases its copy or declines with a reason (logged either way).

A request names the leads and deals concerned (ids both sides know) and, while it waits, the
person's email and name (the asked organization needs them to find its copies); the decision
blanks them. An organization erasing on request also asks the others it alone knows of (the
recipients of a lead it sent), never one already asked about the same records.
"""

from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session, col, select

from ... import routes
from ...models import (
    ErasureRequest,
    ErasureStatus,
    Membership,
    Organization,
    OrgKind,
    Role,
    utcnow,
)
from ..core import activity, changes, inputs
from ..core.actor import Actor
from ..core.errors import Invalid, NotFound
from ..integrations import webhooks
from ..notifications.delivery import notify
from .erase import erase_matches
from .records import Matches, Person, match

NOT_VISIBLE = "That request does not exist or is not yours to decide."
DECIDED = "That request was decided already."
NEEDS_REASON = "Say why your organization keeps its copy (a legal hold, for example)."
MAX_REASON = 1000


@dataclass(frozen=True, slots=True)
class RequestView:
    id: int
    direction: str  # "received" (ours to decide) | "sent"
    other_org: str
    status: str
    reason: str
    records: int  # leads and deals concerned
    created_at: datetime
    decided_at: datetime | None
    email: str  # "" once decided
    name: str


def ask_others(session: Session, *, actor: Actor, found: Matches, skip: set[int]) -> list[int]:
    """One request to each other organization holding a copy of what `found` matched (except
    `skip` and those already asked about the same leads or deals); returns their ids."""
    asked: list[int] = []
    for org_id, (lead_ids, deal_ids) in sorted(found.other_orgs.items()):
        if org_id in skip or _asked_before(session, org_id, lead_ids, deal_ids):
            continue
        request = ErasureRequest(
            org_id=org_id,
            from_org_id=actor.org_id,
            requested_by_id=actor.user_id,
            email=found.person.email,
            name=found.person.name,
            lead_ids=sorted(lead_ids),
            deal_ids=sorted(deal_ids),
        )
        session.add(request)
        session.flush()
        trail = {"lead_ids": request.lead_ids, "deal_ids": request.deal_ids}
        activity.record(
            session, actor=actor, subject=request, action="erasure_requested", after=trail
        )
        activity.record(
            session,
            actor=actor,
            subject=request,
            action="erasure_requested",
            org_id=org_id,
            after={**trail, "from_org_id": actor.org_id},
        )
        _tell(session, actor, org_id, "erasure_requested", request)
        asked.append(org_id)
    return asked


def requests_of(session: Session, *, actor: Actor) -> list[RequestView]:
    """The requests the actor's organization received and sent, newest first (its admins)."""
    actor.require_admin()
    org = actor.org_id
    rows = session.exec(
        select(ErasureRequest)
        .where((ErasureRequest.org_id == org) | (ErasureRequest.from_org_id == org))
        .order_by(col(ErasureRequest.id).desc())
        .limit(200)
    ).all()
    others = {r.from_org_id if r.org_id == org else r.org_id for r in rows}
    names = dict(
        session.exec(
            select(Organization.id, Organization.name).where(
                col(Organization.id).in_(others or {-1})
            )
        ).all()
    )
    return [
        RequestView(
            id=r.id or 0,
            direction="received" if r.org_id == org else "sent",
            other_org=names.get(r.from_org_id if r.org_id == org else r.org_id, ""),
            status=r.status,
            reason=r.reason,
            records=len(r.lead_ids or []) + len(r.deal_ids or []),
            created_at=r.created_at,
            decided_at=r.decided_at,
            email=r.email if r.org_id == org else "",
            name=r.name if r.org_id == org else "",
        )
        for r in rows
    ]


def decide(
    session: Session, *, actor: Actor, request_id: object, erase: object, reason: object = ""
) -> str:
    """Erase the organization's copy (erase=True) or decline with a reason; returns the
    request's new status."""
    actor.require_admin()
    if not isinstance(erase, bool):
        raise Invalid("Choose to erase or to decline.", field="erase")
    request_id = inputs.record_id(request_id, what="request")
    request = session.exec(
        select(ErasureRequest).where(
            ErasureRequest.id == request_id, ErasureRequest.org_id == actor.org_id
        )
    ).first()
    if request is None:
        raise NotFound(NOT_VISIBLE)
    if request.status != ErasureStatus.PENDING:
        raise Invalid(DECIDED)
    said = inputs.text(reason, field="reason", label="Reason", max_len=MAX_REASON, required=False)
    if not erase and not said:
        raise Invalid(NEEDS_REASON, field="reason")
    trail: dict = {"status": "", "reason": said}
    if erase:
        found = match(
            session,
            actor=actor,
            who=Person(request.email, request.name),
            lead_ids=[int(i) for i in request.lead_ids or []],
            deal_ids=[int(i) for i in request.deal_ids or []],
        )
        erase_matches(session, actor=actor, found=found)
        asked = ask_others(session, actor=actor, found=found, skip={request.from_org_id})
        trail |= {"records": found.count(), "asked_org_ids": asked}
    request.status = ErasureStatus.ERASED if erase else ErasureStatus.DECLINED
    request.reason = said
    request.decided_by_id = actor.user_id
    request.decided_at = utcnow()
    request.email, request.name = "", ""
    session.add(request)
    trail["status"] = request.status
    for org_id in (actor.org_id, request.from_org_id):
        activity.record(
            session,
            actor=actor,
            subject=request,
            action="erasure_decided",
            org_id=org_id,
            before={"status": ErasureStatus.PENDING},
            after=trail,
        )
    _tell(session, actor, request.from_org_id, "erasure_decided", request)
    return request.status


def pending_count(session: Session, *, actor: Actor) -> int:
    """How many requests wait for the actor's organization's decision."""
    return len(
        session.exec(
            select(ErasureRequest.id).where(
                ErasureRequest.org_id == actor.org_id,
                ErasureRequest.status == ErasureStatus.PENDING,
            )
        ).all()
    )


def _asked_before(session: Session, org_id: int, lead_ids: list[int], deal_ids: list[int]) -> bool:
    earlier = session.exec(
        select(ErasureRequest.lead_ids, ErasureRequest.deal_ids).where(
            ErasureRequest.org_id == org_id
        )
    ).all()
    leads, deals = set(lead_ids), set(deal_ids)
    return any(leads & set(a or []) or deals & set(b or []) for a, b in earlier)


def _tell(session: Session, actor: Actor, org_id: int, kind: str, request: ErasureRequest):
    """The other organization's admins hear of it, its open privacy pages re-read, and its
    webhooks get the event (ids only, never the person)."""
    org = session.get(Organization, org_id)
    admins = session.exec(
        select(Membership.user_id).where(
            Membership.org_id == org_id,
            Membership.role == Role.ADMIN,
            col(Membership.is_active).is_(True),
        )
    ).all()
    if kind == "erasure_requested":
        text = f"{actor.org_name} erased a person's data and asks you to erase your copy."
    else:
        text = f"{actor.org_name} {request.status} its copy of a person you erased."
    link = routes.Provider.PRIVACY
    if org is not None and org.kind == OrgKind.CONSULTANT:
        link = routes.Consultant.PRIVACY
    notify(session, org_id=org_id, user_ids=admins, kind=kind, text=text, link=link, actor=actor)
    changes.touched(session, changes.Topic.PRIVACY, org_id, actor.org_id)
    webhooks.enqueue(
        session,
        org_ids=[org_id],
        event=f"privacy.{kind}",
        data={
            "request_id": request.id,
            "from_org_id": request.from_org_id,
            "org_id": request.org_id,
            "status": request.status,
            "lead_ids": request.lead_ids,
            "deal_ids": request.deal_ids,
        },
    )
