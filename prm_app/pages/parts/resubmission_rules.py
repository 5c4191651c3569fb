"""Settings > Rules: the cap on resubmissions of a rejected or expired registration."""

import reflex as rx

from ...components.confirm import permitted
from ...components.forms import form_error, labeled_input
from ...state.resubmission_rules import ResubmissionRulesState as State

ADMINS_ONLY = "Only administrators can change these settings."


def resubmission_rules() -> rx.Component:
    """How many times a partner may resubmit a registration (over its whole chain)."""
    return rx.card(
        rx.form(
            rx.vstack(
                rx.heading("Resubmissions", as_="h2", size="4"),
                labeled_input(
                    "Resubmissions allowed per registration (0: never)",
                    "resubmission_cap",
                    type="number",
                    step="1",
                    min=0,
                    max=10,
                    default_value=State.cap,
                ),
                rx.text(
                    "A partner may register a rejected registration, or one whose protection "
                    "ended without being won, again as a new pending deal linked to it. The "
                    "count covers the whole chain of resubmissions.",
                    size="1",
                    color_scheme="gray",
                ),
                form_error(State.error),
                rx.button(
                    "Save resubmission rule",
                    type="submit",
                    **permitted(State.can_administer, ADMINS_ONLY),
                ),
                spacing="3",
                width="100%",
            ),
            on_submit=State.save,
            key=State.revision,
            width="100%",
        ),
        on_mount=State.load,
        width="100%",
    )
