"""The session being loaded and lookups of the demo's organizations, people and terms."""

from datetime import datetime, timedelta
from typing import TypeVar

from sqlmodel import Session, SQLModel, select

from ..models import (
    Organization,
    OrgSettings,
    Role,
    Stage,
    TaxonomyTerm,
    utcnow,
)
from ..services.core import activity
from ..services.core.actor import Actor

T = TypeVar("T")


class Demo:
    """The session being loaded, the demo organizations and people, and lookups by name."""

    def __init__(self, session: Session):
        self.session = session
        self.now = utcnow()
        self.orgs: dict[str, Organization] = {}
        self.people: dict[tuple[str, str], Actor] = {}

    def ago(self, days: float) -> datetime:
        return self.now - timedelta(days=days)

    def after(self, moment: datetime, **delta: float) -> datetime:
        """`moment` plus `delta`, but never in the future."""
        return min(moment + timedelta(**delta), self.now)

    def org_id(self, key: str) -> int:
        return self.orgs[key].id

    def key_of(self, org_id: int) -> str:
        return next(key for key, org in self.orgs.items() if org.id == org_id)

    def actor(self, key: str, role: str = Role.ADMIN) -> Actor:
        return self.people[(key, role)]

    def actor_of(self, user_id: int) -> Actor:
        return next(actor for actor in self.people.values() if actor.user_id == user_id)

    def user_id(self, key: str, role: str) -> int:
        return self.actor(key, role).user_id

    def settings(self, key: str) -> OrgSettings:
        return self.session.get(OrgSettings, self.org_id(key))

    def term(self, key: str, kind: str, name: str) -> int:
        query = select(TaxonomyTerm.id).where(
            TaxonomyTerm.org_id == self.org_id(key),
            TaxonomyTerm.kind == kind,
            TaxonomyTerm.name == name,
        )
        return self.session.exec(query).one()

    def stage(self, key: str, pipeline: str, name: str) -> Stage:
        query = select(Stage).where(
            Stage.org_id == self.org_id(key), Stage.pipeline == pipeline, Stage.name == name
        )
        return self.session.exec(query).one()

    def add(self, row: T) -> T:
        """Add and flush `row`, so it has its id."""
        self.session.add(row)
        self.session.flush()
        return row

    def log(
        self,
        actor: Actor | None,
        orgs: tuple[str, ...],
        subject: SQLModel,
        action: str,
        at: datetime | None = None,
        **after: object,
    ) -> None:
        """One activity event about `subject` in the audit trail of each of `orgs`,
        dated `at` (default: now)."""
        for key in orgs:
            event = activity.record(
                self.session,
                actor=actor,
                org_id=self.org_id(key),
                subject=subject,
                action=action,
                after=after or _state(subject),
            )
            if at is not None:
                event.created_at = at


def _state(subject: SQLModel) -> dict[str, object]:
    """What the audit log shows of a record the demo set up without a service: its status."""
    fields = ("status", "approval", "outcome", "role")
    return {name: str(getattr(subject, name)) for name in fields if hasattr(subject, name)}
