"""A forgotten password (a single-use link by mail) and a changed one (after the current one).

Asking for a link answers the same whether or not an account uses the address, so the form
cannot tell a stranger who has an account; the owner of the address gets the link. A new password
ends every session of the person (all of them after a reset; the others after a change), and the
person is told by mail.
"""

from datetime import timedelta

from sqlmodel import Session, col, select, update

from ... import routes
from ...models import AuthSession, Membership, User, utcnow
from ..core import changes, inputs
from ..core.actor import Actor
from ..core.errors import Invalid, NotAuthenticated
from ..integrations import mail
from . import account_links, auth, rate_limits, reauth, security_log
from .security_log import Client

# The answer to every request for a link, whether or not the address has an account.
LINK_SENT = (
    "If an account uses this address, we sent it a link to choose a new password. "
    "The link works once, for 30 minutes."
)
PER_ADDRESS = rate_limits.Limit("reset_request_email", count=3, window=timedelta(hours=1))
PER_CLIENT = rate_limits.Limit("reset_request_ip", count=20, window=timedelta(hours=1))
DIFFERENT = "The two new passwords differ."


def reset_link(token: str) -> str:
    return f"{mail.base_url()}{routes.RESET_PASSWORD}?token={token}"


def request_reset(session: Session, *, email: object, client: Client | None = None) -> str:
    """Mail a reset link to the account using `email`, if any; returns LINK_SENT either way.
    Limited per address and per client address (TooMany names the wait)."""
    address = inputs.email(email)
    client = client or Client()
    rate_limits.spend(PER_CLIENT, client.ip or "unknown", field="email")
    rate_limits.spend(PER_ADDRESS, address, field="email")
    user = session.exec(select(User).where(User.email == address)).first()
    if user is not None and user.id is not None and user.is_active:
        token = account_links.issue(
            session, user_id=user.id, purpose=account_links.RESET_PASSWORD, email=user.email
        )
        mail.enqueue(
            session,
            to=user.email,
            subject="Choose a new password",
            body=f"Hello {user.name},\n\nSomeone (we hope you) asked to reset the password of "
            f"your account. Choose a new one here within 30 minutes:\n\n{reset_link(token)}\n\n"
            "The link works once. If you did not ask, ignore this mail: your password stays.\n",
        )
    return LINK_SENT


def describe_reset(session: Session, *, token: object) -> str:
    """The address whose password an open reset link resets (for the form), or NotAuthenticated."""
    return account_links.peek(session, token=token, purpose=account_links.RESET_PASSWORD).email


def reset(
    session: Session,
    *,
    token: object,
    password: object,
    password_again: object,
    client: Client | None = None,
) -> str:
    """Set a new password with a reset link (used up here): every session of the person ends.
    Returns the address, for the sign-in form."""
    peeked = account_links.peek(session, token=token, purpose=account_links.RESET_PASSWORD)
    user = session.get(User, peeked.user_id)
    if user is None or not user.is_active or user.email != peeked.email:
        raise NotAuthenticated(account_links.NOT_VALID)
    _check_new(password, password_again, user.email, field="password")
    account_links.redeem(session, token=token, purpose=account_links.RESET_PASSWORD)
    now = utcnow()
    user.password_hash = auth.hash_password(password, email=user.email)
    user.password_changed_at = now
    if user.email_verified_at is None:  # the link reached this address: it is theirs
        user.email_verified_at = now
    session.add(user)
    auth.revoke_all(session, user_id=peeked.user_id)
    for org_id in _org_ids(session, peeked.user_id):
        security_log.record(
            session, org_id=org_id, kind="password_reset", user_id=user.id, client=client
        )
    _mail_changed(session, user, "with a link mailed to this address")
    return user.email


def change(
    session: Session,
    *,
    actor: Actor,
    current: object,
    password: object,
    password_again: object,
    keep_token: str | None,
    client: Client | None = None,
) -> None:
    """The caller's new password, after their current one (or a current code): their other
    sessions end, the one behind `keep_token` stays."""
    _check_new(password, password_again, actor.email, field="password")
    user = reauth.confirm(session, user_id=actor.user_id, password=current)
    if auth.password_matches(user, password):
        raise Invalid("That is your current password: choose a new one.", field="password")
    user.password_hash = auth.hash_password(password, email=user.email)
    user.password_changed_at = utcnow()
    session.add(user)
    kept = auth.hash_token(keep_token) if keep_token else ""
    session.exec(
        update(AuthSession)
        .where(
            col(AuthSession.user_id) == user.id,
            col(AuthSession.revoked_at).is_(None),
            col(AuthSession.token_hash) != kept,
        )
        .values(revoked_at=utcnow())
    )
    changes.sessions_ended(session, actor.user_id)  # the other browsers' tabs go to sign-in
    security_log.record(
        session,
        org_id=actor.org_id,
        kind="password_changed",
        user_id=user.id,
        actor_user_id=user.id,
        client=client,
    )
    _mail_changed(session, user, "on your account page")


def _check_new(password: object, again: object, email: str, *, field: str) -> None:
    auth.check_password(password, email=email, field=field)
    if again != password:
        raise Invalid(DIFFERENT, field="password_again")


def _org_ids(session: Session, user_id: int) -> list[int]:
    return list(
        session.exec(
            select(Membership.org_id).where(
                Membership.user_id == user_id, col(Membership.is_active).is_(True)
            )
        )
    )


def _mail_changed(session: Session, user: User, how: str) -> None:
    mail.enqueue(
        session,
        to=user.email,
        subject="Your password was changed",
        body=f"Hello {user.name},\n\nThe password of your account was changed {how}, and you "
        'were signed out elsewhere. If it was not you, choose a new password with "Forgot '
        f"password?\" at {mail.base_url()}{routes.LOGIN} and tell your organization's admin.\n",
    )
