"""A partnership's life: invite, resend, revoke, claim invitations, accept, reject, end.

A provider invites a firm by email. The VERIFIED address of a consultant's user binds the
invitation to that firm at once; any other address gets an unbound invitation, mailed with a
sign-up link (its secret token; only the SHA-256 is stored). An unbound invitation binds to a
firm only when one of its people proves the address (verification: the sign-up link, or a change
of address), so nobody can take an invitation by signing up with an address they do not own.
One row per (provider, consultant): inviting a firm again reopens the earlier rejected, revoked
or ended row, keeping its categorization.

The inviter learns nothing about the address: every invitation answers "Invitation sent to
<email>" and lists the same way (no firm name) until it is accepted, whether the address has a
firm, no account, an unverified one or a provider's account (whose owner is told by mail).
Invitations are limited per provider and per address, so nobody can flood an inbox.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlmodel import Session, col, select

from ...models import Membership, Organization, OrgKind, Partnership, User, utcnow
from .. import notifications
from ..core import activity, inputs
from ..core.actor import Actor
from ..core.errors import Invalid, NotAuthenticated
from ..identity import auth, rate_limits, verification
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
    touched,
)

INVITE_TTL = timedelta(days=14)
# Invitation mails a provider may send per hour, and one address may receive per hour.
INVITES_PER_ORG = rate_limits.Limit("partner_invite_org", count=30, window=timedelta(hours=1))
INVITES_PER_ADDRESS = rate_limits.Limit(
    "partner_invite_address", count=5, window=timedelta(hours=1)
)


MAX_MESSAGE = 2000


@dataclass(frozen=True, slots=True)
class Invitation:
    """What the inviter is told: the same for every address (the token is mailed, not shown)."""

    partnership_id: int
    token: str
    email: str


ALREADY_INVITED = "This address is already invited: resend the invitation instead."


def invite(session: Session, *, actor: Actor, email: object, message: object = "") -> Invitation:
    """Invite a consultant firm by email; reopens an earlier closed partnership with that firm."""
    require_manager(actor, OrgKind.PROVIDER)
    email = inputs.email(email)
    message = inputs.text(
        message, field="message", label="Message", max_len=MAX_MESSAGE, required=False
    )
    firm = _consultant_firm(session, email)
    partnership = None
    if firm is not None:
        partnership = _row_with(
            session, actor.org_id, col(Partnership.consultant_org_id) == firm.id
        )
        if partnership is not None and partnership.status == Status.ACTIVE:
            raise Invalid(f"{firm.name} is already your partner.", field="email")
    if _pending_invitation(session, actor.org_id, email):
        raise Invalid(ALREADY_INVITED, field="email")
    if (
        partnership is not None
        and partnership.status == Status.INVITED
        and not expired(partnership)
    ):
        # The firm has this provider's invitation under another of its addresses: this one is
        # sent unbound like any other, so the answer does not tell the two addresses apart.
        firm, partnership = None, None
    if firm is None:
        partnership = _row_with(
            session,
            actor.org_id,
            col(Partnership.consultant_org_id).is_(None) & (col(Partnership.invite_email) == email),
        )
    _spend_invitation(actor, email)
    consultant_id = firm.id if firm else None
    before = state(partnership) if partnership else None
    partnership = partnership or Partnership(
        provider_org_id=actor.org_id, consultant_org_id=consultant_id
    )
    _reopen(partnership, email=email, message=message, invited_by_id=actor.user_id)
    token = _issue_token(partnership)
    session.add(partnership)
    session.flush()
    touched(session, partnership)
    activity.record(
        session,
        actor=actor,
        subject=partnership,
        action="invited",
        before=before,
        after={**state(partnership), "email": email},
    )
    _tell_invitee(session, actor, partnership, token)
    return Invitation(partnership.id, token, email)


def resend(session: Session, *, actor: Actor, partnership_id: object) -> str:
    """A new token and expiry for a pending (possibly expired) invitation; returns the token."""
    require_manager(actor, OrgKind.PROVIDER)
    partnership = load(session, actor, partnership_id)
    require_invited(partnership)
    _spend_invitation(actor, partnership.invite_email)
    before = {"expires_at": _iso(partnership.invite_expires_at)}
    token = _issue_token(partnership)
    session.add(partnership)
    touched(session, partnership)
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


def claim_invitations(session: Session, *, actor: Actor) -> list[int]:
    """Bind the open unbound invitations to the actor's address to the actor's firm, still to be
    accepted; returns their ids. Called once the address is verified (verification.verify), never
    before. An invitation from a provider the firm is already partnered with or invited by
    stays as it is."""
    actor.require_kind(OrgKind.CONSULTANT)
    open_ones = session.exec(
        select(Partnership)
        .where(
            col(Partnership.consultant_org_id).is_(None),
            Partnership.invite_email == actor.email,
            Partnership.status == Status.INVITED,
            col(Partnership.invite_expires_at) > utcnow(),
        )
        .order_by(col(Partnership.id))
        .with_for_update()
    ).all()
    claimed = []
    for invitation in open_ones:
        try:
            claimed.append(_claim(session, actor, invitation))
        except Invalid:
            continue  # checked before anything changed: this one stays unbound
    return claimed


def _claim(session: Session, actor: Actor, invitation: Partnership) -> int:
    """Bind one unbound invitation to the actor's firm; returns the bound row's id.

    When the firm already has a closed partnership with that provider, that row is reopened with
    the invitation's details and the unbound row is removed.
    """
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
    touched(session, partnership)
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
    """The consultant firm of the active user who VERIFIED this address, if any. An unverified
    account is no one's: it gets no bound invitation. Providers do not partner with each other,
    so a provider's user's address gets no firm either (and an unbound invitation)."""
    orgs = session.exec(
        select(Organization)
        .join(Membership, col(Membership.org_id) == Organization.id)
        .join(User, col(User.id) == Membership.user_id)
        .where(
            User.email == email,
            col(User.email_verified_at).is_not(None),
            col(User.is_active).is_(True),
            col(Membership.is_active).is_(True),
        )
        .order_by(col(Membership.id))
    ).all()
    if any(org.kind == OrgKind.PROVIDER for org in orgs):
        return None
    return orgs[0] if orgs else None


def _row_with(session: Session, provider_id: int, invitee) -> Partnership | None:
    """The provider's latest row with this invitee, locked for the change."""
    return session.exec(
        select(Partnership)
        .where(Partnership.provider_org_id == provider_id, invitee)
        .order_by(col(Partnership.id).desc())
        .with_for_update()
    ).first()


