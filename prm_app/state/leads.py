"""Leads and referrals, seen from the side that sent them and from the side that received them.

The services pick the direction from the caller's organization: a consultant sends leads and
receives referrals, a provider sends referrals and receives leads. So one state serves each side
in both portals; only the page guards differ. States hold one page of rows and the filters.
"""

from collections.abc import Sequence
from typing import Any, ClassVar, cast
from urllib.parse import urlencode

import reflex as rx

from .. import routes
from ..models import OrgKind, Pipeline
from ..services import catalog, leads, partnerships
from ..services.core.changes import Topic
from ..services.identity import team
from ..services.leads import timeline as lead_timeline
from . import lead_lists, live, view
from .base import AppState, FieldErrors, form_value
from .lead_conversion import ConvertLeadState
from .lead_custom import LeadDetailCustom, LeadFormCustom, ticked
from .lead_rows import (
    LeadDraft,
    LeadView,
    ReceivedLeadRow,
    ReceivedRow,
    RecipientRow,
    SentLeadRow,
    Unavailable,
)
from .list_views import ListViews
from .rows import ConflictRow, Option, TimelineEntry

FILTERS = ("status", "org_id", "owner_id", "stage_id", "created_from", "created_to", "sort")


def _counterparts(session, actor) -> list[Option]:
    """The organizations on the other side: a provider's partners, a consultant's providers."""
    if actor.org_kind == OrgKind.PROVIDER:
        found = partnerships.partner_directory(session, actor=actor, include_ended=True)
        return view.options((p.consultant_org_id, p.consultant_name) for p in found)
    return view.options(
        (p.provider_org_id, p.provider_name)
        for p in partnerships.my_providers(session, actor=actor)
    )


def _colleagues(session, actor) -> list[Option]:
    return view.options(
        (m.user_id, m.name) for m in team.members(session, actor=actor) if m.is_active
    )


class ListFilters(live.LiveView, mixin=True):
    """Search, filters, sort and paging of a server-side list; `_refresh` reloads the page.
    Live: the page is pushed to the tab after changes of the organization's leads and
    referrals (lead_lists, live.py's pushed views)."""

    LIVE_TOPIC: ClassVar[Topic] = Topic.LEADS
    PUSHED_VIEW: ClassVar[str]  # which of lead_lists' pages it shows

    search: str = ""
    status: str = ""
    org_id: str = ""
    owner_id: str = ""
    stage_id: str = ""
    created_from: str = ""
    created_to: str = ""
    sort: str = "newest"
    page: int = 1
    total: int = 0

    def _refresh(self):
        raise NotImplementedError

    def _read_options(self, session, *, actor) -> None:
        """What the filters and forms offer; read once per visit, not per page."""
        raise NotImplementedError

    def _read(self, session, *, actor) -> None:
        """The page of the list as filtered now (what `_refresh` reads). The tab is then pushed
        the same page, as its session sees it, after changes of its organization's leads (at
        most once per live.PULSE_EVERY), instead of re-reading on a pulse."""
        params = self._params()
        pushed = live.view_spec(self.PUSHED_VIEW, cast(Any, self)._bound_session, params)
        version = self._reading(actor.org_id, pushed=pushed)
        for name, value in lead_lists.PAGES[self.PUSHED_VIEW](
            session, actor, version, params
        ).items():
            setattr(self, name, value)

    def _load(self, kind: OrgKind):
        self._watch()
        return self._enter(kind, self._read_options, self._read)

    @rx.event
    def set_search(self, value: str):
        self.search, self.page = (value[:100] if isinstance(value, str) else ""), 1
        return self._refresh()

    @rx.event
    def set_filter(self, name: str, value: str):
        """One filter; the service validates the value, and a refused one is dropped."""
        if name not in FILTERS or not isinstance(value, str):
            return None
        before = getattr(self, name)
        setattr(self, name, value[:100])
        if name == "sort" and hasattr(self, "custom_sort"):
            self.custom_sort = ""  # the list's own sort replaces one on a field (ListViews)
        self.page = 1
        refusal = self._refresh()
        if refusal is not None:
            setattr(self, name, before if name != "sort" else "newest")
        return refusal

    @rx.event
    def turn_page(self, delta: int):
        if delta in (-1, 1):
            self.page = max(1, self.page + delta)
        return self._refresh()

    def _export_url(self, list_name: str, **filters: str) -> str:
        """The CSV of the list as filtered now (the export checks the filters again)."""
        shown = {
            "search": self.search,
            "status": self.status,
            "owner_id": self.owner_id,
            "created_from": self.created_from,
            "created_to": self.created_to,
            **filters,
        }
        query = urlencode({k: v for k, v in shown.items() if v})
        return routes.file_url(routes.export(list_name)) + (f"?{query}" if query else "")

    def _params(self) -> dict[str, Any]:
        """How this tab shows its list (lead_lists), as JSON."""
        shown = cast(Any, self)  # ListViews: the custom columns, filters and sort
        return {
            "search": self.search,
            "status": self.status,
            "owner_id": self.owner_id,
            "created_from": self.created_from,
            "created_to": self.created_to,
            "sort": shown._sort_argument(),
            "page": self.page,
            "org_id": self.org_id,
            "stage_id": self.stage_id,
            **shown._custom_arguments(),
        }


