"""The deal forms' country and region, and their live "Registration rules" panel.

`state` has the RuleChecks mixin (state/rule_checks.py): `rule_checks` (rule, label, status,
status_text, message), `rule_blockers`, `rule_summary`, `rule_note`, `regions`, and the handler
`draft_form(form)`, which each watched control sends the whole form to (debounced: one key for
every field, so the last change, carrying every field, is the one sent).
"""

import json

import reflex as rx

from .forms import error_props, field

TYPING_MS = 400  # typed fields are checked once the person pauses this long
ICONS = {"pass": "circle-check", "fail": "circle-x", "warn": "triangle-alert"}
COLORS = {"pass": "green", "fail": "red", "warn": "amber"}


def watch(state, form_id: str) -> dict:
    """Props for a control of the form `form_id` whose change runs the check again, once the
    person pauses: the event carries the whole form as it is then."""
    form = rx.Var(
        f"Object.fromEntries(new FormData(document.getElementById({json.dumps(form_id)})))"
    ).to(dict)
    return {"on_change": lambda _value: state.draft_form(form).debounce(TYPING_MS)}


def _select(state, form_id: str, name: str, label: str, options, errors, *, first: str):
    html_id = f"deal-{name}"
    error = errors.get(name, "") if errors is not None else None
    return field(
        label,
        rx.el.select(
            rx.el.option(first, value=""),
            options,
            id=html_id,
            name=name,
            default_value="",
            **watch(state, form_id),
            style={"padding": "0.3rem", "width": "100%"},
            **error_props(html_id, error),
        ),
        html_for=html_id,
        required=False,
        error=error,
    )


def place_fields(state, form_id: str, countries: list[dict], errors=None) -> rx.Component:
    """Country (every ISO 3166-1 country, `countries` as id/name) and, once a country with
    subdivisions is chosen, its region (ISO 3166-2)."""
    country = _select(
        state,
        form_id,
        "country",
        "Country",
        [rx.el.option(c["name"], value=c["id"]) for c in countries],
        errors,
        first="Choose a country…",
    )
    region = _select(
        state,
        form_id,
        "region",
        "Region",
        rx.foreach(state.regions, lambda r: rx.el.option(r["name"], value=r["id"])),
        errors,
        first="Whole country",
    )
    return rx.flex(
        country,
        rx.cond(state.regions.length() > 0, region),
        direction=rx.breakpoints(initial="column", sm="row"),
        gap="3",
        width="100%",
    )


def _verdict(row) -> rx.Component:
    color = rx.match(row["status"], *COLORS.items(), "gray")
    return rx.el.li(
        rx.hstack(
            rx.match(
                row["status"],
                *[(s, rx.icon(icon, size=16, aria_hidden="true")) for s, icon in ICONS.items()],
                rx.fragment(),
            ),
            rx.vstack(
                rx.hstack(
                    rx.text(row["label"], size="2", weight="medium"),
                    rx.badge(row["status_text"], color_scheme=color, variant="soft"),
                    align="center",
                    wrap="wrap",
                ),
                rx.text(row["message"], size="1"),
                spacing="1",
            ),
            align="start",
            color=rx.color(color, 11),
        ),
        list_style="none",
    )


def rule_panel(state, action: str = "Submit") -> rx.Component:
    """Each rule with pass, fail or warning and its message; the failing hard rules named, as
    what `action` (the submit button's name) waits for."""
    return rx.el.section(
        rx.heading("Registration rules", as_="h3", size="2"),
        rx.text(state.rule_summary, size="1", color_scheme="gray", role="status"),
        rx.cond(state.rule_note != "", rx.text(state.rule_note, size="1", color_scheme="gray")),
        rx.cond(
            state.rule_checks.length() > 0,
            rx.el.ul(
                rx.foreach(state.rule_checks, _verdict),
                style={"padding": 0, "margin": 0, "display": "grid", "gap": "0.5rem"},
            ),
        ),
        rx.cond(
            state.rule_blockers != "",
            rx.callout(
                f"{action} waits until these rules pass: " + state.rule_blockers + ".",
                icon="ban",
                color_scheme="red",
                size="1",
                id="rule-blockers",
            ),
        ),
        aria_label="Registration rules",
        style={
            "width": "100%",
            "border": f"1px solid {rx.color('gray', 6)}",
            "border_radius": "6px",
            "padding": "0.75rem",
            "display": "grid",
            "gap": "0.5rem",
        },
    )


def submit_button(state, label: str) -> rx.Component:
    """The form's submit button: disabled, and saying why, while a hard rule fails."""
    return rx.button(
        label,
        type="submit",
        disabled=state.rule_blockers != "",
        aria_describedby=rx.cond(state.rule_blockers != "", "rule-blockers", ""),
    )
