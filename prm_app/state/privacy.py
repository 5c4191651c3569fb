"""/p/privacy and /c/privacy (admins): find a person's records, export or erase them, decide
other organizations' erasure requests, and (providers) the consent and retention settings."""

from typing import ClassVar, TypedDict, cast

import reflex as rx

from ..models import OrgKind
from ..services import privacy
from ..services.core.changes import Topic
from . import view
from .base import AppState, clear_form, form_value
from .live import LiveView


class FoundRow(TypedDict):
    key: str
    kind: str
    id: str
    summary: str


class RequestRow(TypedDict):
    id: str
    direction: str  # received | sent
    other_org: str
    status: str
    reason: str
    records: str
    created: str
    person: str  # who, while a received request waits


def _ticked(value: object) -> object:
    if value is True or value == "on":
        return True
    return False if value is None or value is False else value


class PrivacyState(LiveView, AppState):
    LIVE_TOPIC: ClassVar[Topic] = Topic.PRIVACY
    email: str = ""  # the search as run: export and erase act on the same person
    name: str = ""
    searched: bool = False
    found: list[FoundRow] = []
    summary: str = ""
    holders: str = ""  # the other organizations holding a copy
    search_error: str = ""
    requests: list[RequestRow] = []
    require_consent: bool = False
    retention_months: str = ""
    settings_revision: int = 0
    settings_error: str = ""

    @rx.event
    def load_provider(self):
        return self._load(OrgKind.PROVIDER)

    @rx.event
    def load_consultant(self):
        return self._load(OrgKind.CONSULTANT)

    def _load(self, kind: OrgKind):
        if (redirect := self._enter(kind)) is not None:
            return redirect
        self.email, self.name, self.searched, self.found = "", "", False, []
        self.summary, self.holders, self.search_error, self.settings_error = "", "", "", ""
        if self.role != "admin":
            self.requests = []
            return None
        self._watch()
        return self._refresh()

    def _refresh(self):
        return self._perform(self._read)[1]

    def _read(self, session, *, actor) -> None:
        actor.require_admin()
        self._reading(actor.org_id)
        self.requests = [
            {
                "id": str(r.id),
                "direction": r.direction,
                "other_org": r.other_org,
                "status": r.status,
                "reason": r.reason,
                "records": str(r.records),
                "created": r.created_at.strftime("%Y-%m-%d"),
                "person": " ".join(p for p in (r.name, f"<{r.email}>" if r.email else "") if p),
            }
            for r in privacy.requests_of(session, actor=actor)
        ]
        found = privacy.privacy_settings(session, actor=actor)
        months = str(found.contact_retention_months or "")
        if (found.require_share_consent, months) != (self.require_consent, self.retention_months):
            self.require_consent, self.retention_months = found.require_share_consent, months
            self.settings_revision += 1

    @rx.event
    def search(self, form: dict):
        email, name = form_value(form, "email"), form_value(form, "name")
        report, refusal = self._perform(
            privacy.find, error_var="search_error", email=email, name=name
        )
        if refusal is not None:
            return refusal
        self._show_report(cast(privacy.Report, report))
        return None

    def _show_report(self, report: privacy.Report) -> None:
        self.email, self.name, self.searched = report.email, report.name, True
        self.found = [
            {
                "key": f"{r.kind}-{r.id}",
                "kind": r.kind.replace("_", " "),
                "id": str(r.id),
                "summary": r.summary[:200],
            }
            for r in report.records
        ]
        parts = [f"{n} {k.replace('_', ' ')}" for k, n in report.counts.items() if n]
        self.summary = ", ".join(parts) if parts else "No record holds this person."
        self.holders = ", ".join(report.other_orgs)

    @rx.event
    def export(self, fmt: str):
        done, refusal = self._perform(
            privacy.export, email=self.email, name=self.name, fmt="csv" if fmt == "csv" else "json"
        )
        if refusal is not None:
            return refusal
        file_name, text = cast(tuple[str, str], done)
        return rx.download(data=text, filename=file_name)

    @rx.event
    def erase(self):
        done, refusal = self._perform(privacy.erase, email=self.email, name=self.name)
        if refusal is not None:
            return refusal
        asked = cast(privacy.Erasure, done).asked_org_ids
        report, again = self._perform(privacy.find, email=self.email, name=self.name)
        if again is None:
            self._show_report(cast(privacy.Report, report))
        self._refresh()
        others = view.count(len(asked), "other organization")
        told = (
            f" {others} asked to erase {'its' if len(asked) == 1 else 'their'} copy."
            if asked
            else ""
        )
        return rx.toast.success("Erased." + told)

    @rx.event
    def decide(self, form: dict):
        choice = form_value(form, "choice")
        request_id = form_value(form, "id")
        _, refusal = self._perform(
            privacy.decide,
            request_id=request_id,
            erase=choice == "erase",
            reason=form_value(form, "reason") or "",
        )
        if refusal is not None:
            return refusal
        self._refresh()
        said = "Your copy was erased." if choice == "erase" else "Declined: they were told why."
        return [clear_form(f"decline-{request_id}"), rx.toast.success(said)]

    @rx.event
    def save_settings(self, form: dict):
        _, refusal = self._perform(
            privacy.set_privacy,
            error_var="settings_error",
            require_share_consent=_ticked(form_value(form, "require_consent")),
            retention_months=form_value(form, "retention_months"),
        )
        if refusal is not None:
            return refusal
        self._refresh()
        return rx.toast.success("Saved.")
