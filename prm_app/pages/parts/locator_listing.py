"""The consultant's entry on a provider's public partner locator (its provider page)."""

from typing import Any, cast

import reflex as rx
from reflex.vars.object import ObjectVar

from ...components.confirm import permitted
from ...components.forms import form_error, labeled_input, tick_box
from ...components.live import follow
from ...state.base import ADMINS_ONLY
from ...state.live import PartnersPulse
from ...state.locator_listing import PRODUCT
from ...state.locator_listing import LocatorListingState as State

ON = cast(Any, State)  # its handlers and vars, as mypy does not see Reflex's


def _product(option: ObjectVar[dict]) -> rx.Component:
    return tick_box(
        PRODUCT + option["id"].to(str),
        option["name"],
        default_checked=ON.listing_chosen.contains(option["id"]),
        disabled=~State.listing_can_edit,
    )


def listing_card() -> rx.Component:
    """Shown when the provider publishes its locator: opt in, and what the entry says."""
    return rx.fragment(follow(PartnersPulse.version, State.follow), _card())


def _card() -> rx.Component:
    return rx.cond(
        State.listing_shown & State.listing_locator_on,
        rx.card(
            rx.form(
                rx.vstack(
                    rx.heading("Partner locator", as_="h2", size="4"),
                    rx.text(
                        "This provider lists its partners on a public page where customers "
                        "can contact them: a message becomes a referral to your firm.",
                        size="2",
                        color_scheme="gray",
                    ),
                    tick_box(
                        "published",
                        "List my firm on this provider's locator",
                        default_checked=State.listing_published,
                        disabled=~State.listing_can_edit,
                    ),
                    rx.el.label("Public description", html_for="description", font_size="0.875rem"),
                    rx.text_area(
                        id="description",
                        name="description",
                        default_value=State.listing_description,
                        max_length=500,
                        disabled=~State.listing_can_edit,
                        width="100%",
                    ),
                    labeled_input(
                        "Website",
                        "website",
                        required=False,
                        default_value=State.listing_website,
                        disabled=~State.listing_can_edit,
                    ),
                    labeled_input(
                        "Country",
                        "country",
                        required=False,
                        default_value=State.listing_country,
                        disabled=~State.listing_can_edit,
                    ),
                    rx.cond(
                        ON.listing_products.length() > 0,
                        rx.el.fieldset(
                            rx.el.legend("Products you cover", font_size="0.875rem"),
                            rx.flex(
                                rx.foreach(State.listing_products, _product),
                                gap="1rem",
                                wrap="wrap",
                            ),
                            border="none",
                            padding="0",
                        ),
                    ),
                    form_error(State.listing_error),
                    rx.button(
                        "Save listing",
                        type="submit",
                        **permitted(State.listing_can_edit, ADMINS_ONLY),
                    ),
                    spacing="2",
                    width="100%",
                ),
                key=State.listing_revision,
                on_submit=State.save,
            ),
            width="100%",
        ),
    )
