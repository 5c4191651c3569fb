"""/c/leads and /p/referrals: the submit form, what was sent, and where it can go."""

from dataclasses import dataclass
from typing import Any, cast

import reflex as rx
from reflex.vars import ArrayVar, ObjectVar

from .. import routes
from ..components.buttons import row_button
from ..components.confirm import confirm_button
from ..components.custom_inputs import custom_inputs
from ..components.empty_state import empty_state
from ..components.file_links import export_button, import_button
from ..components.forms import (
    field,
    field_message,
    form_error,
    labeled_input,
    required_legend,
    required_mark,
)
from ..components.list_filters import list_filters
from ..components.list_views import custom_cells, custom_headers, list_views_bar
from ..components.pickers import option_select
from ..components.tables import paged_table
from ..state import view
from ..state.leads import SentLeadsState as State
from .parts.shell import page_shell


@dataclass(frozen=True, slots=True)
class Words:
    title: str
    noun: str  # "lead" / "referral"
    targets: str
    pick: str
    recipients: str
    empty: str
    detail: str  # the detail route's prefix
    imports: str  # the import page


LEADS = Words(
    "Leads",
    "Lead",
    "Where you can submit leads",
    "Select Provider",
    "Providers",
    "Leads you submit to your providers appear here: drafts you saved, and each provider's "
    "decision on the ones you sent.",
    routes.Consultant.LEADS,
    routes.Consultant.LEADS_IMPORT,
)
REFERRALS = Words(
    "Referrals",
    "Referral",
    "Partners you can send referrals to",
    "Select Partners",
    "Partners",
    "Referrals you send to your partners appear here with each partner's response: opened, "
    "accepted, rejected, converted or lost.",
    routes.Provider.REFERRALS,
    routes.Provider.REFERRALS_IMPORT,
)


def _targets(words: Words) -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.heading(words.targets, as_="h2", size="3"),
            rx.cond(
                State.eligible.length() > 0,
                rx.hstack(
                    rx.foreach(
                        State.eligible,
                        lambda p: rx.badge(p["name"], color_scheme="green", size="2"),
                    ),
                    wrap="wrap",
                ),
                rx.text(
                    "None yet: leads go to providers whose invitation you accepted and "
                    "categorized under ",
                    rx.link("My Providers", href=routes.Consultant.PROVIDERS),
                    ", referrals to your active partners.",
                    size="2",
                ),
            ),
            rx.foreach(
                State.unavailable,
                lambda row: rx.text(
                    rx.text.strong(row["name"]),
                    f" is not available: {row['reason']}.",
                    size="2",
                    color_scheme="gray",
                ),
            ),
            spacing="2",
            width="100%",
        ),
        width="100%",
    )


def _provider_choice(provider: ObjectVar[dict]) -> rx.Component:
    # No id (Reflex's form refs need static ids): the aria-label names the checkbox. A draft
    # being edited comes back with the organizations it was saved with ticked.
    ticked = cast(ArrayVar, State.draft.get("recipients", []))
    return rx.el.label(
        rx.hstack(
            rx.el.input(
                type="checkbox",
                name=f"provider_{provider['id']}",
                aria_label=provider["name"],
                default_checked=ticked.contains(provider["id"]),
                on_change=[_recheck("recipient_org_ids", "ticked"), _tick(provider["id"])],
            ),
            rx.text(provider["name"], size="2"),
            align="center",
        ),
    )


def _error(name: str) -> rx.Var:
    return cast(rx.Var, State.field_errors.get(name, ""))


_recheck = cast(Any, State.recheck)
_tick = cast(Any, State.tick)


def _input(label: str, name: str, *, required: bool = True, **props) -> rx.Component:
    return labeled_input(
        label,
        name,
        required=required,
        default_value=_draft(name),
        error=_error(name),
        on_fix=_recheck,
        **props,
    )


def _custom_fields() -> rx.Component:
    """The sender's own custom fields, then each ticked organization's (kept in the page while
    unticked, so that what was typed stays; the server takes only the ticked ones')."""
    return rx.vstack(
        custom_inputs(State.own_fields, State.field_errors, _recheck),
        rx.foreach(
            State.recipient_fields,
            lambda group: rx.box(
                rx.vstack(
                    custom_inputs(group["rows"], State.field_errors, _recheck),
                    spacing="2",
                    width="100%",
                ),
                display=rx.cond(State.ticked.contains(group["id"]), "block", "none"),
                width="100%",
            ),
        ),
        spacing="2",
        width="100%",
    )


