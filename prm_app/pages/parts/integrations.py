"""Settings > Integrations: API keys, webhooks with their deliveries, web-to-lead forms."""

from typing import Any, cast

import reflex as rx

from ... import routes
from ...components.buttons import row_button
from ...components.confirm import confirm_button
from ...components.forms import add_form
from ...components.pickers import option_select
from ...components.sections import section_card
from ...components.tables import data_table
from ...rest_api import DOCS, REDOC
from ...rest_api import PREFIX as API_PREFIX
from ...state.integrations import IntegrationsState as S

ROLES = [{"id": r, "name": r.capitalize()} for r in ("member", "manager", "admin")]
ROUTINGS = [
    {"id": "partner", "name": "Always the chosen partner"},
    {"id": "round_robin", "name": "The tier's active partners, in turn"},
]


def _field(label: str, control_id: str, name: str, placeholder: str, **props) -> rx.Component:
    return rx.vstack(
        rx.el.label(label, html_for=control_id, font_size="0.875rem", font_weight="500"),
        rx.input(
            id=control_id, name=name, placeholder=placeholder, required=True, width="100%", **props
        ),
        spacing="1",
        flex="1",
        min_width="14rem",
    )


def _tick(name: str, label: str, prefix: str = "", checked=None) -> rx.Component:
    control_id = f"{prefix}{name}"
    extra = {} if checked is None else {"default_checked": checked}
    return rx.el.label(
        rx.hstack(
            rx.el.input(type="checkbox", name=name, id=control_id, **extra),
            rx.text(label, size="2"),
            align="center",
            spacing="2",
        ),
        html_for=control_id,
    )


def _secret(value: rx.Var[str], label: str) -> rx.Component:
    """A secret shown once, with a button to forget it."""
    return rx.cond(
        value != "",
        rx.callout(
            rx.vstack(
                rx.text(label, weight="bold"),
                rx.code(value, aria_label=label, style={"word_break": "break-all"}),
                rx.hstack(
                    rx.button(
                        rx.icon("copy", size=14),
                        "Copy",
                        on_click=[rx.set_clipboard(value), rx.toast.success("Copied.")],
                        size="1",
                    ),
                    rx.button("Done", on_click=S.dismiss_secrets, size="1", variant="soft"),
                ),
                spacing="2",
            ),
            icon="key-round",
            color_scheme="amber",
            width="100%",
        ),
    )


def _table(headers: list[str], rows, row) -> rx.Component:
    return data_table(headers, rows, row, width="100%", size="1")


def _key_row(key: rx.Var[dict]) -> rx.Component:
    name, untyped = key["name"], cast(Any, key)  # (Reflex's stubs do not type its items)
    return rx.table.row(
        rx.table.cell(key["name"]),
        rx.table.cell(rx.code(key["prefix"])),
        rx.table.cell(key["role"]),
        rx.table.cell(key["last_used"]),
        rx.table.cell(
            rx.cond(
                key["revoked"] != "",
                rx.badge("revoked", color_scheme="gray"),
                confirm_button(
                    "Revoke",
                    aria_label=f"Revoke key {name}",
                    title=f"Revoke key {name}?",
                    description=f"Every request made with {name} ({untyped['prefix']}…) is "
                    "refused from now on. A revoked key cannot be restored: whatever uses it "
                    "needs a new key.",
                    confirm_label="Revoke key",
                    on_confirm=S.revoke_key(untyped["id"]),
                ),
            )
        ),
    )


def _api_address() -> rx.Component:
    """Where the API answers, as a full address to copy (the app's backend, which under
    `make run` is not the address of the pages)."""
    base = routes.file_url(API_PREFIX)
    return rx.vstack(
        rx.text("API address", size="2", weight="medium"),
        rx.code(base, aria_label="API address"),
        rx.text(
            "Documentation: ",
            rx.link("Swagger UI", href=f"{base}{DOCS}", is_external=True),
            " · ",
            rx.link("ReDoc", href=f"{base}{REDOC}", is_external=True),
            " · ",
            rx.link("OpenAPI document", href=f"{base}/openapi.json", is_external=True),
            size="2",
        ),
        spacing="1",
    )


def api_keys_card() -> rx.Component:
    return section_card(
        "API keys",
        _api_address(),
        _secret(S.new_key, "Your new API key (shown only once)"),
        _table(["Name", "Key", "Role", "Last used", ""], S.keys, _key_row),
        add_form(
            S.create_key,
            S.KEY_FORM,
            _field("Key name", "key-name", "name", "CRM sync"),
            option_select("Key role", "role", ROLES, default="member", empty="Choose…"),
            rx.button("Create key", type="submit"),
            align="end",
        ),
        hint="Keys for the REST API, sent as Authorization: Bearer <key>. A key acts as you, "
        "with at most your role.",
    )


def _hook_row(hook: rx.Var[dict]) -> rx.Component:
    url = hook["url"]
    return rx.table.row(
        rx.table.cell(rx.code(hook["url"])),
        rx.table.cell(hook["events"]),
        rx.table.cell(
            confirm_button(
                "Remove",
                aria_label=f"Remove webhook {url}",
                title="Remove this webhook?",
                description=f"Nothing more is sent to {url}, and its queued deliveries "
                "are dropped. To send there again, add it anew (with a new signing secret).",
                confirm_label="Remove webhook",
                on_confirm=S.remove_webhook(cast(Any, hook)["id"]),
            )
        ),
    )


