"""Settings > Rules: the program's extensions of deals' protection (none, once, unlimited)
and the longest one, in days."""

import reflex as rx

from ...components.confirm import permitted
from ...components.forms import form_error, labeled_input
from ...state.base import ADMINS_ONLY
from ...state.extension_rules import ExtensionRulesState as State


def extension_rules_form() -> rx.Component:
    """Loaded when the Rules tab shows it; admins save, the others read."""
    admin = permitted(State.can_administer, ADMINS_ONLY)
    return rx.card(
        rx.form(
            rx.vstack(
                rx.heading("Protection extensions", as_="h2", size="4"),
                rx.text(
                    "A partner may ask to extend an approved deal's protection before it ends, "
                    "with a reason; you approve (choosing the new end) or decline. One request "
                    "waits at a time; partners are reminded 7 days and 1 day before the end.",
                    size="2",
                    color_scheme="gray",
                ),
                rx.vstack(
                    rx.el.label(
                        "Extensions partners may request",
                        html_for="extension_mode",
                        font_size="0.875rem",
                        font_weight="500",
                    ),
                    rx.el.select(
                        rx.foreach(State.modes, lambda o: rx.el.option(o["name"], value=o["id"])),
                        id="extension_mode",
                        name="extension_mode",
                        default_value=State.mode,
                        style={"padding": "0.4rem", "max_width": "100%"},
                    ),
                    spacing="1",
                    width="100%",
                ),
                labeled_input(
                    "The longest extension (days)",
                    "extension_max_days",
                    type="number",
                    min=1,
                    max=365,
                    default_value=State.max_days,
                ),
                form_error(State.error),
                rx.button("Save extension rules", type="submit", **admin),
                spacing="4",
                width="100%",
            ),
            on_submit=State.save,
            reset_on_submit=False,
            key=State.revision,
            width="100%",
        ),
        on_mount=State.load,
        width="100%",
    )