def _spend_invitation(actor: Actor, email: str) -> None:
    """Count one invitation mail against the provider's and the address's hourly limits."""
    rate_limits.spend(INVITES_PER_ORG, actor.org_id, field="email")
    rate_limits.spend(INVITES_PER_ADDRESS, email, field="email")


def _pending_invitation(session: Session, provider_id: int, email: str) -> bool:
    """Whether the provider has an open, unexpired invitation to this address."""
    invitee = col(Partnership.invite_email) == email
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
    """A firm with an account hears in its portal; the owner of a verified address that cannot
    take the invitation (a provider's user, or a firm this provider already invited under
    another address) learns why by mail; any other address gets the sign-up link."""
    owner = None
    if partnership.consultant_org_id is None:
        owner = verification.holder(session, partnership.invite_email)
    if partnership.consultant_org_id is not None:
        notifications.invitation_sent(session, actor=actor, partnership=partnership)
    elif owner is not None and owner.email_verified_at is not None:
        verification.tell_owner(
            session,
            partnership.invite_email,
            f"{actor.org_name} invited this address to its partner program",
            f"{actor.org_name} invited this address into its partner program on PRM. Your "
            "account cannot take this invitation: a software provider's account cannot join "
            "another provider's program, and a firm that already has an invitation from them "
            "answers that one (sign in and open My Providers). To join with another address, "
            "ask them to invite it.",
        )
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
