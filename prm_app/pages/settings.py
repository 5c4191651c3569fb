"""/p/settings and /c/settings: tabs named as the help articles name them.

Both sides open on **General** (the organization's vocabulary: partner status, type, tiers, groups
and products on the provider side; provider types and proficiency on the consultant side); API keys,
webhooks and web-to-lead forms live under their own **Integrations** tab on both sides, and the
fields an organization adds to its records under **Custom fields** (pages/parts/custom_fields.py).
"""

import reflex as rx

from ..state.settings import SettingsState
from .parts.custom_fields import custom_fields
from .parts.extension_rules import extension_rules_form
from .parts.integrations import integrations
from .parts.registration_rules import registration_rules
from .parts.resubmission_rules import resubmission_rules
from .parts.settings_editors import rules_form, stage_editor, term_editor
from .parts.shell import page_shell
from .parts.tier_rules import tier_rules

TITLE = "Settings"


def _admin_note() -> rx.Component:
    return rx.cond(
        ~SettingsState.can_administer,
        rx.callout(
            "Only administrators can change these settings.", icon="info", color_scheme="gray"
        ),
    )


def provider_page() -> rx.Component:
    return page_shell(
        TITLE,
        _admin_note(),
        rx.tabs.root(
            rx.tabs.list(
                rx.tabs.trigger("General", value="general"),
                rx.tabs.trigger("Pipelines", value="pipelines"),
                rx.tabs.trigger("Rules", value="rules"),
                rx.tabs.trigger("Registration", value="registration"),
                rx.tabs.trigger("Tiers", value="tiers"),
                rx.tabs.trigger("Custom fields", value="custom_fields"),
                rx.tabs.trigger("Integrations", value="integrations"),
            ),
            rx.tabs.content(
                rx.grid(
                    term_editor(
                        "partner_status",
                        "Partner statuses",
                        "How far along each partner is.",
                        "partner status",
                    ),
                    term_editor(
                        "partner_type",
                        "Partner types",
                        "What kind of partner each firm is.",
                        "partner type",
                    ),
                    term_editor(
                        "partner_tier",
                        "Partner tiers",
                        "Ordered from the highest tier down: a new tier goes where you "
                        "choose, at the top or the bottom.",
                        "partner tier",
                        ranked=True,
                    ),
                    term_editor(
                        "partner_group",
                        "Partner groups",
                        "Optional groups, e.g. by region or program.",
                        "partner group",
                    ),
                    term_editor(
                        "product", "Products", "What partners can register deals for.", "product"
                    ),
                    term_editor(
                        "certification",
                        "Certifications",
                        "What you certify partners for: ticked on each partner's card, counted "
                        "by the tier rules.",
                        "certification",
                    ),
                    columns=rx.breakpoints(initial="1", lg="2"),
                    spacing="4",
                    padding_top="1rem",
                ),
                value="general",
            ),
            rx.tabs.content(
                rx.vstack(
                    stage_editor(
                        "deal",
                        "Deal stages",
                        "The columns of the deal board, in order. One stage closes a deal as won, "
                        "one as lost.",
                    ),
                    stage_editor(
                        "lead", "Lead stages", "The steps an accepted lead goes through, in order."
                    ),
                    term_editor(
                        "lost_reason",
                        "Lost reasons",
                        "What partners and your team choose from when closing a lead as lost.",
                        "lost reason",
                    ),
                    spacing="4",
                    padding_top="1rem",
                ),
                value="pipelines",
            ),
            rx.tabs.content(
                rx.vstack(
                    rules_form(),
                    extension_rules_form(),
                    resubmission_rules(),
                    spacing="4",
                    padding_top="1rem",
                ),
                value="rules",
            ),
            rx.tabs.content(registration_rules(), value="registration"),
            rx.tabs.content(tier_rules(), value="tiers"),
            rx.tabs.content(custom_fields(provider=True), value="custom_fields"),
            rx.tabs.content(
                rx.box(integrations(provider=True), padding_top="1rem"), value="integrations"
            ),
            default_value="general",
            width="100%",
        ),
    )


def consultant_page() -> rx.Component:
    return page_shell(
        TITLE,
        _admin_note(),
        rx.tabs.root(
            rx.tabs.list(
                rx.tabs.trigger("General", value="general"),
                rx.tabs.trigger("Custom fields", value="custom_fields"),
                rx.tabs.trigger("Integrations", value="integrations"),
            ),
            rx.tabs.content(
                rx.grid(
                    term_editor(
                        "provider_type",
                        "Provider types",
                        "How you group the software providers you work with.",
                        "provider type",
                    ),
                    term_editor(
                        "proficiency",
                        "Proficiency statuses",
                        "How well your firm knows each provider's software.",
                        "proficiency status",
                    ),
                    columns=rx.breakpoints(initial="1", lg="2"),
                    spacing="4",
                    padding_top="1rem",
                ),
                value="general",
            ),
            rx.tabs.content(custom_fields(provider=False), value="custom_fields"),
            rx.tabs.content(
                rx.box(integrations(provider=False), padding_top="1rem"), value="integrations"
            ),
            default_value="general",
            width="100%",
        ),
    )
