"""/p/funds and /c/funds: market development funds. The provider's budgets, allocations and
decisions; the partner's requests and claims with receipts; balances per budget and partner on
both sides, the return on funds, and CSV exports."""

from typing import Any, cast

import reflex as rx

from ..components.empty_state import empty_state
from ..components.forms import form_error
from ..components.live import follow
from ..components.tables import titled_table
from ..state import upload_guard
from ..state.funds import (
    ALLOCATE_FORM,
    BUDGET_FORM,
    CLAIM_FORM,
    REQUEST_FORM,
    UPLOAD_ID,
    FundsState,
)
from ..state.live import LedgerPulse
from .parts.shell import page_shell

TITLE = "Marketing funds"
State = cast(Any, FundsState)  # typed vars (list.length(), handlers with arguments)
SELECT = {"padding": "0.35rem"}


def _cell(*children, **props) -> rx.Component:
    return rx.table.cell(*children, **props)


def _field(label: str, control: rx.Component) -> rx.Component:
    """A caption holding its control (so the control is named by it)."""
    return rx.el.label(
        rx.text(label, size="1", as_="div"),
        control,
        style={"display": "flex", "flex_direction": "column", "gap": "0.25rem"},
        min_width="9rem",
    )


def _input(label: str, name: str, **props) -> rx.Component:
    return _field(label, rx.input(name=name, **props))


def _select(label: str, name: str, options, **props) -> rx.Component:
    return _field(
        label,
        rx.el.select(
            rx.foreach(options, lambda o: rx.el.option(o["name"], value=o["id"])),
            name=name,
            style=SELECT,
            **props,
        ),
    )


def _form(title: str, form_id: str, on_submit, error, *fields: rx.Component, submit: str):
    return rx.card(
        rx.form(
            rx.vstack(
                rx.heading(title, as_="h2", size="4"),
                rx.flex(
                    *fields, rx.button(submit, type="submit"), gap="3", align="end", wrap="wrap"
                ),
                form_error(error),
                width="100%",
            ),
            on_submit=on_submit,
            reset_on_submit=False,
            id=form_id,
            aria_label=title,
        ),
        width="100%",
    )


def _exports() -> rx.Component:
    return rx.hstack(
        rx.spacer(),
        rx.link(
            rx.button(rx.icon("download", size=14), "Requests CSV", variant="soft", size="2"),
            href=State.requests_url,
            is_external=True,
        ),
        rx.link(
            rx.button(rx.icon("download", size=14), "Balances CSV", variant="soft", size="2"),
            href=State.balances_url,
            is_external=True,
        ),
        width="100%",
        wrap="wrap",
    )


def _budgets() -> rx.Component:
    headers = ["Budget", "Period", "Status", "Amount", "Unallocated", "Available", "Committed"]
    headers += ["Spent", "Expired"]
    return titled_table(
        "Budgets",
        headers,
        State.budgets,
        lambda b: rx.table.row(
            rx.table.row_header_cell(b["name"]),
            _cell(b["period"]),
            _cell(rx.badge(b["status"], variant="soft")),
            _cell(b["amount"]),
            _cell(rx.text.strong(b["unallocated"])),
            _cell(b["available"]),
            _cell(b["committed"]),
            _cell(b["spent"]),
            _cell(b["expired"]),
            id=f"budget-{b['id']}",
        ),
        empty="No budget yet: open one for a period below.",
        id="budgets",
    )


def _budget_forms() -> rx.Component:
    return rx.vstack(
        _form(
            "Open a budget",
            BUDGET_FORM,
            State.create_budget,
            State.budget_error,
            _input("Name", "name", required=True, placeholder="FY27 Q1"),
            _input("Period start", "period_start", type="date", required=True),
            _input("Period end", "period_end", type="date", required=True),
            _input("Amount", "amount", required=True, width="8rem"),
            submit="Open budget",
        ),
        _form(
            "Allocate funds",
            ALLOCATE_FORM,
            State.allocate,
            State.allocate_error,
            _field(
                "Budget",
                rx.el.select(
                    rx.foreach(
                        State.budgets,
                        lambda b: rx.el.option(b["name"], value=b["id"]),
                    ),
                    name="budget_id",
                    style=SELECT,
                ),
            ),
            _field(
                "To",
                rx.el.select(
                    rx.foreach(State.partners, lambda o: rx.el.option(o["name"], value=o["id"])),
                    rx.foreach(State.tiers, lambda o: rx.el.option(o["name"], value=o["id"])),
                    name="target",
                    style=SELECT,
                ),
            ),
            _input("Amount (each)", "amount", required=True, width="8rem"),
            submit="Allocate",
        ),
        width="100%",
        spacing="4",
    )


