"""/notifications (both portals): the caller's notifications and how they hear of each kind."""

import reflex as rx

from ..components.buttons import row_button
from ..components.empty_state import empty_state
from ..components.forms import checkbox_field
from ..components.live import follow
from ..components.pager import pager
from ..components.sections import tabbed
from ..components.tables import data_table
from ..services.notifications import CHANNELS, PAGE_SIZE
from ..state.live import NotesPulse
from ..state.notifications import NotificationsState as State
from .parts.shell import page_shell

TITLE = "Notifications"


def _item(item: rx.Var[dict]) -> rx.Component:
    unread = item["read"] == ""
    return rx.el.li(
        rx.hstack(
            rx.box(
                width="0.5rem",
                height="0.5rem",
                border_radius="50%",
                background=rx.cond(unread, rx.color("accent", 9), "transparent"),
                flex_shrink="0",
                margin_top="0.45rem",
                aria_hidden="true",
            ),
            rx.vstack(
                rx.link(
                    item["text"],
                    href="#",
                    on_click=State.open(item["id"]).prevent_default,
                    weight=rx.cond(unread, "bold", "regular"),
                    aria_label=f"Open: {item['text']}",
                ),
                rx.hstack(
                    rx.text(item["when"], size="1", color_scheme="gray"),
                    rx.badge(item["category"], size="1", variant="soft"),
                    rx.cond(~unread, rx.text("read", size="1", color_scheme="gray")),
                    align="center",
                ),
                spacing="1",
                flex="1",
            ),
            rx.cond(
                unread,
                row_button(
                    "Mark read",
                    State.mark_read(item["id"]),
                    f"Mark read: {item['text']}",
                    variant="ghost",
                ),
            ),
            align="start",
            width="100%",
        ),
        padding="0.75rem",
        border_bottom=f"1px solid {rx.color('gray', 4)}",
        list_style="none",
    )


def _inbox() -> rx.Component:
    return rx.vstack(
        rx.hstack(
            checkbox_field("Unread only", "unread-only", State.unread_only, State.set_unread_only),
            rx.spacer(),
            rx.button(
                rx.icon("check-check", size=16), "Mark all as read", on_click=State.mark_all_read
            ),
            width="100%",
            align="center",
        ),
        rx.cond(
            State.items.length() > 0,
            rx.vstack(
                rx.el.ul(
                    rx.foreach(State.items, _item),
                    aria_label="Notifications",
                    style={"padding": "0", "margin": "0", "width": "100%"},
                ),
                pager(
                    State,
                    PAGE_SIZE,
                    previous=State.go_to_page(State.page - 1),
                    following=State.go_to_page(State.page + 1),
                ),
                width="100%",
            ),
            empty_state("bell-off", "Nothing new", "Notifications about your work appear here."),
        ),
        width="100%",
        spacing="3",
    )


def _preference(row: rx.Var[dict]) -> rx.Component:
    control = "pref-" + row["category"]
    return rx.table.row(
        rx.table.cell(rx.el.label(row["label"], html_for=control)),
        rx.table.cell(
            rx.el.select(
                *[rx.el.option(label, value=value) for value, label in CHANNELS.items()],
                id=control,
                value=row["channel"],
                on_change=lambda value: State.set_preference(row["category"], value),
                style={"padding": "0.35rem"},
            )
        ),
    )


def _preferences() -> rx.Component:
    return rx.vstack(
        rx.text(
            "Choose how you hear of each kind of event. Email goes to the address you sign in "
            "with.",
            size="2",
            color_scheme="gray",
        ),
        data_table(("About", "How"), State.prefs, _preference, variant="surface"),
        spacing="3",
        width="100%",
    )


def page() -> rx.Component:
    return page_shell(
        TITLE,
        follow(NotesPulse.version, State.follow),
        tabbed(
            ("Inbox", "inbox", _inbox()),
            ("Preferences", "preferences", _preferences()),
        ),
    )
