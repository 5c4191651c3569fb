"""Consultant portal > a provider's page: the firm's entry on that provider's public partner
locator (opted in or not, its description, website, country and products), edited by the
firm's admins; live on PARTNERS like the rest of the page."""

from typing import ClassVar

import reflex as rx

from ..models import OrgKind
from ..services import program
from ..services.core.changes import Topic
from .base import AppState, form_value
from .live import LiveView
from .rows import Option

PRODUCT = "product_"  # the form's product boxes: product_<id>


class LocatorListingState(LiveView, AppState):
    LIVE_TOPIC: ClassVar[Topic] = Topic.PARTNERS
    listing_shown: bool = False  # a listing to show (the partnership is visible)
    listing_locator_on: bool = False
    listing_can_edit: bool = False
    listing_published: bool = False
    listing_description: str = ""
    listing_website: str = ""
    listing_country: str = ""
    listing_products: list[Option] = []
    listing_chosen: list[str] = []
    listing_revision: int = 0
    listing_error: str = ""
    _partnership_id: str = ""

    @rx.event
    def load(self):
        if (redirect := self._enter(OrgKind.CONSULTANT)) is not None:
            return redirect
        raw = self.router.page.params.get("partnership_id", "")
        self._partnership_id = raw if isinstance(raw, str) else ""
        self.listing_error = ""
        self._watch()
        return self._refresh()

    def _refresh(self):
        _, refusal = self._perform(self._read)
        self.listing_shown = refusal is None
        return None

    def _read(self, session, *, actor) -> None:
        self._reading(actor.org_id)
        form = program.my_listing(session, actor=actor, partnership_id=self._partnership_id)
        self.listing_locator_on = form.locator_on
        self.listing_can_edit = form.can_edit
        self.listing_published = form.published
        self.listing_description = form.description
        self.listing_website = form.website
        self.listing_country = form.country
        self.listing_products = [{"id": str(i), "name": name} for i, name in form.products]
        self.listing_chosen = [str(i) for i in form.product_ids]
        self.listing_revision += 1

    @rx.event
    def save(self, form: dict):
        fields = form if isinstance(form, dict) else {}
        _, refusal = self._perform(
            program.save_listing,
            error_var="listing_error",
            partnership_id=self._partnership_id,
            published=form_value(fields, "published") == "on",
            description=form_value(fields, "description"),
            website=form_value(fields, "website"),
            country=form_value(fields, "country"),
            product_ids=[
                k.removeprefix(PRODUCT)
                for k, v in fields.items()
                if isinstance(k, str) and k.startswith(PRODUCT) and v
            ],
        )
        if refusal is not None:
            return refusal
        self._refresh()
        return rx.toast.success("Listing saved.")
