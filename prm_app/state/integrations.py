"""Settings > Integrations: API keys, webhooks and their deliveries, web-to-lead forms.

Admins only: every handler re-verifies the caller through the services (which refuse anyone
else), and a secret (a new key, a webhook's signing secret) is shown once, then forgotten.
"""

from typing import ClassVar, TypedDict, cast

import reflex as rx

from .. import routes
from ..models import OrgKind, TermKind
from ..services import catalog, partnerships
from ..services.identity import api_keys
from ..services.integrations import webhooks
from ..services.leads import forms as lead_forms
from ..services.leads.forms import OPTIONAL_FIELDS
from .base import AppState, clear_form, form_value
from .clients import client_of
from .rows import Option


class KeyRow(TypedDict):
    """An API key (never its secret)."""

    id: str
    name: str
    prefix: str
    role: str
    created_by: str
    created: str
    last_used: str
    revoked: str


class HookRow(TypedDict):
    """A webhook endpoint."""

    id: str
    url: str
    events: str


class DeliveryRow(TypedDict):
    """A recent webhook delivery."""

    id: str
    url: str
    event: str
    status: str
    attempts: str
    code: str
    error: str
    created: str


class FormRow(TypedDict):
    """A web-to-lead form."""

    id: str
    name: str
    url: str
    embed: str
    routes_to: str
    routing: str
    partner_id: str
    tier_id: str
    field_keys: str
    fields: str
    active: str
    submissions: str


def _when(moment) -> str:
    return moment.strftime("%Y-%m-%d %H:%M") if moment else ""


def _checked(form: object, prefix: str, names) -> list[str]:
    """The names whose checkbox `<prefix><name>` was ticked."""
    return [n for n in names if form_value(form, f"{prefix}{n}") in ("on", True, "true")]


