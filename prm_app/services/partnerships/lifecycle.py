"""A partnership's life: invite, resend, revoke, claim a sign-up invitation, accept, reject, end.

A provider invites a firm by email. An email of a consultant's user binds the invitation to that
firm at once; any other email gets an unbound invitation whose secret token goes into a sign-up
link and is claimed by the firm created from it. Only the token's SHA-256 is stored, and a token
works only while its invitation is open. One row per (provider, consultant): inviting a firm
again reopens the earlier rejected, revoked or ended row, keeping its categorization.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlmodel import Session, col, select

from ...models import Membership, Organization, OrgKind, Partnership, User, utcnow
from .. import notifications
from ..core import activity, inputs
from ..core.actor import Actor
from ..core.errors import Invalid, NotAuthenticated
from ..identity import auth
from .common import (
    Status,
    close,
    expired,
    load,
    org_name,
    require_active,
    require_invited,
    require_manager,
    state,
)

INVITE_TTL = timedelta(days=14)


MAX_MESSAGE = 2000


@dataclass(frozen=True, slots=True)
class Invitation:
    partnership_id: int
    token: str
    consultant_name: str | None  # None: the firm has no account yet, send a sign-up link


def invite(session: Session, *, actor: Actor, email: object, message: object = "") -> Invitation:
    """Invite a consultant firm by email; reopens an earlier closed partnership with that firm."""
    require_manager(actor, OrgKind.PROVIDER)
    email = inputs.email(email)
    message = inputs.text(
        message, field="message", label="Message", max_len=MAX_MESSAGE, required=False
    )
    firm = _consultant_firm(session, email)
    consultant_id = firm.id if firm else None
    same_invitee = (
        col(Partnership.consultant_org_id) == consultant_id
        if firm
        else col(Partnership.consultant_org_id).is_(None) & (col(Partnership.invite_email) == email)
    )
    partnership = session.exec(
        select(Partnership)
        .where(Partnership.provider_org_id == actor.org_id, same_invitee)
        .order_by(col(Partnership.id).desc())
        .with_for_update()
    ).first()
    if partnership is not None and partnership.status == Status.ACTIVE:
        raise Invalid(f"{firm.name} is already your partner.", field="email")
    if _pending_invitation(session, actor.org_id, email, consultant_id):
        raise Invalid("This firm is already invited: resend the invitation instead.", field="email")
    before = state(partnership) if partnership else None
    partnership = partnership or Partnership(
        provider_org_id=actor.org_id, consultant_org_id=consultant_id
    )
    _reopen(partnership, email=email, message=message, invited_by_id=actor.user_id)
    token = _issue_token(partnership)
    session.add(partnership)
    session.flush()
    activity.record(
        session,
        actor=actor,
        subject=partnership,
        action="invited",
        before=before,
        after={**state(partnership), "email": email},
    )
    _tell_invitee(session, actor, partnership, token)
    return Invitation(partnership.id, token, firm.name if firm else None)


def resend(session: Session, *, actor: Actor, partnership_id: object) -> str:
    """A new token and expiry for a pending (possibly expired) invitation; returns the token."""
    require_manager(actor, OrgKind.PROVIDER)
    partnership = load(session, actor, partnership_id)
    require_invited(partnership)
    before = {"expires_at": _iso(partnership.invite_expires_at)}
    token = _issue_token(partnership)
    session.add(partnership)
    after = {"expires_at": _iso(partnership.invite_expires_at)}
    activity.record(
        session, actor=actor, subject=partnership, action="resent", before=before, after=after
    )
    _tell_invitee(session, actor, partnership, token)
    return token


def revoke(session: Session, *, actor: Actor, partnership_id: object) -> None:
    """Withdraw a pending invitation; its token stops working."""
    require_manager(actor, OrgKind.PROVIDER)
    partnership = load(session, actor, partnership_id)
    require_invited(partnership)
    close(session, actor, partnership, Status.REVOKED, "revoked")


def describe_invitation(session: Session, *, token: object) -> tuple[str, str]:
    """(provider name, invited email) of an open unbound invitation, for the sign-up page."""
    partnership = _unbound_invitation(session, token)
    return org_name(session, partnership.provider_org_id), partnership.invite_email


def claim_invitation(session: Session, *, actor: Actor, token: object) -> int:
    """Bind an unbound invitation to the actor's firm, still to be accepted; returns its id.

    When the firm already has a closed partnership with that provider, that row is reopened with
    the invitation's details and the unbound row is removed.
    """
    actor.require_kind(OrgKind.CONSULTANT)
    invitation = _unbound_invitation(session, token)
    existing = session.exec(
        select(Partnership)
        .where(
            Partnership.provider_org_id == invitation.provider_org_id,
            Partnership.consultant_org_id == actor.org_id,
        )
        .with_for_update()
    ).first()
    if existing is None:
        partnership, before = invitation, state(invitation)
        partnership.consultant_org_id = actor.org_id
    elif existing.status == Status.ACTIVE:
        provider = org_name(session, existing.provider_org_id)
        raise Invalid(f"You are already partners with {provider}.")
    elif existing.status == Status.INVITED and not expired(existing):
        provider = org_name(session, existing.provider_org_id)
        raise Invalid(f"{provider} has already invited you: answer that invitation.")
    else:
        partnership, before = existing, state(existing)
        _reopen(
            partnership,
            email=invitation.invite_email,
            message=invitation.invite_message,
            invited_by_id=invitation.invited_by_id,
            invited_at=invitation.invited_at,
        )
        partnership.invite_expires_at = invitation.invite_expires_at
        session.delete(invitation)
    partnership.invite_token_hash = None
    session.add(partnership)
    session.flush()
    activity.record(
        session,
        actor=actor,
        subject=partnership,
        action="claimed",
        before=before,
        after=state(partnership),
    )
    return partnership.id


def accept(session: Session, *, actor: Actor, partnership_id: object) -> None:
    """Accept a pending, unexpired invitation to the actor's firm: the partnership is active."""
    require_manager(actor, OrgKind.CONSULTANT)
    partnership = load(session, actor, partnership_id)
    require_invited(partnership)
    if expired(partnership):
        raise Invalid("This invitation has expired: ask the provider to send it again.")
    partnership.responded_at = utcnow()
    close(session, actor, partnership, Status.ACTIVE, "accepted")
    notifications.invitation_answered(session, actor=actor, partnership=partnership, accepted=True)


