"""Provider portal > Applications: the partner program's review queue and its public pages'
settings, live on PARTNERS (a confirmed application or another reviewer's decision shows
without a reload)."""

from typing import ClassVar, TypedDict

import reflex as rx

from .. import routes
from ..models import OrgKind
from ..services import program
from ..services.core.changes import Topic
from .base import AppState, clear_form, form_value
from .live import LiveView


class ApplicationRow(TypedDict):
    id: str
    status: str
    firm: str
    name: str
    email: str
    website: str
    country: str
    partner_type: str
    message: str
    answers: list[str]  # "Label: value" of the provider's own questions
    received: str
    reason: str
    duplicates: list[str]


def _ticked(value: object) -> object:
    """A form's checkbox: "on" when ticked, absent when not; anything else goes on as it came
    (the service refuses what is not a boolean)."""
    if value is True or value == "on":
        return True
    return False if value is None or value is False else value


class ApplicationsState(LiveView, AppState):
    LIVE_TOPIC: ClassVar[Topic] = Topic.PARTNERS
    applications: list[ApplicationRow] = []
    slug: str = ""
    applications_open: bool = False
    locator_published: bool = False
    settings_revision: int = 0
    settings_error: str = ""

    @rx.var
    def apply_url(self) -> str:
        return routes.file_url(routes.apply(self.slug)) if self.slug else ""

    @rx.var
    def locator_url(self) -> str:
        return routes.file_url(routes.locator(self.slug)) if self.slug else ""

    @rx.event
    def load(self):
        if (redirect := self._enter(OrgKind.PROVIDER)) is not None:
            return redirect
        self.settings_error = ""
        self._watch()
        return self._refresh()

    def _refresh(self):
        return self._perform(self._read)[1]

    def _read(self, session, *, actor) -> None:
        self._reading(actor.org_id)
        settings = program.program_settings(session, actor=actor)
        if (settings.slug, settings.applications_open, settings.locator_published) != (
            self.slug,
            self.applications_open,
            self.locator_published,
        ):
            self.slug = settings.slug
            self.applications_open = settings.applications_open
            self.locator_published = settings.locator_published
            self.settings_revision += 1
        self.applications = [
            {
                "id": str(a.id),
                "status": a.status,
                "firm": a.firm,
                "name": a.name,
                "email": a.email,
                "website": a.website,
                "country": a.country,
                "partner_type": a.partner_type,
                "message": a.message,
                "answers": [f"{label}: {value}" for label, value in a.answers],
                "received": a.created_at.strftime("%Y-%m-%d"),
                "reason": a.reason,
                "duplicates": a.duplicates,
            }
            for a in program.queue(session, actor=actor)
        ]

    @rx.event
    def approve(self, application_id: str):
        _, refusal = self._perform(program.approve, application_id=application_id)
        return refusal or self._refresh() or rx.toast.success("Invitation sent.")

    @rx.event
    def reject(self, form: dict):
        application_id = form_value(form, "id")
        _, refusal = self._perform(
            program.reject, application_id=application_id, reason=form_value(form, "reason")
        )
        if refusal is not None:
            return refusal
        self._refresh()
        return [clear_form(f"reject-{application_id}"), rx.toast.success("Applicant told.")]

    @rx.event
    def save_program(self, form: dict):
        _, refusal = self._perform(
            program.set_program,
            error_var="settings_error",
            slug=form_value(form, "slug"),
            applications_open=_ticked(form_value(form, "applications_open")),
            locator_published=_ticked(form_value(form, "locator_published")),
        )
        if refusal is not None:
            return refusal
        self._refresh()
        return rx.toast.success("Saved.")
