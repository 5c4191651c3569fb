"""The onboarding card of a partnership's page: the agreements (signed here by the partner's
admin) and the checklist with its progress, on both sides."""

from typing import Any, cast

import reflex as rx
from reflex.vars import ObjectVar

from ...components.live import follow
from ...state.live import PartnersPulse
from ...state.partner_onboarding import LINK, MANUAL, AgreementCard, StepRow
from ...state.partner_onboarding import PartnerOnboardingState as State

ON = cast(Any, State)
NAME_HINT = (
    "Type your full name as your account spells it; capitals and spaces do not matter. "
    "Signing records your name, the time, the version and a fingerprint (SHA-256) of its text."
)


def _sign_form(row: ObjectVar[AgreementCard]) -> rx.Component:
    field_id = f"typed-name-{row['version_id']}"
    return rx.form(
        rx.vstack(
            rx.input(type="hidden", name="version_id", value=row["version_id"]),
            rx.el.label("Your full name", html_for=field_id),
            rx.text(NAME_HINT, size="1", color_scheme="gray"),
            rx.hstack(
                rx.input(
                    id=field_id,
                    name="typed_name",
                    required=True,
                    max_length=200,
                    auto_complete="name",
                    flex="1",
                    min_width="10rem",
                ),
                rx.button(
                    "Sign",
                    type="submit",
                    disabled=State.sign_refusal != "",
                    title=State.sign_refusal,
                    aria_label=f"Sign {row['title']} v{row['number']}",
                ),
                wrap="wrap",
                width="100%",
            ),
            rx.cond(
                State.sign_error != "",
                rx.text(State.sign_error, color_scheme="red", size="2", role="alert"),
            ),
            spacing="1",
            width="100%",
        ),
        on_submit=ON.sign,
        reset_on_submit=False,
        width="100%",
    )


def _agreement(row: ObjectVar[AgreementCard]) -> rx.Component:
    signed = row["signed"] == "yes"
    return rx.vstack(
        rx.hstack(
            rx.text(f"{row['title']} v{row['number']}", weight="bold"),
            rx.cond(
                signed,
                rx.badge("signed", color_scheme="green"),
                rx.badge(
                    rx.cond(row["asks_again"] == "yes", "new version to sign", "not signed yet"),
                    color_scheme="amber",
                ),
            ),
            rx.link("Read or download", href=row["file_url"], is_external=True, size="2"),
            align="center",
            wrap="wrap",
        ),
        rx.cond(
            signed,
            rx.hstack(
                rx.text(f"Signed by {row['signed_by']} on {row['signed_at']}", size="2"),
                rx.link("Signed copy", href=row["signed_url"], is_external=True, size="2"),
                wrap="wrap",
            ),
            rx.cond(
                State.partner_side,
                rx.vstack(
                    rx.cond(
                        row["text"] != "",
                        rx.scroll_area(
                            rx.text(row["text"], white_space="pre-wrap", size="2"),
                            type="auto",
                            max_height="12rem",
                            tab_index=0,
                            aria_label=f"Text of {row['title']}",
                        ),
                    ),
                    _sign_form(row),
                    width="100%",
                ),
            ),
        ),
        spacing="2",
        width="100%",
    )


def _step(row: ObjectVar[StepRow]) -> rx.Component:
    done = row["done"] == "yes"
    return rx.hstack(
        rx.cond(
            row["kind"] == MANUAL,
            rx.checkbox(
                checked=done,
                on_change=lambda value: ON.tick(row["id"], value),
                disabled=State.tick_refusal != "",
                title=State.tick_refusal,
                aria_label=row["title"],
            ),
            rx.icon(
                rx.cond(done, "circle-check", "circle"),
                color=rx.cond(done, "var(--green-9)", "var(--gray-9)"),
                size=18,
                aria_hidden="true",
            ),
        ),
        rx.text(row["title"], size="2"),
        rx.text(rx.cond(done, "(done)", "(to do)"), size="1", color_scheme="gray"),
        rx.cond(
            (row["kind"] == LINK) & State.partner_side,
            rx.button(
                "Open",
                on_click=ON.open_link(row["id"]),
                size="1",
                variant="soft",
                aria_label=f"Open {row['title']}",
            ),
        ),
        align="center",
        wrap="wrap",
    )


def onboarding_card() -> rx.Component:
    """Shown when the provider asks for agreements or has a checklist."""
    return rx.fragment(
        follow(PartnersPulse.version, State.follow),
        rx.cond(
            (ON.agreements.length() > 0) | (ON.steps.length() > 0),
            rx.card(
                rx.vstack(
                    rx.hstack(
                        rx.heading("Onboarding", as_="h2", size="4"),
                        rx.cond(
                            State.progress != "",
                            rx.badge(
                                f"{State.progress} steps done", aria_label="Checklist progress"
                            ),
                        ),
                        align="center",
                        wrap="wrap",
                    ),
                    rx.cond(
                        ON.agreements.length() > 0,
                        rx.vstack(
                            rx.heading("Agreements", as_="h3", size="3"),
                            rx.foreach(State.agreements, _agreement),
                            width="100%",
                        ),
                    ),
                    rx.cond(
                        ON.steps.length() > 0,
                        rx.vstack(
                            rx.heading("Checklist", as_="h3", size="3"),
                            rx.foreach(State.steps, _step),
                            spacing="1",
                        ),
                    ),
                    spacing="3",
                    width="100%",
                ),
                width="100%",
            ),
        ),
    )
