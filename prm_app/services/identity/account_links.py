"""Single-use links mailed to an address: "verify your address" and "reset your password".

The link carries a random token; the database keeps only its SHA-256, the address it was sent to,
what it is for and when it expires. Issuing a new link of one purpose retires the person's
earlier ones, and redeeming is a conditional UPDATE, so a link works once even when two requests
race with it.
"""

from datetime import timedelta

from sqlmodel import Session, col, select, update

from ...models import AccountToken, utcnow
from ..core import inputs
from ..core.errors import NotAuthenticated
from .auth import hash_token, new_token

VERIFY_EMAIL = "verify_email"
RESET_PASSWORD = "reset_password"  # noqa: S105 - a purpose, not a password
LIFETIMES = {VERIFY_EMAIL: timedelta(hours=24), RESET_PASSWORD: timedelta(minutes=30)}

NOT_VALID = "This link is not valid any more: it was used, replaced or has expired."


def issue(session: Session, *, user_id: int, purpose: str, email: str) -> str:
    """A new link's token for `user_id` proving `email`; earlier open ones of `purpose` end."""
    now = utcnow()
    session.exec(
        update(AccountToken)
        .where(
            col(AccountToken.user_id) == user_id,
            col(AccountToken.purpose) == purpose,
            col(AccountToken.used_at).is_(None),
        )
        .values(used_at=now)
    )
    token = new_token()
    session.add(
        AccountToken(
            user_id=user_id,
            purpose=purpose,
            token_hash=hash_token(token),
            email=email,
            expires_at=now + LIFETIMES[purpose],
        )
    )
    return token


def peek(session: Session, *, token: object, purpose: str) -> AccountToken:
    """The open link behind `token` without using it (to show a form), or NotAuthenticated."""
    row = _row(session, token, purpose)
    if row is None or row.used_at is not None or row.expires_at <= utcnow():
        raise NotAuthenticated(NOT_VALID)
    return row


def redeem(session: Session, *, token: object, purpose: str) -> AccountToken:
    """Use the link behind `token` once: its row, or NotAuthenticated if it is unknown, used,
    replaced or expired."""
    clean = inputs.token(token)
    if clean is None:
        raise NotAuthenticated(NOT_VALID)
    now = utcnow()
    used = session.exec(
        update(AccountToken)
        .where(
            col(AccountToken.token_hash) == hash_token(clean),
            col(AccountToken.purpose) == purpose,
            col(AccountToken.used_at).is_(None),
            col(AccountToken.expires_at) > now,
        )
        .values(used_at=now)
    )
    if used.rowcount != 1:
        raise NotAuthenticated(NOT_VALID)
    row = _row(session, clean, purpose)
    assert row is not None
    return row


def _row(session: Session, token: object, purpose: str) -> AccountToken | None:
    clean = inputs.token(token)
    if clean is None:
        return None
    return session.exec(
        select(AccountToken)
        .where(AccountToken.token_hash == hash_token(clean), AccountToken.purpose == purpose)
        .execution_options(populate_existing=True)
    ).first()
