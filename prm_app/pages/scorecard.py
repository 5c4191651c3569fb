"""/p/scorecard and /c/scorecard: how the provider serves its partners (both sides see it) and
how each partner does, over the last 90 days; every figure opens to the records behind it."""

from typing import Any, cast

import reflex as rx

from ..components.confirm import permitted
from ..components.live import follow
from ..components.scorecard import drill_dialog, figure_button, sort_header
from ..components.sections import section_card
from ..components.tables import data_table
from ..components.tier_progress import tier_progress
from ..state.base import MANAGERS_ONLY
from ..state.live import DealsPulse, LeadsPulse, LedgerPulse, PartnersPulse
from ..state.scorecard import ScorecardState as State
from .parts.shell import page_shell

TITLE = "Scorecard"
_open_drill = cast(Any, State.open_drill)  # (Reflex's stubs do not type handlers' arguments)
# (header, PartnerRow key, figure whose records it counts)
PARTNER_COLUMNS = [
    ("Leads submitted", "leads_submitted", "leads_submitted"),
    ("Accepted", "accepted_share", "leads_submitted"),
    ("Registrations approved", "registrations_approved", "registrations_approved"),
    ("Deals won", "deals_won", "deals_won"),
    ("Won revenue", "won_revenue", "deals_won"),
    ("Time to first lead", "days_to_first_lead", "first_lead"),
]


def _live() -> rx.Component:
    return rx.fragment(
        follow(LeadsPulse.version, State.follow_leads),
        follow(DealsPulse.version, State.follow_deals),
        follow(LedgerPulse.version, State.follow_ledger),
        follow(PartnersPulse.version, State.follow_partners),
    )


def _tier() -> rx.Component:
    return rx.cond(State.has_tier, tier_progress(State.tier, State.tier_criteria))


def _picker(label: str, first: str | None, element_id: str) -> rx.Component:
    return rx.hstack(
        rx.el.label(label, html_for=element_id, font_size="0.875rem"),
        rx.el.select(
            *([rx.el.option(first, value="")] if first else []),
            rx.foreach(State.choices, lambda o: rx.el.option(o["name"], value=o["id"])),
            id=element_id,
            value=State.chosen,
            on_change=State.choose,
            style={"padding": "0.35rem", "maxWidth": "100%"},
        ),
        align="center",
        wrap="wrap",
    )


def _service(all_label: str, partner_id) -> rx.Component:
    """The service figures: for all partners and, when one is chosen, for that partner."""
    chosen = State.partner_name != ""

    def row(figure) -> rx.Component:
        return rx.table.row(
            rx.table.row_header_cell(figure["label"]),
            rx.table.cell(
                figure_button(
                    figure["overall"],
                    figure["overall_count"],
                    _open_drill(figure["key"], ""),
                    f"Records behind: {figure['label']}, {all_label}",
                    **permitted(figure["drill"], MANAGERS_ONLY),
                )
            ),
            rx.cond(
                chosen,
                rx.table.cell(
                    figure_button(
                        figure["partner"],
                        figure["partner_count"],
                        _open_drill(figure["key"], partner_id),
                        f"Records behind: {figure['label']}, {State.partner_name}",
                        **permitted(figure["drill"], MANAGERS_ONLY),
                    )
                ),
                rx.fragment(),
            ),
        )

    headers = rx.table.row(
        rx.table.column_header_cell("Figure"),
        rx.table.column_header_cell(all_label),
        rx.cond(chosen, rx.table.column_header_cell(State.partner_name), rx.fragment()),
    )
    return rx.table.root(
        rx.table.header(headers),
        rx.table.body(rx.foreach(State.figures, row)),
        class_name="prm-table",
        width="100%",
    )


def _partners(with_names: bool) -> rx.Component:
    def row(partner) -> rx.Component:
        cells = [
            rx.table.cell(
                figure_button(
                    partner[key],
                    "",
                    _open_drill(figure, partner["id"]),
                    f"Records behind: {header}, {partner['name']}",
                )
            )
            for header, key, figure in PARTNER_COLUMNS
        ]
        first = [rx.table.row_header_cell(partner["name"])] if with_names else []
        return rx.table.row(*first, *cells)

    headers = [
        sort_header(header, key, State.sort_by, State.descending, State.sort)
        for header, key, _ in PARTNER_COLUMNS
    ]
    if with_names:
        headers.insert(
            0, sort_header("Partner", "name", State.sort_by, State.descending, State.sort)
        )
    else:
        headers = [rx.table.column_header_cell(h) for h, _, _ in PARTNER_COLUMNS]
    return data_table(headers, State.partners, row, width="100%")


def provider_page() -> rx.Component:
    return page_shell(
        TITLE,
        _live(),
        rx.text(
            f"The last {State.window_days} days. Press a figure to see the records behind it.",
            size="2",
            color_scheme="gray",
        ),
        section_card(
            "Your service to partners",
            _picker("As experienced by", "All partners only", "scorecard-partner"),
            _service("All partners", State.chosen),
            hint="Medians: from a lead or registration received to its decision, from Closed "
            "Won to the commission's approval, from a payout request to its payment.",
        ),
        _tier(),  # the chosen partner's progress towards its next tier
        section_card(
            "Partners",
            rx.cond(
                cast(Any, State.partners).length() > 0,
                _partners(with_names=True),
                rx.text("No partners yet.", size="2"),
            ),
        ),
        drill_dialog(State),
    )


def consultant_page() -> rx.Component:
    return page_shell(
        TITLE,
        _live(),
        rx.cond(
            cast(Any, State.choices).length() > 0,
            rx.vstack(
                _picker("Provider", None, "scorecard-provider"),
                rx.text(
                    f"The last {State.window_days} days. Press a figure to see your records "
                    "behind it.",
                    size="2",
                    color_scheme="gray",
                ),
                _tier(),  # the consultant's progress towards its next tier with this provider
                section_card(
                    f"{State.provider_name}'s service",
                    _service("All partners", ""),
                    hint="How fast the provider decides and pays, over every partner's "
                    "records and over yours.",
                ),
                section_card(
                    "Your figures",
                    _partners(with_names=False),
                ),
                spacing="4",
                width="100%",
            ),
            rx.text("You have no providers yet.", size="2"),
        ),
        drill_dialog(State),
    )
