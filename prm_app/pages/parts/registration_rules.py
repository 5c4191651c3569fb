"""Settings > Registration (providers): one form per registration rule, and the customer list."""

from typing import Any, cast

import reflex as rx

from ...components.confirm import confirm_button, permitted
from ...components.file_links import TABLE_FILES
from ...components.forms import add_form, form_error, tick_box
from ...components.sections import section_card
from ...state import upload_guard
from ...state.base import ADMINS_ONLY
from ...state.registration_rules import (
    LABELS,
    PAGE_SIZE,
    REQUIRABLE,
    RULE_ORDER,
    UPLOAD_ID,
    RegistrationRulesState,
)

State = RegistrationRulesState
ON = cast(Any, State)  # its handlers and vars, as mypy does not see Reflex's
ADMIN = permitted(State.can_administer, ADMINS_ONLY)
HELP = {
    "territory": "Countries (ISO codes such as US, DE) and regions (such as US-CA) you serve.",
    "min_amount": "Deals below this amount are not registered.",
    "max_amount": "Deals above this amount are registered with you directly.",
    "products": "A registration must name at least one of the chosen products.",
    "not_customer": "Companies on your customer list (below) cannot be registered.",
    "open_cap": "How many open registrations (pending or approved) a partner may hold at once, "
    "by its tier; empty: no limit.",
    "required_fields": "Fields a registration must fill in.",
    "protection": "Another partner already holds the customer: the partner reads only until "
    "when, never who.",
}


def _input(label, control_id, name, value, placeholder: str = "", **props) -> rx.Component:
    """A labelled input posting `name` (ids differ from form to form, names repeat)."""
    if value is not None:
        props["default_value"] = value
    return rx.vstack(
        rx.el.label(label, html_for=control_id, font_size="0.875rem", font_weight="500"),
        rx.input(id=control_id, name=name, placeholder=placeholder, width="100%", **props),
        spacing="1",
        width="100%",
    )


def _settings(code: str, row) -> rx.Component:
    """The inputs of one kind of rule."""
    if code == "territory":
        return rx.grid(
            _input("Countries", f"{code}-countries", "countries", row["countries"], "US, CA"),
            _input("Regions", f"{code}-regions", "regions", row["regions"], "DE-BY, US-CA"),
            columns=rx.breakpoints(initial="1", md="2"),
            spacing="3",
            width="100%",
        )
    if code in ("min_amount", "max_amount"):
        return _input(
            "Amount", f"{code}-amount", "amount", row["amount"], type="number", step="0.01", min=0
        )
    if code == "products":
        return rx.flex(
            rx.foreach(
                State.products,
                lambda p: tick_box(
                    "product-" + p["id"],
                    p["name"],
                    default_checked=row["product_ids"].contains(p["id"]),
                ),
            ),
            wrap="wrap",
            spacing="3",
            role="group",
            aria_label="Products",
        )
    if code == "open_cap":
        return rx.grid(
            rx.foreach(
                State.tiers,
                lambda t: _input(
                    t["name"],
                    "cap-" + t["id"],
                    "limit-" + t["id"],
                    row["limits"].get(t["id"], ""),
                    type="number",
                    min=0,
                ),
            ),
            _input(
                "Any other tier, or none",
                "cap-any",
                "limit-",
                row["limits"].get("", ""),
                type="number",
                min=0,
            ),
            columns=rx.breakpoints(initial="2", md="4"),
            spacing="3",
            width="100%",
        )
    if code == "required_fields":
        return rx.flex(
            *[
                tick_box(f"field-{name}", label, default_checked=row["fields"].contains(name))
                for name, label in REQUIRABLE
            ],
            wrap="wrap",
            spacing="3",
            role="group",
            aria_label="Required fields",
        )
    return rx.fragment()


def _rule_form(code: str) -> rx.Component:
    row = State.rules[code]
    message = rx.fragment()
    if code != "protection":
        message = _input(
            "Message partners see (empty: the default below)",
            f"{code}-message",
            "message",
            row["message"],
            max_length=500,
        )
    return rx.card(
        rx.form(
            rx.vstack(
                rx.heading(LABELS[code], as_="h3", size="3"),
                rx.text(HELP[code], size="1", color_scheme="gray"),
                rx.el.input(type="hidden", name="rule", value=code),
                rx.hstack(
                    tick_box("enabled", "Use this rule", default_checked=row["enabled"] == "on"),
                    rx.el.label("When it fails", html_for=f"{code}-hard", font_size="0.875rem"),
                    rx.el.select(
                        rx.el.option("Block the registration", value="on"),
                        rx.el.option("Warn only", value=""),
                        id=f"{code}-hard",
                        name="hard",
                        default_value=row["hard"],
                        style={"padding": "0.3rem"},
                    ),
                    align="center",
                    spacing="3",
                    wrap="wrap",
                ),
                _settings(code, row),
                message,
                rx.text("Partners read: ", rx.el.q(row["default_message"]), size="1"),
                rx.button(f"Save {LABELS[code].lower()}", type="submit", size="2", **ADMIN),
                spacing="3",
                width="100%",
            ),
            on_submit=State.save_rule,
            reset_on_submit=False,
            key=f"{code}-{State.revision}",
            aria_label=f"{LABELS[code]} rule",
            width="100%",
        ),
        width="100%",
    )


