"""What the partnership operations share: who may change one, loading it, its status moves."""

from datetime import datetime
from typing import Any

from sqlmodel import Session, select

from ...models import Organization, OrgKind, Partnership, PartnershipStatus, utcnow
from ..core import activity, changes, inputs
from ..core.actor import Actor
from ..core.errors import Invalid, NotAllowed, NotFound
from ..integrations import webhooks

MANAGERS_ONLY = "Only an administrator or manager of your organization can do that."
NOT_VISIBLE = "That partnership does not exist or is not visible to you."

Status = PartnershipStatus
# Why an invitation can no longer be answered, resent or revoked, by its status.
_CLOSED = {
    Status.ACTIVE: "This invitation was already accepted.",
    Status.REJECTED: "This invitation was declined.",
    Status.REVOKED: "This invitation was withdrawn.",
    Status.ENDED: "This partnership has ended.",
}


def require_manager(actor: Actor, kind: OrgKind | None = None) -> None:
    """The actor is an admin or manager (of an organization of `kind`, when given)."""
    if kind is not None:
        actor.require_kind(kind)
    if not actor.sees_all:
        raise NotAllowed(MANAGERS_ONLY)


def load(session: Session, actor: Actor, partnership_id: object) -> Partnership:
    """A partnership of the actor's organization, on the actor's side, locked for the change."""
    partnership_id = inputs.record_id(partnership_id, what="partnership")
    own_side = (
        Partnership.provider_org_id
        if actor.org_kind == OrgKind.PROVIDER
        else Partnership.consultant_org_id
    )
    partnership = session.exec(
        select(Partnership)
        .where(Partnership.id == partnership_id, own_side == actor.org_id)
        .with_for_update()
    ).first()
    if partnership is None:
        raise NotFound(NOT_VISIBLE)
    return partnership


def touched(session: Session, partnership: Partnership) -> None:
    """Note a change of the partnership (or invitation) for the open views of both sides: the
    provider's directory and invitations, the consultant's My Providers (once it is bound)."""
    changes.touched(
        session,
        changes.Topic.PARTNERS,
        partnership.provider_org_id,
        partnership.consultant_org_id,
    )


def require_invited(partnership: Partnership) -> None:
    if partnership.status != Status.INVITED:
        raise Invalid(_CLOSED[partnership.status])


def require_active(partnership: Partnership) -> None:
    if partnership.status != Status.ACTIVE:
        raise Invalid("Only an active partnership can be changed or ended.")


def expired(partnership: Partnership, now: datetime | None = None) -> bool:
    expires_at = partnership.invite_expires_at
    return expires_at is not None and expires_at <= (now or utcnow())


def close(
    session: Session, actor: Actor, partnership: Partnership, status: Status, action: str
) -> None:
    """Move the partnership to `status`, retire its token, and record the change."""
    before = state(partnership)
    partnership.status = status
    partnership.invite_token_hash = None
    touched(session, partnership)
    if status == Status.REVOKED:
        partnership.ended_at = utcnow()
    session.add(partnership)
    activity.record(
        session,
        actor=actor,
        subject=partnership,
        action=action,
        before=before,
        after=state(partnership),
    )
    webhooks.partnership_changed(session, partnership=partnership, action=action)


def org_name(session: Session, org_id: int) -> str:
    return session.exec(select(Organization.name).where(Organization.id == org_id)).one()


def state(partnership: Partnership) -> dict[str, Any]:
    return {"status": partnership.status, "consultant_org_id": partnership.consultant_org_id}
