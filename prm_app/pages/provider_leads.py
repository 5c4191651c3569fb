"""/p/leads: leads received from partners: accept or reject, work through stages, convert."""

import reflex as rx

from ..components.empty_state import empty_state
from ..components.shell import page_shell
from ..state.leads import ProviderLeadsState as State

TITLE = "Leads"


def _decision(row: rx.Var[dict]) -> rx.Component:
    return rx.hstack(
        rx.button(
            "Accept",
            on_click=State.accept(row["id"]),
            size="1",
            color_scheme="green",
            aria_label=f"Accept the lead for {row['company']}",
        ),
        rx.form(
            rx.hstack(
                rx.el.input(type="hidden", name="id", value=row["id"]),
                rx.input(
                    name="reason",
                    placeholder="Reason",
                    required=True,
                    size="1",
                    aria_label=f"Reason to reject the lead for {row['company']}",
                ),
                rx.button(
                    "Reject",
                    type="submit",
                    size="1",
                    variant="soft",
                    color_scheme="red",
                    aria_label=f"Reject the lead for {row['company']}",
                ),
            ),
            on_submit=State.reject,
        ),
        wrap="wrap",
    )


def _work(row: rx.Var[dict]) -> rx.Component:
    return rx.hstack(
        rx.el.select(
            rx.foreach(State.stages, lambda s: rx.el.option(s["name"], value=s["id"])),
            default_value=row["stage_id"],
            on_change=lambda value: State.move_stage(row["id"], value),
            aria_label=f"Stage of the lead for {row['company']}",
            style={"padding": "0.25rem"},
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
                    aria_label=f"Convert the lead for {row['company']}",
                ),
            ),
            on_submit=State.convert,
        ),
        wrap="wrap",
    )


def _row(row: rx.Var[dict]) -> rx.Component:
    undecided = (row["status"] == "pending") | (row["status"] == "opened")
    return rx.table.row(
        rx.table.cell(row["company"]),
        rx.table.cell(
            rx.vstack(rx.text(row["contact"]), rx.text(row["email"], size="1"), spacing="0")
        ),
        rx.table.cell(row["partner"]),
        rx.table.cell(rx.badge(row["status"], variant="soft")),
        rx.table.cell(row["received"]),
        rx.table.cell(
            rx.cond(undecided, _decision(row), rx.cond(row["status"] == "accepted", _work(row)))
        ),
        key=f"{row['id']}-{row['status']}-{row['stage_id']}",
    )


def page() -> rx.Component:
    return page_shell(
        TITLE,
        rx.hstack(
            rx.el.label("Status", html_for="lead-status", font_size="0.875rem"),
            rx.el.select(
                rx.el.option("All", value=""),
                *[
                    rx.el.option(s.capitalize(), value=s)
                    for s in (
                        "pending",
                        "opened",
                        "accepted",
                        "rejected",
                        "converted",
                        "lost",
                        "returned",
                    )
                ],
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
                                for h in ("Company", "Contact", "Partner", "Status", "Received", "")
                            ]
                        )
                    ),
                    rx.table.body(rx.foreach(State.rows, _row)),
                    width="100%",
                    variant="surface",
                ),
                rx.hstack(
                    rx.button(
                        "Previous", on_click=State.turn_page(-1), disabled=State.page <= 1, size="1"
                    ),
                    rx.text(f"Page {State.page} · {State.total} leads", size="2"),
                    rx.button(
                        "Next",
                        on_click=State.turn_page(1),
                        disabled=State.page * 25 >= State.total,
                        size="1",
                    ),
                    align="center",
                ),
                width="100%",
            ),
            empty_state(
                "inbox",
                "No leads yet",
                "Leads your partners submit appear here to accept or reject, then to work "
                "through your lead stages and convert into deals.",
            ),
        ),
    )
