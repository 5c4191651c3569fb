"""Who must sign in with a second factor: the organization's policy, set by its admins. The one
place that answers "must this person have two-factor sign-in?", for the sign-in flow and the UI."""

from sqlmodel import Session

from ...models import OrgSettings, Role
from ..core.actor import Actor
from ..core.errors import Invalid
from . import reauth, security_log

OFF = "off"
ADMINS = "admins"
EVERYONE = "everyone"
CHOICES: dict[str, str] = {
    OFF: "Not required (each person chooses)",
    ADMINS: "Required for admins",
    EVERYONE: "Required for everyone",
}


def policy_of(session: Session, org_id: int) -> str:
    row = session.get(OrgSettings, org_id)
    policy = row.two_factor_policy if row else OFF
    return policy if policy in CHOICES else OFF


def covers(policy: str, role: str) -> bool:
    """Whether `policy` requires a second factor of a person with `role`."""
    return policy == EVERYONE or (policy == ADMINS and role == Role.ADMIN)


def required(session: Session, *, org_id: int, role: str) -> bool:
    """Whether the organization requires a second factor of a person with `role` in it."""
    return covers(policy_of(session, org_id), role)


def set_policy(
    session: Session,
    *,
    actor: Actor,
    policy: object,
    password: object,
    client: security_log.Client | None = None,
) -> None:
    """An admin sets the organization's policy, after proving again who they are."""
    actor.require_admin()
    if not isinstance(policy, str) or policy not in CHOICES:
        raise Invalid("Choose one of the offered policies.", field="policy")
    reauth.confirm(session, user_id=actor.user_id, password=password, field="current")
    row = session.get(OrgSettings, actor.org_id) or OrgSettings(org_id=actor.org_id)
    before = row.two_factor_policy
    if before == policy:
        return
    row.two_factor_policy = policy
    session.add(row)
    security_log.record(
        session,
        org_id=actor.org_id,
        kind="policy_changed",
        actor_user_id=actor.user_id,
        client=client,
        detail=f"Two-factor sign-in: {CHOICES.get(before, before)} -> {CHOICES[policy]}",
    )
