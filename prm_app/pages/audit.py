"""/p/audit and /c/audit: the organization's audit log (filters, keyset pages, CSV export) and
its full export, live (admins only)."""

from typing import Any

import reflex as rx

from ..components.file_links import export_button
from ..components.live import follow
from ..components.sections import section_card
from ..components.tables import data_table
from ..state.audit import RECORD_TYPES, AuditState
from ..state.live import AuditPulse
from .parts.shell import page_shell

TITLE = "Audit log"
# An event handler (mypy types @rx.event handlers as the decorator's namespace).
_SET_FILTER: Any = AuditState.set_filter
_SELECT_STYLE = {"padding": "0.3rem", "border_radius": "0.4rem", "max_width": "100%"}


def _labelled(label: str, control_id: str, control: rx.Component) -> rx.Component:
    return rx.vstack(
        rx.el.label(label, html_for=control_id, font_size="0.8rem"), control, spacing="1"
    )


def _select(label: str, name: str, value: Any, options: rx.Component) -> rx.Component:
    control_id = f"audit-{name.replace('_', '-')}"
    return _labelled(
        label,
        control_id,
        rx.el.select(
            rx.el.option("All", value=""),
            options,
            id=control_id,
            value=value,
            on_change=lambda v: _SET_FILTER(name, v),
            style=_SELECT_STYLE,
        ),
    )


def _day(label: str, name: str, value: Any) -> rx.Component:
    control_id = f"audit-{name}"
    return _labelled(
        label,
        control_id,
        rx.el.input(
            type="date",
            id=control_id,
            value=value,
            on_change=lambda v: _SET_FILTER(name, v),
            style=_SELECT_STYLE,
        ),
    )


def _filters() -> rx.Component:
    return rx.flex(
        _select(
            "Person",
            "person",
            AuditState.person,
            rx.foreach(AuditState.people, lambda p: rx.el.option(p[1], value=p[0])),
        ),
        _select(
            "Record type",
            "record_type",
            AuditState.record_type,
            rx.fragment(*[rx.el.option(label, value=key) for key, label in RECORD_TYPES]),
        ),
        _select(
            "Action",
            "action",
            AuditState.action,
            rx.foreach(AuditState.actions, lambda a: rx.el.option(a, value=a)),
        ),
        _day("From", "since", AuditState.since),
        _day("To", "until", AuditState.until),
        rx.button("Clear", variant="soft", on_click=AuditState.clear_filters),
        rx.spacer(),
        export_button(AuditState.export_url, "audit log entries"),
        align="end",
        gap="3",
        wrap="wrap",
        width="100%",
    )


def _row(entry: Any) -> rx.Component:
    return rx.table.row(
        rx.table.cell(entry["when"], white_space="nowrap"),
        rx.table.cell(entry["who"], overflow_wrap="anywhere", min_width="6rem"),
        rx.table.cell(entry["how"], overflow_wrap="anywhere", min_width="6rem"),
        rx.table.cell(entry["record"], white_space="nowrap"),
        rx.table.cell(entry["action"]),
        rx.table.cell(
            rx.vstack(
                rx.foreach(entry["changes"], lambda c: rx.text(c, size="1")),
                spacing="0",
            ),
            overflow_wrap="anywhere",
            min_width="12rem",
        ),
    )


def _log() -> rx.Component:
    return section_card(
        "Changes",
        _filters(),
        rx.cond(AuditState.problem != "", rx.callout(AuditState.problem, color_scheme="red")),
        rx.box(
            data_table(
                ("When (UTC)", "Who", "How", "Record", "Action", "What changed"),
                AuditState.entries,
                _row,
                width="100%",
                variant="surface",
            ),
            overflow_x="auto",
            width="100%",
        ),
        rx.hstack(
            rx.button(
                "Newer",
                on_click=AuditState.newer_page,
                disabled=AuditState.newer.length() == 0,  # type: ignore[attr-defined]
                size="1",
            ),
            rx.button(
                "Older",
                on_click=AuditState.older_page,
                disabled=AuditState.older == "",
                size="1",
            ),
            align="center",
        ),
        hint="Every change made by your organization's people, API keys, imports and jobs, "
        "newest first; sign-ins and other security events too.",
    )


def _export_row(export: Any) -> rx.Component:
    return rx.table.row(
        rx.table.cell(export["started"], white_space="nowrap"),
        rx.table.cell(rx.badge(export["status"])),
        rx.table.cell(
            rx.vstack(
                rx.progress(value=export["percent"], max=100, aria_label="Export progress"),
                rx.text(export["progress"], size="1"),
                spacing="1",
                min_width="10rem",
            )
        ),
        rx.table.cell(
            rx.cond(
                export["url"] != "",
                rx.button(
                    rx.el.a(
                        rx.icon("file-archive", size=16, aria_hidden="true"),
                        "Download",
                        href=export["url"],
                        download=True,
                        aria_label="Download the export (once)",
                    ),
                    as_child=True,
                    variant="soft",
                ),
            )
        ),
    )


def _full_export() -> rx.Component:
    return section_card(
        "Full export",
        rx.flex(
            rx.button(
                rx.icon("archive", size=16, aria_hidden="true"),
                "Export all our data",
                on_click=AuditState.start_export,
            ),
            gap="3",
            wrap="wrap",
        ),
        rx.box(
            data_table(
                ("Started", "Status", "Progress", "File"),
                AuditState.exports,
                _export_row,
                width="100%",
                variant="surface",
            ),
            overflow_x="auto",
            width="100%",
        ),
        hint="Every table your organization owns, one CSV file each, in a zip. It can be "
        "downloaded once, by an admin, within a day.",
    )


def page() -> rx.Component:
    return page_shell(
        TITLE,
        follow(AuditPulse.version, AuditState.follow),
        rx.cond(
            AuditState.role == "admin",
            rx.vstack(_log(), _full_export(), spacing="4", width="100%"),
            rx.callout("Only your organization's admins see its audit log.", icon="lock"),
        ),
    )
