"""/p/leads and /c/referrals: what partners or providers sent, to decide on, work and convert."""

from dataclasses import dataclass

import reflex as rx

from ..components.empty_state import empty_state
from ..components.pager import pager
from ..components.shell import page_shell
from ..state.leads import ReceivedLeadsState as State

STATUSES = ("pending", "opened", "accepted", "rejected", "converted", "lost", "returned")


@dataclass(frozen=True, slots=True)
class Words:
    title: str
    noun: str  # "lead" / "referral"
    sender: str
    empty: str


LEADS = Words(
    "Leads",
    "lead",
    "Partner",
    "Leads your partners submit appear here to accept or reject, then to work through your lead "
    "stages and convert into deals.",
)
REFERRALS = Words(
    "Referrals",
    "referral",
    "Provider",
    "Referrals your providers send you appear here. You see the company until you open or accept "
    "one; then its contact details.",
)


def _reason_form(row, handler, verb: str, noun: str) -> rx.Component:
    """A required reason and a button: rejecting, or closing as lost."""
    return rx.form(
        rx.hstack(
            rx.el.input(type="hidden", name="id", value=row["id"]),
            rx.input(
                name="reason",
                placeholder="Reason",
                required=True,
                size="1",
                aria_label=f"Reason to {verb.lower()} the {noun} for {row['company']}",
            ),
            rx.button(
                verb,
                type="submit",
                size="1",
                variant="soft",
                color_scheme="red",
                aria_label=f"{verb} the {noun} for {row['company']}",
            ),
        ),
        on_submit=handler,
    )


def _decision(row: rx.Var[dict], noun: str) -> rx.Component:
    return rx.hstack(
        rx.cond(
            row["hidden"] == "yes",
            rx.button(
                "Open",
                on_click=State.open(row["id"]),
                size="1",
                variant="soft",
                aria_label=f"Open the {noun} for {row['company']}",
            ),
        ),
        rx.button(
            "Accept",
            on_click=State.accept(row["id"]),
            size="1",
            color_scheme="green",
            aria_label=f"Accept the {noun} for {row['company']}",
        ),
        _reason_form(row, State.reject, "Reject", noun),
        wrap="wrap",
    )


def _work(row: rx.Var[dict], noun: str) -> rx.Component:
    return rx.hstack(
        rx.cond(
            State.stages.length() > 0,
            rx.el.select(
                rx.foreach(State.stages, lambda s: rx.el.option(s["name"], value=s["id"])),
                default_value=row["stage_id"],
                on_change=lambda value: State.move_stage(row["id"], value),
                aria_label=f"Stage of the {noun} for {row['company']}",
                style={"padding": "0.25rem"},
            ),
        ),
        rx.form(
            rx.hstack(
                rx.el.input(type="hidden", name="id", value=row["id"]),
                rx.input(
                    name="amount",
                    type="number",
                    min=0,
                    step="0.01",
                    placeholder="Amount",
                    required=True,
                    size="1",
                    width="7rem",
                    aria_label=f"Deal amount for {row['company']}",
                ),
                rx.input(
                    name="close_date",
                    type="date",
                    size="1",
                    aria_label=f"Close date for {row['company']}",
                ),
                rx.button(
                    "Convert",
                    type="submit",
                    size="1",
                    aria_label=f"Convert the {noun} for {row['company']}",
                ),
            ),
            on_submit=State.convert,
        ),
        _reason_form(row, State.mark_lost, "Close as lost", noun),
        wrap="wrap",
    )


def _row(row: rx.Var[dict], noun: str) -> rx.Component:
    undecided = (row["status"] == "pending") | (row["status"] == "opened")
    return rx.table.row(
        rx.table.cell(row["company"]),
        rx.table.cell(
            rx.cond(
                row["hidden"] == "yes",
                rx.text("Open to see the contact", size="1", color_scheme="gray"),
                rx.vstack(rx.text(row["contact"]), rx.text(row["email"], size="1"), spacing="0"),
            )
        ),
        rx.table.cell(row["partner"]),
        rx.table.cell(rx.badge(row["status"], variant="soft")),
        rx.table.cell(row["received"]),
        rx.table.cell(
            rx.cond(
                undecided,
                _decision(row, noun),
                rx.cond(row["status"] == "accepted", _work(row, noun)),
            )
        ),
        key=f"{row['id']}-{row['status']}-{row['stage_id']}",
    )


def _page(words: Words) -> rx.Component:
    return page_shell(
        words.title,
        rx.hstack(
            rx.el.label("Status", html_for="lead-status", font_size="0.875rem"),
            rx.el.select(
                rx.el.option("All", value=""),
                *[rx.el.option(s.capitalize(), value=s) for s in STATUSES],
                id="lead-status",
                on_change=State.set_status,
                style={"padding": "0.3rem"},
            ),
            align="center",
        ),
        rx.cond(
            State.total > 0,
            rx.vstack(
                rx.table.root(
                    rx.table.header(
                        rx.table.row(
                            *[
                                rx.table.column_header_cell(h)
                                for h in (
                                    "Company",
                                    "Contact",
                                    words.sender,
                                    "Status",
                                    "Received",
                                    "",
                                )
                            ]
                        )
                    ),
                    rx.table.body(rx.foreach(State.rows, lambda row: _row(row, words.noun))),
                    width="100%",
                    variant="surface",
                ),
                pager(State),
                width="100%",
            ),
            empty_state("inbox", f"No {words.noun}s yet", words.empty),
        ),
    )


def provider_page() -> rx.Component:
    return _page(LEADS)


def consultant_page() -> rx.Component:
    return _page(REFERRALS)