# The submit form's fields that show the server's message next to them.
LEAD_FORM_FIELDS = ("recipient_org_ids", *leads.LEAD_FIELDS, "owner_id")


class SentLeadsState(ListFilters, ListViews, LeadFormCustom, FieldErrors, AppState):
    """/c/leads and /p/referrals: where they can go, the submit form, and the list, one page."""

    LIST_NAME: ClassVar[str] = "sent"
    PUSHED_VIEW: ClassVar[str] = lead_lists.SENT_VIEW
    VIEW_FILTERS: ClassVar[dict[str, str]] = {
        "status": "status",
        "search": "search",
        "owner_id": "owner_id",
        "recipient_org_id": "org_id",
    }

    eligible: list[Option] = []
    unavailable: list[Unavailable] = []
    counterparts: list[Option] = []
    colleagues: list[Option] = []
    me: str = ""  # the default owner of a new lead
    rows: list[SentLeadRow] = []
    form_open: bool = False
    form_error: str = ""
    intent: str = "submit"
    notice: str = ""
    draft: LeadDraft = cast(LeadDraft, {})  # the draft being edited ({} for a new lead)

    @rx.event
    def load_leads(self):
        return self._load(OrgKind.CONSULTANT)

    @rx.var
    def export_url(self) -> str:
        return self._export_url("sent", recipient_org_id=self.org_id)

    @rx.event
    def load_referrals(self):
        return self._load(OrgKind.PROVIDER)

    def _refresh(self):
        return self._perform(self._read)[1]

    def _read_options(self, session, *, actor) -> None:
        self._read_form(session, actor=actor)
        self.counterparts = _counterparts(session, actor)
        self._read_views(session, actor=actor)

    def _read_form(self, session, *, actor) -> None:
        """What the Submit form offers: where the lead may go, the fields, the owners."""
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
        self.eligible = view.options(eligible)
        self._read_form_fields(session, actor=actor, eligible=self.eligible)
        self.colleagues = _colleagues(session, actor)
        self.me = str(actor.user_id)

    @rx.event
    def toggle_form(self):
        self.form_open, self.form_error, self.field_errors = not self.form_open, "", {}
        self.draft, self.ticked = cast(LeadDraft, {}), []
        if self.form_open:  # the fields as they are now, without a draft's values
            return self._perform(self._read_form)[1]
        return None

    def _field_problem(self, name: str, value: str) -> str:
        return leads.field_problem(name, value)

    @rx.event
    def edit_draft(self, lead_id: str):
        """Open the form on one of the organization's drafts."""
        found, refusal = self._perform(self._read_draft, lead_id=lead_id)
        if refusal is not None:
            return refusal
        if found.side != "origin" or found.status != "draft":
            return rx.toast.error("Only drafts can be edited.")
        self.draft = {
            "id": str(found.id),
            "first_name": found.first_name,
            "last_name": found.last_name,
            "email": found.email,
            "company": found.company,
            "phone": found.phone,
            "title": found.title,
            "notes": found.notes,
            "share_consent": "on" if cast(leads.LeadDetail, found).share_consent else "",
            "owner_id": str(found.owner_id),
            "recipients": [str(i) for i in cast(leads.LeadDetail, found).draft_recipient_ids],
        }
        self.form_open, self.form_error, self.notice = True, "", ""
        self.field_errors, self.ticked = {}, list(self.draft["recipients"])
        return None

    def _read_draft(self, session, *, actor, lead_id) -> leads.LeadDetail:
        found = leads.detail(session, actor=actor, lead_id=lead_id)
        self._read_form_fields(session, actor=actor, eligible=self.eligible, custom=found.custom)
        return found

    @rx.event
    def set_intent(self, intent: str):
        self.intent = intent if intent in ("draft", "submit") else "submit"

    @rx.event
    def save_lead(self, form: dict):
        """Save as draft, or submit to the checked providers (one record per provider)."""
        self.notice = ""
        providers = ticked(form, "provider_")
        inline = (*LEAD_FORM_FIELDS, *self._custom_names())
        _, refusal = self._perform(
            self._save, error_var="form_error", inline=inline, form=form, providers=providers
        )
        if refusal is not None:
            return refusal
        self.form_open, self.draft = False, cast(LeadDraft, {})
        return self._refresh()

    def _save(self, session, *, actor, form, providers) -> None:
        submitting, draft_id = self.intent != "draft", self.draft.get("id")
        custom, problems = self._custom_posted(
            session,
            actor=actor,
            form=form,
            chosen=providers,
            lead_id=draft_id,
            submitting=submitting,
        )
        data = leads.checked_form(form, providers, submitting=submitting, custom_problems=problems)
        owner = form_value(form, "owner_id")
        lead_id = leads.save_draft(
            session,
            actor=actor,
            data=data,
            owner_id=owner,
            lead_id=draft_id,
            recipient_org_ids=providers,
            custom=custom,
        )
        if self.intent == "draft":
            self.notice = "Saved as a draft."
            return
        leads.submit(session, actor=actor, lead_id=lead_id, recipient_org_ids=providers)
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


