"""Re-authentication before a security change (a new password, address or second factor): the
person proves again that it is them, even though their session is valid: with their password,
or, once they have two-factor sign-in, with a current code from their app."""

from datetime import timedelta

from sqlmodel import Session

from ...models import User
from ..core.errors import Invalid, NotAuthenticated
from . import rate_limits, totp
from .auth import password_matches

ATTEMPTS = rate_limits.Limit("reauth", count=10, window=timedelta(minutes=15))
WRONG = "That is not your current password."
WRONG_OR_CODE = "That is neither your current password nor a current code from your app."


def confirm(session: Session, *, user_id: int, password: object, field: str = "current") -> User:
    """The user, once `password` is theirs (or, with two-factor sign-in, a current code of
    theirs); Invalid (on `field`) otherwise. Attempts are limited per person, so a left-open
    session cannot be used to guess the password."""
    user = session.get(User, user_id)
    if user is None or not user.is_active:
        raise NotAuthenticated()
    rate_limits.spend(ATTEMPTS, user_id, field=field)
    if password_matches(user, password):
        return user
    if user.totp_enabled_at is not None and totp.accept(session, user, password, field=field):
        return user
    raise Invalid(WRONG_OR_CODE if user.totp_enabled_at else WRONG, field=field)
