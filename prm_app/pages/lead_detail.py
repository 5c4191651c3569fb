"""A lead or referral in full: every field, its recipients and their status, its timeline.

The receiving side acts on it here as on its list; the origin converts accepted recipients and
sends it on to more organizations. A provider deciding on a lead sees, side by side, the deals
of other partners already protected for the same customer.
"""

from typing import Any, cast

import reflex as rx
from reflex.vars import ObjectVar

from .. import routes
from ..components import lead_actions
from ..components.custom_inputs import custom_card, custom_inputs
from ..components.details import labeled_value, timeline
from ..components.empty_state import empty_state
from ..components.forms import field_message, form_error, tick_box
from ..components.lead_conversion import convert_dialog
from ..components.live import follow
from ..components.sections import section_card
from ..components.tables import data_table
from ..state.lead_conversion import ConvertLeadState
from ..state.leads import LeadDetailState as State
from ..state.live import LeadsPulse
from ..state.rule_checks import COUNTRIES
from .parts.record_funds import record_funds_card
from .parts.shell import page_shell

NOUN = State.lead.get("noun", "lead")
_edit_custom = cast(Any, State.edit_custom)
_tick_send_on = cast(Any, State.tick_send_on)


def _summary() -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.hstack(
                rx.heading(State.lead["company"], as_="h2", size="5"),
                rx.badge(State.lead["status"], variant="soft"),
                align="center",
            ),
            rx.cond(
                State.lead["hidden"] == "yes",
                rx.callout(
                    "Open or accept the referral to see its contact details.", icon="eye-off"
                ),
            ),
            rx.grid(
                labeled_value("Contact", State.lead["contact"]),
                labeled_value("Email", State.lead["email"]),
                labeled_value("Phone", State.lead["phone"]),
                labeled_value("Title", State.lead["title"]),
                labeled_value("From", State.lead["origin"]),
                labeled_value("Owner", State.lead["owner"]),
                labeled_value("Created", State.lead["created"]),
                labeled_value("Submitted", State.lead["submitted"]),
                labeled_value("Permission to share", cast(rx.Var, State.lead["consent"])),
                columns=rx.breakpoints(initial="2", md="4"),
                spacing="3",
                width="100%",
            ),
            labeled_value("Notes", State.lead["notes"]),
            rx.cond(
                State.lead["erased"] == "yes",
                rx.badge("Contact erased", color_scheme="gray"),
            ),
            spacing="3",
            width="100%",
        ),
        width="100%",
    )


def _custom() -> rx.Component:
    """The custom fields this side sees; edited where its organization may."""
    return custom_card(
        State,
        State.custom_rows,
        editing=State.custom_editing,
        can_edit=State.custom_editable,
        on_edit=_edit_custom(True),
        on_cancel=_edit_custom(False),
    )


def _conflicts() -> rx.Component:
    """This lead beside the deals protected for other partners (a provider's view only)."""
    return rx.cond(
        State.conflicts.length() > 0,
        section_card(
            "Customer already protected for another partner",
            rx.grid(
                rx.vstack(
                    rx.text(f"This {NOUN}", weight="bold", size="2"),
                    rx.text(State.lead["company"], size="2"),
                    rx.text(f"From {State.lead['origin']}", size="2"),
                    rx.text(State.lead["email"], size="2"),
                    spacing="1",
                ),
                rx.vstack(
                    rx.text("Protected deals", weight="bold", size="2"),
                    rx.foreach(
                        State.conflicts,
                        lambda c: rx.text(
                            f"{c['company']}: {c['partner']}, protected until {c['until']}",
                            size="2",
                        ),
                    ),
                    spacing="1",
                ),
                columns="2",
                spacing="4",
                width="100%",
            ),
            role="region",
            aria_label="Protection conflict",
            style={"border": "1px solid var(--orange-8)"},
        ),
    )


