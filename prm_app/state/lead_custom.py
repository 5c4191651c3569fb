"""Custom fields on the lead pages: the Submit New Lead/Referral form (the sender's own fields,
then each ticked organization's, appearing as it is ticked), and the lead's page (each side's
fields, edited where allowed, and the fields a new recipient asks when the lead is sent on).

The fields are read again from the services on every save: what a client posts is taken only
for the fields its organization may edit (state.custom_inputs.submitted), and the services
check it again.
"""

from collections.abc import Iterable, Mapping, Sequence
from typing import Any, TypedDict

import reflex as rx

from ..services import custom_fields as cf
from ..services import leads
from ..services.leads import custom as lead_custom
from .base import FieldErrors
from .custom_inputs import CustomInput, rows, submitted
from .rows import Option


class CustomGroup(TypedDict):
    """One receiving organization's fields on a form, shown while it is ticked."""

    id: str
    name: str
    rows: list[CustomInput]


def groups(
    fields: Sequence[cf.FieldAccess],
    orgs: Iterable[Option],
    custom: Mapping[str, Any] | None = None,
    *,
    editable_only: bool = False,
) -> list[CustomGroup]:
    """The fields of each organization of `orgs` (those with none left out)."""
    found: list[CustomGroup] = []
    for org in orgs:
        theirs = [
            f
            for f in fields
            if str(f.org_id) == org["id"] and not f.own and (f.editable or not editable_only)
        ]
        if theirs:
            names = {theirs[0].org_id: org["name"]}
            found.append(
                {"id": org["id"], "name": org["name"], "rows": rows(theirs, custom, names)}
            )
    return found


def ticked(form: object, prefix: str) -> list[str]:
    """The organizations ticked in a posted form (checkboxes named `<prefix><id>`)."""
    return [
        key.removeprefix(prefix)
        for key, value in (form.items() if isinstance(form, dict) else [])
        if isinstance(key, str) and key.startswith(prefix) and value
    ]


def _names(*lists: Iterable[CustomInput]) -> tuple[str, ...]:
    return tuple(row["name"] for found in lists for row in found)


class LeadFormCustom(rx.State, mixin=True):
    """The Submit form's custom fields (SentLeadsState, whose FieldErrors shows their
    messages)."""

    own_fields: rx.Field[list[CustomInput]] = rx.field([])
    recipient_fields: rx.Field[list[CustomGroup]] = rx.field([])
    ticked: rx.Field[list[str]] = rx.field([])  # the organizations ticked now: whose fields show

    def _read_form_fields(
        self, session, *, actor, eligible: list[Option], custom: Mapping | None = None
    ) -> None:
        """The actor's own fields and each eligible recipient's, with a draft's values."""
        fields = lead_custom.form_fields(
            session, actor=actor, org_ids=[int(o["id"]) for o in eligible]
        )
        self.own_fields = rows([f for f in fields if f.own], custom)
        self.recipient_fields = groups(fields, eligible, custom)

    def _custom_names(self) -> tuple[str, ...]:
        """The form names of every custom field shown (their messages go next to them)."""
        return _names(self.own_fields, *(g["rows"] for g in self.recipient_fields))

    def _custom_posted(
        self, session, *, actor, form: dict, chosen: list[str], lead_id: object, submitting: bool
    ) -> tuple[dict[str, object], dict[str, str]]:
        """{field id: value} of the own fields and the chosen organizations' fields, and what is
        wrong with them (told with the form's other messages)."""
        fields = lead_custom.form_fields(session, actor=actor, org_ids=chosen)
        values = submitted(form, fields)
        problems = lead_custom.problems(
            session,
            actor=actor,
            lead_id=lead_id,
            recipient_org_ids=chosen,
            custom=values,
            submitting=submitting,
        )
        return values, problems

    @rx.event
    def tick(self, org_id: str):
        """An organization was ticked or unticked: its fields show or hide."""
        if not isinstance(org_id, str):
            return
        if org_id in self.ticked:
            self.ticked = [t for t in self.ticked if t != org_id]
        elif any(g["id"] == org_id for g in self.recipient_fields):
            self.ticked = [*self.ticked, org_id]


