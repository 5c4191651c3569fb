"""/security: the organization's security policy and its security events (admins only)."""

import reflex as rx

from ..state.security import SecurityState
from .parts import security_events, security_sessions
from .parts.security_policy import policy_section
from .parts.shell import page_shell

TITLE = "Security"


def page() -> rx.Component:
    return page_shell(
        TITLE,
        rx.cond(
            SecurityState.role == "admin",
            rx.vstack(
                policy_section(),
                security_sessions.section(),
                security_events.section(),
                spacing="4",
                width="100%",
            ),
            rx.callout("Only your organization's admins see its security settings.", icon="lock"),
        ),
    )
