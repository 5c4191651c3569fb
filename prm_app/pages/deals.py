"""/p/deals and /c/deals: the organization's deals, searched, filtered by approval, paged."""

from dataclasses import dataclass

import reflex as rx

from ..components.empty_state import empty_state
from ..components.pager import pager
from ..components.shell import page_shell
from ..models import Approval
from ..state.deals import DealsState as State

APPROVAL_COLORS = {Approval.PENDING: "amber", Approval.APPROVED: "green", Approval.REJECTED: "red"}


@dataclass(frozen=True, slots=True)
class Words:
    other: str  # the organization across: "Partner" / "Provider"
    empty: str


PROVIDER = Words(
    "Partner",
    "Deals registered by your partners or converted from their leads appear here, with their "
    "approval, stage and protection.",
)
CONSULTANT = Words(
    "Provider",
    "Deals you registered with your providers, or converted from leads and referrals, appear "
    "here with their approval and stage.",
)


def _approval(value: rx.Var[str]) -> rx.Component:
    return rx.badge(
        value,
        color_scheme=rx.match(
            value, *[(code.value, color) for code, color in APPROVAL_COLORS.items()], "gray"
        ),
        variant="soft",
    )


def _row(row: rx.Var[dict]) -> rx.Component:
    return rx.table.row(
        rx.table.row_header_cell(row["name"]),
        rx.table.cell(row["company"]),
        rx.table.cell(row["other"]),
        rx.table.cell(row["amount"], text_align="right", white_space="nowrap"),
        rx.table.cell(row["stage"]),
        rx.table.cell(_approval(row["approval"])),
        rx.table.cell(row["close_date"], white_space="nowrap"),
        rx.table.cell(row["owner"]),
        key=row["id"],
    )


def _filters() -> rx.Component:
    return rx.hstack(
        rx.input(
            value=State.search,
            on_change=State.set_search,
            placeholder="Search deal, company or contact",
            aria_label="Search deals",
            type="search",
            width="20rem",
        ),
        rx.hstack(
            rx.el.label("Approval", html_for="deal-approval", font_size="0.875rem"),
            rx.el.select(
                rx.el.option("All", value=""),
                *[rx.el.option(code.capitalize(), value=code.value) for code in Approval],
                id="deal-approval",
                value=State.approval,
                on_change=State.set_approval,
                aria_label="Approval",
                style={"padding": "0.3rem"},
            ),
            align="center",
        ),
        align="center",
        wrap="wrap",
        spacing="4",
        width="100%",
    )


def _table(words: Words) -> rx.Component:
    headers = ("Deal", "Company", words.other, "Amount", "Stage", "Approval", "Close date", "Owner")
    return rx.vstack(
        rx.table.root(
            rx.table.header(
                rx.table.row(
                    *[
                        rx.table.column_header_cell(
                            h, **({"text_align": "right"} if h == "Amount" else {})
                        )
                        for h in headers
                    ]
                )
            ),
            rx.table.body(rx.foreach(State.rows, _row)),
            width="100%",
            variant="surface",
        ),
        pager(State),
        width="100%",
    )


def _page(words: Words) -> rx.Component:
    filtering = (State.search != "") | (State.approval != "")
    return page_shell(
        "Deals",
        _filters(),
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
                        "Clear search and filter", on_click=State.clear_filters, variant="soft"
                    ),
                ),
                empty_state("kanban", "No deals yet", words.empty),
            ),
        ),
    )


def provider_page() -> rx.Component:
    return _page(PROVIDER)


def consultant_page() -> rx.Component:
    return _page(CONSULTANT)
