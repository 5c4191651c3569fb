"""/p/dashboard and /c/dashboard: the portal's home dashboard with charts and filters."""

from typing import cast

import reflex as rx

from ..components.charts import bars, chart_card, funnel, line
from ..components.forms import form_error
from ..state.dashboards import DashboardState as State
from .parts.shell import page_shell

TITLE = "Dashboard"
FUND_RETURNS = cast(rx.Var, State.fund_returns)  # (a list to the type checker)
ACCENT, AMBER, GREEN = "#3e63dd", "#ffc53d", "#30a46c"


def _filters(across: str) -> rx.Component:
    def field(label: str, control: rx.Component) -> rx.Component:
        return rx.vstack(rx.text(label, size="1", as_="div"), control, spacing="1")

    return rx.form(
        rx.flex(
            field(
                "From",
                rx.input(type="date", name="start", aria_label="From", default_value=State.start),
            ),
            field(
                "To", rx.input(type="date", name="end", aria_label="To", default_value=State.end)
            ),
            field(
                across,
                rx.el.select(
                    rx.el.option(f"All {across.lower()}s", value=""),
                    rx.foreach(State.others, lambda o: rx.el.option(o["name"], value=o["id"])),
                    name="other_org_id",
                    aria_label=across,
                    default_value=State.other_org_id,
                    style={"padding": "0.35rem"},
                ),
            ),
            rx.button("Apply", type="submit"),
            rx.button("Clear", type="button", variant="soft", on_click=State.clear_filters),
            gap="3",
            align="end",
            wrap="wrap",
        ),
        on_submit=State.apply_filters,
        reset_on_submit=False,
        aria_label="Dashboard filters",
        key=State.cleared,  # Clear mounts a fresh form: empty inputs, as the charts are
    )


def _page(across: str, top_title: str) -> rx.Component:
    money = f"Value ({State.currency})"
    return page_shell(
        TITLE,
        _filters(across),
        form_error(State.filter_error),
        rx.grid(
            chart_card(
                "Pipeline value by stage",
                State.pipeline,
                bars(State.pipeline, "stage", ("value", "Value", ACCENT)),
                [("Stage", "stage"), (money, "value_text"), ("Deals", "deals_text")],
                empty="No open deals.",
                key="chart-pipeline",
            ),
            chart_card(
                "Deals won per month",
                State.won_by_month,
                bars(State.won_by_month, "month", ("won", "Deals won", GREEN)),
                [("Month", "month"), ("Deals won", "won_text"), (money, "value_text")],
                empty="No deals won in this period.",
                key="chart-won",
            ),
            chart_card(
                "Lead conversion funnel",
                State.funnel,
                funnel(State.funnel, "step", "count"),
                [("Step", "step"), ("Leads", "count_text")],
                empty="No leads.",
                key="chart-funnel",
            ),
            chart_card(
                "Acceptance time (average hours)",
                State.acceptance,
                line(State.acceptance, "month", "hours", "Hours to accept", ACCENT),
                [("Month", "month"), ("Hours", "hours_text"), ("Leads", "leads_text")],
                empty="No leads accepted in this period.",
                key="chart-acceptance",
            ),
            chart_card(
                top_title,
                State.top,
                bars(State.top, "name", ("value", "Won value", GREEN)),
                [("Name", "name"), (money, "value_text"), ("Deals won", "deals_text")],
                empty="No deals won in this period.",
                key="chart-top",
            ),
            chart_card(
                "Commissions earned and pending",
                State.commissions,
                bars(
                    State.commissions,
                    "month",
                    ("earned", "Earned", GREEN),
                    ("pending", "Pending", AMBER),
                    stacked=True,
                ),
                [("Month", "month"), ("Earned", "earned_text"), ("Pending", "pending_text")],
                empty="No commissions in this period (managers and admins see them).",
                key="chart-commissions",
            ),
            chart_card(
                "Return on marketing funds",
                FUND_RETURNS,
                bars(
                    FUND_RETURNS,
                    "activity",
                    ("spent", "Funds spent", AMBER),
                    ("won", "Revenue won", GREEN),
                ),
                [
                    ("Activity", "activity"),
                    ("Spent", "spent_text"),
                    ("Won", "won_text"),
                    ("Return", "return"),
                ],
                empty="No funded activity yet (managers and admins see it).",
                key="chart-fund-returns",
            ),
            columns=rx.breakpoints(initial="1", lg="2"),
            spacing="4",
            width="100%",
        ),
    )


def provider_page() -> rx.Component:
    return _page("Partner", "Top partners")


def consultant_page() -> rx.Component:
    return _page("Provider", "Top providers")
