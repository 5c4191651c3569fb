"""A deal's custom fields: the inputs of a deal being made (Submit Deal, Convert) and the card of
a deal's page, read only or edited in its own form. `state` is a state with
state.deal_custom's NewDealFields or DealFieldsCard (and FieldErrors)."""

import reflex as rx

from .custom_inputs import custom_card, custom_inputs


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
    return custom_card(
        state,
        state.custom_rows,
        editing=state.custom_editing,
        can_edit=can_edit & state.custom_editable,
        on_edit=state.start_custom_edit,
        on_cancel=state.cancel_custom_edit,
    )
