"""A deal's commission terms and earnings, for the deal's page of either portal."""

import reflex as rx

from ..state.commissions import DealMoneyState as State
from ..state.live import DealsPulse
from .details import labeled_value
from .live import on_change
from .sections import section_card

MONEY = State.money


def _status(value: rx.Var) -> rx.Component:
    return rx.cond(
        value != "",
        rx.badge(
            value,
            color_scheme=rx.match(
                value,
                ("paid", "green"),
                ("approved", "green"),
                ("reversed", "red"),
                ("expected", "gray"),
                "amber",
            ),
            variant="soft",
        ),
    )


def deal_commission() -> rx.Component:
    """Shown once the deal is accepted (approved): terms, commission, credit; the provider's
    managers approve the commission and record a refund (a clawback) of a won deal."""
    return rx.fragment(
        on_change(value=DealsPulse.version, on_change=State.follow(DealsPulse.version)),
        rx.cond(
            MONEY.contains("terms") & (MONEY["terms"] != ""),
            section_card(
                "Commission",
                rx.grid(
                    labeled_value("Terms", MONEY["terms"]),
                    rx.vstack(
                        rx.text("Commission", size="1", color_scheme="gray"),
                        rx.hstack(
                            rx.text(
                                rx.cond(MONEY["commission"] != "", MONEY["commission"], "—"),
                                size="2",
                                id="deal-commission",
                            ),
                            _status(MONEY["commission_status"]),
                            align="center",
                        ),
                        spacing="0",
                    ),
                    rx.vstack(
                        rx.text("Referral credit", size="1", color_scheme="gray"),
                        rx.hstack(
                            rx.text(
                                rx.cond(MONEY["credit"] != "", MONEY["credit"], "—"),
                                size="2",
                                id="deal-credit",
                            ),
                            _status(MONEY["credit_status"]),
                            align="center",
                        ),
                        spacing="0",
                    ),
                    columns=rx.breakpoints(initial="1", md="3"),
                    spacing="3",
                    width="100%",
                ),
                rx.cond(
                    MONEY["refunded"] == "yes",
                    rx.callout(
                        "Refunded: the commission and credit of this deal were clawed back.",
                        icon="undo-2",
                        color_scheme="red",
                    ),
                ),
                rx.hstack(
                    rx.cond(
                        MONEY["can_approve"] == "yes",
                        rx.button(
                            "Approve commission", on_click=State.approve, color_scheme="green"
                        ),
                    ),
                    rx.cond(
                        MONEY["can_refund"] == "yes",
                        rx.form(
                            rx.hstack(
                                rx.input(
                                    name="reason",
                                    placeholder="Why it was refunded",
                                    required=True,
                                    aria_label="Refund reason",
                                ),
                                rx.button(
                                    "Record refund",
                                    type="submit",
                                    variant="soft",
                                    color_scheme="red",
                                ),
                            ),
                            on_submit=State.refund,
                            aria_label="Record a refund",
                        ),
                    ),
                    spacing="3",
                    wrap="wrap",
                ),
                id="deal-money",
            ),
        ),
    )
