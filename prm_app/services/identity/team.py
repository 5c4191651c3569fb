"""An organization's people: list, invite colleagues, deactivate and reactivate them."""

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlmodel import Session, col, select

from ... import routes
from ...models import Membership, Organization, Role, User, UserInvite, utcnow
from ..core import activity, inputs
from ..core.actor import Actor
from ..core.errors import Invalid, NotAllowed, NotAuthenticated, NotFound
from ..integrations import mail
from . import auth, rate_limits, verification

INVITE_TTL = timedelta(days=7)
# Invitations an organization may send per hour (each one mails an address).
INVITES = rate_limits.Limit("team_invite", count=20, window=timedelta(hours=1))
ROLES = (Role.ADMIN, Role.MANAGER, Role.MEMBER)


@dataclass(frozen=True, slots=True)
class Member:
    user_id: int
    name: str
    email: str
    role: str
    is_active: bool
    last_login_at: datetime | None


@dataclass(frozen=True, slots=True)
class PendingInvite:
    id: int
    email: str
    role: str
    expires_at: datetime


def members(session: Session, *, actor: Actor) -> list[Member]:
    """Everyone in the caller's organization, active first, then by name."""
    rows = session.exec(
        select(User, Membership)
        .join(Membership, col(Membership.user_id) == User.id)
        .where(Membership.org_id == actor.org_id)
        .order_by(col(Membership.is_active).desc(), col(User.name))
    )
    return [
        Member(u.id, u.name, u.email, m.role, m.is_active and u.is_active, u.last_login_at)
        for u, m in rows
    ]


def pending_invites(session: Session, *, actor: Actor) -> list[PendingInvite]:
    actor.require_admin()
    rows = session.exec(
        select(UserInvite)
        .where(
            UserInvite.org_id == actor.org_id,
            col(UserInvite.accepted_at).is_(None),
            col(UserInvite.revoked_at).is_(None),
            col(UserInvite.expires_at) > utcnow(),
        )
        .order_by(col(UserInvite.id).desc())
    )
    return [PendingInvite(i.id, i.email, i.role, i.expires_at) for i in rows]


def invite_colleague(session: Session, *, actor: Actor, email: object, role: object) -> str:
    """Invite a colleague by email with a role and mail them the join link; returns its token.

    The admin's answer is the same whether or not the address has an account: an address with
    a verified account gets a notice instead of the link (it cannot join a second time), and
    the invitation stays pending like any other. The link is only ever mailed, so only the
    owner of the address can use it (joining proves the address).
    """
    actor.require_admin()
    email = inputs.email(email)
    if role not in ROLES:
        raise Invalid("Choose a role: admin, manager or member.", field="role")
    rate_limits.spend(INVITES, actor.org_id, field="email")
    now = utcnow()
    # A new invitation replaces an earlier pending one for the same address.
    for old in session.exec(
        select(UserInvite).where(
            UserInvite.org_id == actor.org_id,
            UserInvite.email == email,
            col(UserInvite.accepted_at).is_(None),
            col(UserInvite.revoked_at).is_(None),
        )
    ):
        old.revoked_at = now
        session.add(old)
    token = auth.new_token()
    invite = UserInvite(
        org_id=actor.org_id,
        email=email,
        role=Role(role),
        token_hash=auth.hash_token(token),
        invited_by_id=actor.user_id,
        expires_at=now + INVITE_TTL,
    )
    session.add(invite)
    session.flush()
    activity.record(
        session,
        actor=actor,
        subject=invite,
        action="invited",
        after={"email": email, "role": invite.role},
    )
    _mail_invitation(session, actor, email, invite.role, token)
    return token


def _mail_invitation(session: Session, actor: Actor, email: str, role: str, token: str) -> None:
    owner = verification.holder(session, email)
    if owner is not None and owner.email_verified_at is not None:
        verification.tell_owner(
            session,
            email,
            f"{actor.name} invited you to join {actor.org_name} on PRM",
            f"{actor.name} invited this address to join {actor.org_name} on PRM as {role}. "
            "Your address already has an account, and an address can belong to one account "
            "only, so the invitation cannot be used with it. Tell them which address to invite "
            "instead, or ignore this mail.",
        )
        return
    mail.enqueue(
        session,
        to=email,
        subject=f"{actor.name} invited you to join {actor.org_name} on PRM",
        body=f"Hello,\n\n{actor.name} invited you to join {actor.org_name} on PRM as {role}.\n\n"
        f"Join here: {routes.join_link(mail.base_url(), token)}\n\n"
        "The link works for 7 days. If you did not expect it, ignore this mail.\n",
    )


