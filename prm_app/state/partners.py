"""Provider portal > Partners: the partner directory and recruitment by invitation."""

from typing import ClassVar, TypedDict, cast

import reflex as rx

from ..models import OrgKind, TermKind
from ..services import catalog, onboarding, partnerships
from ..services.core.changes import Topic
from ..services.identity import team
from . import view
from .base import AppState, FieldErrors, clear_form, form_value
from .list_views import ListViews
from .live import LiveView
from .rows import Option

FILTERS = ("partner_type_id", "partner_status_id", "partner_tier_id", "partner_group_id")
CATEGORY_KINDS = {
    "partner_type_id": TermKind.PARTNER_TYPE,
    "partner_status_id": TermKind.PARTNER_STATUS,
    "partner_tier_id": TermKind.PARTNER_TIER,
    "partner_group_id": TermKind.PARTNER_GROUP,
}


class PartnerRow(TypedDict):
    """A partner of the directory and its provider-side categorization."""

    id: str
    name: str
    status: str
    since: str
    partner_type_id: str
    partner_type: str
    partner_status_id: str
    partner_status: str
    partner_tier_id: str
    partner_tier: str
    partner_group_id: str
    partner_group: str
    partner_manager_id: str
    partner_manager: str
    custom: str  # the chosen custom fields, "Level: 3 · Region: EMEA" (state.list_views)
    onboarding: str  # checklist progress, "3 of 5" ("" without a checklist)


class InvitationRow(TypedDict):
    """An invitation the provider sent."""

    id: str
    email: str
    status: str
    invited: str
    expires: str


def _opt(value) -> str:
    return "" if value is None else str(value)


INVITE_FORM = "invite-firm"


class PartnersState(LiveView, ListViews, FieldErrors, AppState):
    partners: list[PartnerRow] = []
    invitations: list[InvitationRow] = []
    # Picker options by categorization field: [{"id", "name"}], and the provider's people.
    options: dict[str, list[Option]] = {}
    managers: list[Option] = []
    filters: dict[str, str] = {}
    search: str = ""
    sort: str = "name"
    include_ended: bool = False
    invite_error: str = ""
    invite_result: str = ""
    LIVE_TOPIC: ClassVar[Topic] = Topic.PARTNERS  # the directory and invitations, live
    LIST_NAME: ClassVar[str] = "partners"
    DEFAULT_SORT: ClassVar[str] = "name"

    @rx.event
    def load(self):
        if (redirect := self._enter(OrgKind.PROVIDER)) is not None:
            return redirect
        self._watch()
        self.invite_error = self.invite_result = ""
        return self._perform(self._read_views)[1] or self._refresh()

    def _builtin_filters(self) -> dict[str, str]:
        return {"search": self.search, **{n: self.filters.get(n, "") for n in FILTERS}}

    def _set_builtin_filters(self, filters: dict[str, str]) -> None:
        self.search = str(filters.get("search", ""))
        self.filters = {n: str(filters[n]) for n in FILTERS if filters.get(n)}

    def _refresh(self):
        return self._perform(self._read)[1]

    def _read(self, session, *, actor) -> None:
        self._reading(actor.org_id)
        self.partners = [
            {
                "id": str(p.id),
                "name": p.consultant_name,
                "status": p.status,
                "since": view.day(p.since),
                "partner_type_id": _opt(p.partner_type_id),
                "partner_type": p.partner_type,
                "partner_status_id": _opt(p.partner_status_id),
                "partner_status": p.partner_status,
                "partner_tier_id": _opt(p.partner_tier_id),
                "partner_tier": p.partner_tier,
                "partner_group_id": _opt(p.partner_group_id),
                "partner_group": p.partner_group,
                "partner_manager_id": _opt(p.partner_manager_id),
                "partner_manager": p.partner_manager,
                "custom": self._labelled(p),
                "onboarding": "",
            }
            for p in partnerships.partner_directory(
                session,
                actor=actor,
                search=self.search,
                sort=self._sort_argument(),
                include_ended=self.include_ended,
                **{name: self.filters.get(name, "") for name in FILTERS},
                **self._custom_arguments(),
            )
        ]
        progress = onboarding.progress_labels(
            session, actor=actor, partnership_ids=[int(row["id"]) for row in self.partners]
        )
        for row in self.partners:
            row["onboarding"] = progress.get(int(row["id"]), "")
        self.invitations = [
            {
                "id": str(i.id),
                "email": i.email,
                "status": "expired" if i.expired and i.status == "invited" else i.status,
                "invited": view.day(i.invited_at),
                "expires": view.day(i.expires_at),
            }
            for i in partnerships.provider_invitations(session, actor=actor)
        ]
        self.options = {
            field: [
                {"id": str(t.id), "name": t.name}
                for t in catalog.active_terms(session, actor=actor, kind=kind)
            ]
            for field, kind in CATEGORY_KINDS.items()
        }
        self.managers = [
            {"id": str(m.user_id), "name": m.name}
            for m in team.members(session, actor=actor)
            if m.is_active
        ]

    # Directory ------------------------------------------------------------------------------

    @rx.event
    def set_filter(self, name: str, value: str):
        if name in FILTERS and isinstance(value, str) and len(value) <= 20:
            self.filters = {**self.filters, name: value}
        return self._refresh()

    @rx.event
    def set_search(self, value: str):
        self.search = value[:100] if isinstance(value, str) else ""
        return self._refresh()

    @rx.event
    def set_sort(self, value: str):
        self.sort = value if value in ("name", "since", "tier") else "name"
        return self._refresh()

    @rx.event
    def set_include_ended(self, value: bool):
        self.include_ended = value is True
        return self._refresh()

    @rx.event
    def categorize(self, form: dict):
        _, refusal = self._perform(
            partnerships.categorize_partner,
            partnership_id=form_value(form, "id"),
            partner_manager_id=form_value(form, "partner_manager_id") or None,
            **{name: form_value(form, name) or None for name in FILTERS},
        )
        return refusal or self._refresh() or rx.toast.success("Partner saved.")

    @rx.event
    def end(self, partnership_id: str):
        _, refusal = self._perform(partnerships.end, partnership_id=partnership_id)
        return refusal or self._refresh()

    # Invitations ----------------------------------------------------------------------------

    @rx.event
    def invite(self, form: dict):
        self.invite_result = ""
        invitation, refusal = self._perform(
            partnerships.invite,
            error_var="invite_error",
            inline=("email", "message"),
            email=form_value(form, "email"),
            message=form_value(form, "message") or "",
        )
        if refusal is not None:
            return refusal
        # The same answer for every address: whose it is stays unknown until accepted.
        self.invite_result = (
            f"Invitation sent to {cast(partnerships.Invitation, invitation).email}."
        )
        return self._refresh() or clear_form(INVITE_FORM)

    @rx.event
    def resend(self, partnership_id: str):
        self.invite_error = self.invite_result = ""
        _, refusal = self._perform(partnerships.resend, partnership_id=partnership_id)
        if refusal is not None:
            return refusal
        row = next(
            (i for i in self.invitations if i["id"] == str(partnership_id)),
            cast(InvitationRow, {}),
        )
        self.invite_result = f"Invitation sent again to {row.get('email', 'the firm')}."
        return self._refresh()

    @rx.event
    def revoke(self, partnership_id: str):
        _, refusal = self._perform(partnerships.revoke, partnership_id=partnership_id)
        return refusal or self._refresh()
