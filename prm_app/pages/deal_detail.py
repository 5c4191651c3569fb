"""A deal in full: every field, both owners, approval and protection, the source lead, what the
caller may do (edit, approve or reject, assign, move), and the timeline. Live: it re-reads when
anyone changes the deal."""

from typing import Any, cast

import reflex as rx
from reflex.experimental.client_state import ClientStateVar

from .. import routes
from ..components.confirm import confirm_button
from ..components.deal_custom import deal_fields_card
from ..components.deal_form import deal_fields, product_choices
from ..components.details import labeled_value
from ..components.empty_state import empty_state
from ..components.forms import cancel_and_submit, form_error
from ..components.live import on_change
from ..components.sections import section_card
from ..state.deals import DealDetailState as State
from ..state.live import DealsPulse
from .parts.deal_commission import deal_commission
from .parts.deal_conflict import approve_button, decision_dialog, protection_card
from .parts.deal_extension import extension_card
from .parts.deal_withdrawal import withdrawal_card
from .parts.record_funds import record_funds_card
from .parts.shell import page_shell

DEAL = State.deal
# The stage chosen in the Move form, kept in the browser: a won stage makes Move ask first.
CHOSEN_STAGE = ClientStateVar.create("deal_move_stage", default="")


def _can(action: str) -> rx.Var[bool]:
    return State.allowed.contains(action)


def _status() -> rx.Component:
    return rx.hstack(
        rx.badge(
            DEAL["approval"],
            color_scheme=rx.match(
                DEAL["approval"],
                ("approved", "green"),
                ("rejected", "red"),
                ("withdrawn", "gray"),
                "amber",
            ),
            variant="soft",
            aria_label="Approval",
        ),
        rx.cond(
            DEAL["outcome"] == "won",
            rx.badge("Closed Won · complete", color_scheme="green", aria_label="Outcome"),
            rx.cond(
                DEAL["outcome"] == "lost",
                rx.badge("Closed Lost", color_scheme="gray", aria_label="Outcome"),
            ),
        ),
        rx.badge(DEAL["stage"], variant="outline", aria_label="Stage"),
        align="center",
    )


def _summary() -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.hstack(
                rx.heading(DEAL["name"], as_="h2", size="5"),
                _status(),
                align="center",
                wrap="wrap",
            ),
            rx.cond(
                DEAL["outcome"] == "won",
                rx.callout(
                    "This deal is Closed Won: it is complete and can no longer change.",
                    icon="circle-check",
                    color_scheme="green",
                ),
            ),
            rx.cond(  # approved once, pending again: a partner's change awaits re-approval
                (DEAL["approval"] == "pending") & (DEAL["approved_at"] != ""),
                rx.callout(
                    "A change to this approved deal awaits the provider's approval again: "
                    "the timeline says why.",
                    icon="rotate-ccw",
                    color_scheme="amber",
                ),
            ),
            rx.cond(
                DEAL["approval"] == "rejected",
                rx.callout(
                    "Rejected: " + DEAL["rejection_reason"], icon="circle-x", color_scheme="red"
                ),
            ),
            rx.grid(
                labeled_value("Customer", DEAL["company"]),
                labeled_value("Contact", DEAL["contact_name"]),
                labeled_value("Contact email", DEAL["contact_email"]),
                labeled_value("Country", cast(rx.Var, DEAL["country_name"])),
                labeled_value("Region", cast(rx.Var, DEAL["region_name"])),
                labeled_value("Amount", DEAL["amount"]),
                labeled_value("Close date", DEAL["close_date"]),
                labeled_value("Provider", DEAL["provider"]),
                labeled_value("Partner", DEAL["partner"]),
                labeled_value("Provider's owner", DEAL["provider_owner"]),
                labeled_value("Partner's owner", DEAL["partner_owner"]),
                labeled_value("Registered by", DEAL["registered_by"]),
                labeled_value("Registered", DEAL["created"]),
                labeled_value("Approved", DEAL["approved_at"]),
                labeled_value("Protected until", DEAL["protected_until"]),
                labeled_value("Closed", DEAL["closed_at"]),
                labeled_value("Lost reason", DEAL["lost_reason"]),
                labeled_value("Products", State.products.join(", ")),
                columns=rx.breakpoints(initial="2", md="4"),
                spacing="3",
                width="100%",
            ),
            rx.cond(
                DEAL["source_link"] != "",
                rx.link("Open the lead it came from", href=DEAL["source_link"]),
            ),
            spacing="3",
            width="100%",
        ),
        width="100%",
    )


def _decision() -> rx.Component:
    """The provider approves (deciding any conflict of protection) or rejects (with a reason)."""
    return rx.hstack(
        rx.cond(_can("approve"), rx.fragment(approve_button(), decision_dialog())),
        rx.cond(
            _can("reject"),
            rx.form(
                rx.hstack(
                    rx.input(
                        name="reason",
                        placeholder="Reason",
                        required=True,
                        aria_label="Reason to reject the deal",
                    ),
                    confirm_button(
                        "Reject",
                        aria_label=f"Reject the deal {DEAL['name']}",
                        title=f"Reject the deal {DEAL['name']}?",
                        description=f"{DEAL['partner']} is told the deal is rejected, with your "
                        "reason; it gets no protection for this customer.",
                        confirm_label="Reject deal",
                        form_id="reject-deal",
                        size="2",
                        variant="soft",
                    ),
                ),
                on_submit=State.reject,
                id="reject-deal",
                aria_label="Reject the deal",
            ),
        ),
        spacing="3",
        wrap="wrap",
    )


