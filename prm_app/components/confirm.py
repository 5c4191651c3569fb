"""Ask before doing what cannot be taken back: one button that opens a Radix alert dialog.

The dialog opens and closes in the browser (no round trip); only the confirm button sends an
event. Radix traps the focus inside it, focuses Cancel first and closes on Escape, so a stray
Enter or click never confirms. The content fits a 390 px screen.
"""

import reflex as rx


def confirm_button(
    label: str,
    *,
    aria_label,
    title,
    description,
    confirm_label: str,
    on_confirm=None,
    form_id=None,
    disabled=False,
    disabled_reason="",
    size: str = "1",
    variant: str = "ghost",
    **trigger_props,
) -> rx.Component:
    """A red button that asks first.

    `aria_label` names the request ("Revoke key ci-bot"); `title` asks the question and
    `description` says exactly what will happen to what. Confirming fires `on_confirm`, or
    submits the form whose id is `form_id` (so its fields, validation and handler apply).
    `disabled` (a bool Var, e.g. "the viewer may not do this") greys the trigger out with
    `disabled_reason` as its tooltip; the server refuses the event regardless.
    """
    action_props = (
        {"type": "submit", "form": form_id} if form_id is not None else {"on_click": on_confirm}
    )
    if disabled is not False:
        trigger_props |= {"disabled": disabled, "title": rx.cond(disabled, disabled_reason, "")}
    trigger = rx.button(
        label,
        type="button",
        aria_label=aria_label,
        size=size,
        variant=variant,
        color_scheme="red",
        **trigger_props,
    )
    return rx.alert_dialog.root(
        rx.alert_dialog.trigger(trigger),
        rx.alert_dialog.content(
            rx.alert_dialog.title(title),
            rx.alert_dialog.description(description),
            rx.flex(
                rx.alert_dialog.cancel(rx.button("Cancel", variant="soft", color_scheme="gray")),
                rx.alert_dialog.action(
                    rx.button(confirm_label, color_scheme="red", **action_props)
                ),
                spacing="3",
                justify="end",
                wrap="wrap",
                margin_top="1rem",
            ),
            max_width="28rem",
            width="calc(100vw - 2rem)",
        ),
    )


def permitted(allowed, reason: str) -> dict:
    """Props that disable a control the viewer may not use, with who can as its tooltip.

    `allowed` is a bool Var computed on the server from the session (see AppState); the
    handler behind the control still refuses on its own.
    """
    return {"disabled": ~allowed, "title": rx.cond(allowed, "", reason)}
