"""/p/privacy and /c/privacy: personal-data requests, and (providers) consent and retention
(admins only; state.privacy)."""

from typing import Any, cast

import reflex as rx

from ..components.confirm import confirm_button
from ..components.forms import field, form_error, row_form, tick_box
from ..components.live import follow
from ..components.sections import section_card
from ..components.tables import data_table
from ..state.live import PrivacyPulse
from ..state.privacy import PrivacyState
from .parts.shell import page_shell

TITLE = "Privacy"
S = cast(Any, PrivacyState)  # Reflex's stubs type list vars as lists and events as namespaces


def _search() -> rx.Component:
    return section_card(
        "Find a person's records",
        rx.form(
            rx.flex(
                field(
                    "Email",
                    rx.input(id="privacy-email", name="email", input_mode="email", width="100%"),
                    html_for="privacy-email",
                    required=False,
                ),
                field(
                    "Full name",
                    rx.input(id="privacy-name", name="name", width="100%"),
                    html_for="privacy-name",
                    required=False,
                ),
                rx.button("Find records", type="submit"),
                direction=rx.breakpoints(initial="column", md="row"),
                align=rx.breakpoints(initial="stretch", md="end"),
                gap="0.75rem",
                width="100%",
            ),
            form_error(S.search_error),
            on_submit=S.search,
            no_validate=True,
            width="100%",
        ),
        rx.cond(S.searched, _results()),
        hint="Every lead, referral, deal, form submission, trail entry, notification, webhook "
        "payload and mail of your organization holding this email or name.",
    )


def _results() -> rx.Component:
    return rx.vstack(
        rx.text(S.summary, role="status"),
        rx.cond(
            S.holders != "",
            rx.text(
                "Also held by: ",
                S.holders,
                " (asked to erase their copy when you erase).",
                size="2",
                color_scheme="gray",
            ),
        ),
        rx.cond(
            S.found.length() > 0,
            rx.vstack(
                rx.box(
                    data_table(
                        ["Record", "Id", "What"],
                        S.found,
                        lambda r: rx.table.row(
                            rx.table.cell(r["kind"]),
                            rx.table.cell(r["id"]),
                            rx.table.cell(r["summary"]),
                            key=r["key"],
                        ),
                        width="100%",
                        variant="surface",
                    ),
                    width="100%",
                    overflow_x="auto",
                ),
                rx.flex(
                    rx.button("Export JSON", variant="soft", on_click=S.export("json")),
                    rx.button("Export CSV", variant="soft", on_click=S.export("csv")),
                    confirm_button(
                        "Erase this person",
                        aria_label="Erase this person",
                        title="Erase this person's data?",
                        description="Their name, email, phone and notes are removed from "
                        "these records for good; amounts, stages, dates and the ledger stay, "
                        "marked erased. The other organizations holding a copy are asked to "
                        "erase theirs.",
                        confirm_label="Erase",
                        on_confirm=S.erase,
                        size="2",
                        variant="solid",
                    ),
                    gap="0.5rem",
                    wrap="wrap",
                ),
                width="100%",
            ),
        ),
        width="100%",
    )


def _request_row(r) -> rx.Component:
    waiting = (r["direction"] == "received") & (r["status"] == "pending")
    return rx.table.row(
        rx.table.cell(rx.cond(r["direction"] == "received", "From ", "To "), r["other_org"]),
        rx.table.cell(r["created"]),
        rx.table.cell(r["person"]),
        rx.table.cell(r["records"]),
        rx.table.cell(r["status"], rx.cond(r["reason"] != "", rx.text(r["reason"], size="1"))),
        rx.table.cell(
            rx.cond(
                waiting,
                rx.flex(
                    row_form(
                        r["id"],
                        S.decide,
                        rx.el.input(type="hidden", name="choice", value="erase"),
                        rx.button("Erase our copy", size="1", color_scheme="red", type="submit"),
                    ),
                    row_form(
                        r["id"],
                        S.decide,
                        rx.el.input(type="hidden", name="choice", value="decline"),
                        rx.input(
                            name="reason",
                            placeholder="Why you keep it",
                            aria_label="Reason for declining",
                            size="1",
                        ),
                        rx.button("Decline", size="1", variant="soft", type="submit"),
                        id="decline-" + r["id"],
                    ),
                    direction="column",
                    gap="0.5rem",
                ),
            )
        ),
        key=r["id"],
    )


def _requests() -> rx.Component:
    return section_card(
        "Erasure requests",
        rx.cond(
            S.requests.length() > 0,
            rx.box(
                data_table(
                    ["With", "Asked", "Person", "Records", "Status", "Decision"],
                    S.requests,
                    _request_row,
                    width="100%",
                    variant="surface",
                ),
                width="100%",
                overflow_x="auto",
            ),
            rx.text("No erasure requests.", color_scheme="gray"),
        ),
        hint="When an organization erases a person of a lead or deal you share, it asks you to "
        "erase your copy; you may decline with a reason (a legal hold, say). Both are logged.",
    )


def _settings() -> rx.Component:
    return section_card(
        "Consent and retention",
        rx.form(
            rx.vstack(
                tick_box(
                    "require_consent",
                    "Referrals need the contact's permission to share with partners",
                    default_checked=S.require_consent,
                ),
                field(
                    "Strip contact details of leads closed for more than (months)",
                    rx.input(
                        id="retention-months",
                        name="retention_months",
                        default_value=S.retention_months,
                        input_mode="numeric",
                        placeholder="Keep them",
                    ),
                    html_for="retention-months",
                    required=False,
                ),
                form_error(S.settings_error),
                rx.button("Save", type="submit"),
                spacing="3",
            ),
            key=S.settings_revision,
            on_submit=S.save_settings,
            no_validate=True,
        ),
    )


def _content(provider: bool) -> rx.Component:
    return rx.cond(
        S.role == "admin",
        rx.vstack(
            follow(PrivacyPulse.version, S.follow),
            _search(),
            _requests(),
            *([_settings()] if provider else []),
            spacing="4",
            width="100%",
        ),
        rx.callout("Only your organization's admins handle personal-data requests.", icon="lock"),
    )


def provider_page() -> rx.Component:
    return page_shell(TITLE, _content(True))


def consultant_page() -> rx.Component:
    return page_shell(TITLE, _content(False))