class LeadDetailCustom(FieldErrors, mixin=True):
    """The lead page's custom fields (LeadDetailState): the card, its edit form, and the
    fields the organizations it can still be sent to ask."""

    custom_rows: rx.Field[list[CustomInput]] = rx.field([])
    custom_editable: rx.Field[bool] = rx.field(False)
    custom_editing: rx.Field[bool] = rx.field(False)
    custom_error: rx.Field[str] = rx.field("")
    send_on_fields: rx.Field[list[CustomGroup]] = rx.field([])
    send_on_ticked: rx.Field[list[str]] = rx.field([])
    send_on_error: rx.Field[str] = rx.field("")
    send_on_round: rx.Field[int] = rx.field(0)  # a fresh send-on form after each sending

    def _read_custom(
        self, session, *, actor, seen: leads.LeadDetail, targets: list[Option]
    ) -> None:
        names = {r.org_id: r.org_name for r in seen.recipients}
        names[seen.origin_org_id] = seen.origin_org_name
        self.custom_rows = rows(seen.custom_fields, seen.custom, names)
        self.custom_editable = any(f.editable for f in seen.custom_fields)
        fields = (
            lead_custom.form_fields(session, actor=actor, org_ids=[int(t["id"]) for t in targets])
            if targets
            else []
        )
        self.send_on_fields = groups(fields, targets, seen.custom, editable_only=True)
        shown = {g["id"] for g in self.send_on_fields}
        self.send_on_ticked = [t for t in self.send_on_ticked if t in shown]

    @rx.event
    def edit_custom(self, editing: bool):
        self.custom_editing = editing is True
        self.custom_error, self.field_errors = "", {}

    @rx.event
    def tick_send_on(self, org_id: str):
        if not isinstance(org_id, str):
            return
        if org_id in self.send_on_ticked:
            self.send_on_ticked = [t for t in self.send_on_ticked if t != org_id]
        elif any(g["id"] == org_id for g in self.send_on_fields):
            self.send_on_ticked = [*self.send_on_ticked, org_id]

    def _lead_id(self) -> object:
        return self.router.page.params.get("lead_id")

    @rx.event
    def save_custom(self, form: dict):
        """Save the card's values: every editable field the page shows."""
        _, refusal = self._perform(  # type: ignore[attr-defined]
            self._write_custom,
            error_var="custom_error",
            inline=_names(self.custom_rows),
            form=form if isinstance(form, dict) else {},
        )
        if refusal is not None:
            return refusal
        self.custom_editing = False
        return self._refresh()  # type: ignore[attr-defined]

    def _write_custom(self, session, *, actor, form: dict) -> None:
        seen = leads.detail(session, actor=actor, lead_id=self._lead_id())
        leads.set_custom(
            session,
            actor=actor,
            lead_id=seen.id,
            values=submitted(form, seen.custom_fields),
        )

    @rx.event
    def send_on(self, form: dict):
        """The origin sends the submitted lead on to more organizations, with the custom
        values their fields ask."""
        _, refusal = self._perform(  # type: ignore[attr-defined]
            self._send_on,
            error_var="send_on_error",
            inline=("recipient_org_ids", *_names(*(g["rows"] for g in self.send_on_fields))),
            form=form if isinstance(form, dict) else {},
        )
        if refusal is not None:
            return refusal
        self.send_on_ticked, self.send_on_round = [], self.send_on_round + 1
        return self._refresh()  # type: ignore[attr-defined]

    def _send_on(self, session, *, actor, form: dict) -> None:
        chosen = ticked(form, "to_")
        fields = [
            f
            for f in lead_custom.form_fields(session, actor=actor, org_ids=chosen)
            if str(f.org_id) in chosen
        ]
        leads.submit(
            session,
            actor=actor,
            lead_id=self._lead_id(),
            recipient_org_ids=chosen,
            custom=submitted(form, fields),
        )
