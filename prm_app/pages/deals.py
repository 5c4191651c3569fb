"""/p/deals and /c/deals: the organization's deals as a list (searched, filtered, paged) or as
a live Kanban board, and Submit Deal."""

from dataclasses import dataclass

import reflex as rx

from .. import routes
from ..components.deal_form import submit_deal_dialog
from ..components.empty_state import empty_state
from ..components.file_links import export_button, import_button
from ..components.list_views import custom_cells, custom_headers, list_views_bar
from ..components.live import on_change
from ..components.tables import paged_table
from ..models import Approval
from ..state import view
from ..state.deals import DealsState as State
from ..state.deals import SubmitDealState
from ..state.live import DealsPulse
from ..state.rule_checks import COUNTRIES
from .parts.kanban import board, lost_dialog
from .parts.shell import page_shell

APPROVAL_COLORS = {
    Approval.PENDING: "amber",
    Approval.APPROVED: "green",
    Approval.REJECTED: "red",
    Approval.WITHDRAWN: "gray",
}


@dataclass(frozen=True, slots=True)
class Words:
    other: str  # the organization across: "Partner" / "Provider"
    empty: str
    base: str  # the deal pages
    submit: str  # what Submit Deal does
    imports: str  # the import page


PROVIDER = Words(
    "Partner",
    "Deals registered by your partners or converted from their leads appear here, with their "
    "approval, stage and protection.",
    routes.Provider.DEALS,
    "Record a deal for a partner: it is approved, and the customer protected for them, at once.",
    routes.Provider.DEALS_IMPORT,
)
CONSULTANT = Words(
    "Provider",
    "Deals you registered with your providers, or converted from leads and referrals, appear "
    "here with their approval and stage.",
    routes.Consultant.DEALS,
    "Register a deal with a provider. Once the provider approves it, the customer is protected "
    "for you.",
    routes.Consultant.DEALS_IMPORT,
)


def _approval(value: rx.Var[str]) -> rx.Component:
    return rx.badge(
        value,
        color_scheme=rx.match(
            value, *[(code.value, color) for code, color in APPROVAL_COLORS.items()], "gray"
        ),
        variant="soft",
    )


def _row(row: rx.Var[dict], base: str) -> rx.Component:
    return rx.table.row(
        rx.table.row_header_cell(rx.link(row["name"], href=f"{base}/{row['id']}")),
        rx.table.cell(row["company"]),
        rx.table.cell(row["other"]),
        rx.table.cell(row["amount"], text_align="right", white_space="nowrap"),
        rx.table.cell(row["stage"]),
        rx.table.cell(_approval(row["approval"])),
        rx.table.cell(row["close_date"], white_space="nowrap"),
        rx.table.cell(row["owner"]),
        custom_cells(row),
        key=row["id"],
    )


def _view_toggle() -> rx.Component:
    def button(label: str, icon: str, view: str) -> rx.Component:
        return rx.button(
            rx.icon(icon, size=16),
            label,
            on_click=State.set_view(view),
            variant=rx.cond(State.view == view, "solid", "soft"),
            aria_pressed=rx.cond(State.view == view, "true", "false"),
            size="2",
        )

    return rx.hstack(
        button("List", "list", "list"),
        button("Board", "kanban", "board"),
        spacing="1",
        role="group",
        aria_label="View",
    )


def _select(label: str, html_id: str, value, on_change, *options) -> rx.Component:
    return rx.hstack(
        rx.el.label(label, html_for=html_id, font_size="0.875rem"),
        rx.el.select(
            *options,
            id=html_id,
            value=value,
            on_change=on_change,
            style={"padding": "0.3rem"},
        ),
        align="center",
    )


def _filters(words: Words, consultant: bool) -> rx.Component:
    approval = _select(
        "Approval",
        "deal-approval",
        State.approval,
        State.set_approval,
        rx.el.option("All", value=""),
        *[rx.el.option(code.capitalize(), value=code.value) for code in Approval],
    )
    provider = _select(
        "Provider",
        "deal-provider",
        State.provider,
        State.set_provider,
        rx.el.option("All providers (combined)", value=""),
        rx.foreach(State.counterparts, lambda o: rx.el.option(o["name"], value=o["id"])),
    )
    return rx.hstack(
        rx.input(
            value=State.search,
            on_change=State.set_search,
            placeholder="Search deal, company or contact",
            aria_label="Search deals",
            type="search",
            width="20rem",
        ),
        rx.cond(State.view == "board", provider if consultant else rx.fragment(), approval),
        rx.spacer(),
        _view_toggle(),
        align="center",
        wrap="wrap",
        spacing="4",
        width="100%",
    )


def _table(words: Words) -> rx.Component:
    amount = rx.table.column_header_cell("Amount", text_align="right")
    headers = (
        "Deal",
        "Company",
        words.other,
        amount,
        "Stage",
        "Approval",
        "Close date",
        "Owner",
        custom_headers(State),
    )
    return paged_table(
        State,
        view.PAGE_SIZE,
        headers,
        State.rows,
        lambda row: _row(row, words.base),
    )


def _page(words: Words, consultant: bool) -> rx.Component:
    filtering = (
        (State.search != "")
        | (State.approval != "")
        | (State.provider != "")
        | State.custom_filtered
    )
    return page_shell(
        "Deals",
        on_change(value=DealsPulse.version, on_change=State.follow(DealsPulse.version)),
        rx.hstack(
            rx.text(words.submit, color_scheme="gray", size="2"),
            rx.spacer(),
            export_button(State.export_url, "deals"),
            import_button(words.imports),
            submit_deal_dialog(SubmitDealState, words.other, words.submit, COUNTRIES),
            align="center",
            wrap="wrap",
            width="100%",
        ),
        _filters(words, consultant),
        list_views_bar(State, "deals", sortable=State.view == "list"),
        rx.cond(
            State.view == "board",
            rx.fragment(board(State, words.other, words.base), lost_dialog(State)),
            rx.cond(
                State.total > 0,
                _table(words),
                rx.cond(
                    filtering,
                    empty_state(
                        "search-x",
                        "No deals match",
                        "No deal matches this search and filter.",
                        rx.button(
                            "Clear search and filter",
                            on_click=State.clear_filters,
                            variant="soft",
                        ),
                    ),
                    empty_state("kanban", "No deals yet", words.empty),
                ),
            ),
        ),
    )


def provider_page() -> rx.Component:
    return _page(PROVIDER, consultant=False)


def consultant_page() -> rx.Component:
    return _page(CONSULTANT, consultant=True)
