"""Leads and referrals, seen from the side that sent them and from the side that received them.

The services pick the direction from the caller's organization: a consultant sends leads and
receives referrals, a provider sends referrals and receives leads. So one state serves each side
in both portals; only the page guards differ.
"""

import reflex as rx

from ..models import OrgKind, Pipeline, RecipientStatus
from ..services import catalog, leads, partnerships, team
from .base import AppState, form_value

PAGE_SIZE = 25


def _date(value) -> str:
    return value.strftime("%Y-%m-%d") if value else ""


class SentLeadsState(AppState):
    """/c/leads and /p/referrals: where they can go, the submit form, and the list, one page."""

    eligible: list[dict[str, str]] = []
    unavailable: list[dict[str, str]] = []
    colleagues: list[dict[str, str]] = []
    me: str = ""  # the default owner of a new lead
    rows: list[dict[str, str]] = []
    total: int = 0
    page: int = 1
    search: str = ""
    form_open: bool = False
    form_error: str = ""
    intent: str = "submit"
    notice: str = ""

    @rx.event
    def load_leads(self):
        return self._enter(OrgKind.CONSULTANT) or self._refresh()

    @rx.event
    def load_referrals(self):
        return self._enter(OrgKind.PROVIDER) or self._refresh()

    def _refresh(self):
        return self._perform(self._read)[1]

    def _read(self, session, *, actor) -> None:
        if actor.org_kind == OrgKind.CONSULTANT:
            targets = partnerships.lead_targets(session, actor=actor)
            eligible, self.unavailable = (
                targets.eligible,
                [{"name": name, "reason": why} for name, why in targets.unavailable],
            )
        else:
            partners = partnerships.partner_directory(session, actor=actor)
            eligible, self.unavailable = (
                [(p.consultant_org_id, p.consultant_name) for p in partners],
                [],
            )
        self.eligible = [{"id": str(org_id), "name": name} for org_id, name in eligible]
        self.colleagues = [
            {"id": str(m.user_id), "name": m.name}
            for m in team.members(session, actor=actor)
            if m.is_active
        ]
        self.me = str(actor.user_id)
        found = leads.list_sent(
            session, actor=actor, search=self.search, page=self.page, page_size=PAGE_SIZE
        )
        self.total, self.page = found.total, found.page
        self.rows = [
            {
                "id": str(row.id),
                "company": row.company,
                "contact": f"{row.first_name} {row.last_name}",
                "email": row.email,
                "status": row.status,
                "recipients": f"{row.accepted}/{row.recipients} accepted" if row.recipients else "",
                "owner": row.owner_name,
                "created": _date(row.created_at),
            }
            for row in found.rows
        ]

    @rx.event
    def set_search(self, value: str):
        self.search, self.page = (value[:100] if isinstance(value, str) else ""), 1
        return self._refresh()

    @rx.event
    def turn_page(self, delta: int):
        if delta in (-1, 1):
            self.page = max(1, self.page + delta)
        return self._refresh()

    @rx.event
    def toggle_form(self):
        self.form_open, self.form_error = not self.form_open, ""

    @rx.event
    def set_intent(self, intent: str):
        self.intent = intent if intent in ("draft", "submit") else "submit"

    @rx.event
    def save_lead(self, form: dict):
        """Save as draft, or submit to the checked providers (one record per provider)."""
        self.notice = ""
        providers = [
            key.removeprefix("provider_")
            for key, value in (form.items() if isinstance(form, dict) else [])
            if isinstance(key, str) and key.startswith("provider_") and value
        ]
        _, refusal = self._perform(
            self._save, error_var="form_error", form=form, providers=providers
        )
        if refusal is not None:
            return refusal
        self.form_open = False
        return self._refresh()

    def _save(self, session, *, actor, form, providers) -> None:
        data = leads.lead_input(form)
        owner = form_value(form, "owner_id")
        if self.intent == "draft":
            leads.save_draft(session, actor=actor, data=data, owner_id=owner)
            self.notice = "Saved as a draft."
            return
        lead_id, _ = leads.create_and_submit(
            session, actor=actor, data=data, owner_id=owner, recipient_org_ids=providers
        )
        self.notice = "Submitted."
        if actor.org_kind == OrgKind.CONSULTANT:  # told only that, and until when, never who
            for name, until in leads.protection_notice(session, actor=actor, lead_id=lead_id):
                self.notice += (
                    f" {name}: this customer is already protected until {until:%Y-%m-%d}."
                )

    @rx.event
    def delete_draft(self, lead_id: str):
        _, refusal = self._perform(leads.delete_draft, lead_id=lead_id)
        return refusal or self._refresh()