def _balances(across: str) -> rx.Component:
    headers = ["Budget", across, "Allocated", "Available", "Committed", "Spent", "Expired"]
    return titled_table(
        "Balances",
        headers,
        State.balances,
        lambda b: rx.table.row(
            rx.table.row_header_cell(b["budget"]),
            _cell(b["other"]),
            _cell(b["allocated"]),
            _cell(rx.text.strong(b["available"])),
            _cell(b["committed"]),
            _cell(b["spent"]),
            _cell(b["expired"]),
            id=f"funds-{b['key']}",
        ),
        empty="No funds allocated yet.",
        id="fund-balances",
    )


def _decide(r) -> rx.Component:
    """The provider's decisions on a request, then on its claim."""
    return rx.cond(
        r["status"] == "requested",
        rx.vstack(
            rx.form(
                rx.hstack(
                    rx.el.input(type="hidden", name="id", value=r["id"]),
                    rx.input(
                        name="amount",
                        placeholder="Amount (all)",
                        size="1",
                        width="7rem",
                        aria_label=f"Amount to approve of request {r['id']}",
                    ),
                    rx.button(
                        "Approve", type="submit", size="1", aria_label=f"Approve request {r['id']}"
                    ),
                ),
                on_submit=State.approve_request,
            ),
            rx.form(
                rx.hstack(
                    rx.el.input(type="hidden", name="id", value=r["id"]),
                    rx.input(
                        name="reason",
                        placeholder="Reason",
                        required=True,
                        size="1",
                        width="7rem",
                        aria_label=f"Reason to deny request {r['id']}",
                    ),
                    rx.button(
                        "Deny",
                        type="submit",
                        size="1",
                        variant="soft",
                        color_scheme="red",
                        aria_label=f"Deny request {r['id']}",
                    ),
                ),
                on_submit=State.deny_request,
            ),
        ),
        rx.cond(
            r["claim_status"] == "submitted",
            rx.vstack(
                rx.form(
                    rx.hstack(
                        rx.el.input(type="hidden", name="id", value=r["claim_id"]),
                        rx.input(
                            name="amount",
                            placeholder="Amount (all)",
                            size="1",
                            width="7rem",
                            aria_label=f"Amount to approve of claim {r['claim_id']}",
                        ),
                        rx.button(
                            "Approve claim",
                            type="submit",
                            size="1",
                            aria_label=f"Approve the claim of request {r['id']}",
                        ),
                    ),
                    on_submit=State.approve_claim,
                ),
                rx.form(
                    rx.hstack(
                        rx.el.input(type="hidden", name="id", value=r["claim_id"]),
                        rx.input(
                            name="reason",
                            placeholder="Reason",
                            required=True,
                            size="1",
                            width="7rem",
                            aria_label=f"Reason to reject claim {r['claim_id']}",
                        ),
                        rx.button(
                            "Reject claim",
                            type="submit",
                            size="1",
                            variant="soft",
                            color_scheme="red",
                            aria_label=f"Reject the claim of request {r['id']}",
                        ),
                    ),
                    on_submit=State.reject_claim,
                ),
            ),
        ),
    )


def _receipts_of(r) -> rx.Component:
    return rx.foreach(
        State.receipts,
        lambda x: rx.cond(
            x["claim_id"] == r["claim_id"],
            rx.link(x["name"], href=x["url"], is_external=True, size="1", display="block"),
        ),
    )


def _requests(across: str, provider: bool) -> rx.Component:
    headers = ["Activity", across, "Budget", "Dates", "Requested", "Approved", "Status", "Claim"]
    headers += ["Receipts"] + (["Decision"] if provider else [])
    return titled_table(
        "Fund requests",
        headers,
        State.requests,
        lambda r: rx.table.row(
            rx.table.row_header_cell(
                rx.text(r["activity"]), rx.text(r["kind"], size="1", color_scheme="gray")
            ),
            _cell(r["other"]),
            _cell(r["budget"]),
            _cell(r["dates"]),
            _cell(r["requested"]),
            _cell(r["approved"]),
            _cell(
                rx.badge(r["status"], variant="soft"),
                rx.text(r["reason"], size="1"),
            ),
            _cell(
                rx.cond(
                    r["claim_status"] != "",
                    rx.vstack(
                        rx.text(r["claim"], " ", rx.badge(r["claim_status"])),
                        rx.text(r["reimbursement"], size="1"),
                        spacing="1",
                    ),
                )
            ),
            _cell(_receipts_of(r)),
            *([_cell(_decide(r))] if provider else []),
            id=f"fund-request-{r['id']}",
        ),
        empty="No fund requests yet.",
        id="fund-requests",
    )


