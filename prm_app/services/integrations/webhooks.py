"""Webhooks: an organization's URLs told of events, signed, queued and retried.

An event is queued (one delivery per subscribed endpoint) inside the transaction of the change
it reports, so it exists exactly when the change committed. A sender in every backend worker
claims due deliveries with a conditional UPDATE and a lease (like the mail outbox), POSTs the
JSON body with `X-PRM-Timestamp` and `X-PRM-Signature: sha256=<hex HMAC-SHA256 of
"<timestamp>.<body>" with the endpoint's secret>`, and retries failures with exponential
backoff, up to MAX_ATTEMPTS. Payloads carry ids, statuses and names both organizations see,
never a referral's hidden contact details, and the record's `custom` object as each receiving
organization may see it (its own fields, and those the other side shows it).

URLs must be http(s); private, loopback and link-local addresses are refused unless
PRM_WEBHOOKS_ALLOW_PRIVATE=1 (tests, local development), checked when an endpoint is added and
again before each delivery.
"""

import hashlib
import hmac
import ipaddress
import json
import logging
import secrets
import socket
import time
import uuid
from collections.abc import Callable
from contextlib import AbstractContextManager, suppress
from dataclasses import dataclass
from datetime import datetime, timedelta
from urllib.parse import urlsplit

import httpx
from sqlalchemy import update
from sqlmodel import Session, col, select

from ... import settings
from ...models import (
    Deal,
    DeliveryStatus,
    Lead,
    Partnership,
    WebhookDelivery,
    WebhookEndpoint,
    utcnow,
)
from .. import custom_fields as cf
from ..core import activity, inputs
from ..core.actor import Actor
from ..core.errors import Invalid, NotFound
from . import outbox

log = logging.getLogger(__name__)

EVENTS: dict[str, str] = {
    "lead.submitted": "A lead or referral was sent",
    "lead.accepted": "A lead or referral was accepted",
    "lead.rejected": "A lead or referral was rejected",
    "lead.converted": "A lead or referral became a deal",
    "lead.lost": "An accepted lead or referral was closed as lost",
    "deal.created": "A deal was registered or recorded",
    "deal.stage_changed": "A deal moved to another stage",
    "deal.won": "A deal was closed as won",
    "deal.lost": "A deal was closed as lost",
    "deal.extension_requested": "A partner asked to extend a deal's protection",
    "deal.extension_approved": "An extension of a deal's protection was approved",
    "deal.extension_declined": "An extension of a deal's protection was declined",
    "deal.withdrawn": "A partner withdrew a deal registration",
    "deal.resubmitted": "A partner resubmitted a rejected or expired deal registration",
    "partnership.changed": "A partnership was accepted, declined, ended or revoked",
    "mdf.allocated": "Market development funds were allocated to a partner",
    "mdf.request_submitted": "A partner requested market development funds",
    "mdf.request_approved": "A fund request was approved",
    "mdf.request_denied": "A fund request was denied",
    "mdf.claim_submitted": "A partner claimed market development funds",
    "mdf.claim_approved": "A fund claim was approved for reimbursement",
    "mdf.claim_rejected": "A fund claim was rejected",
    "mdf.expired": "Unused market development funds expired at the period's end",
    "privacy.erasure_requested": "Another organization erased a person and asks you to erase "
    "your copy",
    "privacy.erasure_decided": "An organization erased its copy of a person, or declined",
}
MAX_ENDPOINTS = 20
MAX_ATTEMPTS = 8
BATCH = 50
LEASE = timedelta(minutes=2)
TIMEOUT = 10.0
RECENT = 50
NOT_VISIBLE = "That webhook does not exist or is not visible to you."


@dataclass(frozen=True, slots=True)
class EndpointView:
    id: int
    url: str
    events: list[str]
    created_at: datetime


@dataclass(frozen=True, slots=True)
class DeliveryView:
    id: int
    endpoint_id: int
    url: str
    event: str
    status: str
    attempts: int
    last_status_code: int | None
    last_error: str
    created_at: datetime
    next_attempt_at: datetime
    sent_at: datetime | None


@dataclass(frozen=True, slots=True)
class Sent:
    sent: int
    retried: int
    failed: int


# signatures ------------------------------------------------------------------------------------


def sign(secret: str, timestamp: str, body: bytes) -> str:
    """The X-PRM-Signature value of a delivery."""
    mac = hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256)
    return f"sha256={mac.hexdigest()}"


def verify(
    secret: str, timestamp: str, body: bytes, signature: str, *, tolerance: int = 300
) -> bool:
    """What a receiver does: the signature matches and the timestamp is recent."""
    try:
        fresh = abs(time.time() - int(timestamp)) <= tolerance
    except ValueError:
        return False
    return fresh and hmac.compare_digest(sign(secret, timestamp, body), signature)


