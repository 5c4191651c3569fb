"""A deal's custom fields on the pages: the inputs of a deal being made (Submit Deal, Convert)
and the card of a deal's page (shown, and edited where the caller may).

Only the rows the services return for the caller reach the browser (services.deals.custom);
a posted form is read back through the caller's fields, re-read on the server, never from
anything the client kept.
"""

from typing import TYPE_CHECKING, Any

import reflex as rx

from ..services import deals
from ..services.deals import custom as deal_custom
from ..services.deals import lifecycle as deal_changes
from . import custom_inputs
from .custom_inputs import CustomInput


def form_values(session, actor, other_org_id: int, form: dict) -> dict[str, object]:
    """{field id: value} of a new deal's posted form, read through the caller's fields."""
    fields = deal_custom.fields_for_new(session, actor=actor, other_org_id=other_org_id)
    return custom_inputs.submitted(form, fields)


def other_id(value: object) -> int:
    """The organization across as a form names it (0: none; the services refuse it)."""
    text = str(value) if isinstance(value, str | int) and not isinstance(value, bool) else ""
    return int(text) if text.isascii() and text.isdigit() and len(text) < 19 else 0


class NewDealFields(rx.State, mixin=True):
    """The custom fields of a deal being made with one organization (in a state with
    FieldErrors): `_read_custom` when the organization is chosen, `_custom_names` for the
    form's inline messages."""

    custom_rows: list[CustomInput] = []

    def _read_custom(self, session, actor, other_org_id: object) -> None:
        other = other_id(other_org_id)
        if not other:
            self.custom_rows = []
            return
        card = deal_custom.blank_card(session, actor=actor, other_org_id=other)
        self.custom_rows = custom_inputs.rows(card.fields, card.values, card.org_names)

    def _custom_names(self) -> tuple[str, ...]:
        return tuple(row["name"] for row in self.custom_rows)


def register(session, *, actor, other_org_id: object, form: dict, posted: dict):
    """Submit Deal (`form`: the deal's fields), its custom fields read from the `posted` form."""
    values = form_values(session, actor, other_id(other_org_id), posted)
    return deal_changes.register(
        session, actor=actor, other_org_id=other_org_id, form=form, custom_values=values
    )


class DealFieldsCard(rx.State, mixin=True):
    """The deal page's custom fields (in a live page's state with FieldErrors): read with the
    page (`_read_custom_card`), edited in their own form (save_custom) with the version of the
    deal the page shows (`_deal_version`)."""

    custom_rows: list[CustomInput] = []
    custom_editable: bool = False  # some field is the caller's to fill
    custom_editing: bool = False
    custom_error: str = ""

    if TYPE_CHECKING:  # FieldErrors', AppState's and the page's, which the state has
        field_errors: dict[str, str]

        def _perform(self, operation, /, **arguments) -> tuple[Any, Any]: ...

        def _refresh(self) -> Any: ...

    def _read_custom_card(self, session, actor, deal_id: int) -> None:
        card = deal_custom.card(session, actor=actor, deal_id=deal_id)
        self.custom_rows = custom_inputs.rows(card.fields, card.values, card.org_names)
        self.custom_editable = any(f.editable for f in card.fields)

    def _deal_version(self) -> tuple[int, int]:
        raise NotImplementedError  # (deal id, version) of the deal on the page

    @rx.event
    def start_custom_edit(self):
        self.custom_editing, self.custom_error, self.field_errors = self.custom_editable, "", {}

    @rx.event
    def cancel_custom_edit(self):
        self.custom_editing, self.custom_error, self.field_errors = False, "", {}

    @rx.event
    def save_custom(self, form: dict):
        if not isinstance(form, dict) or not self.custom_editing:
            return None
        deal_id, version = self._deal_version()

        def save(session, *, actor) -> bool:
            fields = deal_custom.card(session, actor=actor, deal_id=deal_id).fields
            values = custom_inputs.submitted(form, fields)
            return deals.set_custom(
                session, actor=actor, deal_id=deal_id, version=version, values=values
            )

        _, refusal = self._perform(save, error_var="custom_error", inline=self._custom_names())
        if refusal is not None and (self.custom_error or self.field_errors):
            return refusal  # the form stays open with its messages
        self.custom_editing = False
        self._refresh()
        return refusal or rx.toast.success("Saved.")

    def _custom_names(self) -> tuple[str, ...]:
        return tuple(row["name"] for row in self.custom_rows)