def _request_form() -> rx.Component:
    return _form(
        "Request funds",
        REQUEST_FORM,
        State.request_funds,
        State.request_error,
        _select("Budget", "budget_id", State.budget_options),
        _select("Activity type", "activity_type", State.activity_types),
        _input("Activity", "title", required=True, placeholder="Spring webinar"),
        _input("Description", "description"),
        _input("Starts", "starts_on", type="date", required=True),
        _input("Ends", "ends_on", type="date", required=True),
        _input("Amount", "amount", required=True, width="8rem"),
        _input("Expected leads", "expected_leads", width="7rem"),
        submit="Request",
    )


def _receipt_box() -> rx.Component:
    box = rx.upload(
        rx.vstack(
            rx.icon("file-up", size=24, aria_hidden="true", color=rx.color("gray", 9)),
            rx.text("Drop receipts here (PDF, PNG or JPEG, up to 5 MB each), or"),
            rx.text(
                "choose files",
                as_="span",
                weight="medium",
                color=rx.color("accent", 11),
                text_decoration="underline",
            ),
            align="center",
            spacing="1",
        ),
        id=UPLOAD_ID,
        multiple=True,
        max_files=5,
        accept={
            "application/pdf": [".pdf"],
            "image/png": [".png"],
            "image/jpeg": [".jpg", ".jpeg"],
        },
        custom_attrs={"data-upload-ready": State.upload_ticket != ""},
        on_drop=State.receive_receipts(
            rx.upload_files_chunk(
                upload_id=UPLOAD_ID, extra_headers={upload_guard.HEADER: State.upload_ticket}
            )
        ),
        border=f"2px dashed {rx.color('gray', 7)}",
        border_radius="0.75rem",
        padding="1rem",
        width="100%",
    )
    file_input = box.children[0].children[0]  # name the hidden input for assistive technology
    assert isinstance(file_input, rx.Component)
    file_input.custom_attrs["aria-label"] = "Receipts (PDF, PNG or JPEG)"
    return rx.vstack(
        box,
        rx.cond(
            State.receipt_names.length() > 0,
            rx.hstack(
                rx.text("Receipts: ", rx.foreach(State.receipt_names, lambda n: n + " "), size="2"),
                rx.button("Remove", type="button", on_click=State.forget_receipts, size="1"),
                align="center",
                wrap="wrap",
                id="chosen-receipts",
            ),
        ),
        width="100%",
    )


def _claim_form() -> rx.Component:
    return rx.card(
        rx.form(
            rx.vstack(
                rx.heading("Claim funds", as_="h2", size="4"),
                rx.text(
                    "After the activity, claim up to the approved amount with its receipts.",
                    size="2",
                ),
                _receipt_box(),
                rx.flex(
                    _select("Approved request", "request_id", State.claimable),
                    _input("Amount", "amount", required=True, width="8rem"),
                    _input("Results", "results", placeholder="Attendees, leads, ..."),
                    _input("Leads generated", "actual_leads", width="7rem"),
                    rx.button("Send claim", type="submit"),
                    gap="3",
                    align="end",
                    wrap="wrap",
                ),
                form_error(State.claim_error),
                width="100%",
            ),
            on_submit=State.submit_claim,
            reset_on_submit=False,
            id=CLAIM_FORM,
            aria_label="Claim funds",
        ),
        width="100%",
    )


def _returns(across: str) -> rx.Component:
    headers = ["Activity", across, "Spent", "Leads", "Deals won", "Won revenue", "Return"]
    return titled_table(
        "Return on funds",
        headers,
        State.returns,
        lambda r: rx.table.row(
            rx.table.row_header_cell(r["activity"]),
            _cell(r["other"]),
            _cell(r["spent"]),
            _cell(r["leads"]),
            _cell(r["won"]),
            _cell(r["won_amount"]),
            _cell(rx.text.strong(r["ratio"])),
            id=f"return-{r['id']}",
        ),
        empty="No funded activity yet.",
        id="fund-returns",
    )


def _page(across: str, provider: bool) -> rx.Component:
    parts = [_budgets(), _budget_forms()] if provider else [_request_form(), _claim_form()]
    return page_shell(
        TITLE,
        follow(LedgerPulse.version, State.follow),
        rx.cond(
            State.books,
            rx.vstack(
                _exports(),
                *parts,
                _balances(across),
                _requests(across, provider),
                _returns(across),
                spacing="5",
                width="100%",
            ),
            empty_state(
                "lock",
                "For managers and admins",
                "Market development funds are handled by your organization's managers and admins.",
            ),
        ),
    )


def provider_page() -> rx.Component:
    return _page("Partner", True)


def consultant_page() -> rx.Component:
    return _page("Provider", False)