# endpoints (admins) ----------------------------------------------------------------------------


def allow_private() -> bool:
    return settings.current().webhooks_allow_private


def check_url(value: object) -> str:
    """An http(s) URL without credentials whose host is public (see allow_private)."""
    url = inputs.text(value, field="url", label="URL", max_len=500)
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise Invalid("Enter an http:// or https:// URL.", field="url")
    if parts.username or parts.password:
        raise Invalid("Put no user name or password in the URL.", field="url")
    try:
        parts.port  # noqa: B018 - raises on a bad port
    except ValueError:
        raise Invalid("The URL's port is not valid.", field="url") from None
    if not allow_private():
        _require_public(parts.hostname)
    return url


def _require_public(host: str) -> None:
    """Refuse a host that does not resolve, or that resolves to any address not on the public
    internet, saying which of the two it is."""
    addresses = _addresses(host)
    if not addresses:
        raise Invalid(f"The host {host} does not resolve: check the URL's spelling.", field="url")
    if not _is_public(addresses):
        raise Invalid(
            f"The host {host} resolves to a private or local address ({addresses[0]}): "
            "webhooks go only to public internet addresses.",
            field="url",
        )


def _addresses(host: str) -> list[str]:
    try:
        return list(dict.fromkeys(info[4][0] for info in socket.getaddrinfo(host, None)))
    except (OSError, UnicodeError):
        return []


# IPv6 ranges Python calls global that carry or translate an IPv4 address (NAT64, 6to4,
# IPv4-compatible) or are deprecated site-local: on such networks they reach internal hosts.
TRANSLATED = [
    ipaddress.ip_network(net)
    for net in ("64:ff9b::/96", "64:ff9b:1::/48", "2002::/16", "::/96", "fec0::/10")
]


def _is_public(addresses: list[str]) -> bool:
    found = [ipaddress.ip_address(a.split("%")[0]) for a in addresses]
    return bool(found) and all(
        ip.is_global and not any(ip in net for net in TRANSLATED if ip.version == net.version)
        for ip in found
    )


def _events(value: object) -> list[str]:
    if not isinstance(value, list | tuple) or not value:
        raise Invalid("Choose at least one event.", field="events")
    if any(not isinstance(e, str) or e not in EVENTS for e in value):
        raise Invalid("Choose events from the list.", field="events")
    return [e for e in EVENTS if e in value]


def add_endpoint(session: Session, *, actor: Actor, url: object, events: object) -> tuple[int, str]:
    """Register a URL for events; returns (id, signing secret), the secret shown once."""
    actor.require_admin()
    url, chosen = check_url(url), _events(events)
    count = len(session.exec(select(WebhookEndpoint.id).where(*_active(actor))).all())
    if count >= MAX_ENDPOINTS:
        raise Invalid(f"Your organization has {MAX_ENDPOINTS} webhooks: remove one first.")
    secret = f"whsec_{secrets.token_urlsafe(32)}"
    row = WebhookEndpoint(
        org_id=actor.org_id, created_by_id=actor.user_id, url=url, events=chosen, secret=secret
    )
    session.add(row)
    session.flush()
    activity.record(
        session, actor=actor, subject=row, action="created", after={"url": url, "events": chosen}
    )
    return row.id, secret


def remove_endpoint(session: Session, *, actor: Actor, endpoint_id: object) -> None:
    """Stop sending to an endpoint (its queued deliveries are dropped as failed)."""
    actor.require_admin()
    endpoint_id = inputs.record_id(endpoint_id, what="webhook")
    row = session.exec(
        select(WebhookEndpoint).where(WebhookEndpoint.id == endpoint_id, *_active(actor))
    ).first()
    if row is None:
        raise NotFound(NOT_VISIBLE)
    row.is_active, row.removed_at = False, utcnow()
    session.add(row)
    session.exec(
        update(WebhookDelivery)
        .where(
            col(WebhookDelivery.endpoint_id) == row.id,
            WebhookDelivery.status == DeliveryStatus.QUEUED,
        )
        .values(status=DeliveryStatus.FAILED, last_error="The webhook was removed.")
    )
    activity.record(session, actor=actor, subject=row, action="removed", after={"url": row.url})


def endpoints(session: Session, *, actor: Actor) -> list[EndpointView]:
    actor.require_admin()
    rows = session.exec(
        select(WebhookEndpoint).where(*_active(actor)).order_by(col(WebhookEndpoint.id))
    ).all()
    return [EndpointView(r.id, r.url, list(r.events), r.created_at) for r in rows]


