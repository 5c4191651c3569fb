"""API keys: an organization's credentials for the REST API.

A key reads `prm_<prefix>_<secret>`: the prefix finds its row, only the SHA-256 of the whole key
is stored (the secret is 256 random bits, so a fast hash is enough) and compared in constant
time. A key acts as the admin who created it, with the role chosen at creation, never more than
that person's current role: while they are an active member of the organization. Only admins
create, list and revoke keys.
"""

import hashlib
import hmac
import re
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlmodel import Session, col, select

from ...models import ApiKey, Membership, Organization, Role, User, utcnow
from ..core import activity, channel, inputs
from ..core.actor import Actor
from ..core.errors import Invalid, NotFound
from . import security_log

MAX_KEYS = 50
RANK = {Role.MEMBER: 0, Role.MANAGER: 1, Role.ADMIN: 2}
TOUCH_EVERY = timedelta(minutes=1)  # last_used_at is written at most this often
_KEY = re.compile(r"^prm_([0-9a-f]{12})_([A-Za-z0-9_-]{43})$")
NOT_VISIBLE = "That API key does not exist or is not visible to you."


@dataclass(frozen=True, slots=True)
class KeyView:
    id: int
    name: str
    prefix: str
    role: str
    created_by: str
    created_at: datetime
    last_used_at: datetime | None
    revoked_at: datetime | None


@dataclass(frozen=True, slots=True)
class NewKey:
    id: int
    key: str  # shown once, never stored


def hash_key(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def lower_role(a: str, b: str) -> str:
    return a if RANK[Role(a)] <= RANK[Role(b)] else b


def create(
    session: Session,
    *,
    actor: Actor,
    name: object,
    role: object,
    client: security_log.Client | None = None,
) -> NewKey:
    """Create a named key with `role` (at most the creator's); returns the key, shown once."""
    actor.require_admin()
    name = inputs.text(name, field="name", label="Name", max_len=100)
    if not isinstance(role, str) or role not in tuple(Role):
        raise Invalid("Choose the key's role: member, manager or admin.", field="role")
    if RANK[Role(role)] > RANK[Role(actor.role)]:
        raise Invalid("A key cannot have more rights than you.", field="role")
    active = session.exec(
        select(ApiKey.id).where(ApiKey.org_id == actor.org_id, col(ApiKey.revoked_at).is_(None))
    ).all()
    if len(active) >= MAX_KEYS:
        raise Invalid(f"Your organization has {MAX_KEYS} keys: revoke one first.", field="name")
    prefix = secrets.token_hex(6)
    key = f"prm_{prefix}_{secrets.token_urlsafe(32)}"
    row = ApiKey(
        org_id=actor.org_id,
        created_by_id=actor.user_id,
        name=name,
        prefix=prefix,
        key_hash=hash_key(key),
        role=role,
    )
    session.add(row)
    session.flush()
    activity.record(
        session,
        actor=actor,
        subject=row,
        action="created",
        after={"name": name, "prefix": prefix, "role": role},
    )
    security_log.record(
        session,
        org_id=actor.org_id,
        kind="api_key_created",
        actor_user_id=actor.user_id,
        client=client,
        detail=f"{name} (prm_{prefix}, {role})",
    )
    return NewKey(row.id, key)


def list_keys(session: Session, *, actor: Actor) -> list[KeyView]:
    """The organization's keys, newest first (revoked ones too, marked)."""
    actor.require_admin()
    rows = session.exec(
        select(ApiKey, User.name)
        .join(User, col(User.id) == ApiKey.created_by_id)
        .where(ApiKey.org_id == actor.org_id)
        .order_by(col(ApiKey.id).desc())
    ).all()
    return [
        KeyView(
            id=key.id,
            name=key.name,
            prefix=key.prefix,
            role=key.role,
            created_by=creator,
            created_at=key.created_at,
            last_used_at=key.last_used_at,
            revoked_at=key.revoked_at,
        )
        for key, creator in rows
    ]


def revoke(
    session: Session,
    *,
    actor: Actor,
    key_id: object,
    client: security_log.Client | None = None,
) -> None:
    """Revoke a key of the organization: it is refused from now on (idempotent)."""
    actor.require_admin()
    key_id = inputs.record_id(key_id, what="API key")
    key = session.exec(
        select(ApiKey).where(ApiKey.id == key_id, ApiKey.org_id == actor.org_id).with_for_update()
    ).first()
    if key is None:
        raise NotFound(NOT_VISIBLE)
    if key.revoked_at is not None:
        return
    key.revoked_at = utcnow()
    session.add(key)
    activity.record(
        session,
        actor=actor,
        subject=key,
        action="revoked",
        before={"name": key.name, "prefix": key.prefix},
    )
    security_log.record(
        session,
        org_id=actor.org_id,
        kind="api_key_revoked",
        actor_user_id=actor.user_id,
        client=client,
        detail=f"{key.name} (prm_{key.prefix})",
    )


def resolve(session: Session, *, key: object, now: datetime | None = None) -> Actor | None:
    """The actor a key acts as, or None if it is malformed, unknown, revoked, or its creator
    is no longer an active member."""
    if not isinstance(key, str) or not (found := _KEY.match(key)):
        return None
    row = session.exec(
        select(ApiKey, User, Organization, Membership)
        .join(User, col(User.id) == ApiKey.created_by_id)
        .join(Organization, col(Organization.id) == ApiKey.org_id)
        .join(
            Membership,
            (col(Membership.user_id) == ApiKey.created_by_id)
            & (col(Membership.org_id) == ApiKey.org_id),
        )
        .where(
            ApiKey.prefix == found.group(1),
            col(ApiKey.revoked_at).is_(None),
            col(User.is_active).is_(True),
            col(Membership.is_active).is_(True),
        )
    ).first()
    if row is None:
        return None
    api_key, user, org, membership = row
    if not hmac.compare_digest(api_key.key_hash, hash_key(key)):
        return None
    now = now or utcnow()
    if api_key.last_used_at is None or api_key.last_used_at < now - TOUCH_EVERY:
        api_key.last_used_at = now
        session.add(api_key)
    return Actor(
        user_id=user.id,
        org_id=org.id,
        org_kind=org.kind,
        role=lower_role(api_key.role, membership.role),
        name=user.name,
        email=user.email,
        org_name=org.name,
        via=channel.api_key(api_key.name),
    )
