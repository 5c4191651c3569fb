"""/p/commissions and /c/commissions: balances, redemption requests, the statement (per-deal
line items) and its CSV; the provider's commission terms per partner."""

import reflex as rx

from ..components.buttons import row_button
from ..components.empty_state import empty_state
from ..components.forms import form_error, row_form
from ..components.live import follow
from ..components.pager import pager
from ..components.tables import data_table, titled_table
from ..state.commissions import PAGE_SIZE
from ..state.commissions import CommissionsState as State
from ..state.live import LedgerPulse
from .parts.shell import page_shell

TITLE = "Commissions"


def _cell(*children, **props) -> rx.Component:
    return rx.table.cell(*children, **props)


def _other_filter(across: str) -> rx.Component:
    return rx.hstack(
        rx.el.label(across, html_for="ledger-other", font_size="0.875rem"),
        rx.el.select(
            rx.el.option(f"All {across.lower()}s", value=""),
            rx.foreach(State.others, lambda o: rx.el.option(o["name"], value=o["id"])),
            id="ledger-other",
            value=State.other_org_id,
            on_change=State.choose_other,
            style={"padding": "0.35rem"},
        ),
        rx.spacer(),
        rx.link(
            rx.button(rx.icon("download", size=14), "Statement CSV", variant="soft", size="2"),
            href=State.statement_url,
            is_external=True,
        ),
        rx.link(
            rx.button(rx.icon("download", size=14), "Payouts CSV", variant="soft", size="2"),
            href=State.payouts_url,
            is_external=True,
        ),
        align="center",
        width="100%",
        wrap="wrap",
    )


def _balances(across: str) -> rx.Component:
    headers = [across, "Pending approval", "Commission", "Credits", "Requested", "Available"]
    headers += ["Approved, unpaid", "Paid out", "Cash threshold"]
    return titled_table(
        "Balances",
        headers,
        State.balances,
        lambda b: rx.table.row(
            rx.table.row_header_cell(b["name"]),
            _cell(b["pending"]),
            _cell(b["commission"]),
            _cell(b["credits"]),
            _cell(b["requested"]),
            _cell(rx.text.strong(b["available"])),
            _cell(b["due"]),
            _cell(b["redeemed"]),
            _cell(b["threshold"]),
            id=f"balance-{b['id']}",
        ),
        empty="Nothing earned yet: commissions accrue when a deal is Closed Won.",
        id="balances",
    )


def _request_form() -> rx.Component:
    """The consultant asks one provider to redeem part of its available balance."""

    def field(label: str, control: rx.Component) -> rx.Component:
        # A label element holding its control, at least 10rem wide: the captions of narrow
        # controls (an empty provider list) ran into each other ("ProviderHow").
        return rx.el.label(
            rx.text(label, size="1", as_="div"),
            control,
            style={"display": "flex", "flex_direction": "column", "gap": "0.25rem"},
            min_width="10rem",
        )

    return rx.card(
        rx.form(
            rx.vstack(
                rx.heading("Redeem", as_="h2", size="4"),
                rx.flex(
                    field(
                        "Provider",
                        rx.el.select(
                            rx.foreach(
                                State.balances, lambda b: rx.el.option(b["name"], value=b["id"])
                            ),
                            name="provider_org_id",
                            aria_label="Provider",
                            required=True,
                            style={"padding": "0.35rem"},
                        ),
                    ),
                    field(
                        "How",
                        rx.el.select(
                            rx.el.option("Cash payout", value="cash"),
                            rx.el.option("Credit against an invoice", value="invoice_credit"),
                            rx.el.option("Apply to my next invoice", value="auto_invoice"),
                            rx.el.option("Discount on future purchases", value="discount"),
                            name="kind",
                            aria_label="How to redeem",
                            style={"padding": "0.35rem"},
                        ),
                    ),
                    field(
                        "Amount",
                        rx.input(name="amount", aria_label="Amount", required=True, width="8rem"),
                    ),
                    field(
                        "Payment method (cash)",
                        rx.el.select(
                            rx.el.option("Bank transfer", value="bank_transfer"),
                            rx.el.option("PayPal", value="paypal"),
                            rx.el.option("Stripe", value="stripe"),
                            name="method",
                            aria_label="Payment method",
                            style={"padding": "0.35rem"},
                        ),
                    ),
                    field(
                        "Invoice (credit against an invoice)",
                        rx.input(name="invoice_ref", aria_label="Invoice reference"),
                    ),
                    rx.button("Request", type="submit"),
                    gap="3",
                    align="end",
                    wrap="wrap",
                ),
                form_error(State.request_error),
                width="100%",
            ),
            on_submit=State.request_payout,
            reset_on_submit=False,
            aria_label="Request a redemption",
        ),
        width="100%",
    )


