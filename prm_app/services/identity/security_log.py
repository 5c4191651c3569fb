"""Security events: who signed in (or failed to), changed a password or second factor, revoked a
session, created or revoked an API key, or changed a role. Recorded in the transaction of the
change, and listed for the organization's admins."""

from dataclasses import dataclass

from sqlmodel import Session

from ...models import SecurityEvent

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
    session.add(
        SecurityEvent(
            org_id=org_id,
            kind=kind,
            user_id=user_id,
            actor_user_id=actor_user_id,
            ip=client.ip[:64],
            user_agent=client.user_agent[:300],
            detail=detail[:500],
        )
    )
