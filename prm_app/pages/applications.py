"""/p/applications: applications to the partner program (pending first) and, for admins, the
program's public pages (its address, applications open, the partner locator)."""

from typing import Any, cast

import reflex as rx
from reflex.vars.object import ObjectVar

from ..components.confirm import permitted
from ..components.empty_state import empty_state
from ..components.forms import form_error, labeled_input, tick_box
from ..components.live import follow
from ..state.applications import ApplicationsState as State
from ..state.base import ADMINS_ONLY, MANAGERS_ONLY
from ..state.live import PartnersPulse
from .parts.shell import page_shell

ON = cast(Any, State)  # its handlers and vars, as mypy does not see Reflex's

TITLE = "Applications"


def _settings() -> rx.Component:
    return rx.card(
        rx.form(
            rx.vstack(
                rx.heading("Public pages", as_="h2", size="4"),
                rx.text(
                    "Firms apply on your \u201cBecome a partner\u201d page; the partner locator "
                    "lists the partners who opted in. Both live at your program's address.",
                    size="2",
                    color_scheme="gray",
                ),
                labeled_input(
                    "Address (lower-case letters, digits and dashes)",
                    "slug",
                    required=False,
                    default_value=State.slug,
                    disabled=~State.can_administer,
                ),
                tick_box(
                    "applications_open",
                    "Applications open",
                    default_checked=State.applications_open,
                    disabled=~State.can_administer,
                ),
                tick_box(
                    "locator_published",
                    "Partner locator published",
                    default_checked=State.locator_published,
                    disabled=~State.can_administer,
                ),
                form_error(State.settings_error),
                rx.hstack(
                    rx.button(
                        "Save", type="submit", **permitted(State.can_administer, ADMINS_ONLY)
                    ),
                    rx.cond(
                        State.applications_open & (State.apply_url != ""),
                        rx.link("Application page", href=State.apply_url, is_external=True),
                    ),
                    rx.cond(
                        State.locator_published & (State.locator_url != ""),
                        rx.link("Partner locator", href=State.locator_url, is_external=True),
                    ),
                    wrap="wrap",
                    align="center",
                ),
                spacing="2",
                width="100%",
            ),
            key=State.settings_revision,
            on_submit=State.save_program,
        ),
        width="100%",
    )


def _application(row: ObjectVar[dict]) -> rx.Component:
    pending = row["status"] == "pending"
    firm = row["firm"]
    return rx.card(
        rx.vstack(
            rx.hstack(
                rx.heading(firm, as_="h3", size="3"),
                rx.badge(
                    row["status"],
                    color_scheme=rx.match(
                        row["status"], ("approved", "green"), ("rejected", "gray"), "amber"
                    ),
                ),
                align="center",
                wrap="wrap",
            ),
            rx.text(f"{row['name']} · {row['email']} · received {row['received']}", size="2"),
            rx.cond(row["partner_type"] != "", rx.text(f"Wants: {row['partner_type']}", size="2")),
            rx.cond(
                (row["website"] != "") | (row["country"] != ""),
                rx.text(f"{row['website']} {row['country']}", size="2", color_scheme="gray"),
            ),
            rx.cond(row["message"] != "", rx.text(row["message"], size="2")),
            rx.foreach(row["answers"].to(list[str]), lambda a: rx.text(a, size="2")),
            rx.foreach(
                row["duplicates"].to(list[str]),
                lambda d: rx.callout(d, icon="copy", color_scheme="amber", size="1", width="100%"),
            ),
            rx.cond(row["reason"] != "", rx.text(f"Reason: {row['reason']}", size="2")),
            rx.cond(
                pending,
                rx.flex(
                    rx.button(
                        "Approve",
                        on_click=ON.approve(row["id"]),
                        aria_label=f"Approve {firm} and invite them",
                        color_scheme="green",
                        **permitted(State.can_manage, MANAGERS_ONLY),
                    ),
                    rx.form(
                        rx.hstack(
                            rx.el.input(type="hidden", name="id", value=row["id"]),
                            rx.input(
                                name="reason",
                                placeholder="Reason (mailed to the applicant)",
                                aria_label=f"Reason for rejecting {firm}",
                                required=True,
                                max_length=1000,
                                disabled=~State.can_manage,
                            ),
                            rx.button(
                                "Reject",
                                type="submit",
                                variant="soft",
                                color_scheme="red",
                                aria_label=f"Reject {firm}",
                                **permitted(State.can_manage, MANAGERS_ONLY),
                            ),
                            wrap="wrap",
                        ),
                        id=f"reject-{row['id']}",
                        on_submit=State.reject,
                    ),
                    gap="0.5rem",
                    wrap="wrap",
                    align="center",
                ),
            ),
            spacing="1",
            width="100%",
        ),
        width="100%",
    )


def page() -> rx.Component:
    return page_shell(
        TITLE,
        follow(PartnersPulse.version, State.follow),
        _settings(),
        rx.heading("Applications", as_="h2", size="4"),
        rx.cond(
            ON.applications.length() > 0,
            rx.vstack(rx.foreach(State.applications, _application), width="100%"),
            empty_state(
                "user-plus",
                "No applications yet",
                "Applications from your public page appear here once the applicant has "
                "confirmed their email address.",
            ),
        ),
    )