def _decide(r: rx.Var[dict]) -> rx.Component:
    """The provider's buttons on a request."""
    which = f"request {r['id']}"  # each decision names its request
    return rx.cond(
        r["status"] == "requested",
        rx.hstack(
            row_button(
                "Approve",
                State.approve_request(r["id"]),
                f"Approve {which}",
                color_scheme="green",
            ),
            row_form(
                r["id"],
                State.decline_request,
                rx.input(
                    name="reason",
                    placeholder="Reason",
                    required=True,
                    size="1",
                    aria_label=f"Reason to decline request {r['id']}",
                ),
                rx.button(
                    "Decline",
                    type="submit",
                    size="1",
                    variant="soft",
                    color_scheme="red",
                    aria_label=f"Decline {which}",
                ),
            ),
        ),
        rx.cond(
            r["status"] == "approved",
            row_form(
                r["id"],
                State.mark_paid,
                rx.input(
                    name="reference",
                    placeholder="Payment reference",
                    size="1",
                    aria_label=f"Payment reference of request {r['id']}",
                ),
                rx.button(r["word"], type="submit", size="1"),
            ),
        ),
    )


def _requests(across: str, provider: bool) -> rx.Component:
    headers = ["Date", across, "Type", "Method / invoice", "Amount", "Status", "Note", "By"]
    headers += ["Decision"] if provider else []
    return titled_table(
        "Redemption requests",
        headers,
        State.requests,
        lambda r: rx.table.row(
            _cell(r["date"]),
            _cell(r["other"]),
            _cell(r["kind"]),
            _cell(r["detail"]),
            _cell(r["amount"]),
            _cell(rx.badge(r["status"], variant="soft")),
            _cell(r["note"]),
            _cell(r["by"]),
            *([_cell(_decide(r))] if provider else []),
            id=f"request-{r['id']}",
        ),
        empty="No requests.",
        id="requests",
    )


def _approve_commission(line: rx.Var[dict]) -> rx.Component:
    return rx.cond(
        line["approvable"] == "yes",
        row_button(
            "Approve", State.approve_commission(line["id"]), f"Approve commission {line['id']}"
        ),
    )


def _statement(across: str, provider: bool) -> rx.Component:
    headers = ["Date", across, "Type", "Deal", "Memo", "Amount", "Status"]
    return rx.vstack(
        rx.heading("Statement", as_="h2", size="4"),
        rx.cond(
            State.lines.length() > 0,
            rx.vstack(
                data_table(
                    headers,
                    State.lines,
                    lambda line: rx.table.row(
                        _cell(line["date"]),
                        _cell(line["other"]),
                        _cell(line["kind"]),
                        _cell(
                            rx.cond(
                                line["deal_link"] != "",
                                rx.link(line["deal"], href=line["deal_link"]),
                                "",
                            )
                        ),
                        _cell(line["memo"]),
                        _cell(line["effect"], line["amount"]),
                        _cell(
                            rx.hstack(
                                rx.badge(line["status"], variant="soft"),
                                *([_approve_commission(line)] if provider else []),
                            )
                        ),
                        id=f"line-{line['id']}",
                    ),
                    width="100%",
                    id="statement",
                ),
                pager(State, PAGE_SIZE),
                width="100%",
            ),
            rx.text("No lines yet.", size="2"),
        ),
        width="100%",
        overflow_x="auto",
    )


def _terms() -> rx.Component:
    """The provider's commission terms per partner."""
    return rx.vstack(
        rx.heading("Commission terms", as_="h2", size="4"),
        rx.foreach(
            State.terms,
            lambda t: rx.form(
                rx.flex(
                    rx.el.input(type="hidden", name="id", value=t["id"]),
                    rx.text(rx.text.strong(t["name"]), ": ", t["description"], size="2", flex="1"),
                    rx.el.select(
                        rx.el.option("Program default", value="default"),
                        rx.el.option("Percentage", value="percent"),
                        rx.el.option("Flat amount", value="flat"),
                        name="kind",
                        default_value=t["kind"],
                        aria_label=f"Commission type of {t['name']}",
                        style={"padding": "0.3rem"},
                    ),
                    rx.input(
                        name="value",
                        default_value=t["value"],
                        placeholder="Rate or amount",
                        aria_label=f"Commission of {t['name']}",
                        width="8rem",
                    ),
                    rx.button("Save", type="submit", size="2", aria_label=f"Save {t['name']}"),
                    gap="3",
                    align="center",
                    wrap="wrap",
                    width="100%",
                ),
                on_submit=State.set_terms,
                reset_on_submit=False,
                key=f"{t['id']}-{t['kind']}-{t['value']}",
            ),
        ),
        rx.cond(State.terms.length() == 0, rx.text("No active partners.", size="2")),
        width="100%",
    )


def _page(across: str, provider: bool) -> rx.Component:
    return page_shell(
        TITLE,
        follow(LedgerPulse.version, State.follow),
        rx.cond(
            State.books,
            rx.vstack(
                _other_filter(across),
                _balances(across),
                *([] if provider else [_request_form()]),
                _requests(across, provider),
                _statement(across, provider),
                *([_terms()] if provider else []),
                spacing="5",
                width="100%",
            ),
            empty_state(
                "lock",
                "For managers and admins",
                "Commissions, credits and payouts are shown to your organization's managers and "
                "admins. Each deal's page shows its own commission.",
            ),
        ),
    )


def provider_page() -> rx.Component:
    return _page("Partner", True)


def consultant_page() -> rx.Component:
    return _page("Provider", False)