class IntegrationsState(AppState):
    # Labels the page shows (constants, not state vars: never sent as state).
    WEBHOOK_EVENTS: ClassVar[dict[str, str]] = webhooks.EVENTS
    FORM_FIELDS: ClassVar[dict[str, str]] = OPTIONAL_FIELDS
    # The ids of the forms that add something: emptied once it is saved (see clear_form).
    KEY_FORM: ClassVar[str] = "new-api-key"
    WEBHOOK_FORM: ClassVar[str] = "new-webhook"
    LEAD_FORM_FORM: ClassVar[str] = "new-lead-form"

    keys: list[KeyRow] = []
    hooks: list[HookRow] = []
    deliveries: list[DeliveryRow] = []
    forms: list[FormRow] = []
    partner_choices: list[Option] = []
    tier_choices: list[Option] = []
    new_key: str = ""
    new_secret: str = ""
    editing: FormRow = cast(FormRow, {})  # the form being edited: one of `forms`, or {}
    revision: int = 0

    @rx.event
    def load(self):
        self.new_key = self.new_secret = ""
        self.editing = cast(FormRow, {})
        _, refusal = self._perform(self._read)
        return refusal

    def _read(self, session, *, actor) -> None:
        self.revision += 1
        if not actor.is_admin:
            self.keys, self.hooks, self.deliveries, self.forms = [], [], [], []
            return
        self.keys = [
            {
                "id": str(k.id),
                "name": k.name,
                "prefix": f"prm_{k.prefix}_…",
                "role": k.role,
                "created_by": k.created_by,
                "created": _when(k.created_at),
                "last_used": _when(k.last_used_at) or "never",
                "revoked": _when(k.revoked_at),
            }
            for k in api_keys.list_keys(session, actor=actor)
        ]
        self.hooks = [
            {"id": str(h.id), "url": h.url, "events": ", ".join(h.events)}
            for h in webhooks.endpoints(session, actor=actor)
        ]
        self.deliveries = [
            {
                "id": str(d.id),
                "url": d.url,
                "event": d.event,
                "status": d.status,
                "attempts": str(d.attempts),
                "code": "" if d.last_status_code is None else str(d.last_status_code),
                "error": d.last_error,
                "created": _when(d.created_at),
            }
            for d in webhooks.recent_deliveries(session, actor=actor, limit=20)
        ]
        if actor.org_kind != OrgKind.PROVIDER:
            self.forms = []
            return
        self.forms = [self._form_row(f) for f in lead_forms.forms(session, actor=actor)]
        self.partner_choices = [
            {"id": str(p.consultant_org_id), "name": p.consultant_name}
            for p in partnerships.partner_directory(session, actor=actor)
        ]
        self.tier_choices = [
            {"id": str(t.id), "name": t.name}
            for t in catalog.terms(session, actor=actor, kind=TermKind.PARTNER_TIER)
            if not t.archived
        ]

    def _form_row(self, form: lead_forms.FormView) -> FormRow:
        url = routes.file_url(routes.lead_form(form.token))
        target = form.partner_name or f"{form.tier_name} tier, in turn"
        return {
            "id": str(form.id),
            "name": form.name,
            "url": url,
            "embed": lead_forms.embed_code(url, form.name),
            "routes_to": target,
            "routing": form.routing,
            "partner_id": str(form.partner_org_id or ""),
            "tier_id": str(form.tier_id or ""),
            "field_keys": ",".join(form.fields),
            "fields": ", ".join(OPTIONAL_FIELDS[f] for f in form.fields) or "none",
            "active": "yes" if form.is_active else "",
            "submissions": str(form.submissions),
        }

    def _act(self, operation, /, **arguments):
        result, refusal = self._perform(operation, **arguments)
        if refusal is None:
            self._perform(self._read)
        return result, refusal

    @rx.event
    def dismiss_secrets(self):
        self.new_key = self.new_secret = ""

    # API keys -------------------------------------------------------------------------------

    @rx.event
    def create_key(self, form: dict):
        made, refusal = self._act(
            api_keys.create,
            name=form_value(form, "name"),
            role=form_value(form, "role"),
            client=client_of(self),
        )
        if refusal is not None:
            return refusal
        self.new_key = made.key
        return [
            clear_form(self.KEY_FORM),
            rx.toast.success("API key created: copy it now, it is shown only once."),
        ]

    @rx.event
    def revoke_key(self, key_id: str):
        _, refusal = self._act(api_keys.revoke, key_id=key_id, client=client_of(self))
        return refusal or rx.toast.success("API key revoked.")

    # Webhooks -------------------------------------------------------------------------------

    @rx.event
    def add_webhook(self, form: dict):
        made, refusal = self._act(
            webhooks.add_endpoint,
            url=form_value(form, "url"),
            events=_checked(form, "event:", webhooks.EVENTS),
        )
        if refusal is not None:
            return refusal
        self.new_secret = made[1]
        return [
            clear_form(self.WEBHOOK_FORM),
            rx.toast.success("Webhook added: copy its signing secret now."),
        ]

    @rx.event
    def remove_webhook(self, endpoint_id: str):
        _, refusal = self._act(webhooks.remove_endpoint, endpoint_id=endpoint_id)
        return refusal or rx.toast.success("Webhook removed.")

    # Web-to-lead forms ------------------------------------------------------------------------

    @rx.event
    def create_form(self, form: dict):
        _, refusal = self._act(
            lead_forms.create,
            name=form_value(form, "name"),
            fields=_checked(form, "field:", OPTIONAL_FIELDS),
            routing=form_value(form, "routing"),
            partner_org_id=form_value(form, "partner_org_id") or None,
            tier_id=form_value(form, "tier_id") or None,
        )
        return refusal or [
            clear_form(self.LEAD_FORM_FORM),
            rx.toast.success("Form created: copy its link or embed code."),
        ]

    @rx.event
    def start_edit(self, form_id: str):
        """Edit one of the forms on screen (the id is only looked up among them)."""
        self.editing = cast(FormRow, next((dict(f) for f in self.forms if f["id"] == form_id), {}))
        self.revision += 1

    @rx.event
    def cancel_edit(self):
        self.editing = cast(FormRow, {})

    @rx.event
    def update_form(self, form: dict):
        if not self.editing:
            return rx.toast.error("Choose a form to edit first.")
        _, refusal = self._act(
            lead_forms.update,
            form_id=self.editing["id"],
            name=form_value(form, "name"),
            fields=_checked(form, "field:", OPTIONAL_FIELDS),
            routing=form_value(form, "routing"),
            partner_org_id=form_value(form, "partner_org_id") or None,
            tier_id=form_value(form, "tier_id") or None,
        )
        if refusal is not None:
            return refusal
        self.editing = cast(FormRow, {})
        return rx.toast.success("Form saved: its link is unchanged.")

    @rx.event
    def set_form_active(self, form_id: str, active: bool):
        _, refusal = self._act(lead_forms.set_active, form_id=form_id, active=active)
        return refusal
