"""An admin changes a colleague's role (member, manager, admin); the organization keeps at
least one active admin. Recorded in the activity trail and the security log."""

from sqlmodel import Session

from ...models import Role, User
from ..core import activity
from ..core.actor import Actor
from ..core.errors import Invalid, NotAllowed, NotFound
from . import security_log, team
from .team import ROLES

LAST_ADMIN = "An organization keeps at least one active administrator."


def change_role(
    session: Session,
    *,
    actor: Actor,
    user_id: object,
    role: object,
    client: security_log.Client | None = None,
) -> None:
    """Give a colleague another role (admins only; not one's own: another admin does that)."""
    membership = team._membership(session, actor, user_id)  # admins only, same organization
    if not isinstance(role, str) or role not in ROLES:
        raise Invalid("Choose a role: admin, manager or member.", field="role")
    if membership.user_id == actor.user_id:
        raise NotAllowed("You cannot change your own role: ask another admin.")
    if membership.role == role:
        return
    if (
        membership.role == Role.ADMIN
        and membership.is_active
        and team._active_admins(session, actor.org_id) <= 1
    ):
        raise NotAllowed(LAST_ADMIN)
    before = membership.role
    membership.role = Role(role)
    session.add(membership)
    person = session.get(User, membership.user_id)
    if person is None:  # a membership always has its person (foreign key)
        raise NotFound(team.NOT_A_MEMBER)
    activity.record(
        session,
        actor=actor,
        subject=person,
        action="role_changed",
        before={"role": before},
        after={"role": role},
    )
    security_log.record(
        session,
        org_id=actor.org_id,
        kind="role_changed",
        user_id=membership.user_id,
        actor_user_id=actor.user_id,
        client=client,
        detail=f"{before} -> {role}",
    )
