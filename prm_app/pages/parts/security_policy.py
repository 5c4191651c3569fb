"""/security, "Two-factor sign-in policy" (state.security_policy)."""

import reflex as rx

from ...components.forms import form_error, labeled_input
from ...components.sections import section_card
from ...services.identity.two_factor_policy import CHOICES
from ...state.security_policy import SecurityPolicyState as S


def policy_section() -> rx.Component:
    return section_card(
        "Two-factor sign-in policy",
        rx.form(
            rx.vstack(
                rx.vstack(
                    rx.el.label(
                        "Who must use two-factor sign-in",
                        html_for="policy",
                        font_size="0.875rem",
                        font_weight="500",
                    ),
                    rx.el.select(
                        *[rx.el.option(label, value=value) for value, label in CHOICES.items()],
                        id="policy",
                        name="policy",
                        default_value=S.policy,
                        key=S.policy,  # shows the saved policy once it is loaded
                        style={"padding": "0.4rem", "border_radius": "0.4rem"},
                    ),
                    spacing="1",
                    width="100%",
                ),
                labeled_input(
                    "Your password, to confirm",
                    "policy_password",
                    type="password",
                    autocomplete="current-password",
                ),
                form_error(S.policy_error),
                rx.button("Save policy", type="submit"),
                spacing="3",
                width="100%",
            ),
            on_submit=S.save_policy,
            width="100%",
        ),
        hint="People the policy covers who have no second factor set it up at their next "
        "sign-in before they get in.",
    )
