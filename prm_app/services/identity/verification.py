"""Proving that a person owns their email address: sign-up, the mailed link, and resending it.

A sign-up creates the organization and its admin unverified, starts no session, and mails a
single-use link (account_links). Opening it marks the address verified; only then can the person
sign in, and only then do a provider's open invitations to that address bind to their firm.

Nothing on screen says whether an address has an account: a sign-up for an address that
already has a verified account answers exactly like any other and mails the owner instead.

The address belongs to whoever opens the link mailed to it. A sign-up for an address held only
by an unverified account (a typo, an abandoned sign-up, or a squatter who does not own the
address) is not refused: the newer sign-up replaces the older one, which is retired (its
address is freed, it is deactivated and its open links stop working). Nothing is lost by this:
an unverified account never had a session, so its organization holds only its default
vocabulary and is left behind, empty and unreachable. Each verification mail names the
organization and the person it confirms, so the owner of the address recognizes their own.
"""

from dataclasses import dataclass
from datetime import timedelta

from sqlmodel import Session, col, select, update

from ... import routes
from ...models import AccountToken, Membership, Organization, OrgKind, User, utcnow
from ..core import inputs
from ..core.actor import Actor
from ..core.errors import Invalid, NotAuthenticated
from ..integrations import mail
from . import account_links, auth, rate_limits, security_log

# Sign-ups from one client address, and verification mails to one address (resend button).
SIGN_UPS = rate_limits.Limit("sign_up", count=10, window=timedelta(hours=1))
RESENDS = rate_limits.Limit("verification_resend", count=3, window=timedelta(hours=1))
# Notices to the owner of an address someone tried to use (never more than this per hour).
NOTICES = rate_limits.Limit("address_notice", count=3, window=timedelta(hours=1))

VERIFY_FIRST = auth.UNVERIFIED
TAKEN = "That address is now used by another account."


@dataclass(frozen=True, slots=True)
class Verified:
    """What an opened link did: the address it proved, and whether it was a change of address."""

    email: str
    changed: bool


def verify_link(token: str) -> str:
    return f"{mail.base_url()}{routes.VERIFY_EMAIL}?token={token}"


def is_verified(session: Session, *, user_id: int) -> bool:
    verified_at = session.exec(select(User.email_verified_at).where(User.id == user_id)).first()
    return verified_at is not None


def register(
    session: Session,
    *,
    org_name: object,
    org_kind: object,
    name: object,
    email: object,
    password: object,
    client_ip: str,
) -> str:
    """Sign up an organization and its admin, unverified, and mail the link; returns the
    address, for "check your inbox". The same answer whether or not the address has an
    account (its verified owner is told by mail instead)."""
    # Every check of the form runs first, so a taken address fails exactly like a free one.
    if org_kind not in (OrgKind.PROVIDER, OrgKind.CONSULTANT):
        raise Invalid("Choose whether you are a software provider or a consultant.", field="kind")
    inputs.text(org_name, field="org_name", label="Organization name", max_len=200)
    inputs.text(name, field="name", label="Your name", max_len=200)
    address = inputs.email(email)
    auth.check_password(password)
    rate_limits.spend(SIGN_UPS, client_ip or "unknown", field="email")
    existing = holder(session, address)
    if existing is not None and existing.email_verified_at is not None:
        tell_owner(
            session,
            address,
            "Someone tried to create an account with your address",
            "Someone (maybe you) tried to create a new organization on PRM with this address, "
            "which already has an account. Nothing was changed.\n\n"
            f"To use your account, sign in at {mail.base_url()}{routes.LOGIN}; if you forgot your "
            "password, reset it from the sign-in page.",
        )
        return address
    if existing is not None:
        retire_unverified(session, existing)
    actor = auth.sign_up(
        session, org_name=org_name, org_kind=org_kind, name=name, email=address, password=password
    )
    _mail_link(session, actor.user_id, address, actor.name, actor.org_name)
    return address


def resend(session: Session, *, email: object) -> None:
    """Mail a new link to the unverified account of this address, if there is one. The same
    answer in every case; limited per address, so nobody can flood an inbox."""
    address = inputs.email(email)
    rate_limits.spend(RESENDS, address, field="email")
    existing = holder(session, address)
    if existing is None or existing.email_verified_at is not None or not existing.is_active:
        return
    assert existing.id is not None  # a stored row
    org = _first_org(session, existing.id)
    _mail_link(session, existing.id, address, existing.name, org.name if org else "")


def describe(session: Session, *, token: object) -> tuple[str, str, str]:
    """(address, person, organization) of an open verification link, to confirm it."""
    row = account_links.peek(session, token=token, purpose=account_links.VERIFY_EMAIL)
    user = session.get(User, row.user_id)
    if user is None or not user.is_active:
        raise NotAuthenticated(account_links.NOT_VALID)
    org = _first_org(session, user.id)
    return row.email, user.name, org.name if org else ""