def recent_deliveries(session: Session, *, actor: Actor, limit: int = RECENT) -> list[DeliveryView]:
    """The organization's latest deliveries, newest first, with their status."""
    actor.require_admin()
    rows = session.exec(
        select(WebhookDelivery, WebhookEndpoint.url)
        .join(WebhookEndpoint, col(WebhookEndpoint.id) == WebhookDelivery.endpoint_id)
        .where(WebhookDelivery.org_id == actor.org_id)
        .order_by(col(WebhookDelivery.id).desc())
        .limit(limit)
    ).all()
    return [
        DeliveryView(
            id=d.id,
            endpoint_id=d.endpoint_id,
            url=url,
            event=d.event,
            status=d.status,
            attempts=d.attempts,
            last_status_code=d.last_status_code,
            last_error=d.last_error,
            created_at=d.created_at,
            next_attempt_at=d.next_attempt_at,
            sent_at=d.sent_at,
        )
        for d, url in rows
    ]


def _active(actor: Actor) -> list:
    return [WebhookEndpoint.org_id == actor.org_id, col(WebhookEndpoint.is_active).is_(True)]


# queueing (inside the change's transaction) ----------------------------------------------------


def enqueue(session: Session, *, org_ids: object, event: str, data: dict) -> int:
    """Queue `event` for every active endpoint of these organizations subscribed to it;
    returns how many deliveries were queued."""
    if event not in EVENTS:
        raise ValueError(f"unknown webhook event {event}")
    ids = sorted({o for o in org_ids if isinstance(o, int)}) if org_ids else []
    if not ids:
        return 0
    rows = session.exec(
        select(WebhookEndpoint.id, WebhookEndpoint.org_id, WebhookEndpoint.events).where(
            col(WebhookEndpoint.org_id).in_(ids), col(WebhookEndpoint.is_active).is_(True)
        )
    ).all()
    queued = 0
    now = utcnow()
    seen: dict[int, dict] = {}
    for endpoint_id, org_id, events in rows:
        if event not in (events or []):
            continue
        if org_id not in seen:
            seen[org_id] = _as_seen_by(session, org_id, data)
        body = {
            "id": str(uuid.uuid4()),
            "event": event,
            "created_at": now.isoformat(),
            "org_id": org_id,
            "data": seen[org_id],
        }
        session.add(
            WebhookDelivery(
                endpoint_id=endpoint_id,
                org_id=org_id,
                event=event,
                body=json.dumps(body, default=str, separators=(",", ":")),
                next_attempt_at=now,
            )
        )
        queued += 1
    return queued


def _as_seen_by(session: Session, org_id: int, data: dict) -> dict:
    """`data` with the record's `custom` object as `org_id` may see it (services.custom_fields
    .access: another organization's hidden fields never leave in a payload)."""
    fields: list[cf.FieldAccess] | None = None
    custom: dict | None = None
    if isinstance(data.get("lead_id"), int):
        lead = session.get(Lead, data["lead_id"])
        if lead is not None:
            fields, custom = cf.for_lead(session, lead, org_id), lead.custom
    elif isinstance(data.get("deal_id"), int):
        deal = session.get(Deal, data["deal_id"])
        if deal is not None:
            fields, custom = cf.for_deal(session, deal, org_id), deal.custom
    elif isinstance(data.get("partnership_id"), int):
        partnership = session.get(Partnership, data["partnership_id"])
        if partnership is not None:
            fields = cf.for_partnership(session, partnership, org_id)
            custom = partnership.custom
    if fields is None:
        return data
    return {**data, "custom": cf.plain_values(fields, custom)}


def lead_data(lead, recipients: list) -> dict:
    """What a lead event says: the lead and the recipients the organization may know of."""
    return {
        "lead_id": lead.id,
        "direction": lead.direction,
        "company": lead.company,
        "origin_org_id": lead.origin_org_id,
        "recipients": [
            {"recipient_id": r.id, "org_id": r.org_id, "status": r.status, "reason": r.reason}
            for r in recipients
        ],
    }


def deal_data(deal, stage_name: str = "") -> dict:
    return {
        "deal_id": deal.id,
        "version": deal.version,
        "name": deal.name,
        "company": deal.company,
        "amount": str(deal.amount),
        "currency": deal.currency,
        "stage_id": deal.stage_id,
        "stage_name": stage_name,
        "approval": deal.approval,
        "outcome": deal.outcome,
        "lost_reason": deal.lost_reason,
        "provider_org_id": deal.provider_org_id,
        "partner_org_id": deal.partner_org_id,
    }


def partnership_changed(session: Session, *, partnership, action: str) -> None:
    """Both organizations of a partnership hear that it was accepted, declined, ended..."""
    enqueue(
        session,
        org_ids=[partnership.provider_org_id, partnership.consultant_org_id],
        event="partnership.changed",
        data={
            "partnership_id": partnership.id,
            "action": action,
            "status": partnership.status,
            "provider_org_id": partnership.provider_org_id,
            "consultant_org_id": partnership.consultant_org_id,
        },
    )


