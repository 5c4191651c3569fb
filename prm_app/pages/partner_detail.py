"""A partnership's page in either portal: the other organization, the partner card (the
custom fields this side sees, edited in place by its managers) and the timeline."""

from typing import Any, cast

import reflex as rx

from .. import routes
from ..components.custom_inputs import custom_card
from ..components.details import timeline
from ..components.empty_state import empty_state
from ..components.live import follow
from ..state.live import PartnersPulse
from ..state.partner_detail import PartnerDetailState as State
from ..state.partner_tiers import PartnerTiersState
from .parts.locator_listing import listing_card
from .parts.partner_onboarding import onboarding_card
from .parts.partner_tiers import partner_tiers
from .parts.shell import page_shell

ON = cast(Any, State)  # its handlers and vars, as mypy does not see Reflex's


def _summary() -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.hstack(
                rx.heading(State.partner["name"], as_="h2", size="5"),
                rx.badge(
                    State.partner["status"],
                    color_scheme=rx.cond(State.partner["status"] == "active", "green", "gray"),
                ),
                align="center",
            ),
            rx.text(
                rx.cond(
                    State.partner["since"] != "",
                    f"Partners since {State.partner['since']}",
                    f"Invited on {State.partner['invited']}",
                ),
                size="2",
                color_scheme="gray",
            ),
        ),
        width="100%",
    )


def _custom_card() -> rx.Component:
    """The partnership's custom fields: read, or a form for those this side may edit."""
    return custom_card(
        State,
        ON.custom,
        editing=State.custom_editing,
        can_edit=State.custom_can_edit,
        on_edit=ON.edit_custom(True),
        on_cancel=ON.edit_custom(False),
        form_key=State.custom_revision,
    )


def _page(back: str, back_label: str, *extra: rx.Component) -> rx.Component:
    return page_shell(
        "Partnership",
        rx.link(f"← {back_label}", href=back),
        follow(PartnersPulse.version, State.follow),
        follow(PartnersPulse.version, PartnerTiersState.follow),
        rx.cond(
            State.missing,
            empty_state(
                "search-x",
                "Nothing to show",
                "This partnership does not exist, or it is not visible to you.",
            ),
            rx.vstack(
                _summary(),
                onboarding_card(),
                _custom_card(),
                *extra,
                partner_tiers(),
                timeline(State.timeline, empty="Nothing has happened yet.", aria_label="Timeline"),
                spacing="4",
                width="100%",
            ),
        ),
    )


def provider_page() -> rx.Component:
    return _page(routes.Provider.PARTNERS, "Partners")


def consultant_page() -> rx.Component:
    return _page(routes.Consultant.PROVIDERS, "My Providers", listing_card())