def _customer(row) -> rx.Component:
    return rx.table.row(
        rx.table.cell(row["name"]),
        rx.table.cell(row["domain"]),
        rx.table.cell(
            confirm_button(
                "Remove",
                aria_label="Remove " + row["name"] + " " + row["domain"],
                title="Remove this customer?",
                description="Partners can then register deals for it again.",
                confirm_label="Remove",
                on_confirm=ON.remove_customer(row["id"]),
                disabled=~State.can_administer,
                disabled_reason=ADMINS_ONLY,
            )
        ),
    )


def _upload() -> rx.Component:
    upload = rx.upload(
        rx.text(
            "Drag a list of customers here, or choose one: a CSV file or a spreadsheet "
            "(.xlsx, .xls, .ods; its first sheet with values, then any other you choose) with a "
            "Company column, a Domain column, or both."
        ),
        id=UPLOAD_ID,
        multiple=False,
        max_files=1,
        accept=TABLE_FILES,
        disabled=~State.can_administer,
        custom_attrs={"data-upload-ready": State.upload_ticket != ""},
        on_drop=ON.receive_customers(
            rx.upload_files(
                upload_id=UPLOAD_ID, extra_headers={upload_guard.HEADER: State.upload_ticket}
            )
        ),
        border=f"2px dashed {rx.color('gray', 7)}",
        border_radius="0.75rem",
        padding="1rem",
        width="100%",
        cursor="pointer",
        aria_label="Import customers from a CSV file or a spreadsheet",
    )
    file_input = upload.children[0].children[0]
    if isinstance(file_input, rx.Component):
        file_input.custom_attrs["aria-label"] = "CSV file or spreadsheet of customers"
    return upload


def _sheet_choice() -> rx.Component:
    """A workbook of several sheets: the one read (the first with values at first), and another
    to import. Imported by its button, not on change: arrowing through the list imports
    nothing."""
    return rx.cond(
        ON.sheets.length() > 1,
        rx.form(
            rx.hstack(
                rx.vstack(
                    rx.el.label(
                        "Sheet", html_for="customers-sheet", font_size="0.875rem", font_weight="500"
                    ),
                    rx.el.select(
                        rx.foreach(State.sheets, lambda name: rx.el.option(name, value=name)),
                        id="customers-sheet",
                        name="sheet",
                        default_value=State.sheet,
                        style={"padding": "0.3rem", "border_radius": "0.4rem", "max_width": "100%"},
                    ),
                    spacing="1",
                    max_width="100%",
                ),
                rx.button("Import this sheet", type="submit", size="2", **ADMIN),
                align="end",
                spacing="3",
                wrap="wrap",
            ),
            on_submit=State.choose_sheet,
            reset_on_submit=False,
            key=ON.sheet_reads.to_string(),  # a new read shows the sheet it read
            aria_label="Sheet of the workbook",
            width="100%",
        ),
    )


def _customers() -> rx.Component:
    last = (State.customer_total + PAGE_SIZE - 1) // PAGE_SIZE
    return section_card(
        "Existing customers",
        rx.text(
            'The "not an existing customer" rule refuses these companies (by name or email '
            "domain).",
            size="1",
            color_scheme="gray",
        ),
        add_form(
            State.add_customer,
            "add-customer",
            _input("Company", "customer-name", "name", None),
            _input("Domain", "customer-domain", "domain", None, "contoso.com"),
            rx.button("Add", type="submit", align_self="end", **ADMIN),
            align="end",
            wrap="wrap",
        ),
        form_error(State.customer_error),
        _upload(),
        rx.cond(
            State.import_report != "",
            rx.text(
                rx.cond(ON.sheets.length() > 1, "Sheet '" + ON.sheet + "': ", ""),  # which was read
                State.import_report,
                role="status",
                size="2",
            ),
        ),
        _sheet_choice(),
        rx.input(
            placeholder="Search customers",
            aria_label="Search customers",
            default_value=State.customer_search,
            on_change=ON.search_customers.debounce(300),
            width="100%",
        ),
        rx.box(
            rx.table.root(
                rx.table.header(
                    rx.table.row(
                        rx.table.column_header_cell("Company"),
                        rx.table.column_header_cell("Domain"),
                        rx.table.column_header_cell(rx.el.span("Actions", class_name="sr-only")),
                    )
                ),
                rx.table.body(rx.foreach(State.customers, _customer)),
                width="100%",
            ),
            overflow_x="auto",
            width="100%",
        ),
        rx.hstack(
            rx.text(ON.customer_total.to_string() + " customers", size="1"),
            rx.button(
                "Previous",
                on_click=State.previous_customers,
                aria_label="Previous page of customers",
                size="1",
                variant="soft",
                disabled=State.customer_page <= 1,
            ),
            rx.button(
                "Next",
                on_click=State.next_customers,
                aria_label="Next page of customers",
                size="1",
                variant="soft",
                disabled=State.customer_page >= last,
            ),
            align="center",
            spacing="3",
        ),
    )


def registration_rules() -> rx.Component:
    """The Registration tab: loaded when shown."""
    return rx.vstack(
        rx.text(
            "Partners see these rules as they fill in Submit Deal or convert a lead: a rule "
            "that blocks stops the registration, one that warns lets it through.",
            size="2",
        ),
        rx.grid(
            *[_rule_form(code) for code in RULE_ORDER],
            columns=rx.breakpoints(initial="1", lg="2"),
            spacing="4",
            width="100%",
        ),
        _customers(),
        on_mount=State.load,
        spacing="4",
        padding_top="1rem",
        width="100%",
    )
