"""/team: the organization's people; admins invite and deactivate colleagues."""

from typing import Any

import reflex as rx
from reflex.vars import ObjectVar

from ..components.buttons import row_button
from ..components.confirm import confirm_button
from ..components.forms import form_error, labeled_input
from ..components.sections import section_card
from ..components.tables import data_table
from ..state.team import INVITE_FORM, MemberRow, TeamState
from .parts.shell import page_shell

TITLE = "Team"


def _member_row(member: ObjectVar[MemberRow]) -> rx.Component:
    is_active = member["status"] == "active"
    action = rx.cond(
        is_active,
        confirm_button(
            "Deactivate",
            aria_label=f"Deactivate {member['name']}",
            title=f"Deactivate {member['name']}?",
            description=f"{member['name']} is signed out everywhere at once and can no longer "
            "sign in or use their API keys. Their records stay. You can reactivate them later.",
            confirm_label="Deactivate",
            on_confirm=TeamState.deactivate(member["user_id"]),
            variant="soft",
        ),
        row_button(
            "Reactivate",
            TeamState.reactivate(member["user_id"]),
            f"Reactivate {member['name']}",
            variant="soft",
        ),
    )
    return rx.table.row(
        rx.table.cell(member["name"]),
        rx.table.cell(member["email"]),
        rx.table.cell(_role_cell(member, rx.badge(member["role"], variant="soft"), is_active)),
        rx.table.cell(rx.badge(member["status"], color_scheme=rx.cond(is_active, "green", "gray"))),
        rx.table.cell(
            rx.cond(
                TeamState.can_administer & (member["is_self"] == ""),
                rx.hstack(action, _reset_two_factor(member), wrap="wrap"),
            )
        ),
    )


def _reset_two_factor(member: ObjectVar[MemberRow]) -> rx.Component:
    """For a colleague who lost their phone: their second factor goes, their sessions end."""
    return rx.cond(
        member["two_factor"] == "yes",
        confirm_button(
            "Reset 2FA",
            aria_label=f"Reset the two-factor sign-in of {member['name']}",
            title=f"Reset the two-factor sign-in of {member['name']}?",
            description=f"{member['name']}'s second factor is removed and they are signed out "
            "everywhere; they are told by mail and set up a new one at their next sign-in.",
            confirm_label="Reset 2FA",
            on_confirm=TeamState.reset_two_factor(member["user_id"]),  # type: ignore[operator]
            variant="soft",
        ),
    )


# An event handler (mypy types @rx.event handlers as the decorator's namespace).
_CHANGE_ROLE: Any = TeamState.change_role


def _role_cell(member: Any, badge: rx.Component, is_active: Any) -> rx.Component:
    """The role: an admin changes an active colleague's role here."""
    return rx.cond(
        TeamState.can_administer & (member["is_self"] == "") & is_active,
        rx.el.select(
            rx.el.option("member", value="member"),
            rx.el.option("manager", value="manager"),
            rx.el.option("admin", value="admin"),
            value=member["role"],
            on_change=lambda role: _CHANGE_ROLE(member["user_id"], role),
            aria_label=f"Role of {member['name']}",
            style={"padding": "0.25rem", "border_radius": "0.4rem"},
        ),
        badge,
    )


def _members() -> rx.Component:
    return data_table(
        ("Name", "Email", "Role", "Status", ""),
        TeamState.members,
        _member_row,
        width="100%",
        variant="surface",
    )


def _invite_form() -> rx.Component:
    return section_card(
        "Invite a colleague",
        rx.form(
            rx.flex(
                rx.box(
                    labeled_input(
                        "Colleague's email",
                        "email",
                        type="text",
                        input_mode="email",
                        error=TeamState.field_errors.get("email", ""),
                        on_fix=TeamState.recheck,
                    ),
                    flex="2",
                ),
                rx.vstack(
                    rx.el.label("Role", html_for="role", font_size="0.875rem", font_weight="500"),
                    rx.el.select(
                        rx.el.option("Member: sees what they own or are assigned", value="member"),
                        rx.el.option(
                            "Manager: sees all of the organization's records", value="manager"
                        ),
                        rx.el.option("Admin: also manages settings and the team", value="admin"),
                        id="role",
                        name="role",
                        default_value="member",
                        style={"padding": "0.4rem", "border_radius": "0.4rem"},
                    ),
                    spacing="1",
                    flex="1",
                ),
                rx.button("Send invitation", type="submit"),
                gap="3",
                align="end",
                wrap="wrap",
                width="100%",
            ),
            on_submit=TeamState.invite,
            id=INVITE_FORM,
            no_validate=True,  # the server's message next to the field, not a pop-up
            width="100%",
        ),
        form_error(TeamState.invite_error),
        rx.cond(
            TeamState.invite_sent != "",
            rx.callout(TeamState.invite_sent, icon="send", color_scheme="green", role="status"),
        ),
        rx.cond(
            TeamState.invites.length() > 0,
            rx.vstack(
                rx.heading("Pending invitations", as_="h3", size="3"),
                rx.foreach(
                    TeamState.invites,
                    lambda invite: rx.hstack(
                        rx.text(invite["email"]),
                        rx.badge(invite["role"], variant="soft"),
                        rx.text(f"expires {invite['expires']}", size="1", color_scheme="gray"),
                        confirm_button(
                            "Revoke",
                            aria_label=f"Revoke the invitation of {invite['email']}",
                            title=f"Revoke the invitation of {invite['email']}?",
                            description=f"The link mailed to {invite['email']} stops working at "
                            "once. To invite them again, send a new invitation.",
                            confirm_label="Revoke invitation",
                            on_confirm=TeamState.revoke_invite(invite["id"]),
                        ),
                        align="center",
                    ),
                ),
                width="100%",
            ),
        ),
    )


def page() -> rx.Component:
    return page_shell(
        TITLE,
        rx.cond(
            TeamState.can_administer,
            _invite_form(),
            rx.text(
                "Only administrators invite colleagues, change roles or deactivate people.",
                color_scheme="gray",
            ),
        ),
        _members(),
    )
