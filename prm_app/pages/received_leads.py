"""/p/leads and /c/referrals: what partners or providers sent, to decide on, work and convert."""

from dataclasses import dataclass

import reflex as rx

from .. import routes
from ..components import lead_actions
from ..components.empty_state import empty_state
from ..components.file_links import export_button
from ..components.lead_conversion import convert_dialog
from ..components.list_filters import list_filters
from ..components.list_views import custom_cells, custom_headers, list_views_bar
from ..components.tables import paged_table
from ..state import view
from ..state.lead_conversion import ConvertLeadState
from ..state.leads import ReceivedLeadsState as State
from ..state.rule_checks import COUNTRIES
from .parts.shell import page_shell

SORTS = [
    ("newest", "Newest"),
    ("oldest", "Oldest"),
    ("company", "Company"),
    ("deadline", "Deadline"),
]
STATUSES = ("pending", "opened", "accepted", "rejected", "converted", "lost", "returned")


@dataclass(frozen=True, slots=True)
class Words:
    title: str
    noun: str  # "lead" / "referral"
    sender: str
    empty: str
    detail: str  # the detail route's prefix
    stages: bool  # a provider works leads through its stages


LEADS = Words(
    "Leads",
    "lead",
    "Partner",
    "Leads your partners submit appear here to accept or reject, then to work through your lead "
    "stages and convert into deals.",
    routes.Provider.LEADS,
    True,
)
REFERRALS = Words(
    "Referrals",
    "referral",
    "Provider",
    "Referrals your providers send you appear here. You see the company until you open or accept "
    "one; then its contact details.",
    routes.Consultant.REFERRALS,
    False,
)


def _row(row: rx.Var[dict], words: Words) -> rx.Component:
    return rx.table.row(
        rx.table.cell(
            rx.vstack(
                rx.link(
                    row["company"],
                    href=f"{words.detail}/{row['lead_id']}",
                    aria_label=f"Details of the {words.noun} for {row['company']}",
                ),
                rx.cond(
                    row["protected"] == "yes",
                    rx.badge("Protected for another partner", color_scheme="orange", size="1"),
                ),
                spacing="1",
            )
        ),
        rx.table.cell(
            rx.cond(
                row["hidden"] == "yes",
                rx.text("Open to see the contact", size="1", color_scheme="gray"),
                rx.vstack(rx.text(row["contact"]), rx.text(row["email"], size="1"), spacing="0"),
            )
        ),
        rx.table.cell(row["partner"]),
        rx.table.cell(
            rx.vstack(
                rx.badge(row["status"], variant="soft"),
                rx.text(row["stage"], size="1", color_scheme="gray"),
                spacing="1",
            )
        ),
        rx.table.cell(row["received"], white_space="nowrap"),
        custom_cells(row),
        rx.table.cell(lead_actions.row_actions(State, row, words.noun)),
        key=f"{row['id']}-{row['status']}-{row['stage_id']}",
    )


def _page(words: Words) -> rx.Component:
    return page_shell(
        words.title,
        convert_dialog(ConvertLeadState, COUNTRIES),
        rx.hstack(rx.spacer(), export_button(State.export_url, f"{words.noun}s"), width="100%"),
        list_filters(
            State,
            noun=words.noun,
            statuses=[(s, s.capitalize()) for s in STATUSES],
            org_label=words.sender,
            sorts=SORTS,
            stages=words.stages,
        ),
        list_views_bar(State, "received"),
        rx.cond(
            State.total > 0,
            paged_table(
                State,
                view.PAGE_SIZE,
                (
                    "Company",
                    "Contact",
                    words.sender,
                    "Status",
                    "Received",
                    custom_headers(State),
                    "",
                ),
                State.rows,
                lambda row: _row(row, words),
            ),
            empty_state("inbox", f"No {words.noun}s yet", words.empty),
        ),
    )


def provider_page() -> rx.Component:
    return _page(LEADS)


def consultant_page() -> rx.Component:
    return _page(REFERRALS)
