"""Consultant portal > My Providers: invitations to answer, providers to categorize."""

from typing import ClassVar, TypedDict

import reflex as rx

from ..models import OrgKind, TermKind
from ..services import catalog, onboarding, partnerships
from ..services.core.changes import Topic
from ..services.identity import team
from .base import AppState, form_value
from .live import LiveView
from .rows import Option


class ProviderInvitation(TypedDict):
    """An invitation from a provider, to accept or reject."""

    id: str
    provider: str
    message: str
    invited: str
    expires: str


class ProviderRow(TypedDict):
    """A provider and the consultant's own categorization of it."""

    id: str
    name: str
    status: str
    since: str
    provider_type_id: str
    provider_type: str
    proficiency_id: str
    proficiency: str
    assigned_user_id: str
    assigned_user: str
    categorized: str  # "yes" once categorized
    onboarding: str  # the provider's checklist: "3 of 5" done ("" without one)


def _opt(value) -> str:
    return "" if value is None else str(value)


class ProvidersState(LiveView, AppState):
    providers: list[ProviderRow] = []
    invitations: list[ProviderInvitation] = []
    provider_types: list[Option] = []
    proficiencies: list[Option] = []
    colleagues: list[Option] = []
    LIVE_TOPIC: ClassVar[Topic] = Topic.PARTNERS  # invitations and providers, live

    @rx.event
    def load(self):
        if (redirect := self._enter(OrgKind.CONSULTANT)) is not None:
            return redirect
        self._watch()
        return self._refresh()

    def _refresh(self):
        return self._perform(self._read)[1]

    def _read(self, session, *, actor) -> None:
        self._reading(actor.org_id)
        self.invitations = [
            {
                "id": str(i.id),
                "provider": i.provider_name,
                "message": i.message,
                "invited": i.invited_at.strftime("%Y-%m-%d"),
                "expires": i.expires_at.strftime("%Y-%m-%d") if i.expires_at else "",
            }
            for i in partnerships.consultant_invitations(session, actor=actor)
        ]
        self.providers = [
            {
                "id": str(p.id),
                "name": p.provider_name,
                "status": p.status,
                "since": p.since.strftime("%Y-%m-%d") if p.since else "",
                "provider_type_id": _opt(p.provider_type_id),
                "provider_type": p.provider_type,
                "proficiency_id": _opt(p.proficiency_id),
                "proficiency": p.proficiency,
                "assigned_user_id": _opt(p.assigned_user_id),
                "assigned_user": p.assigned_user,
                "categorized": "yes" if p.categorized else "",
                "onboarding": "",
            }
            for p in partnerships.my_providers(session, actor=actor)
        ]
        progress = onboarding.progress_labels(
            session, actor=actor, partnership_ids=[int(row["id"]) for row in self.providers]
        )
        for row in self.providers:
            row["onboarding"] = progress.get(int(row["id"]), "")
        self.provider_types = self._options(session, actor, TermKind.PROVIDER_TYPE)
        self.proficiencies = self._options(session, actor, TermKind.PROFICIENCY)
        self.colleagues = [
            {"id": str(m.user_id), "name": m.name}
            for m in team.members(session, actor=actor)
            if m.is_active
        ]

    @staticmethod
    def _options(session, actor, kind) -> list[Option]:
        return [
            {"id": str(t.id), "name": t.name}
            for t in catalog.active_terms(session, actor=actor, kind=kind)
        ]

    def _act(self, operation, /, **arguments):
        _, refusal = self._perform(operation, **arguments)
        return refusal or self._refresh()

    @rx.event
    def accept(self, partnership_id: str):
        return self._act(partnerships.accept, partnership_id=partnership_id)

    @rx.event
    def reject(self, partnership_id: str):
        return self._act(partnerships.reject, partnership_id=partnership_id)

    @rx.event
    def categorize(self, form: dict):
        _, refusal = self._perform(
            partnerships.categorize_provider,
            partnership_id=form_value(form, "id"),
            provider_type_id=form_value(form, "provider_type_id"),
            proficiency_id=form_value(form, "proficiency_id"),
            assigned_user_id=form_value(form, "assigned_user_id"),
        )
        return refusal or self._refresh() or rx.toast.success("Provider saved.")

    @rx.event
    def end(self, partnership_id: str):
        return self._act(partnerships.end, partnership_id=partnership_id)