def reject(session: Session, *, actor: Actor, partnership_id: object) -> None:
    """Decline a pending invitation to the actor's firm."""
    require_manager(actor, OrgKind.CONSULTANT)
    partnership = load(session, actor, partnership_id)
    require_invited(partnership)
    partnership.responded_at = utcnow()
    close(session, actor, partnership, Status.REJECTED, "rejected")
    notifications.invitation_answered(session, actor=actor, partnership=partnership, accepted=False)


def end(session: Session, *, actor: Actor, partnership_id: object) -> None:
    """End an active partnership, from either side; its records stay."""
    require_manager(actor)
    partnership = load(session, actor, partnership_id)
    require_active(partnership)
    partnership.ended_at = utcnow()
    close(session, actor, partnership, Status.ENDED, "ended")


def _consultant_firm(session: Session, email: str) -> Organization | None:
    """The consultant firm of the active user with this email, if any.

    Refuses the email of a provider's user: providers do not partner with each other.
    """
    orgs = session.exec(
        select(Organization)
        .join(Membership, col(Membership.org_id) == Organization.id)
        .join(User, col(User.id) == Membership.user_id)
        .where(
            User.email == email,
            col(User.is_active).is_(True),
            col(Membership.is_active).is_(True),
        )
        .order_by(col(Membership.id))
    ).all()
    if any(org.kind == OrgKind.PROVIDER for org in orgs):
        raise Invalid(
            "This email belongs to a software provider, not a consultant firm.", field="email"
        )
    return orgs[0] if orgs else None


def _pending_invitation(
    session: Session, provider_id: int, email: str, consultant_id: int | None
) -> bool:
    """Whether the provider has an open, unexpired invitation to this email or firm."""
    invitee = col(Partnership.invite_email) == email
    if consultant_id is not None:
        invitee = invitee | (col(Partnership.consultant_org_id) == consultant_id)
    found = session.exec(
        select(Partnership.id).where(
            Partnership.provider_org_id == provider_id,
            Partnership.status == Status.INVITED,
            col(Partnership.invite_expires_at) > utcnow(),
            invitee,
        )
    ).first()
    return found is not None


def _reopen(
    partnership: Partnership,
    *,
    email: str,
    message: str,
    invited_by_id: int | None,
    invited_at: datetime | None = None,
) -> None:
    """Make the row a fresh invitation; its categorization is kept."""
    partnership.status = Status.INVITED
    partnership.invite_email = email
    partnership.invite_message = message
    partnership.invited_by_id = invited_by_id
    partnership.invited_at = invited_at or utcnow()
    partnership.responded_at = None
    partnership.ended_at = None


def _issue_token(partnership: Partnership) -> str:
    """A new invitation token (only its hash is stored) and a new expiry."""
    token = auth.new_token()
    partnership.invite_token_hash = auth.hash_token(token)
    partnership.invite_expires_at = utcnow() + INVITE_TTL
    return token


def _tell_invitee(session: Session, actor: Actor, partnership: Partnership, token: str) -> None:
    """A firm with an account hears in its portal; any other address gets the sign-up link."""
    if partnership.consultant_org_id is not None:
        notifications.invitation_sent(session, actor=actor, partnership=partnership)
    else:
        notifications.invitation_by_email(
            session, actor=actor, email=partnership.invite_email, token=token
        )


def _unbound_invitation(session: Session, token: object) -> Partnership:
    """The open unbound invitation behind a sign-up link token, locked; NotAuthenticated if none."""
    token = inputs.token(token)
    if token is None:
        raise NotAuthenticated("This invitation link is not valid.")
    partnership = session.exec(
        select(Partnership)
        .where(
            Partnership.invite_token_hash == auth.hash_token(token),
            col(Partnership.consultant_org_id).is_(None),
            Partnership.status == Status.INVITED,
        )
        .with_for_update()
    ).first()
    if partnership is None:
        raise NotAuthenticated("This invitation link is not valid any more.")
    if expired(partnership):
        raise NotAuthenticated("This invitation has expired: ask for a new one.")
    return partnership


def _iso(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment else None
