"""Re-authentication before a security change (a new password, address or second factor): the
person proves again that it is them, even though their session is valid."""

from datetime import timedelta

from sqlmodel import Session

from ...models import User
from ..core.errors import Invalid, NotAuthenticated
from . import rate_limits
from .auth import password_matches

ATTEMPTS = rate_limits.Limit("reauth", count=10, window=timedelta(minutes=15))
WRONG = "That is not your current password."


def confirm(session: Session, *, user_id: int, password: object, field: str = "current") -> User:
    """The user, once `password` is theirs; Invalid (on `field`) otherwise. Attempts are
    limited per person, so a left-open session cannot be used to guess the password."""
    user = session.get(User, user_id)
    if user is None or not user.is_active:
        raise NotAuthenticated()
    rate_limits.spend(ATTEMPTS, user_id, field=field)
    if not password_matches(user, password):
        raise Invalid(WRONG, field=field)
    return user