def _lead_form(words: Words) -> rx.Component:
    return rx.card(
        rx.form(
            rx.vstack(
                rx.heading(
                    rx.cond(
                        State.draft.contains("id"),
                        f"Edit draft {words.noun.lower()}",
                        f"Submit New {words.noun}",
                    ),
                    as_="h2",
                    size="4",
                ),
                required_legend(),
                rx.el.fieldset(
                    rx.el.legend(
                        words.pick,
                        required_mark(),
                        font_size="0.875rem",
                        font_weight="500",
                    ),
                    rx.hstack(rx.foreach(State.eligible, _provider_choice), wrap="wrap"),
                    field_message(_error("recipient_org_ids"), "recipient_org_ids-error"),
                    aria_describedby=rx.cond(
                        _error("recipient_org_ids") != "", "recipient_org_ids-error", ""
                    ),
                    border="none",
                    padding="0",
                ),
                rx.grid(
                    _input("First Name", "first_name"),
                    _input("Last Name", "last_name"),
                    _input("Email", "email", type="text", input_mode="email"),
                    _input("Company", "company"),
                    _input("Phone", "phone", required=False),
                    _input("Title", "title", required=False),
                    columns=rx.breakpoints(initial="1", md="2"),
                    spacing="3",
                    width="100%",
                ),
                field(
                    "Owner",
                    option_select(
                        "",
                        "owner_id",
                        State.colleagues,
                        default=State.draft.get("owner_id", State.me),
                        empty="Choose…",
                        required=True,
                        control_id="owner_id",
                    ),
                    html_for="owner_id",
                    error=_error("owner_id"),
                ),
                field(
                    "Notes",
                    rx.text_area(
                        id="notes",
                        name="notes",
                        max_length=5000,
                        width="100%",
                        default_value=_draft("notes"),
                        on_blur=lambda value: _recheck("notes", value),
                    ),
                    html_for="notes",
                    required=False,
                    error=_error("notes"),
                ),
                rx.el.label(
                    rx.el.input(
                        type="checkbox",
                        id="share_consent",
                        name="share_consent",
                        default_checked=_draft("share_consent") == "on",
                    ),
                    " The contact gave permission to share their details with partners",
                    html_for="share_consent",
                    style={"display": "flex", "gap": "0.5rem", "alignItems": "center"},
                ),
                _custom_fields(),
                form_error(State.form_error),
                rx.hstack(
                    rx.button(
                        "Save as draft",
                        type="submit",
                        variant="soft",
                        on_click=State.set_intent("draft"),
                    ),
                    rx.button("Submit", type="submit", on_click=State.set_intent("submit")),
                    rx.button("Cancel", type="button", variant="ghost", on_click=State.toggle_form),
                ),
                spacing="3",
                width="100%",
            ),
            on_submit=State.save_lead,
            no_validate=True,  # the server's message next to each field, not the browser's pop-up
            width="100%",
        ),
        key=State.draft.get("id", "new"),  # a fresh form for each draft edited
        width="100%",
    )


def _draft(name: str) -> rx.Var:
    return State.draft.get(name, "")


def _row(row: rx.Var[dict], words: Words) -> rx.Component:
    company = row["company"]
    return rx.table.row(
        rx.table.cell(
            rx.link(
                row["company"],
                href=f"{words.detail}/{row['id']}",
                aria_label=f"Details of the {words.noun.lower()} for {row['company']}",
            )
        ),
        rx.table.cell(
            rx.vstack(rx.text(row["contact"]), rx.text(row["email"], size="1"), spacing="0")
        ),
        rx.table.cell(rx.badge(row["status"], variant="soft")),
        rx.table.cell(row["recipients"]),
        rx.table.cell(row["owner"]),
        rx.table.cell(row["created"], white_space="nowrap"),
        custom_cells(row),
        rx.table.cell(
            rx.cond(
                row["status"] == "draft",
                rx.hstack(
                    row_button(
                        "Edit",
                        State.edit_draft(row["id"]),
                        f"Edit the draft for {row['company']}",
                        variant="soft",
                    ),
                    confirm_button(
                        "Delete",
                        aria_label=f"Delete the draft for {company}",
                        title=f"Delete the draft for {company}?",
                        description=f"The draft lead for {company} is deleted for good; "
                        "it was never sent to anyone.",
                        confirm_label="Delete draft",
                        on_confirm=State.delete_draft(row["id"]),
                    ),
                ),
            )
        ),
    )


def _list(words: Words) -> rx.Component:
    return rx.cond(
        State.total > 0,
        paged_table(
            State,
            view.PAGE_SIZE,
            (
                "Company",
                "Contact",
                "Status",
                words.recipients,
                "Owner",
                "Created",
                custom_headers(State),
                "",
            ),
            State.rows,
            lambda row: _row(row, words),
        ),
        empty_state("inbox", f"No {words.noun.lower()}s yet", words.empty),
    )


def _page(words: Words) -> rx.Component:
    return page_shell(
        words.title,
        _targets(words),
        rx.hstack(
            rx.spacer(),
            export_button(State.export_url, f"{words.noun.lower()}s"),
            import_button(words.imports),
            rx.cond(
                ~State.form_open,
                rx.button(f"Submit New {words.noun}", on_click=State.toggle_form),
            ),
            wrap="wrap",
            width="100%",
        ),
        rx.cond(State.notice != "", rx.callout(State.notice, icon="check", role="status")),
        rx.cond(State.form_open, _lead_form(words)),
        list_filters(
            State,
            noun=words.noun.lower(),
            statuses=[("draft", "Draft"), ("submitted", "Submitted")],
            org_label=words.recipients,
            sorts=[
                ("newest", "Newest"),
                ("oldest", "Oldest"),
                ("company", "Company"),
                ("name", "Name"),
            ],
        ),
        list_views_bar(State, "sent"),
        _list(words),
    )


def consultant_page() -> rx.Component:
    return _page(LEADS)


def provider_page() -> rx.Component:
    return _page(REFERRALS)