# sending (the background job) ------------------------------------------------------------------


Post = Callable[[str, bytes, dict[str, str]], int]


def http_post(url: str, body: bytes, headers: dict[str, str]) -> int:
    """POST without following redirects; returns the status code (network errors raise)."""
    pinned, host, extensions = pinned_request(url)
    with httpx.Client(timeout=TIMEOUT, follow_redirects=False) as client:

        def send(address_url: str) -> int:
            headers_sent = {**headers, "Host": host}
            request = client.build_request(
                "POST", address_url, content=body, headers=headers_sent, extensions=extensions
            )
            return client.send(request).status_code

        for address_url in pinned[:-1]:  # the next address when one cannot be reached
            with suppress(httpx.ConnectError):
                return send(address_url)
        return send(pinned[-1])


def pinned_request(url: str) -> tuple[list[str], str, dict[str, str]]:
    """The URL with its host resolved once, checked, and used as is: a name that resolves to a
    public address when checked and to a private one when connecting (DNS rebinding) reaches
    nothing private. Returns (the URL with each address, IPv4 first; the Host header; the TLS
    name for https)."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    addresses = _addresses(host)
    if not addresses:
        raise ValueError("the URL's host does not resolve")
    if not allow_private() and not _is_public(addresses):
        raise ValueError("the URL no longer reaches a public address")
    urls = []
    for address in sorted(addresses, key=lambda a: ":" in a):
        netloc = f"[{address.split('%')[0]}]" if ":" in address else address
        if parts.port is not None:
            netloc += f":{parts.port}"
        urls.append(parts._replace(netloc=netloc).geturl())
    extensions = {"sni_hostname": host} if parts.scheme == "https" else {}
    return urls, parts.netloc, extensions


def retry_seconds() -> float:
    return settings.current().webhook_retry_seconds


def claim_due(session: Session, *, now: datetime, limit: int = BATCH) -> list[WebhookDelivery]:
    """Claim up to `limit` due deliveries for this sender (see outbox.claim_due)."""
    return outbox.claim_due(
        session, WebhookDelivery, queued=DeliveryStatus.QUEUED, now=now, lease=LEASE, limit=limit
    )


def deliver_due(
    open_session: Callable[[], AbstractContextManager[Session]],
    *,
    post: Post = http_post,
    now: Callable[[], datetime] = utcnow,
    retry_base: float | None = None,
    limit: int = BATCH,
) -> Sent:
    """Send every due delivery once: claim (one short transaction), POST each (no transaction
    open), record each outcome (one short transaction each). A 2xx answer is delivered."""
    base = retry_seconds() if retry_base is None else retry_base
    with open_session() as session:
        due = claim_due(session, now=now(), limit=limit)
        targets = {
            endpoint_id: (url, secret)
            for endpoint_id, url, secret in session.exec(
                select(WebhookEndpoint.id, WebhookEndpoint.url, WebhookEndpoint.secret).where(
                    col(WebhookEndpoint.id).in_({d.endpoint_id for d in due})
                )
            ).all()
        }
    sent = retried = failed = 0
    for delivery in due:
        url, secret = targets[delivery.endpoint_id]
        body = delivery.body.encode()
        timestamp = str(int(time.time()))
        headers = {
            "Content-Type": "application/json",
            "User-Agent": "PRM-Webhooks/1",
            "X-PRM-Event": delivery.event,
            "X-PRM-Delivery": str(delivery.id),
            "X-PRM-Timestamp": timestamp,
            "X-PRM-Signature": sign(secret, timestamp, body),
        }
        code, error = None, ""
        try:
            code = post(url, body, headers)
            if not 200 <= code < 300:
                error = f"HTTP {code}"
        except Exception as problem:  # the receiver is down or unreachable: retry later
            error = f"{type(problem).__name__}: {problem}"[:1000]
        if not error:
            _settle(
                open_session,
                delivery,
                status=DeliveryStatus.SENT,
                sent_at=now(),
                last_status_code=code,
                last_error="",
            )
            sent += 1
            continue
        gave_up = delivery.attempts >= MAX_ATTEMPTS
        log.warning(
            "webhook delivery %s failed (attempt %d): %s", delivery.id, delivery.attempts, error
        )
        _settle(
            open_session,
            delivery,
            status=DeliveryStatus.FAILED if gave_up else DeliveryStatus.QUEUED,
            next_attempt_at=now() + outbox.backoff(delivery.attempts, base),
            last_status_code=code,
            last_error=error,
        )
        failed += gave_up
        retried += not gave_up
    return Sent(sent, retried, failed)


def _settle(open_session, delivery: WebhookDelivery, **values) -> None:
    with open_session() as session:
        outbox.settle(session, WebhookDelivery, delivery, queued=DeliveryStatus.QUEUED, **values)
