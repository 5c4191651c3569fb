"""The card naming the marketing activity behind a deal or a lead (the partner's managers)."""

from typing import cast

import reflex as rx

from ...components.pickers import option_select
from ...components.sections import section_card
from ...state.record_funds import RecordFundsState as Funds


def record_funds_card(noun: str) -> rx.Component:
    return rx.cond(
        Funds.shown,
        section_card(
            "Marketing activity",
            rx.form(
                rx.hstack(
                    option_select(
                        f"Activity that produced this {noun}",
                        "activity",
                        cast(rx.Var, Funds.choices),
                        default=Funds.chosen,
                        empty="None",
                        control_id="record-activity",
                    ),
                    rx.button("Save", type="submit", size="2", variant="soft"),
                    align="end",
                    wrap="wrap",
                    spacing="3",
                ),
                on_submit=Funds.save,
            ),
            hint=f"The dashboards' return on marketing funds counts the {noun} for this activity.",
        ),
    )
