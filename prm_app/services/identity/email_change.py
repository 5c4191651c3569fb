"""Changing one's email address: the new address is proved before it takes effect.

The person confirms with their current password; a verification link goes to the NEW address
(the change is kept in the link's row, `AccountToken.email`, not on the account), and the OLD
address is told. Opening the link makes the change (verification.verify), refused if another
verified account took the address meanwhile. The answer is the same whether or not the new
address is taken: its owner is told by mail instead of the link.
"""

from datetime import timedelta

from sqlmodel import Session

from ... import routes
from ..core import inputs
from ..core.actor import Actor
from ..core.errors import Invalid
from ..integrations import mail
from . import account_links, rate_limits, reauth, verification

# Change requests per person per hour (each mails two addresses).
REQUESTS = rate_limits.Limit("email_change", count=5, window=timedelta(hours=1))


def request_change(session: Session, *, actor: Actor, new_email: object, password: object) -> str:
    """Mail a link that changes the caller's address to `new_email` once opened; returns the
    clean new address (for "we sent a link to ...")."""
    new = inputs.email(new_email)
    user = reauth.confirm(session, user_id=actor.user_id, password=password, field="current")
    if new == user.email:
        raise Invalid("That is already your address.", field="email")
    rate_limits.spend(REQUESTS, user.id, field="email")
    owner = verification.holder(session, new)
    if owner is not None and owner.email_verified_at is not None:
        verification.tell_owner(
            session,
            new,
            "Someone tried to move another account to your address",
            "Someone asked to change the address of another PRM account to this one, which "
            "already has an account. Nothing was changed.",
        )
    else:
        assert user.id is not None  # a stored row
        token = account_links.issue(
            session, user_id=user.id, purpose=account_links.VERIFY_EMAIL, email=new
        )
        mail.enqueue(
            session,
            to=new,
            subject="Confirm your new email address",
            body=f"Hello {user.name},\n\nOpen this link to make {new} the address of your PRM "
            f"account (instead of {user.email}):\n\n{verification.verify_link(token)}\n\n"
            "The link works once, for 24 hours. If you did not ask for this, ignore this mail.\n",
        )
    mail.enqueue(
        session,
        to=user.email,
        subject="A change of your email address was requested",
        body=f"Hello {user.name},\n\nSomeone signed in to your PRM account asked to change its "
        f"address to {new}. The change happens only when the link mailed to that address is "
        "opened. If it was not you, change your password now and tell your organization's "
        f"admin: {mail.base_url()}{routes.ACCOUNT}\n",
    )
    return new
