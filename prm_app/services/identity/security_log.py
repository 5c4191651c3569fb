"""Security events: who signed in (or failed to), changed a password or second factor, revoked a
session, created or revoked an API key, or changed a role. Recorded in the transaction of the
change, and listed for the organization's admins; mirrored into the organization's activity
trail, so that its audit log (services.audit) shows them among the other changes."""

from dataclasses import dataclass

from sqlmodel import Session

from ...models import ActivityEvent, SecurityEvent
from ..core import channel

# Every kind and how the admins' list names it.
KINDS: dict[str, str] = {
    "signed_in": "Signed in",
    "sign_in_failed": "Failed sign-in",
    "email_verified": "Email address verified",
    "email_changed": "Email address changed",
    "password_changed": "Password changed",
    "password_reset": "Password reset by email",
    "two_factor_enrolled": "Two-factor sign-in turned on",
    "two_factor_reset": "Two-factor sign-in reset",
    "recovery_code_used": "Recovery code used",
    "session_revoked": "Session revoked",
    "api_key_created": "API key created",
    "api_key_revoked": "API key revoked",
    "role_changed": "Role changed",
    "policy_changed": "Security policy changed",
}


# Kinds whose change its service already records in the activity trail (not mirrored twice).
IN_THE_TRAIL = frozenset({"role_changed", "api_key_created", "api_key_revoked"})


@dataclass(frozen=True, slots=True)
class Client:
    """Where a request came from, as the route or event handler saw it."""

    ip: str = ""
    user_agent: str = ""


def record(
    session: Session,
    *,
    org_id: int,
    kind: str,
    user_id: int | None = None,
    actor_user_id: int | None = None,
    client: Client | None = None,
    detail: str = "",
) -> None:
    """Add one event to the organization's security log (in the caller's transaction)."""
    if kind not in KINDS:
        raise ValueError(f"unknown security event {kind!r}")
    client = client or Client()
    event = SecurityEvent(
        org_id=org_id,
        kind=kind,
        user_id=user_id,
        actor_user_id=actor_user_id,
        ip=client.ip[:64],
        user_agent=client.user_agent[:300],
        detail=detail[:500],
    )
    session.add(event)
    if kind in IN_THE_TRAIL:
        return
    session.flush()  # the trail's entry names the event
    assert event.id is not None
    acting = actor_user_id  # a failed sign-in was not its person's doing
    if acting is None and kind != "sign_in_failed":
        acting = user_id
    via = channel.of(session, None, acting is not None)
    after = {"user_id": user_id, "ip": event.ip, "detail": event.detail}
    session.add(
        ActivityEvent(
            org_id=org_id,
            actor_id=acting,
            entity_type="security_event",
            entity_id=event.id,
            action=kind,
            after={k: v for k, v in after.items() if v not in (None, "")},
            via=via.kind,
            via_label=via.label,
        )
    )
