"""/c/leads: the consultant's leads, and the providers they can be submitted to."""

import reflex as rx

from .. import routes
from ..components.empty_state import empty_state
from ..components.shell import page_shell
from ..state.leads import ConsultantLeadsState

TITLE = "Leads"


def _targets() -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.heading("Where you can submit leads", as_="h2", size="3"),
            rx.cond(
                ConsultantLeadsState.eligible.length() > 0,
                rx.hstack(
                    rx.foreach(
                        ConsultantLeadsState.eligible,
                        lambda name: rx.badge(name, color_scheme="green", size="2"),
                    ),
                    wrap="wrap",
                ),
                rx.text(
                    "No provider yet: leads go to providers whose invitation you accepted and "
                    "categorized under ",
                    rx.link("My Providers", href=routes.Consultant.PROVIDERS),
                    ".",
                    size="2",
                ),
            ),
            rx.foreach(
                ConsultantLeadsState.unavailable,
                lambda row: rx.text(
                    rx.text.strong(row["name"]),
                    f" is not available: {row['reason']}.",
                    size="2",
                    color_scheme="gray",
                ),
            ),
            spacing="2",
            width="100%",
        ),
        width="100%",
    )


def page() -> rx.Component:
    return page_shell(
        TITLE,
        _targets(),
        empty_state(
            "inbox",
            "No leads yet",
            "Leads you submit to your providers appear here: drafts you saved, and each "
            "provider's decision on the ones you sent. Submit them one by one or import a CSV.",
        ),
    )
