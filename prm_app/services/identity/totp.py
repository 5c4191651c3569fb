"""Time-based one-time codes (RFC 6238, with pyotp) and the QR code that carries the secret to an
authenticator app (segno).

A code is accepted within one 30-second step either side of now (clocks drift), and only once: the
step of the last accepted code is kept in `User.totp_last_step`, and accepting is a conditional
UPDATE, so two requests racing with the same code cannot both win. Attempts are limited per
person, so the million possible codes cannot be tried.
"""

import base64
import hmac
from datetime import timedelta

import pyotp
import segno
from sqlmodel import Session, col, or_, update

from ...models import User, utcnow
from . import rate_limits

ISSUER = "PRM"
STEP_SECONDS = 30
WINDOW = 1  # steps accepted either side of now
DIGITS = 6
ATTEMPTS = rate_limits.Limit("totp_code", count=5, window=timedelta(minutes=5))
WRONG = "That code is not right (or was used already). Enter the current code from your app."


def new_secret() -> str:
    return pyotp.random_base32()  # 160 bits, base32


def provisioning_uri(secret: str, email: str) -> str:
    return pyotp.TOTP(secret).provisioning_uri(name=email, issuer_name=ISSUER)


def qr_data_uri(uri: str) -> str:
    """An SVG image of the QR code for `uri`, as a data: URI for an <img>."""
    svg = segno.make(uri, error="m").svg_inline(scale=4, border=2)
    return "data:image/svg+xml;base64," + base64.b64encode(svg.encode()).decode()


def grouped(secret: str) -> str:
    """The secret in groups of four, for typing it into an app by hand."""
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


def normalized(code: object) -> str | None:
    """The digits of a plausible code ("123 456" -> "123456"), or None."""
    if not isinstance(code, str) or len(code) > 20:
        return None
    digits = "".join(code.split()).replace("-", "")
    return digits if len(digits) == DIGITS and digits.isascii() and digits.isdigit() else None


def current_step() -> int:
    return int(utcnow().timestamp()) // STEP_SECONDS


def matching_step(secret: str, code: str) -> int | None:
    """The step within the window whose code is `code`, or None."""
    totp = pyotp.TOTP(secret)
    now = current_step()
    for step in range(now - WINDOW, now + WINDOW + 1):
        if hmac.compare_digest(totp.generate_otp(step), code):
            return step
    return None


def accept(session: Session, user: User, code: object, *, field: str = "code") -> bool:
    """Whether `code` is a current code of the user's secret not used before; a right code is
    used up here. Each attempt counts against the person's limit (TooMany once spent)."""
    digits = normalized(code)
    if digits is None or not user.totp_secret:
        return False
    rate_limits.spend(ATTEMPTS, user.id, field=field)
    step = matching_step(user.totp_secret, digits)
    if step is None:
        return False
    won = session.exec(
        update(User)
        .where(
            col(User.id) == user.id,
            or_(col(User.totp_last_step).is_(None), col(User.totp_last_step) < step),
        )
        .values(totp_last_step=step)
    )
    if won.rowcount != 1:
        return False
    session.refresh(user)
    return True
