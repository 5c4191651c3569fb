"""What the receiving side does with a lead, on its list and on its detail page.

`state` is ReceivedLeadsState or its LeadDetailState; `row` a dict var with the recipient's
id, company, hidden, provider_id, status and stage_id.
"""

import reflex as rx

from .buttons import row_button
from .confirm import confirm_button
from .forms import row_form


def _label(verb: str, noun: str, row) -> str:
    return f"{verb} the {noun} for {row['company']}"


def reject_form(state, row, noun: str) -> rx.Component:
    """A required reason and a Reject button, confirmed: a rejection is final."""
    form_id = f"reject-{noun}-{row['id']}"
    return row_form(
        row["id"],
        state.reject,
        rx.input(
            name="reason",
            placeholder="Reason",
            required=True,
            size="1",
            aria_label=f"Reason to reject the {noun} for {row['company']}",
        ),
        confirm_button(
            "Reject",
            aria_label=_label("Reject", noun, row),
            title=f"Reject the {noun} for {row['company']}?",
            description=f"The {noun} for {row['company']} is rejected with your reason, and "
            "whoever sent it is told. It cannot be accepted afterwards.",
            confirm_label="Reject",
            form_id=form_id,
            variant="soft",
        ),
        id=form_id,
    )


def lost_form(state, row, noun: str) -> rx.Component:
    """A lost reason from the provider's list, an optional note, and Close as lost (confirmed:
    a lost lead stays lost)."""
    form_id = f"lost-{noun}-{row['id']}"
    return row_form(
        row["id"],
        state.mark_lost,
        rx.el.select(
            rx.el.option("Lost reason…", value=""),
            rx.foreach(
                state.lost_reasons.get(row["provider_id"], []),
                lambda reason: rx.el.option(reason, value=reason),
            ),
            name="reason",
            required=True,
            aria_label=f"Lost reason for {row['company']}",
            style={"padding": "0.25rem"},
        ),
        rx.input(
            name="note",
            placeholder="Note (optional)",
            size="1",
            aria_label=f"Lost note for {row['company']}",
        ),
        confirm_button(
            "Close as lost",
            aria_label=_label("Close as lost", noun, row),
            title=f"Close the {noun} for {row['company']} as lost?",
            description=f"The {noun} for {row['company']} is closed as lost with the reason "
            "chosen, and whoever sent it is told. It cannot be reopened or converted later.",
            confirm_label="Close as lost",
            form_id=form_id,
            variant="soft",
        ),
        id=form_id,
    )


def convert_form(state, row, noun: str) -> rx.Component:
    """Convert: opens the page's Convert dialog on this row (amount, close date, country, and
    the provider's registration rules checked live)."""
    return rx.button(
        "Convert…",
        type="button",
        size="1",
        on_click=state.open_convert(row["id"]),
        aria_label=_label("Convert", noun, row),
    )


def decision(state, row, noun: str) -> rx.Component:
    """Open (an unopened referral), accept, or reject with a reason."""
    return rx.hstack(
        rx.cond(
            row["hidden"] == "yes",
            row_button("Open", state.open(row["id"]), _label("Open", noun, row), variant="soft"),
        ),
        row_button(
            "Accept", state.accept(row["id"]), _label("Accept", noun, row), color_scheme="green"
        ),
        reject_form(state, row, noun),
        wrap="wrap",
    )


def work(state, row, noun: str) -> rx.Component:
    """An accepted lead: its stage (a provider's), convert, or close as lost."""
    return rx.hstack(
        rx.cond(
            state.stages.length() > 0,
            rx.el.select(
                rx.foreach(state.stages, lambda s: rx.el.option(s["name"], value=s["id"])),
                default_value=row["stage_id"],
                on_change=lambda value: state.move_stage(row["id"], value),
                aria_label=f"Stage of the {noun} for {row['company']}",
                style={"padding": "0.25rem"},
            ),
        ),
        convert_form(state, row, noun),
        lost_form(state, row, noun),
        wrap="wrap",
    )


def actions(state, row, noun: str) -> rx.Component:
    """Whatever the receiving side can do now with the lead."""
    undecided = (row["status"] == "pending") | (row["status"] == "opened")
    return rx.cond(
        undecided,
        decision(state, row, noun),
        rx.cond(row["status"] == "accepted", work(state, row, noun)),
    )


def _more(summary: str, label, *controls: rx.Component) -> rx.Component:
    """Controls behind a disclosure that opens in place (keyboard: Enter or Space on it)."""
    return rx.el.details(
        rx.el.summary(
            summary,
            aria_label=label,
            style={"cursor": "pointer", "font_size": "0.85rem", "white_space": "nowrap"},
        ),
        rx.vstack(*controls, spacing="2", padding_top="0.5rem"),
    )


def row_actions(state, row, noun: str) -> rx.Component:
    """What a list row shows: at most Open, Accept and one disclosure; rejecting, the stage,
    converting and closing as lost open in place (the lead's page shows them all)."""
    undecided = (row["status"] == "pending") | (row["status"] == "opened")
    return rx.cond(
        undecided,
        rx.hstack(
            rx.cond(
                row["hidden"] == "yes",
                row_button(
                    "Open", state.open(row["id"]), _label("Open", noun, row), variant="soft"
                ),
            ),
            row_button(
                "Accept", state.accept(row["id"]), _label("Accept", noun, row), color_scheme="green"
            ),
            _more("Reject…", _label("Reject options:", noun, row), reject_form(state, row, noun)),
            align="start",
        ),
        rx.cond(
            row["status"] == "accepted",
            _more(
                "Convert or close…",
                _label("Work on", noun, row),
                work(state, row, noun),
            ),
        ),
    )
