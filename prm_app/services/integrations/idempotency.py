"""Idempotency keys for the REST API's writes: a client that retries a request after a timeout
sends the same `Idempotency-Key` and gets the first response again instead of a second lead.

Each key is kept per organization for a day. The first request claims it (committed at once, so a
concurrent retry sees it and is told to wait), runs, and then stores its response; a retry with
the same key and the same request gets that response replayed, and the same key with a different
request is refused. A claim whose request never finished (the worker died) can be taken over
after STALE; a response of 500 or more is not kept, so the client may simply retry.
"""

import hashlib
import re
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, delete, select

from ...models import IdempotentRequest, utcnow
from ..core.errors import Conflict, Invalid

KEEP = timedelta(hours=24)
STALE = timedelta(minutes=2)
HEADER = "Idempotency-Key"
_KEY = re.compile(r"[\x21-\x7e]{1,255}")  # visible ASCII, as the IETF draft's examples

BAD_KEY = f"{HEADER} must be 1 to 255 visible ASCII characters (a UUID, for example)."
OTHER_REQUEST = f"This {HEADER} was already used for a different request: use a new key."
IN_PROGRESS = f"A request with this {HEADER} is still being processed: retry in a moment."


@dataclass(frozen=True, slots=True)
class Response:
    status_code: int
    content_type: str
    body: bytes


def checked_key(key: str) -> str:
    if not _KEY.fullmatch(key):
        raise Invalid(BAD_KEY, field=HEADER)
    return key


def fingerprint(method: str, path: str, query: str, body: bytes) -> str:
    digest = hashlib.sha256()
    for part in (method.upper().encode(), path.encode(), query.encode(), body):
        digest.update(len(part).to_bytes(8, "big") + part)
    return digest.hexdigest()


def begin(session: Session, *, org_id: int, key: str, fingerprint: str) -> Response | None:
    """Claim `key` for this request (None: go ahead), or the stored response to replay.

    Invalid when the key was used for another request, Conflict while that request runs. The
    caller commits the session before running the request, so the claim is seen by others.
    """
    now = utcnow()
    session.exec(
        delete(IdempotentRequest).where(
            col(IdempotentRequest.org_id) == org_id, col(IdempotentRequest.created_at) < now - KEEP
        )
    )
    row = _row(session, org_id, key)
    if row is None:
        try:
            with session.begin_nested():
                session.add(IdempotentRequest(org_id=org_id, key=key, fingerprint=fingerprint))
        except IntegrityError:  # a concurrent request claimed it first
            raise Conflict(IN_PROGRESS) from None
        return None
    if row.fingerprint != fingerprint:
        raise Invalid(OTHER_REQUEST, field=HEADER)
    if row.status_code is not None:
        return Response(row.status_code, row.content_type, row.body or b"")
    if row.created_at > now - STALE:
        raise Conflict(IN_PROGRESS)
    row.created_at = now  # its request vanished: this one takes the claim over
    session.add(row)
    return None


def finish(session: Session, *, org_id: int, key: str, response: Response) -> None:
    """Keep the response of the request that claimed `key` (or drop the claim for a 5xx)."""
    row = _row(session, org_id, key)
    if row is None:
        return
    if response.status_code >= 500:
        session.delete(row)
        return
    row.status_code = response.status_code
    row.content_type = response.content_type[:100]
    row.body = response.body
    session.add(row)


def abandon(session: Session, *, org_id: int, key: str) -> None:
    """Drop the claim of a request that failed before it could answer."""
    row = _row(session, org_id, key)
    if row is not None and row.status_code is None:
        session.delete(row)


def _row(session: Session, org_id: int, key: str) -> IdempotentRequest | None:
    return session.exec(
        select(IdempotentRequest)
        .where(IdempotentRequest.org_id == org_id, IdempotentRequest.key == key)
        .execution_options(populate_existing=True)
    ).first()
