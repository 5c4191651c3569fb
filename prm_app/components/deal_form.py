"""The deal form: Submit Deal (a dialog) and the edit form of a deal's page."""

import reflex as rx

from .deal_custom import new_deal_fields
from .forms import (
    error_props,
    field_label,
    field_message,
    form_error,
    labeled_input,
    required_legend,
)
from .rule_checks import place_fields, rule_panel, submit_button, watch

FORM_ID = "submit-deal-form"


def deal_fields(
    values: dict | None = None, *, errors=None, on_fix=None, checks=None, form_id: str = ""
) -> list[rx.Component]:
    """Deal name, customer, contact, amount, close date; `values` fills them for an edit.
    With `errors` (the state's field_errors) each shows the server's message under it, checked
    again by `on_fix` when the person leaves the corrected field. With `checks` (a state with
    RuleChecks) a change runs the registration rules again on the form `form_id`."""
    values = values or {}

    def field(label, name, **props):
        if name in values:
            props["default_value"] = values[name]
        if errors is not None:
            props["error"], props["on_fix"] = errors.get(name, ""), on_fix
        if checks is not None:
            props.update(watch(checks, form_id))
        return labeled_input(label, name, **props)

    return [
        field("Deal name", "name", max_length=200),
        field("Customer company", "company", max_length=200),
        rx.hstack(
            field("Contact name", "contact_name", required=False, max_length=200),
            field("Contact email", "contact_email", input_mode="email", required=False),
            width="100%",
        ),
        rx.hstack(
            field("Amount", "amount", required=False, placeholder="0.00", input_mode="decimal"),
            field("Close date", "close_date", type="date", required=False),
            width="100%",
        ),
    ]


def product_choices(
    options, *, with_chosen: bool = False, checks=None, form_id: str = ""
) -> rx.Component:
    """Checkboxes for the provider's products (`options`: id and name, and with `with_chosen`
    also chosen, "yes" when the deal has it); with `checks`, a change runs the rules again."""
    box = {} if checks is None else watch(checks, form_id)

    return rx.cond(
        options.length() > 0,
        rx.el.fieldset(
            rx.el.legend("Products", font_size="0.875rem", font_weight="500"),
            rx.flex(
                rx.foreach(
                    options,
                    lambda option: rx.el.label(
                        rx.el.input(
                            type="checkbox",
                            name="product-" + option["id"],
                            default_checked=(option["chosen"] == "yes") if with_chosen else False,
                            **box,
                        ),
                        " ",
                        option["name"],
                        font_size="0.875rem",
                    ),
                ),
                wrap="wrap",
                gap="3",
            ),
            style={"border": "none", "padding": 0, "margin": 0},
        ),
    )


def submit_deal_dialog(state, other_label: str, intro: str, countries: list) -> rx.Component:
    """`state` is SubmitDealState; `other_label` is "Provider" or "Partner"; `countries` the
    country select's choices (id, name). The registration rules are checked live."""
    return rx.fragment(
        rx.button(rx.icon("plus", size=16), "Submit deal", on_click=state.open_form),
        rx.dialog.root(
            rx.dialog.content(
                rx.dialog.title("Submit a deal"),
                rx.dialog.description(intro, size="2", color_scheme="gray"),
                rx.form(
                    rx.vstack(
                        rx.cond(
                            state.counterparts.length() > 0,
                            rx.vstack(
                                field_label(other_label, "deal-other-org", required=True),
                                rx.el.select(
                                    rx.foreach(
                                        state.counterparts,
                                        lambda o: rx.el.option(o["name"], value=o["id"]),
                                    ),
                                    id="deal-other-org",
                                    name="other_org_id",
                                    value=state.counterpart,
                                    on_change=state.choose_counterpart,
                                    style={"padding": "0.3rem", "width": "100%"},
                                    **error_props(
                                        "other_org_id", state.field_errors.get("other_org_id")
                                    ),
                                ),
                                field_message(
                                    state.field_errors.get("other_org_id", ""), "other_org_id-error"
                                ),
                                spacing="1",
                                width="100%",
                            ),
                            rx.callout(
                                f"No active {other_label.lower()} to register a deal with yet.",
                                icon="info",
                            ),
                        ),
                        required_legend(),
                        *deal_fields(
                            errors=state.field_errors,
                            on_fix=state.recheck,
                            checks=state,
                            form_id=FORM_ID,
                        ),
                        place_fields(state, FORM_ID, countries, state.field_errors),
                        product_choices(state.products, checks=state, form_id=FORM_ID),
                        new_deal_fields(state),
                        rule_panel(state),
                        form_error(state.form_error),
                        rx.hstack(
                            rx.button(
                                "Cancel", type="button", variant="soft", on_click=state.close_form
                            ),
                            submit_button(state, "Submit deal"),
                            justify="end",
                            width="100%",
                        ),
                        spacing="3",
                    ),
                    on_submit=state.save,
                    reset_on_submit=False,
                    no_validate=True,  # the server's message next to each field, not a pop-up
                    aria_label="Submit a deal",
                    id=FORM_ID,
                ),
            ),
            open=state.form_open,
            on_open_change=state.close_form,
        ),
    )