class ReceivedLeadsState(AppState):
    """/p/leads and /c/referrals: to open, accept or reject, work through stages, close, convert."""

    rows: list[dict[str, str]] = []
    stages: list[dict[str, str]] = []
    total: int = 0
    page: int = 1
    status: str = ""

    @rx.event
    def load_leads(self):
        return self._enter(OrgKind.PROVIDER) or self._refresh()

    @rx.event
    def load_referrals(self):
        return self._enter(OrgKind.CONSULTANT) or self._refresh()

    def _refresh(self):
        return self._perform(self._read)[1]

    def _read(self, session, *, actor) -> None:
        found = leads.list_received(
            session, actor=actor, status=self.status, page=self.page, page_size=PAGE_SIZE
        )
        self.total, self.page = found.total, found.page
        self.rows = [
            {
                "id": str(row.recipient_id),
                "company": row.company,
                "contact": f"{row.first_name} {row.last_name}".strip(),
                "email": row.email,
                "hidden": "yes" if row.contact_hidden else "",
                "partner": row.origin_org_name,
                "status": row.status,
                "stage_id": "" if row.stage_id is None else str(row.stage_id),
                "stage": row.stage_name,
                "owner": row.owner_name,
                "received": _date(row.created_at),
            }
            for row in found.rows
        ]
        # A provider works received leads through its own lead stages.
        self.stages = (
            [
                {"id": str(s.id), "name": s.name}
                for s in catalog.stages(session, actor=actor, pipeline=Pipeline.LEAD)
                if not s.archived
            ]
            if actor.org_kind == OrgKind.PROVIDER
            else []
        )

    @rx.event
    def set_status(self, value: str):
        self.status = value if value in ("", *RecipientStatus) else ""
        self.page = 1
        return self._refresh()

    @rx.event
    def turn_page(self, delta: int):
        if delta in (-1, 1):
            self.page = max(1, self.page + delta)
        return self._refresh()

    def _act(self, operation, /, **arguments):
        _, refusal = self._perform(operation, **arguments)
        return refusal or self._refresh()

    @rx.event
    def open(self, recipient_id: str):
        return self._act(leads.open_referral, recipient_id=recipient_id)

    @rx.event
    def accept(self, recipient_id: str):
        return self._act(leads.accept, recipient_id=recipient_id)

    @rx.event
    def mark_lost(self, form: dict):
        return self._act(
            leads.mark_lost, recipient_id=form_value(form, "id"), reason=form_value(form, "reason")
        )

    @rx.event
    def reject(self, form: dict):
        return self._act(
            leads.reject, recipient_id=form_value(form, "id"), reason=form_value(form, "reason")
        )

    @rx.event
    def move_stage(self, recipient_id: str, stage_id: str):
        return self._act(leads.move_stage, recipient_id=recipient_id, stage_id=stage_id)

    @rx.event
    def convert(self, form: dict):
        _, refusal = self._perform(
            leads.convert,
            recipient_id=form_value(form, "id"),
            amount=form_value(form, "amount"),
            close_date=form_value(form, "close_date") or None,
        )
        return refusal or self._refresh() or rx.toast.success("Converted into a deal.")
