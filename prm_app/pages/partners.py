"""/p/partners: the partner directory, and recruiting partners by invitation."""

import reflex as rx

from .. import routes
from ..components.buttons import row_button
from ..components.confirm import confirm_button, permitted
from ..components.empty_state import empty_state
from ..components.forms import checkbox_field, error_props, field, form_error, labeled_input
from ..components.list_filters import search_field
from ..components.list_views import custom_line, list_views_bar
from ..components.live import follow
from ..components.onboarding_badge import onboarding_badge
from ..components.partnership_card import categorize_form, partnership_card, row_picker
from ..components.pickers import option_select
from ..components.sections import tabbed
from ..components.tables import data_table
from ..state.base import MANAGERS_ONLY
from ..state.live import PartnersPulse
from ..state.partners import INVITE_FORM, PartnersState
from .parts.shell import page_shell

TITLE = "Partners"
CATEGORIES = [
    ("Type", "partner_type_id"),
    ("Status", "partner_status_id"),
    ("Tier", "partner_tier_id"),
    ("Group", "partner_group_id"),
]


def _filter_by(name: str):
    return lambda value: PartnersState.set_filter(name, value)


def _filters() -> rx.Component:
    return rx.flex(
        search_field(
            "partner-search", "Firm name", PartnersState.set_search, value=PartnersState.search
        ),
        *[
            option_select(
                label,
                f"filter-{name}",
                PartnersState.options.get(name, []),
                empty="Any",
                control_id=f"filter-{name}",
                on_change=_filter_by(name),
            )
            for label, name in CATEGORIES
        ],
        rx.vstack(
            rx.el.label("Sort by", html_for="partner-sort", font_size="0.8rem", font_weight="500"),
            rx.el.select(
                rx.el.option("Name", value="name"),
                rx.el.option("Partner since", value="since"),
                rx.el.option("Tier", value="tier"),
                id="partner-sort",
                value=PartnersState.sort,
                on_change=PartnersState.set_sort,
                style={"padding": "0.35rem"},
            ),
            spacing="1",
        ),
        checkbox_field(
            "Show ended",
            "include-ended",
            PartnersState.include_ended,
            PartnersState.set_include_ended,
        ),
        gap="3",
        wrap="wrap",
        align="end",
    )


def _categorize_form(row: rx.Var[dict]) -> rx.Component:
    return categorize_form(
        row,
        PartnersState.categorize,
        f"{row['id']}-{row['partner_type_id']}-{row['partner_status_id']}-"
        f"{row['partner_tier_id']}-{row['partner_group_id']}-{row['partner_manager_id']}",
        *[
            row_picker(row, label, name, PartnersState.options.get(name, []))
            for label, name in CATEGORIES
        ],
        row_picker(row, "Partner manager", "partner_manager_id", PartnersState.managers),
        allowed=PartnersState.can_manage,
        reason=MANAGERS_ONLY,
    )


def _partner_card(row: rx.Var[dict]) -> rx.Component:
    active = row["status"] == "active"
    return partnership_card(
        row,
        rx.fragment(
            rx.badge(row["status"], color_scheme=rx.cond(active, "green", "gray")),
            rx.cond(row["partner_tier"] != "", rx.badge(row["partner_tier"], variant="soft")),
            onboarding_badge(row),
            custom_line(row),
        ),
        PartnersState.end(row["id"]),
        rx.cond(
            active,
            _categorize_form(row),
            rx.text(
                f"{row['partner_type']} · {row['partner_status']} · {row['partner_group']}",
                size="2",
                color_scheme="gray",
            ),
        ),
        href=f"{routes.Provider.PARTNERS}/{row['id']}",
        end_consequence="The firm can no longer submit leads or register deals with you, nor "
        "receive your referrals. ",
        allowed=PartnersState.can_manage,
        reason=MANAGERS_ONLY,
    )


def _directory() -> rx.Component:
    return rx.vstack(
        _filters(),
        list_views_bar(PartnersState, "partners"),
        rx.cond(
            PartnersState.partners.length() > 0,
            rx.vstack(rx.foreach(PartnersState.partners, _partner_card), width="100%"),
            empty_state(
                "users",
                "No partners match",
                "Active partners appear here once they accept your invitation. Invite consultant "
                "firms under Invitations.",
            ),
        ),
        spacing="4",
        width="100%",
    )


def _invitation_row(row: rx.Var[dict]) -> rx.Component:
    pending = (row["status"] == "invited") | (row["status"] == "expired")
    email = row["email"]
    return rx.table.row(
        rx.table.cell(row["email"]),
        rx.table.cell(rx.badge(row["status"], variant="soft")),
        rx.table.cell(row["invited"]),
        rx.table.cell(row["expires"]),
        rx.table.cell(
            rx.cond(
                pending,
                rx.hstack(
                    row_button(
                        "Resend",
                        PartnersState.resend(row["id"]),
                        f"Resend the invitation to {row['email']}",
                        variant="soft",
                        **permitted(PartnersState.can_manage, MANAGERS_ONLY),
                    ),
                    confirm_button(
                        "Revoke",
                        aria_label=f"Revoke the invitation to {email}",
                        title=f"Revoke the invitation to {email}?",
                        description=f"The link sent to {email} stops working at once. "
                        "To invite the firm again, send a new invitation.",
                        confirm_label="Revoke invitation",
                        on_confirm=PartnersState.revoke(row["id"]),
                        disabled=~PartnersState.can_manage,
                        disabled_reason=MANAGERS_ONLY,
                    ),
                ),
            )
        ),
    )


def _invitations() -> rx.Component:
    return rx.vstack(
        rx.card(
            rx.form(
                rx.vstack(
                    rx.heading("Invite a consulting firm", as_="h2", size="4"),
                    labeled_input(
                        "Email of someone at the firm",
                        "email",
                        type="text",
                        input_mode="email",
                        error=PartnersState.field_errors.get("email", ""),
                        on_fix=PartnersState.recheck,
                    ),
                    field(
                        "Message (optional)",
                        rx.text_area(
                            id="message",
                            name="message",
                            max_length=2000,
                            width="100%",
                            **error_props("message", PartnersState.field_errors.get("message")),
                        ),
                        html_for="message",
                        required=False,
                        error=PartnersState.field_errors.get("message", ""),
                    ),
                    form_error(PartnersState.invite_error),
                    rx.button(
                        "Send invitation",
                        type="submit",
                        **permitted(PartnersState.can_manage, MANAGERS_ONLY),
                    ),
                    width="100%",
                ),
                on_submit=PartnersState.invite,
                id=INVITE_FORM,
                no_validate=True,  # the server's message next to the field, not a pop-up
            ),
            width="100%",
        ),
        rx.cond(
            PartnersState.invite_result != "",
            rx.callout.root(
                rx.callout.icon(rx.icon("send")),
                rx.callout.text(PartnersState.invite_result),
                color_scheme="green",
                role="status",
                width="100%",
            ),
        ),
        data_table(
            ("Email", "Status", "Invited", "Expires", ""),
            PartnersState.invitations,
            _invitation_row,
            width="100%",
            variant="surface",
        ),
        spacing="4",
        width="100%",
    )


def page() -> rx.Component:
    return page_shell(
        TITLE,
        follow(PartnersPulse.version, PartnersState.follow),
        tabbed(
            ("Directory", "directory", _directory()),
            ("Invitations", "invitations", _invitations()),
        ),
    )
