"""The card naming the marketing activity behind a deal (the partner's managers only)."""

import reflex as rx

from ...components.pickers import option_select
from ...components.sections import section_card
from ...state.deal_funds import DealFundsState as Funds


def deal_funds_card() -> rx.Component:
    return rx.cond(
        Funds.shown,
        section_card(
            "Marketing activity",
            rx.form(
                rx.hstack(
                    option_select(
                        "Activity that produced this deal",
                        "activity",
                        Funds.choices,
                        default=Funds.chosen,
                        empty="None",
                        control_id="deal-activity",
                    ),
                    rx.button("Save", type="submit", size="2", variant="soft"),
                    align="end",
                    wrap="wrap",
                    spacing="3",
                ),
                on_submit=Funds.save,
            ),
            hint="The dashboards' return on marketing funds counts the deal for this activity.",
        ),
    )