def verify(session: Session, *, token: object, client: security_log.Client) -> Verified:
    """Use a verification link once: the address it was sent to is proved. For a sign-up the
    account becomes verified; for a change of address the new address takes effect (refused
    when another verified account took it meanwhile). Then the firm's open invitations to the
    address bind to it."""
    row = account_links.redeem(session, token=token, purpose=account_links.VERIFY_EMAIL)
    user = session.exec(select(User).where(User.id == row.user_id).with_for_update()).first()
    if user is None or not user.is_active:
        raise NotAuthenticated(account_links.NOT_VALID)
    now = utcnow()
    old = user.email
    changed = old != row.email
    if changed:
        existing = holder(session, row.email)
        if existing is not None and existing.email_verified_at is not None:
            raise Invalid(TAKEN)
        if existing is not None:
            retire_unverified(session, existing)
            session.flush()
        user.email = row.email
    user.email_verified_at = now
    session.add(user)
    actor = actor_of(session, user)
    if actor is not None:
        security_log.record(
            session,
            org_id=actor.org_id,
            kind="email_changed" if changed else "email_verified",
            user_id=user.id,
            actor_user_id=user.id,
            client=client,
            detail=f"{old} -> {user.email}" if changed else user.email,
        )
        claim_invitations(session, actor)
    return Verified(email=user.email, changed=changed)


def mark_verified_by_invitation(session: Session, *, user: User) -> None:
    """A colleague who joined from the invitation mailed to their address proved it."""
    user.email_verified_at = utcnow()
    session.add(user)


def retire_unverified(session: Session, user: User) -> None:
    """Free the address of an account nobody proved: it is deactivated under a placeholder
    address and its open links stop working."""
    if user.email_verified_at is not None:
        raise ValueError("only an unverified account is retired")
    user.email = f"retired-{user.id}@unverified.invalid"
    user.is_active = False
    session.add(user)
    session.exec(
        update(Membership).where(col(Membership.user_id) == user.id).values(is_active=False)
    )
    session.exec(
        update(AccountToken)
        .where(col(AccountToken.user_id) == user.id, col(AccountToken.used_at).is_(None))
        .values(used_at=utcnow())
    )


def actor_of(session: Session, user: User) -> Actor | None:
    """The user in their first active organization, as sign-in would make them."""
    row = session.exec(
        select(Membership, Organization)
        .join(Organization, col(Organization.id) == Membership.org_id)
        .where(Membership.user_id == user.id, col(Membership.is_active).is_(True))
        .order_by(col(Membership.id))
    ).first()
    if row is None:
        return None
    membership, org = row
    assert user.id is not None and org.id is not None  # stored rows
    return Actor(
        user_id=user.id,
        org_id=org.id,
        org_kind=org.kind,
        role=membership.role,
        name=user.name,
        email=user.email,
        org_name=org.name,
    )


def claim_invitations(session: Session, actor: Actor) -> None:
    """The address was just proved: a provider's open invitations to it bind to the firm."""
    from .. import partnerships  # partnerships builds on identity: imported when needed

    if actor.org_kind == OrgKind.CONSULTANT:
        partnerships.claim_invitations(session, actor=actor)


def holder(session: Session, email: str) -> User | None:
    """The account that holds this (clean) address, verified or not, locked."""
    return session.exec(select(User).where(User.email == email).with_for_update()).first()


def _first_org(session: Session, user_id: int | None) -> Organization | None:
    return session.exec(
        select(Organization)
        .join(Membership, col(Membership.org_id) == Organization.id)
        .where(Membership.user_id == user_id)
        .order_by(col(Membership.id))
    ).first()


def _mail_link(session: Session, user_id: int, email: str, name: str, org_name: str) -> None:
    token = account_links.issue(
        session, user_id=user_id, purpose=account_links.VERIFY_EMAIL, email=email
    )
    mail.enqueue(
        session,
        to=email,
        subject="Confirm your email address",
        body=f"Hello {name},\n\nConfirm that this address is yours to finish creating the "
        f"organization {org_name!r} on PRM:\n\n{verify_link(token)}\n\n"
        "The link works once, for 24 hours. If you did not sign up, ignore this mail: nothing "
        "happens without the link.\n",
    )


def tell_owner(session: Session, email: str, subject: str, body: str) -> None:
    """Mail the owner of an address that someone tried to use (quietly limited per address)."""
    try:
        rate_limits.spend(NOTICES, email)
    except rate_limits.TooMany:
        return  # the owner was told already this hour; the answer on screen stays the same
    mail.enqueue(session, to=email, subject=subject, body=f"Hello,\n\n{body}\n")
