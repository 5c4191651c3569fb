"""What every public form of the backend (web-to-lead forms, the partner program's pages)
shares against scripts: a hidden honeypot field a person never fills, and the time the page was
served, signed with a key of the page's owner, so a submission sent faster than a person types
is told apart. The stored trace of a client is a hash of its address, never the address."""

import hashlib
import hmac
from datetime import datetime, timedelta

from .errors import Invalid

HONEYPOT = "website"  # hidden from people; a bot fills it
SERVED = "served"  # hidden: when the page was served, signed (see at_a_persons_pace)
MIN_FILL = timedelta(seconds=3)  # no person fills the form faster: a script
MAX_FILL = timedelta(days=1)
STALE = "This page was open for too long: please check the form and send it again."


def served_stamp(key: str, page: str, at: int) -> str:
    """The signed time `at` (epoch seconds) the page named `page` was served."""
    mac = hmac.new(key.encode(), f"{page}|{at}".encode(), hashlib.sha256)
    return f"{at}.{mac.hexdigest()[:32]}"


def at_a_persons_pace(key: str, page: str, served: object, now: datetime) -> bool:
    """Whether the submission came at least MIN_FILL after its page was served (False for a
    missing or forged time). A page served longer than MAX_FILL ago is refused (Invalid): the
    person sends the form again from the page shown with the refusal."""
    if not isinstance(served, str):
        return False
    at = served.split(".", 1)[0]
    if not (at.isascii() and at.isdigit() and len(at) <= 12):
        return False
    if not hmac.compare_digest(served_stamp(key, page, int(at)).encode(), served.encode()):
        return False
    elapsed = now.timestamp() - int(at)
    if elapsed > MAX_FILL.total_seconds():
        raise Invalid(STALE)
    return elapsed >= MIN_FILL.total_seconds()


def client_hash(page: str, address: str) -> str:
    """The stored trace of a client: a hash of the address with the page's name."""
    return hashlib.sha256(f"{page}|{address}".encode()).hexdigest()
