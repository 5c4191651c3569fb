"""Converting an accepted lead or referral into a deal: one dialog per page (the received list
and the lead's page), with the amount, close date, the customer's country and region, and the
provider's registration rules checked live on the deal it would register (RuleChecks), and the deal fields
the converting side fills (deal_custom.NewDealFields)."""

import reflex as rx

from .. import routes
from ..services import deals, leads
from ..services.deals import rule_checks
from . import deal_custom, view
from .base import AppState, FieldErrors, form_value
from .deal_custom import NewDealFields
from .rows import Option
from .rule_checks import RuleChecks

# The conversion form's fields that show the server's message next to them.
CONVERT_FIELDS = ("amount", "close_date", "country", "region", "product_ids")
REFERRAL = "A referral's customer was chosen by its provider: no registration rule applies."


class ConvertLeadState(NewDealFields, RuleChecks, FieldErrors, AppState):
    """The Convert dialog: which recipient row it converts is kept server-side, checked again
    (who may convert it) by the services on every event."""

    convert_open: bool = False
    convert_error: str = ""
    convert_company: str = ""
    convert_other: str = ""  # the organization across, named
    products: list[Option] = []  # the provider's, to name in the deal
    _recipient: str = ""
    _other: str = ""
    _checked: bool = True  # a lead's conversion (a registration), not a referral's

    def _check_target(self) -> str:
        return self._other if self._checked else ""

    def _check_products(self) -> set[str]:
        return {p["id"] for p in self.products}

    def _unchecked_note(self) -> str:
        return REFERRAL if self._recipient and not self._checked else ""

    @rx.event
    def start(self, recipient_id: str):
        """Open the dialog on an accepted recipient row the caller may convert."""
        self.convert_error, self.field_errors = "", {}

        def read(session, *, actor) -> None:
            found = rule_checks.conversion_draft(session, actor=actor, recipient_id=recipient_id)
            self._recipient, self._other = str(recipient_id), str(found.other_org_id)
            self._checked = found.checked
            self.convert_company = found.form["company"]
            self.convert_other = found.other_name
            self.products = view.options(
                deals.products_of(session, actor=actor, provider_org_id=found.provider_org_id)
            )
            self._start_draft(found.form)
            self._read_custom(session, actor, found.other_org_id)
            self._read_checks(session, actor=actor)

        _, refusal = self._perform(read)
        self.convert_open = refusal is None
        return refusal

    @rx.event
    def close(self):
        self._close()

    def _close(self) -> None:
        self.convert_open, self.convert_error, self.field_errors = False, "", {}
        self._recipient = self._other = ""

    @rx.event
    def convert(self, form: dict):
        if not isinstance(form, dict) or not self._recipient:
            return None

        other = deal_custom.other_id(self._other)

        def convert(session, *, actor, posted: dict, **arguments) -> str:
            values = deal_custom.form_values(session, actor, other, posted)
            deal_id = leads.convert(session, actor=actor, custom_values=values, **arguments)
            return routes.deal_page(actor.org_kind, deal_id)

        url, refusal = self._perform(
            convert,
            error_var="convert_error",
            inline=(*CONVERT_FIELDS, *self._custom_names()),
            posted=form,
            recipient_id=self._recipient,
            amount=form_value(form, "amount"),
            close_date=form_value(form, "close_date") or None,
            country=form_value(form, "country") or None,
            region=form_value(form, "region") or None,
            product_ids=[
                key.removeprefix("product-")
                for key, ticked in list(form.items())[: rule_checks.MAX_DRAFT_KEYS]
                if isinstance(key, str) and key.startswith("product-") and ticked
            ],
        )
        if refusal is not None:
            self._check_refused(form)
            return refusal
        self._close()
        link = {"label": "Open the deal", "on_click": rx.redirect(str(url))}
        return rx.toast.success("Converted into a deal.", action=link)
