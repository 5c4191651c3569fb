"""/c/providers: My Providers, and the providers' invitations to answer."""

import reflex as rx

from .. import routes
from ..components.confirm import confirm_button, permitted
from ..components.empty_state import empty_state
from ..components.live import follow
from ..components.onboarding_badge import onboarding_badge
from ..components.partnership_card import categorize_form, partnership_card, row_picker
from ..state.base import MANAGERS_ONLY
from ..state.live import PartnersPulse
from ..state.providers import ProvidersState
from .parts.shell import page_shell

TITLE = "My Providers"


def _invitation(row: rx.Var[dict]) -> rx.Component:
    provider = row["provider"]
    return rx.card(
        rx.hstack(
            rx.vstack(
                rx.heading(row["provider"], as_="h3", size="3"),
                rx.cond(row["message"] != "", rx.text(row["message"], size="2")),
                rx.text(
                    f"Invited {row['invited']} · answer by {row['expires']}",
                    size="1",
                    color_scheme="gray",
                ),
                spacing="1",
                flex="1",
            ),
            rx.button(
                "Accept",
                on_click=ProvidersState.accept(row["id"]),
                aria_label=f"Accept the invitation of {row['provider']}",
                color_scheme="green",
                **permitted(ProvidersState.can_manage, MANAGERS_ONLY),
            ),
            confirm_button(
                "Reject",
                aria_label=f"Reject the invitation of {provider}",
                title=f"Reject the invitation of {provider}?",
                description=f"{provider} is told that your firm declined. This invitation "
                "cannot be accepted afterwards: only a new one from them can.",
                confirm_label="Reject invitation",
                on_confirm=ProvidersState.reject(row["id"]),
                disabled=~ProvidersState.can_manage,
                disabled_reason=MANAGERS_ONLY,
                size="2",
                variant="soft",
            ),
            align="center",
            width="100%",
            wrap="wrap",
        ),
        width="100%",
    )


def _categorize_form(row: rx.Var[dict]) -> rx.Component:
    def picker(label: str, name: str, options) -> rx.Component:
        return row_picker(row, label, name, options, empty="Choose…", required=True)

    return categorize_form(
        row,
        ProvidersState.categorize,
        f"{row['id']}-{row['provider_type_id']}-{row['proficiency_id']}-{row['assigned_user_id']}",
        picker("Provider type", "provider_type_id", ProvidersState.provider_types),
        picker("Proficiency", "proficiency_id", ProvidersState.proficiencies),
        picker("Assigned to", "assigned_user_id", ProvidersState.colleagues),
        allowed=ProvidersState.can_manage,
        reason=MANAGERS_ONLY,
    )


def _provider(row: rx.Var[dict]) -> rx.Component:
    active = row["status"] == "active"
    return partnership_card(
        row,
        rx.fragment(
            rx.cond(
                active,
                rx.cond(
                    row["categorized"] == "yes",
                    rx.badge("active", color_scheme="green"),
                    rx.badge("waiting to be categorized", color_scheme="amber"),
                ),
                rx.badge(row["status"], color_scheme="gray"),
            ),
            onboarding_badge(row),
        ),
        ProvidersState.end(row["id"]),
        rx.cond(active, _categorize_form(row)),
        href=f"{routes.Consultant.PROVIDERS}/{row['id']}",
        end_consequence="Your firm can no longer submit leads or register deals with them. ",
        allowed=ProvidersState.can_manage,
        reason=MANAGERS_ONLY,
    )


def page() -> rx.Component:
    return page_shell(
        TITLE,
        follow(PartnersPulse.version, ProvidersState.follow),
        rx.cond(
            ProvidersState.invitations.length() > 0,
            rx.vstack(
                rx.heading("Invitations", as_="h2", size="4"),
                rx.foreach(ProvidersState.invitations, _invitation),
                width="100%",
            ),
        ),
        rx.heading("Providers", as_="h2", size="4"),
        rx.cond(
            ProvidersState.providers.length() > 0,
            rx.vstack(rx.foreach(ProvidersState.providers, _provider), width="100%"),
            empty_state(
                "building-2",
                "No providers yet",
                "Software providers invite your firm into their partner programs. Their "
                "invitations appear here to accept or reject; accepted providers are listed here "
                "to categorize and assign to a colleague.",
            ),
        ),
    )
