"""The deal form: Submit Deal (a dialog) and the edit form of a deal's page."""

import reflex as rx

from .forms import cancel_and_submit, form_error, labeled_input


def deal_fields(values: dict | None = None) -> list[rx.Component]:
    """Deal name, customer, contact, amount, close date; `values` fills them for an edit."""
    values = values or {}

    def field(label, name, **props):
        if name in values:
            props["default_value"] = values[name]
        return labeled_input(label, name, **props)

    return [
        field("Deal name", "name", max_length=200),
        field("Customer company", "company", max_length=200),
        rx.hstack(
            field("Contact name", "contact_name", required=False, max_length=200),
            field("Contact email", "contact_email", type="email", required=False),
            width="100%",
        ),
        rx.hstack(
            field("Amount", "amount", required=False, placeholder="0.00", input_mode="decimal"),
            field("Close date", "close_date", type="date", required=False),
            width="100%",
        ),
    ]


def product_choices(options, *, with_chosen: bool = False) -> rx.Component:
    """Checkboxes for the provider's products (`options`: id and name, and with `with_chosen`
    also chosen, "yes" when the deal has it)."""
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


def submit_deal_dialog(state, other_label: str, intro: str) -> rx.Component:
    """`state` is SubmitDealState; `other_label` is "Provider" or "Partner"."""
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
                                rx.el.label(
                                    other_label,
                                    html_for="deal-other-org",
                                    font_size="0.875rem",
                                    font_weight="500",
                                ),
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
                                ),
                                spacing="1",
                                width="100%",
                            ),
                            rx.callout(
                                f"No active {other_label.lower()} to register a deal with yet.",
                                icon="info",
                            ),
                        ),
                        *deal_fields(),
                        product_choices(state.products),
                        form_error(state.form_error),
                        cancel_and_submit(state.close_form, "Submit deal"),
                        spacing="3",
                    ),
                    on_submit=state.save,
                    reset_on_submit=False,
                    aria_label="Submit a deal",
                ),
            ),
            open=state.form_open,
            on_open_change=state.close_form,
        ),
    )