def _move() -> rx.Component:
    """Move to another stage; the lost reason is asked for Closed Lost (the service checks)."""
    return rx.form(
        rx.hstack(
            rx.el.select(
                rx.foreach(State.stages, lambda s: rx.el.option(s["name"], value=s["id"])),
                name="stage_id",
                default_value=DEAL["stage_id"],
                key=DEAL["stage_id"],
                aria_label="Stage",
                on_change=CHOSEN_STAGE.set_value,
                style={"padding": "0.3rem"},
            ),
            rx.el.select(
                rx.el.option("Lost reason (for Closed Lost)", value=""),
                rx.foreach(State.lost_reasons, lambda r: rx.el.option(r, value=r)),
                name="reason",
                aria_label="Lost reason",
                style={"padding": "0.3rem"},
            ),
            rx.input(name="note", placeholder="Note (optional)", aria_label="Lost note"),
            rx.cond(
                cast(Any, State.won_stages).contains(CHOSEN_STAGE.value),
                confirm_button(
                    "Move",
                    aria_label="Move",
                    title=f"Close the deal {DEAL['name']} as won?",
                    description=f"Closed Won is final: {DEAL['name']} can no longer be moved, "
                    f"rejected or lost, {DEAL['partner']}'s commission is booked, and both "
                    "organizations are told.",
                    confirm_label="Close as won",
                    form_id="move-deal",
                    size="2",
                    variant="soft",
                ),
                rx.button("Move", type="submit", variant="soft"),
            ),
            wrap="wrap",
            align="center",
        ),
        on_submit=State.move,
        id="move-deal",
        aria_label="Move the deal",
    )


def _assign() -> rx.Component:
    return rx.hstack(
        rx.el.label("Owner on your side", html_for="deal-owner", font_size="0.875rem"),
        rx.el.select(
            rx.el.option("Unassigned", value="", disabled=True),
            rx.foreach(State.colleagues, lambda c: rx.el.option(c["name"], value=c["id"])),
            id="deal-owner",
            value=DEAL["own_owner_id"],
            on_change=State.assign,
            style={"padding": "0.3rem"},
        ),
        align="center",
    )


def _edit_form() -> rx.Component:
    return rx.card(
        rx.form(
            rx.vstack(
                *deal_fields(
                    {
                        "name": DEAL["name"],
                        "company": DEAL["company"],
                        "contact_name": DEAL["contact_name"],
                        "contact_email": DEAL["contact_email"],
                        "amount": DEAL["amount_value"],
                        "close_date": DEAL["close_date"],
                    }
                ),
                product_choices(State.product_options, with_chosen=True),
                form_error(State.form_error),
                cancel_and_submit(State.cancel_edit, "Save"),
                spacing="3",
            ),
            on_submit=State.save,
            reset_on_submit=False,
            aria_label="Edit the deal",
        ),
        width="100%",
    )


def _actions() -> rx.Component:
    return rx.cond(
        State.allowed.length() > 0,
        section_card(
            "Work this deal",
            _decision(),
            rx.cond(_can("move"), _move()),
            rx.cond(_can("assign"), _assign()),
            rx.cond(
                _can("edit") & ~State.editing,
                rx.button("Edit details", on_click=State.start_edit, variant="soft"),
            ),
        ),
    )


def _timeline() -> rx.Component:
    return section_card(
        "Timeline",
        rx.el.ol(
            rx.foreach(
                State.timeline,
                lambda e: rx.el.li(
                    rx.text(rx.text.strong(e["who"]), " ", e["text"], " · ", e["at"], size="2"),
                ),
            ),
            aria_label="Timeline",
            style={"padding_left": "1.2rem"},
        ),
        spacing="2",
    )


def _page(back: str, *extra: rx.Component) -> rx.Component:
    return page_shell(
        "Deal",
        on_change(value=DealsPulse.version, on_change=State.follow(DealsPulse.version)),
        rx.link("← All deals", href=back),
        rx.cond(
            State.missing,
            empty_state(
                "search-x", "Deal not found", "This deal does not exist or is not visible to you."
            ),
            rx.cond(
                DEAL.contains("id"),
                rx.vstack(
                    _summary(),
                    deal_fields_card(State, _can("edit")),
                    deal_commission(),
                    protection_card(),
                    extension_card(),
                    withdrawal_card(),
                    *extra,
                    rx.cond(State.editing, _edit_form(), _actions()),
                    _timeline(),
                    spacing="4",
                    width="100%",
                ),
            ),
        ),
    )


def provider_page() -> rx.Component:
    return _page(routes.Provider.DEALS)


def consultant_page() -> rx.Component:
    return _page(routes.Consultant.DEALS, record_funds_card("deal"))
