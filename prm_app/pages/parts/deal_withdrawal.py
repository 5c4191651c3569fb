"""A deal's withdrawal and resubmission on its page (services.deals.withdrawal).

The partner withdraws an open registration (with a reason, confirmed first: it is final) and
resubmits a rejected or expired one through a form prefilled from it; both sides see that it was
withdrawn and, once resubmitted, the whole chain of registrations.
"""

from typing import cast

import reflex as rx
from reflex.vars.sequence import ArrayVar

from ...components.confirm import confirm_button
from ...components.deal_form import deal_fields, product_choices
from ...components.forms import cancel_and_submit, form_error, labeled_input, required_legend
from ...state.deal_withdrawal import DealWithdrawalState as Withdrawal
from ...state.deals import DealDetailState as State

DEAL = State.deal
SHOWN = State.resubmission
CHAIN = cast(ArrayVar, State.chain)


def _withdraw_form() -> rx.Component:
    return rx.form(
        rx.vstack(
            labeled_input(
                "Reason to withdraw (told to the provider)",
                "reason",
                max_length=1000,
            ),
            form_error(Withdrawal.withdraw_error),
            confirm_button(
                "Withdraw",
                aria_label=f"Withdraw the deal {DEAL['name']}",
                title=f"Withdraw the deal {DEAL['name']}?",
                description="Withdrawing is final: the deal can no longer change, move or be "
                "resubmitted, your protection of "
                + DEAL["company"]
                + " ends now, and "
                + DEAL["provider"]
                + " is told your reason.",
                confirm_label="Withdraw deal",
                form_id="withdraw-deal",
                size="2",
                variant="soft",
            ),
            spacing="2",
            width="100%",
        ),
        on_submit=Withdrawal.withdraw,
        id="withdraw-deal",
        reset_on_submit=False,
        aria_label="Withdraw the deal",
        width="100%",
    )


def _resubmit() -> rx.Component:
    return rx.cond(
        SHOWN["can"] == "yes",
        rx.hstack(
            rx.button(
                "Resubmit…",
                on_click=Withdrawal.open_resubmit,
                aria_haspopup="dialog",
                variant="soft",
            ),
            rx.text(
                "Register it again as a new deal, linked to this one (resubmissions left: ",
                SHOWN["left"],
                ").",
                size="2",
                color_scheme="gray",
            ),
            align="center",
            wrap="wrap",
        ),
        rx.cond(SHOWN["why_not"] != "", rx.text(SHOWN["why_not"], size="2", color_scheme="gray")),
    )


def resubmit_dialog() -> rx.Component:
    """The deal's fields, prefilled from it and editable; Resubmit registers the copy."""
    return rx.dialog.root(
        rx.dialog.content(
            rx.dialog.title("Resubmit the deal"),
            rx.dialog.description(
                "A new registration, pending the provider's approval and linked to this one. "
                "Change what the provider should see differently.",
                size="2",
                color_scheme="gray",
            ),
            rx.form(
                rx.vstack(
                    required_legend(),
                    *deal_fields(
                        {
                            "name": SHOWN["form_name"],
                            "company": SHOWN["form_company"],
                            "contact_name": SHOWN["form_contact_name"],
                            "contact_email": SHOWN["form_contact_email"],
                            "amount": SHOWN["form_amount"],
                            "close_date": SHOWN["form_close_date"],
                        },
                        errors=Withdrawal.field_errors,
                        on_fix=Withdrawal.recheck,
                    ),
                    product_choices(State.product_options, with_chosen=True),
                    form_error(Withdrawal.form_error),
                    cancel_and_submit(Withdrawal.close_resubmit, "Resubmit deal"),
                    spacing="3",
                ),
                on_submit=Withdrawal.resubmit,
                reset_on_submit=False,
                no_validate=True,
                aria_label="Resubmit the deal",
            ),
            max_width="min(36rem, calc(100vw - 2rem))",
        ),
        open=Withdrawal.resubmit_open,
        on_open_change=Withdrawal.set_resubmit_open,
    )


def _chain() -> rx.Component:
    return rx.vstack(
        rx.text("Registration history", weight="medium", size="2"),
        rx.el.ol(
            rx.foreach(
                State.chain,
                lambda row: rx.el.li(
                    rx.cond(
                        row["current"] == "yes",
                        rx.text.strong(row["name"], " (this deal)"),
                        rx.link(row["name"], href=row["link"]),
                    ),
                    " · ",
                    row["approval"],
                    " · registered ",
                    row["created"],
                    rx.cond(row["reason"] != "", ": " + row["reason"], ""),
                ),
            ),
            aria_label="Registration history",
            style={"padding_left": "1.2rem", "font_size": "0.875rem"},
        ),
        spacing="1",
        width="100%",
    )


def withdrawal_card() -> rx.Component:
    """Withdrawn (when and why), Withdraw for the partner, Resubmit or why not, the chain."""
    can_withdraw = cast(ArrayVar, State.allowed).contains("withdraw")
    withdrawn = SHOWN["withdrawn_at"] != ""
    return rx.cond(
        can_withdraw
        | withdrawn
        | (SHOWN["can"] == "yes")
        | (SHOWN["why_not"] != "")
        | (CHAIN.length() > 0),
        rx.card(
            rx.vstack(
                rx.heading("Withdrawal and resubmission", as_="h2", size="4"),
                rx.cond(
                    withdrawn,
                    rx.callout(
                        "Withdrawn by the partner on "
                        + SHOWN["withdrawn_at"]
                        + ": "
                        + SHOWN["withdrawal_reason"],
                        icon="undo-2",
                        color_scheme="gray",
                    ),
                ),
                rx.cond(can_withdraw, _withdraw_form()),
                _resubmit(),
                rx.cond(CHAIN.length() > 0, _chain()),
                resubmit_dialog(),
                spacing="3",
                width="100%",
            ),
            width="100%",
        ),
    )
