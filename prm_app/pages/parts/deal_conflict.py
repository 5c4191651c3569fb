"""A deal's protection on its page, both sides, and the provider's decision when Approve meets
a customer already protected for another partner (services.deals.conflicts).

A partner reads only until when another partner holds its customer, never who; the provider
sees the other partners' deals (its own data) and the decisions taken about them.
"""

from typing import cast

import reflex as rx
from reflex.vars.sequence import ArrayVar

from ...state.deal_conflicts import DealConflictState as Decision
from ...state.deals import DealDetailState as State

PROTECTION = State.protection
CONFLICTS = cast(ArrayVar, State.conflicts)
DECIDED = cast(ArrayVar, State.decided)

# value, label, what happens (the dates are filled in below)
CHOICES = (
    (
        "keep",
        "Keep the existing protection and reject this deal",
        "This deal is rejected with your reason. Its partner is told the customer is protected "
        "for another partner until ",
    ),
    (
        "waive",
        "Approve without protection",
        "This deal is approved, but its partner gets no protection: it is told the customer is "
        "protected for another partner until ",
    ),
    (
        "transfer",
        "Transfer the protection to this partner",
        "The other partner's protection ends now and this deal is protected until ",
    ),
)


def approve_button() -> rx.Component:
    """Approve: at once, or through the decision dialog when another partner holds the
    customer (the service refuses the plain approval then)."""
    return rx.cond(
        PROTECTION["needs_decision"] == "yes",
        rx.button(
            "Approve…",
            on_click=Decision.open_decision,
            color_scheme="green",
            aria_haspopup="dialog",
        ),
        rx.button("Approve", on_click=State.approve, color_scheme="green"),
    )


def _choice(value: str, label: str, happens: str) -> rx.Component:
    until = PROTECTION["protect_until"] if value == "transfer" else PROTECTION["held_until"]
    if value == "transfer":
        tail = "; both partners are told your reason, never each other's name."
    else:
        tail = ", never by whom."
    return rx.hstack(
        rx.radio_group.item(value=value, id=f"decision-{value}", margin_top="0.2rem"),
        rx.vstack(
            rx.el.label(label, html_for=f"decision-{value}", font_weight="500"),
            rx.text(happens, until, tail, size="2", color_scheme="gray"),
            spacing="1",
        ),
        align="start",
        spacing="2",
    )


def _held_by() -> rx.Component:
    return rx.el.ul(
        rx.foreach(
            State.conflicts,
            lambda c: rx.el.li(
                rx.link(c["partner"], href=c["link"]),
                ": ",
                c["company"],
                ", protected until ",
                c["until"],
            ),
        ),
        style={"padding_left": "1.2rem", "font_size": "0.875rem"},
    )


def decision_dialog() -> rx.Component:
    """Keep (and reject), approve without protection, or transfer, with a reason for the
    first and the last; the button says what will happen."""
    return rx.dialog.root(
        rx.dialog.content(
            rx.dialog.title("This customer is already protected for another partner"),
            rx.dialog.description(
                "Approving this deal as it is would protect one customer for two partners. "
                "Decide what happens:",
                size="2",
            ),
            _held_by(),
            rx.form(
                rx.vstack(
                    rx.radio_group.root(
                        rx.vstack(*(_choice(*c) for c in CHOICES), spacing="3"),
                        value=Decision.choice,
                        on_change=Decision.choose,
                        name="decision",
                        aria_label="Decision",
                    ),
                    rx.vstack(
                        rx.el.label(
                            rx.cond(
                                Decision.choice == "waive",
                                "Reason (optional)",
                                "Reason (required, told to the partners)",
                            ),
                            html_for="decision-reason",
                            font_size="0.875rem",
                            font_weight="500",
                        ),
                        rx.text_area(
                            id="decision-reason",
                            name="reason",
                            required=Decision.choice != "waive",
                            max_length=1000,
                            width="100%",
                        ),
                        spacing="1",
                        width="100%",
                    ),
                    rx.cond(
                        Decision.error != "",
                        rx.callout(
                            Decision.error, icon="triangle-alert", color_scheme="red", role="alert"
                        ),
                    ),
                    rx.hstack(
                        rx.dialog.close(rx.button("Cancel", type="button", variant="soft")),
                        rx.button(
                            rx.match(
                                Decision.choice,
                                ("keep", "Reject this deal"),
                                ("waive", "Approve without protection"),
                                ("transfer", "Transfer protection and approve"),
                                "Choose what happens",
                            ),
                            type="submit",
                            disabled=Decision.choice == "",
                            color_scheme=rx.cond(Decision.choice == "keep", "red", "green"),
                        ),
                        justify="end",
                        wrap="wrap",
                        width="100%",
                    ),
                    spacing="3",
                    width="100%",
                ),
                on_submit=Decision.decide,
                reset_on_submit=False,
                aria_label="Decide the conflict",
            ),
            max_width="min(32rem, calc(100vw - 2rem))",
        ),
        open=Decision.dialog_open,
        on_open_change=Decision.set_open,
    )


def protection_card() -> rx.Component:
    """This deal's protection and another partner's of the same customer, in the viewer's
    terms; for the provider, the other deals and the decisions taken."""
    return rx.card(
        rx.vstack(
            rx.heading("Customer protection", as_="h2", size="4"),
            rx.text(PROTECTION["own"], size="2"),
            rx.cond(
                PROTECTION["held_until"] != "",
                rx.callout(
                    "Protected for another partner until " + PROTECTION["held_until"] + ".",
                    icon="shield-alert",
                    color_scheme="amber",
                ),
            ),
            rx.cond(CONFLICTS.length() > 0, _held_by()),
            rx.cond(
                DECIDED.length() > 0,
                rx.vstack(
                    rx.text("Decided", weight="medium", size="2"),
                    rx.el.ul(
                        rx.foreach(State.decided, lambda t: rx.el.li(t)),
                        style={"padding_left": "1.2rem", "font_size": "0.875rem"},
                    ),
                    rx.foreach(
                        State.decided_about,
                        lambda o: rx.text(
                            "About ",
                            rx.link(o["name"], href=o["link"]),
                            " (",
                            o["partner"],
                            ")",
                            size="2",
                        ),
                    ),
                    spacing="1",
                ),
            ),
            spacing="2",
            width="100%",
        ),
        width="100%",
    )
