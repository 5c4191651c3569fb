"""The portal shell: navigation for the organization's kind, page title, user menu."""

import reflex as rx

from ... import routes
from ...components.live import on_change
from ...state.auth import AuthState
from ...state.base import AppState
from ...state.live import NotesPulse
from ...state.notifications import BellState

NavItem = tuple[str, str, str]  # label, route, lucide icon

CONSULTANT_NAV: list[NavItem] = [
    ("Dashboard", routes.Consultant.DASHBOARD, "chart-column"),
    ("Leads", routes.Consultant.LEADS, "inbox"),
    ("Referrals", routes.Consultant.REFERRALS, "handshake"),
    ("My Providers", routes.Consultant.PROVIDERS, "building-2"),
    ("Deals", routes.Consultant.DEALS, "kanban"),
    ("Commissions", routes.Consultant.COMMISSIONS, "wallet"),
    ("Settings", routes.Consultant.SETTINGS, "settings"),
]
PROVIDER_NAV: list[NavItem] = [
    ("Dashboard", routes.Provider.DASHBOARD, "chart-column"),
    ("Partners", routes.Provider.PARTNERS, "users"),
    ("Leads", routes.Provider.LEADS, "inbox"),
    ("Referrals", routes.Provider.REFERRALS, "send"),
    ("Deals", routes.Provider.DEALS, "kanban"),
    ("Commissions", routes.Provider.COMMISSIONS, "wallet"),
    ("Settings", routes.Provider.SETTINGS, "settings"),
]


def _nav_link(label: str, href: str, icon: str) -> rx.Component:
    active = AppState.router.page.path == href
    return rx.link(
        rx.hstack(rx.icon(icon, size=18, aria_hidden="true"), rx.text(label), align="center"),
        href=href,
        aria_current=rx.cond(active, "page", "false"),
        padding_x="0.75rem",
        padding_y="0.5rem",
        border_radius="0.5rem",
        white_space="nowrap",
        underline="none",
        color=rx.cond(active, rx.color("accent", 11), rx.color("gray", 12)),
        background=rx.cond(active, rx.color("accent", 3), "transparent"),
        _hover={"background": rx.color("gray", 3)},
    )


def _nav(items: list[NavItem], direction: str) -> rx.Component:
    return rx.flex(
        *[_nav_link(*item) for item in items],
        direction=direction,
        gap="0.25rem",
    )


def portal_nav(direction: str = "column") -> rx.Component:
    """The navigation of the caller's portal, chosen on the server-verified organization kind."""
    return rx.el.nav(
        rx.cond(
            AppState.org_kind == "provider",
            _nav(PROVIDER_NAV, direction),
            _nav(CONSULTANT_NAV, direction),
        ),
        aria_label="Portal",
    )


def bell() -> rx.Component:
    """The caller's unread notifications, live: a link to /notifications."""
    return rx.box(
        on_change(value=NotesPulse.version, on_change=BellState.follow(NotesPulse.version)),
        rx.link(
            rx.button(
                rx.icon("bell", size=16, aria_hidden="true"),
                rx.cond(
                    BellState.unread > 0,
                    rx.badge(
                        BellState.unread_label,
                        id="unread-count",
                        color_scheme="red",
                        variant="solid",
                        radius="full",
                    ),
                ),
                variant="soft",
                size="2",
                tab_index=-1,
            ),
            href=routes.NOTIFICATIONS,
            aria_label=rx.cond(
                BellState.unread > 0,
                f"Notifications: {BellState.unread_label} unread",
                "Notifications",
            ),
        ),
        on_mount=BellState.watch,
    )


def user_menu() -> rx.Component:
    return rx.hstack(
        bell(),
        rx.vstack(
            rx.text(AppState.user_name, weight="medium", size="2"),
            rx.hstack(
                rx.text(AppState.org_name, size="1", color_scheme="gray"),
                rx.badge(AppState.role, size="1", variant="soft"),
                align="center",
            ),
            spacing="0",
            align="end",
        ),
        rx.link(
            rx.button(rx.icon("shield", size=16), "Account", variant="soft", size="2"),
            href=routes.ACCOUNT,
        ),
        rx.link(
            rx.button(rx.icon("users", size=16), "Team", variant="soft", size="2"),
            href=routes.TEAM,
        ),
        rx.button(
            rx.icon("log-out", size=16),
            "Sign out",
            on_click=AuthState.sign_out,
            variant="outline",
            size="2",
        ),
        rx.button(
            "Sign out everywhere",
            on_click=AuthState.sign_out_everywhere,
            title="Also sign out your other browsers and devices",
            variant="ghost",
            size="1",
        ),
        align="center",
        spacing="3",
        wrap="wrap",  # on a phone the buttons go to a second line instead of past the edge
    )


def page_shell(title: str, *children: rx.Component) -> rx.Component:
    """A portal page: brand and navigation on the left, title and user menu on top."""
    portal_label = rx.cond(AppState.org_kind == "provider", "Provider portal", "Consultant portal")
    sidebar = rx.vstack(
        rx.link(
            rx.text("PRM", size="6", weight="bold"),
            href=routes.INDEX,
            underline="none",
            aria_label="Home",
        ),
        rx.text(portal_label, size="1", color_scheme="gray"),
        rx.divider(),
        portal_nav("column"),
        width="15rem",
        min_height="100vh",
        padding="1.25rem",
        border_right=f"1px solid {rx.color('gray', 5)}",
        display=["none", "none", "flex"],
        flex_shrink="0",
    )
    header = rx.flex(
        rx.heading(title, as_="h1", size="6"),
        rx.spacer(),
        user_menu(),
        align="center",
        wrap="wrap",
        gap="3",
        width="100%",
    )
    mobile_nav = rx.box(
        portal_nav("row"),
        overflow_x="auto",
        display=["block", "block", "none"],
        width="100%",
    )
    return rx.flex(
        sidebar,
        rx.el.main(
            rx.vstack(mobile_nav, header, *children, spacing="5", width="100%"),
            padding=["1rem", "1.5rem", "2rem"],
            width="100%",
            max_width="80rem",
            min_width="0",  # wide content (a board) scrolls inside instead of widening the page
        ),
        width="100%",
    )