class ReceivedActions(rx.State, mixin=True):
    """What the receiving side does with a lead, on its list and on its detail page (a mixin,
    so that each state gets handlers of its own); `_refresh` reloads what the page shows."""

    stages: list[Option] = []
    lost_reasons: dict[str, list[str]] = {}  # by provider id: each provider's own list

    def _read_stages(self, session, actor) -> None:
        """A provider works received leads through its own active lead stages."""
        self.stages = (
            [
                {"id": str(s.id), "name": s.name}
                for s in catalog.stages(session, actor=actor, pipeline=Pipeline.LEAD)
                if not s.archived
            ]
            if actor.org_kind == OrgKind.PROVIDER
            else []
        )

    def _read_lost_reasons(self, session, rows: Sequence[ReceivedRow]) -> None:
        """The lost reasons of the providers of the rows shown (one query)."""
        self.lost_reasons = lead_lists.lost_reasons(session, rows)

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
            leads.mark_lost,
            recipient_id=form_value(form, "id"),
            reason=form_value(form, "reason"),
            note=form_value(form, "note") or "",
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
    def open_convert(self, recipient_id: str):
        """Convert: the page's dialog (ConvertLeadState) opens on this row."""
        return ConvertLeadState.start(recipient_id)  # type: ignore[operator]  # rx.event's stub


class ReceivedLeadsState(ListFilters, ListViews, ReceivedActions, AppState):
    """/p/leads and /c/referrals: to open, accept or reject, work through stages, close, convert."""

    LIST_NAME: ClassVar[str] = "received"
    PUSHED_VIEW: ClassVar[str] = lead_lists.RECEIVED_VIEW
    VIEW_FILTERS: ClassVar[dict[str, str]] = {
        "status": "status",
        "search": "search",
        "stage_id": "stage_id",
        "owner_id": "owner_id",
        "origin_org_id": "org_id",
    }

    rows: list[ReceivedLeadRow] = []
    counterparts: list[Option] = []
    colleagues: list[Option] = []

    @rx.event
    def load_leads(self):
        return self._load(OrgKind.PROVIDER)

    @rx.event
    def load_referrals(self):
        return self._load(OrgKind.CONSULTANT)

    @rx.var
    def export_url(self) -> str:
        return self._export_url("received", origin_org_id=self.org_id, stage_id=self.stage_id)

    def _refresh(self):
        return self._perform(self._read)[1]

    def _read_options(self, session, *, actor) -> None:
        self._read_stages(session, actor)
        self.counterparts = _counterparts(session, actor)
        self.colleagues = _colleagues(session, actor)
        self._read_views(session, actor=actor)


