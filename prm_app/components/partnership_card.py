"""A partnership as a card: the other organization, its status, since when, and its form."""

import reflex as rx

from .confirm import confirm_button, permitted
from .pickers import option_select


def partnership_card(
    row: rx.Var[dict],
    badges: rx.Component,
    on_end,
    body,
    *,
    href=None,
    end_consequence: str = "",
    allowed=True,
    reason: str = "",
) -> rx.Component:
    """`row` has "id", "name", "status" and "since"; `on_end` ends an active partnership, once
    confirmed (`end_consequence` says what ending it stops); `allowed` (a bool Var) says whether
    the viewer may end it, `reason` who can; `href`, when given, is the partnership's own page
    (its timeline)."""
    active = row["status"] == "active"
    name = row["name"]
    heading = rx.heading(row["name"], as_="h3", size="3")
    return rx.card(
        rx.vstack(
            rx.hstack(
                heading
                if href is None
                else rx.link(heading, href=href, aria_label=f"Details of {row['name']}"),
                badges,
                rx.spacer(),
                rx.text(f"since {row['since']}", size="1", color_scheme="gray"),
                rx.cond(
                    active,
                    confirm_button(
                        "End partnership",
                        aria_label=f"End the partnership with {name}",
                        title=f"End the partnership with {name}?",
                        description=f"The partnership with {name} ends now and cannot "
                        f"be resumed: only a new invitation starts a new one. {end_consequence}"
                        "Its leads, deals and history stay.",
                        confirm_label="End partnership",
                        on_confirm=on_end,
                        disabled=~allowed if allowed is not True else False,
                        disabled_reason=reason,
                    ),
                ),
                width="100%",
                align="center",
                wrap="wrap",
            ),
            body,
            width="100%",
        ),
        width="100%",
        role="group",
        aria_label=row["name"],
    )


def row_picker(row: rx.Var[dict], label: str, name: str, options, **props) -> rx.Component:
    """A select of `row`'s `name` field (id unique to the row)."""
    return option_select(
        label, name, options, default=row[name], control_id=f"{name}-{row['id']}", **props
    )


def categorize_form(
    row: rx.Var[dict], on_submit, key, *pickers: rx.Component, allowed=True, reason: str = ""
) -> rx.Component:
    """The pickers of an active partnership's categories and Save; `key` changes with them, so
    the form shows the saved values again. Save is greyed out unless `allowed` (a bool Var)."""
    return rx.form(
        rx.flex(
            rx.el.input(type="hidden", name="id", value=row["id"]),
            *pickers,
            rx.button(
                "Save",
                type="submit",
                aria_label=f"Save {row['name']}",
                **(permitted(allowed, reason) if allowed is not True else {}),
            ),
            gap="3",
            wrap="wrap",
            align="end",
        ),
        on_submit=on_submit,
        key=key,
    )