def _delivery_row(delivery: rx.Var[dict]) -> rx.Component:
    return rx.table.row(
        rx.table.cell(delivery["created"]),
        rx.table.cell(delivery["event"]),
        rx.table.cell(rx.code(delivery["url"])),
        rx.table.cell(rx.badge(delivery["status"])),
        rx.table.cell(delivery["attempts"]),
        rx.table.cell(delivery["code"]),
        rx.table.cell(delivery["error"]),
    )


def webhooks_card() -> rx.Component:
    return section_card(
        "Webhooks",
        _secret(S.new_secret, "Signing secret of the new webhook (shown only once)"),
        _table(["URL", "Events", ""], S.hooks, _hook_row),
        rx.form(
            rx.vstack(
                _field("Webhook URL", "webhook-url", "url", "https://…"),
                rx.flex(
                    *[_tick(f"event:{event}", label) for event, label in S.WEBHOOK_EVENTS.items()],
                    wrap="wrap",
                    gap="3",
                ),
                rx.button("Add webhook", type="submit"),
                spacing="2",
                width="100%",
            ),
            on_submit=S.add_webhook,
            id=S.WEBHOOK_FORM,
            width="100%",
        ),
        rx.heading("Recent deliveries", as_="h3", size="3"),
        _table(
            ["When", "Event", "URL", "Status", "Attempts", "HTTP", "Error"],
            S.deliveries,
            _delivery_row,
        ),
        hint="We POST each chosen event as JSON, signed: X-PRM-Signature is sha256= the "
        'HMAC-SHA256 of "<X-PRM-Timestamp>.<body>" with the webhook\'s secret.',
    )


def _form_row(form: rx.Var[dict]) -> rx.Component:
    name = form["name"]
    return rx.table.row(
        rx.table.cell(name),
        rx.table.cell(form["routes_to"]),
        rx.table.cell(form["submissions"]),
        rx.table.cell(
            rx.vstack(
                rx.link(
                    form["url"], href=form["url"], is_external=True, aria_label=f"Link of {name}"
                ),
                rx.code(form["embed"], aria_label=f"Embed code of {name}", size="1"),
                spacing="1",
            )
        ),
        rx.table.cell(
            rx.hstack(
                row_button("Edit", S.start_edit(form["id"]), f"Edit form {name}", variant="ghost"),
                rx.cond(
                    form["active"] != "",
                    row_button(
                        "Close",
                        S.set_form_active(form["id"], False),
                        f"Close form {name}",
                        variant="ghost",
                    ),
                    row_button(
                        "Reopen",
                        S.set_form_active(form["id"], True),
                        f"Reopen form {name}",
                        variant="ghost",
                    ),
                ),
            )
        ),
    )


def _form_settings(prefix: str, values=None) -> list[rx.Component]:
    """The controls of a form's settings (`prefix` keeps ids unique; `values` fills them)."""

    def value(key: str, fallback: str = ""):
        return fallback if values is None else values[key]

    checked = None if values is None else values["field_keys"]
    return [
        _field(
            "Form name",
            f"{prefix}form-name",
            "name",
            "Contact us",
            **({} if values is None else {"default_value": values["name"]}),
        ),
        rx.flex(
            rx.text("Optional fields:", size="2"),
            *[
                _tick(
                    f"field:{f}",
                    label,
                    prefix,
                    None if checked is None else checked.to(str).contains(f),
                )
                for f, label in S.FORM_FIELDS.items()
            ],
            wrap="wrap",
            gap="3",
        ),
        rx.flex(
            option_select(
                "Routing",
                "routing",
                ROUTINGS,
                default=value("routing", "partner"),
                empty="Choose…",
                control_id=f"{prefix}routing",
            ),
            option_select(
                "Partner (chosen partner routing)",
                "partner_org_id",
                S.partner_choices,
                default=value("partner_id"),
                control_id=f"{prefix}form-partner",
            ),
            option_select(
                "Partner tier (round robin)",
                "tier_id",
                S.tier_choices,
                default=value("tier_id"),
                control_id=f"{prefix}form-tier",
            ),
            wrap="wrap",
            gap="3",
        ),
    ]


def _edit_form() -> rx.Component:
    return rx.cond(
        S.editing.length() > 0,
        rx.card(
            rx.form(
                rx.vstack(
                    rx.heading(f"Edit {S.editing['name']}", as_="h3", size="3"),
                    *_form_settings("edit-", S.editing),
                    rx.hstack(
                        rx.button("Save form", type="submit"),
                        rx.button("Cancel", on_click=S.cancel_edit, variant="soft", type="button"),
                    ),
                    spacing="2",
                    width="100%",
                ),
                on_submit=S.update_form,
                key=f"edit-{S.editing['id']}-{S.revision}",
                width="100%",
            ),
            width="100%",
        ),
    )


def lead_forms_card() -> rx.Component:
    return section_card(
        "Web-to-lead forms",
        _table(["Form", "Goes to", "Referrals", "Link and embed code", ""], S.forms, _form_row),
        _edit_form(),
        rx.form(
            rx.vstack(
                rx.heading("New form", as_="h3", size="3"),
                *_form_settings(""),
                rx.button("Create form", type="submit"),
                spacing="2",
                width="100%",
            ),
            on_submit=S.create_form,
            id=S.LEAD_FORM_FORM,
            width="100%",
        ),
        hint="A public form for your website: each submission becomes a referral to a "
        "partner. Link to it or paste its embed code into your page.",
    )


def integrations(provider: bool) -> rx.Component:
    """The section, for admins; others are told who can manage it."""
    cards = [api_keys_card(), webhooks_card()]
    if provider:
        cards.append(lead_forms_card())
    return rx.cond(
        S.can_administer,
        rx.vstack(*cards, spacing="4", width="100%", on_mount=S.load),
        rx.text("Only administrators manage integrations.", color_scheme="gray"),
    )
