"""A deal's commission terms and earnings, for the deal's page of either portal."""

import reflex as rx

from ...components.confirm import confirm_button
from ...components.details import labeled_value
from ...components.live import on_change
from ...components.sections import section_card
from ...state.commissions import DealMoneyState as State
from ...state.live import DealsPulse

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


def _earning(label: str, amount, status, control_id: str) -> rx.Component:
    """An amount ("—" when none) with the badge of its status."""
    return rx.vstack(
        rx.text(label, size="1", color_scheme="gray"),
        rx.hstack(
            rx.text(rx.cond(amount != "", amount, "—"), size="2", id=control_id),
            _status(status),
            align="center",
        ),
        spacing="0",
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
                    _earning(
                        "Commission",
                        MONEY["commission"],
                        MONEY["commission_status"],
                        "deal-commission",
                    ),
                    _earning(
                        "Referral credit", MONEY["credit"], MONEY["credit_status"], "deal-credit"
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
                                confirm_button(
                                    "Record refund",
                                    aria_label="Record refund",
                                    title="Record a refund of this deal?",
                                    description="The partner's commission and referral credit "
                                    "for this deal are clawed back, with your reason. This "
                                    "cannot be reversed.",
                                    confirm_label="Record refund",
                                    form_id="refund-deal",
                                    size="2",
                                    variant="soft",
                                ),
                            ),
                            on_submit=State.refund,
                            id="refund-deal",
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
