"""The Convert dialog: an accepted lead or referral becomes a deal, with the provider's
registration rules checked live. `state` is ConvertLeadState (state/lead_conversion.py)."""

import reflex as rx

from .deal_custom import new_deal_fields
from .deal_form import product_choices
from .forms import field_message, form_error, labeled_input, required_legend
from .rule_checks import place_fields, rule_panel, submit_button, watch

FORM_ID = "convert-lead-form"


def convert_dialog(state, countries: list) -> rx.Component:
    """One dialog per page, opened by each row's Convert button (`countries`: id and name)."""
    errors = state.field_errors

    def field(label, name, **props):
        return labeled_input(
            label,
            name,
            error=errors.get(name, ""),
            on_fix=state.recheck,
            **watch(state, FORM_ID),
            **props,
        )

    return rx.dialog.root(
        rx.dialog.content(
            rx.dialog.title("Convert into a deal"),
            rx.dialog.description(
                "The deal for ",
                rx.text.strong(state.convert_company),
                " with ",
                state.convert_other,
                ".",
                size="2",
                color_scheme="gray",
            ),
            rx.form(
                rx.vstack(
                    required_legend(),
                    rx.hstack(
                        field(
                            "Deal amount",
                            "amount",
                            placeholder="0.00",
                            input_mode="decimal",
                        ),
                        field("Close date", "close_date", type="date", required=False),
                        width="100%",
                    ),
                    place_fields(state, FORM_ID, countries, errors),
                    product_choices(state.products, checks=state, form_id=FORM_ID),
                    field_message(errors.get("product_ids", ""), "product_ids-error"),
                    new_deal_fields(state),
                    rule_panel(state, "Convert"),
                    form_error(state.convert_error),
                    rx.hstack(
                        rx.button("Cancel", type="button", variant="soft", on_click=state.close),
                        submit_button(state, "Convert"),
                        justify="end",
                        width="100%",
                    ),
                    spacing="3",
                ),
                on_submit=state.convert,
                reset_on_submit=False,
                no_validate=True,
                aria_label="Convert into a deal",
                id=FORM_ID,
            ),
        ),
        open=state.convert_open,
        on_open_change=state.close,
    )
