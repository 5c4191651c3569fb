"""Who is acting: resolved from the server-side session on every request."""

from dataclasses import dataclass

from ...models import OrgKind, Role
from .channel import Via
from .errors import NotAllowed


@dataclass(frozen=True, slots=True)
class Actor:
    user_id: int
    org_id: int
    org_kind: str
    role: str
    name: str
    email: str
    org_name: str
    via: Via | None = None  # how they act, when not through the portal (services.core.channel)

    @property
    def is_admin(self) -> bool:
        return self.role == Role.ADMIN

    @property
    def sees_all(self) -> bool:
        """Managers and admins see all of the organization's records ("View All Leads")."""
        return self.role in (Role.ADMIN, Role.MANAGER)

    @property
    def scope(self) -> tuple:
        """What of the actor the records shown depend on: actors of one scope see the same."""
        return (self.org_id, self.org_kind, None if self.sees_all else self.user_id)

    def require_kind(self, kind: OrgKind) -> None:
        if self.org_kind != kind:
            raise NotAllowed(f"Only a {kind} organization can do that.")

    def require_admin(self) -> None:
        if not self.is_admin:
            raise NotAllowed("Only an administrator of your organization can do that.")