def _recipient(row: ObjectVar[dict]) -> rx.Component:
    origin = State.lead["side"] == "origin"
    return rx.table.row(
        rx.table.cell(row["org"]),
        rx.table.cell(
            rx.badge(row["status"], variant="soft"),
            rx.cond(
                row["deal_url"] != "",
                rx.link(
                    "Open the deal",
                    href=row["deal_url"],
                    aria_label=f"Open the deal of {row['org']}",
                    size="2",
                    margin_left="0.5rem",
                    white_space="nowrap",
                ),
            ),
        ),
        rx.table.cell(row["stage"]),
        rx.table.cell(row["owner"]),
        rx.table.cell(row["deadline"]),
        rx.table.cell(row["reason"]),
        rx.table.cell(
            rx.cond(
                origin,
                rx.cond(row["status"] == "accepted", lead_actions.convert_form(State, row, "lead")),
                lead_actions.actions(State, row, "lead"),
            )
        ),
        key=f"{row['id']}-{row['status']}-{row['stage_id']}",
    )


def _recipients() -> rx.Component:
    return rx.cond(
        State.recipients.length() > 0,
        rx.vstack(
            rx.heading(
                rx.cond(State.lead["side"] == "origin", "Sent to", "Received by"),
                as_="h2",
                size="4",
            ),
            data_table(
                ("Organization", "Status", "Stage", "Owner", "Accept by", "Reason", ""),
                State.recipients,
                _recipient,
                width="100%",
                variant="surface",
            ),
            width="100%",
        ),
    )


def _send_on() -> rx.Component:
    return rx.cond(
        State.more_targets.length() > 0,
        rx.card(
            rx.form(
                rx.vstack(
                    rx.heading("Send it on", as_="h2", size="4"),
                    rx.hstack(
                        rx.foreach(
                            State.more_targets,
                            lambda t: tick_box(
                                f"to_{t['id']}",
                                t["name"],
                                aria_label=t["name"],
                                on_change=_tick_send_on(t["id"]),
                            ),
                        ),
                        wrap="wrap",
                    ),
                    field_message(
                        State.field_errors.get("recipient_org_ids", ""), "send-on-recipients"
                    ),
                    rx.foreach(
                        State.send_on_fields,
                        lambda group: rx.box(
                            rx.vstack(
                                custom_inputs(group["rows"], State.field_errors, State.recheck),
                                spacing="2",
                                width="100%",
                            ),
                            display=rx.cond(
                                State.send_on_ticked.contains(group["id"]), "block", "none"
                            ),
                            width="100%",
                        ),
                    ),
                    form_error(State.send_on_error),
                    rx.button("Send", type="submit", size="2"),
                    spacing="2",
                    width="100%",
                ),
                on_submit=State.send_on,
                no_validate=True,
                aria_label="Send it on",
                key=State.send_on_round,
            ),
            width="100%",
        ),
    )


def _page(back: str, back_label: str, *extra: rx.Component) -> rx.Component:
    return page_shell(
        "Lead details",
        follow(LeadsPulse.version, State.follow),
        convert_dialog(ConvertLeadState, COUNTRIES),
        rx.link(f"← {back_label}", href=back),
        rx.cond(
            State.found,
            rx.vstack(
                _summary(),
                _custom(),
                _conflicts(),
                _recipients(),
                _send_on(),
                *extra,
                timeline(State.timeline),
                spacing="4",
                width="100%",
            ),
            empty_state(
                "search-x",
                "Nothing to show",
                "This lead does not exist, or it is not visible to you.",
            ),
        ),
    )


def consultant_lead() -> rx.Component:
    return _page(routes.Consultant.LEADS, "Leads", record_funds_card("lead"))


def consultant_referral() -> rx.Component:
    return _page(routes.Consultant.REFERRALS, "Referrals")


def provider_lead() -> rx.Component:
    return _page(routes.Provider.LEADS, "Leads")


def provider_referral() -> rx.Component:
    return _page(routes.Provider.REFERRALS, "Referrals")