def revoke_invite(session: Session, *, actor: Actor, invite_id: object) -> None:
    actor.require_admin()
    invite = session.get(UserInvite, inputs.record_id(invite_id, what="invitation"))
    if (
        invite is None
        or invite.org_id != actor.org_id
        or invite.accepted_at is not None
        or invite.revoked_at is not None
    ):
        raise NotFound("That invitation does not exist, was already used or was revoked.")
    invite.revoked_at = utcnow()
    session.add(invite)
    activity.record(
        session,
        actor=actor,
        subject=invite,
        action="revoked",
        before={"email": invite.email, "role": invite.role, "revoked": False},
        after={"email": invite.email, "role": invite.role, "revoked": True},
    )


def _open_invite(session: Session, token: object) -> UserInvite:
    token = inputs.token(token)
    if token is None:
        raise NotAuthenticated("This invitation link is not valid.")
    invite = session.exec(
        select(UserInvite).where(UserInvite.token_hash == auth.hash_token(token))
    ).first()
    if invite is None or invite.revoked_at is not None or invite.accepted_at is not None:
        raise NotAuthenticated("This invitation link is not valid any more.")
    if invite.expires_at <= utcnow():
        raise NotAuthenticated("This invitation has expired: ask for a new one.")
    return invite


def describe_invite(session: Session, *, token: object) -> tuple[str, str, str]:
    """(organization name, email, role) of an open invitation, for the join page."""
    invite = _open_invite(session, token)
    org = session.get(Organization, invite.org_id)
    return org.name, invite.email, invite.role


def accept_invite(session: Session, *, token: object, name: object, password: object) -> Actor:
    """Create the invited colleague's account and membership; returns them signed in.

    The link was mailed to the address, so the new account's address is verified; an
    unverified account still holding the address is retired (verification.register)."""
    invite = _open_invite(session, token)
    holder = verification.holder(session, invite.email)
    if holder is not None and holder.email_verified_at is None:
        verification.retire_unverified(session, holder)
        session.flush()
    user = auth.create_user(session, name=name, email=invite.email, password=password)
    verification.mark_verified_by_invitation(session, user=user)
    session.add(Membership(user_id=user.id, org_id=invite.org_id, role=invite.role))
    invite.accepted_at = utcnow()
    session.add(invite)
    org = session.get(Organization, invite.org_id)
    actor = Actor(user.id, org.id, org.kind, invite.role, user.name, user.email, org.name)
    activity.record(
        session,
        actor=actor,
        subject=user,
        action="joined",
        after={"role": invite.role},
    )
    verification.claim_invitations(session, actor)
    return actor


NOT_A_MEMBER = "That person is not in your organization."


def active_member(session: Session, *, org_id: int, user_id: object, field: str) -> int:
    """The id of an active member of the organization: NotFound for anyone else, Invalid (on
    `field`) for a deactivated colleague."""
    user_id = inputs.record_id(user_id, what="person")
    row = session.exec(
        select(User.name, User.is_active, Membership.is_active)
        .join(Membership, col(Membership.user_id) == User.id)
        .where(Membership.org_id == org_id, Membership.user_id == user_id)
    ).first()
    if row is None:
        raise NotFound(NOT_A_MEMBER)
    name, user_active, member_active = row
    if not (user_active and member_active):
        raise Invalid(f"{name} is deactivated: choose someone else.", field=field)
    return user_id


def _membership(session: Session, actor: Actor, user_id: object) -> Membership:
    actor.require_admin()
    user_id = inputs.record_id(user_id, what="person")
    membership = session.exec(
        select(Membership).where(Membership.org_id == actor.org_id, Membership.user_id == user_id)
    ).first()
    if membership is None:
        raise NotFound(NOT_A_MEMBER)
    return membership


def set_active(session: Session, *, actor: Actor, user_id: object, active: bool) -> None:
    """Deactivate (signing them out everywhere) or reactivate a colleague."""
    membership = _membership(session, actor, user_id)
    if membership.user_id == actor.user_id:
        raise NotAllowed("You cannot change your own access.")
    if membership.is_active == active:
        return
    if not active and membership.role == Role.ADMIN and _active_admins(session, actor.org_id) <= 1:
        raise NotAllowed("An organization keeps at least one active administrator.")
    membership.is_active = active
    membership.deactivated_at = None if active else utcnow()
    session.add(membership)
    if not active:
        auth.revoke_all(session, user_id=membership.user_id)
    activity.record(
        session,
        actor=actor,
        subject=session.get(User, membership.user_id),
        action="reactivated" if active else "deactivated",
        before={"active": not active},
        after={"active": active},
    )


def _active_admins(session: Session, org_id: int) -> int:
    """Active admins, locked (on PostgreSQL) so two admins cannot remove each other at once."""
    return len(
        session.exec(
            select(Membership.id)
            .where(
                Membership.org_id == org_id,
                Membership.role == Role.ADMIN,
                col(Membership.is_active).is_(True),
            )
            .with_for_update()
        ).all()
    )
