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
    ("Marketing funds", routes.Consultant.FUNDS, "megaphone"),
    ("Scorecard", routes.Consultant.SCORECARD, "gauge"),
    ("Library", routes.Consultant.LIBRARY, "library"),
    ("Privacy", routes.Consultant.PRIVACY, "shield-check"),
    ("Settings", routes.Consultant.SETTINGS, "settings"),
]
PROVIDER_NAV: list[NavItem] = [
    ("Dashboard", routes.Provider.DASHBOARD, "chart-column"),
    ("Partners", routes.Provider.PARTNERS, "users"),
    ("Applications", routes.Provider.APPLICATIONS, "user-plus"),
    ("Leads", routes.Provider.LEADS, "inbox"),
    ("Referrals", routes.Provider.REFERRALS, "send"),
    ("Deals", routes.Provider.DEALS, "kanban"),
    ("Commissions", routes.Provider.COMMISSIONS, "wallet"),
    ("Marketing funds", routes.Provider.FUNDS, "megaphone"),
    ("Onboarding", routes.Provider.ONBOARDING, "clipboard-check"),
    ("Scorecard", routes.Provider.SCORECARD, "gauge"),
    ("Library", routes.Provider.LIBRARY, "library"),
    ("Privacy", routes.Provider.PRIVACY, "shield-check"),
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
    """The caller's unread notifications, live: a link to /notifications, drawn as a button (one
    control: a button inside a link is two tab stops and an invalid nesting)."""
    return rx.box(
        on_change(value=NotesPulse.version, on_change=BellState.follow(NotesPulse.version)),
        rx.link(
            rx.icon("bell", size=16, aria_hidden="true"),
            rx.cond(
                BellState.unread > 0,
                rx.badge(
                    BellState.unread_label,
                    id="unread-count",
                    color_scheme="red",
                    variant="solid",
                    high_contrast=True,  # white on red-9 is 3.9:1; red-1 on red-12 over 4.5
                    radius="full",
                ),
            ),
            href=routes.NOTIFICATIONS,
            aria_label=rx.cond(
                BellState.unread > 0,
                f"Notifications: {BellState.unread_label} unread",
                "Notifications",
            ),
            underline="none",
            display="inline-flex",
            align_items="center",
            gap="0.5rem",
            height="var(--space-6)",
            padding_x="0.75rem",
            border_radius="var(--radius-2)",
            color=rx.color("accent", 11),
            background=rx.color("accent", 3),
            _hover={"background": rx.color("accent", 4)},
        ),
        on_mount=BellState.watch,
        flex_shrink="0",
    )


def _menu_link(label: str, href: str, icon: str) -> rx.Component:
    return rx.menu.item(
        rx.icon(icon, size=16, aria_hidden="true"), label, on_select=rx.redirect(href)
    )


def user_menu() -> rx.Component:
    """Who is signed in (name, organization, role) and a menu with the account's pages and the
    ways to sign out; on a phone only the icon and the role show until it opens."""
    wide = ["none", "none", "flex"]
    return rx.menu.root(
        rx.menu.trigger(
            rx.button(
                rx.icon("circle-user-round", size=18, aria_hidden="true"),
                rx.vstack(
                    rx.text(AppState.user_name, weight="medium", size="2"),
                    rx.text(AppState.org_name, size="1", color_scheme="gray"),
                    spacing="0",
                    align="start",
                    display=wide,
                ),
                rx.badge(AppState.role, size="1", variant="soft"),
                rx.icon("chevron-down", size=14, aria_hidden="true"),
                variant="ghost",
                size="2",
                height="auto",
                aria_label=f"User menu: {AppState.user_name}",
            )
        ),
        rx.menu.content(
            rx.vstack(
                rx.text(AppState.user_name, weight="medium", size="2"),
                rx.text(AppState.org_name, size="1", color_scheme="gray"),
                spacing="0",
                padding_x="var(--space-3)",
                padding_y="var(--space-1)",
            ),
            rx.menu.separator(),
            _menu_link("Account", routes.ACCOUNT, "shield"),
            _menu_link("Team", routes.TEAM, "users"),
            rx.cond(
                AppState.role == "admin",
                rx.cond(
                    AppState.org_kind == "provider",
                    _menu_link("Audit log", routes.Provider.AUDIT, "scroll-text"),
                    _menu_link("Audit log", routes.Consultant.AUDIT, "scroll-text"),
                ),
            ),
            rx.menu.separator(),
            rx.menu.item(
                rx.icon("log-out", size=16, aria_hidden="true"),
                "Sign out",
                on_select=AuthState.sign_out,
            ),
            rx.menu.item(
                "Sign out everywhere",
                on_select=AuthState.sign_out_everywhere,
                title="Also sign out your other browsers and devices",
            ),
            align="end",
        ),
        # Not modal: a modal menu hides the rest of the page from assistive technology while
        # its controls stay focusable (axe: aria-hidden-focus); arrows, Escape and Tab still work.
        modal=False,
    )


def menu_drawer() -> rx.Component:
    """Below the tablet width the side navigation lives in a drawer behind a Menu button: a
    modal dialog, so focus stays inside and Escape closes it; following a link leaves the page
    (and the drawer with it)."""
    portal_label = rx.cond(AppState.org_kind == "provider", "Provider portal", "Consultant portal")
    return rx.dialog.root(
        rx.dialog.trigger(
            rx.icon_button(
                rx.icon("menu", size=18, aria_hidden="true"),
                variant="soft",
                size="2",
                aria_label="Menu",
                display=["inline-flex", "inline-flex", "none"],
            )
        ),
        rx.dialog.content(
            rx.hstack(
                rx.dialog.title("Menu", size="4", margin="0"),
                rx.spacer(),
                rx.dialog.close(
                    rx.icon_button(
                        rx.icon("x", size=18, aria_hidden="true"),
                        variant="ghost",
                        aria_label="Close the menu",
                    )
                ),
                align="center",
                width="100%",
            ),
            rx.text(portal_label, size="1", color_scheme="gray"),
            rx.divider(margin_y="0.75rem"),
            portal_nav("column"),
            position="fixed",
            top="0",
            left="0",
            bottom="0",
            width="min(18rem, 85vw)",
            max_width="none",
            max_height="none",
            margin="0",
            border_radius="0",
            overflow_y="auto",
        ),
    )


def page_shell(title: str, *children: rx.Component) -> rx.Component:
    """A portal page: brand and navigation on the left, title and user menu on top."""
    portal_label = rx.cond(AppState.org_kind == "provider", "Provider portal", "Consultant portal")
    # In a landmark of its own, so that nothing of the page sits outside one (axe: region).
    sidebar = rx.el.aside(
        rx.vstack(
            rx.link(
                rx.text("PRM", size="6", weight="bold"),
                href=routes.INDEX,
                underline="none",
                aria_label="Home",
            ),
            rx.text(portal_label, size="1", color_scheme="gray"),
            rx.divider(),
            portal_nav("column"),
        ),
        aria_label="Portal menu",
        width="15rem",
        min_height="100vh",
        padding="1.25rem",
        border_right=f"1px solid {rx.color('gray', 5)}",
        display=["none", "none", "block"],
        flex_shrink="0",
    )
    header = rx.flex(
        menu_drawer(),
        rx.heading(title, as_="h1", size=rx.breakpoints(initial="5", sm="6"), min_width="0"),
        rx.hstack(bell(), user_menu(), align="center", spacing="3", margin_left="auto"),
        align="center",
        wrap="wrap",
        gap="3",
        width="100%",
    )
    return rx.flex(
        sidebar,
        rx.el.main(
            rx.vstack(header, *children, spacing="5", width="100%"),
            padding=["1rem", "1.5rem", "2rem"],
            width="100%",
            max_width="80rem",
            min_width="0",  # wide content (a board) scrolls inside instead of widening the page
            # Busy until the page's on_load handlers have filled it (tests wait on it too).
            aria_busy=rx.cond(rx.State.is_hydrated, "false", "true"),
        ),
        width="100%",
    )
