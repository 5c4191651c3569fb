"""A deal's custom fields: the inputs of a deal being made (Submit Deal, Convert) and the card of
a deal's page, read only or edited in its own form. `state` is a state with
state.deal_custom's NewDealFields or DealFieldsCard (and FieldErrors)."""

import reflex as rx

from .custom_inputs import custom_inputs, custom_values
from .forms import cancel_and_submit, form_error
from .sections import section_card


def new_deal_fields(state) -> rx.Component:
    """The custom fields of the chosen organization's deals, inside a deal form."""
    return rx.cond(
        state.custom_rows.length() > 0,
        rx.vstack(
            custom_inputs(state.custom_rows, state.field_errors, state.recheck),
            spacing="2",
            width="100%",
        ),
    )


def deal_fields_card(state, can_edit) -> rx.Component:
    """The deal page's card of custom fields; `can_edit`: whether the deal may change now."""
    return rx.cond(
        state.custom_rows.length() > 0,
        section_card(
            "More details",
            rx.cond(
                state.custom_editing,
                rx.form(
                    rx.vstack(
                        custom_inputs(state.custom_rows, state.field_errors, state.recheck),
                        form_error(state.custom_error),
                        cancel_and_submit(state.cancel_custom_edit, "Save details"),
                        spacing="3",
                        width="100%",
                    ),
                    on_submit=state.save_custom,
                    reset_on_submit=False,
                    no_validate=True,
                    aria_label="Edit more details",
                ),
                rx.vstack(
                    custom_values(state.custom_rows),
                    rx.cond(
                        can_edit & state.custom_editable,
                        rx.button(
                            "Edit more details", on_click=state.start_custom_edit, variant="soft"
                        ),
                    ),
                    spacing="3",
                    width="100%",
                ),
            ),
        ),
    )