class LeadDetailState(live.LiveView, ReceivedActions, LeadDetailCustom, AppState):
    """/c/leads/[lead_id] and the three other detail routes: every field, the recipients and
    their status, the timeline; the receiving side acts as on its list (inherited handlers),
    the origin side converts accepted recipients and sends the lead on to more organizations."""

    found: bool = False
    lead: LeadView = cast(LeadView, {})
    recipients: list[RecipientRow] = []
    timeline: list[TimelineEntry] = []
    conflicts: list[ConflictRow] = []
    more_targets: list[Option] = []  # where the origin can still send it
    LIVE_TOPIC: ClassVar[Topic] = Topic.LEADS

    @rx.event
    def load_consultant(self):
        self._watch()
        return self._enter(OrgKind.CONSULTANT) or self._refresh()

    @rx.event
    def load_provider(self):
        self._watch()
        return self._enter(OrgKind.PROVIDER) or self._refresh()

    def _refresh(self):
        self.found = False
        return self._perform(self._read_detail, lead_id=self.router.page.params.get("lead_id"))[1]

    def _read_detail(self, session, *, actor, lead_id) -> None:
        self._reading(actor.org_id)
        seen = leads.detail(session, actor=actor, lead_id=lead_id)
        self.lead = {
            "id": str(seen.id),
            "side": seen.side,
            "status": seen.status,
            "noun": "referral" if seen.direction == "provider_to_partner" else "lead",
            "origin": seen.origin_org_name,
            "owner": seen.owner_name,
            "company": seen.company,
            "contact": f"{seen.first_name} {seen.last_name}".strip(),
            "email": seen.email,
            "phone": seen.phone,
            "title": seen.title,
            "notes": seen.notes,
            "consent": "Yes" if seen.share_consent else "No",
            "erased": "yes" if seen.erased else "",
            "hidden": "yes" if seen.contact_hidden else "",
            "created": view.day(seen.created_at),
            "submitted": view.day(seen.submitted_at),
        }
        provider_id = seen.origin_org_id if self.lead["noun"] == "referral" else None
        self.recipients = [
            {
                "id": str(r.id),
                "lead_id": str(seen.id),
                "company": seen.company,
                "hidden": self.lead["hidden"],
                "org": r.org_name,
                "provider_id": str(provider_id or r.org_id),
                "status": r.status,
                "reason": r.reason,
                "stage_id": "" if r.stage_id is None else str(r.stage_id),
                "stage": r.stage_name,
                "owner": r.owner_name,
                "deadline": view.deadline(r.deadline_at),
                "responded": view.day(r.responded_at),
                "deal_url": routes.deal_page(actor.org_kind, r.deal_id) if r.deal_id else "",
            }
            for r in seen.recipients
        ]
        self.timeline = [
            {"at": e.at.strftime("%Y-%m-%d %H:%M"), "who": e.who, "text": e.text}
            for e in lead_timeline.timeline(session, actor=actor, lead_id=seen.id)
        ]
        self.conflicts = [
            {
                "partner": c.partner_name,
                "company": c.company,
                "until": view.day(c.protected_until),
            }
            for c in leads.conflicts_for(session, actor=actor, lead_id=seen.id)
        ]
        self.more_targets = []
        if seen.side == "origin" and seen.status == "submitted":
            sent = {r.org_id for r in seen.recipients}
            if actor.org_kind == OrgKind.CONSULTANT:
                targets = partnerships.lead_targets(session, actor=actor).eligible
            else:
                targets = [
                    (p.consultant_org_id, p.consultant_name)
                    for p in partnerships.partner_directory(session, actor=actor)
                ]
            self.more_targets = view.options((k, n) for k, n in targets if k not in sent)
        self._read_custom(session, actor=actor, seen=seen, targets=self.more_targets)
        self._read_stages(session, actor)
        self._read_lost_reasons(session, self.recipients)
        self.found = True


for _state in (SentLeadsState, ReceivedLeadsState):  # the lists' pages, pushed (live.py)
    live.pushed_view(_state.PUSHED_VIEW, Topic.LEADS, _state, paced=True)(
        lead_lists.PAGES[_state.PUSHED_VIEW]
    )
