"""Extensions of a deal's protection on its page (services.deals.extensions): the partner's
request form, the request waiting with the provider's approve (new end) and decline, and the
history. Live like the rest of the page: DealDetailState re-reads it on every change."""

from typing import Any, cast

import reflex as rx
from reflex.vars.sequence import ArrayVar

from ...components.confirm import confirm_button
from ...components.forms import error_props, field, form_error
from ...state.deal_extensions import DealExtensionState as Ext
from ...state.deals import DealDetailState as State

EXT = State.extension
HISTORY = cast(ArrayVar, State.extension_history)
ERRORS = Ext.field_errors
_recheck = cast(Any, Ext.recheck)


def _input(label: str, control_id: str, name: str, error_key: str, **props) -> rx.Component:
    """A labelled input whose message (the service's, about `error_key`) shows under it."""
    error = ERRORS.get(error_key, "")
    control = rx.input(
        id=control_id,
        name=name,
        width="100%",
        # A message goes once its field is corrected (FieldErrors.recheck).
        on_blur=lambda value: _recheck(error_key, value),
        **{**error_props(control_id, error), **props},
    )
    return field(label, control, html_for=control_id, error=error)


def _reason(label: str, control_id: str, name: str, error_key: str) -> rx.Component:
    error = ERRORS.get(error_key, "")
    control = rx.text_area(
        id=control_id,
        name=name,
        required=True,
        max_length=1000,
        width="100%",
        on_blur=lambda value: _recheck(error_key, value),
        **error_props(control_id, error),
    )
    return field(label, control, html_for=control_id, error=error)


def _request_form() -> rx.Component:
    """The partner asks for more days (at most the program's maximum), with a reason."""
    return rx.form(
        rx.vstack(
            rx.text("Request an extension", weight="medium", size="2"),
            _input(
                "Days wanted (at most " + EXT["max_days"] + ")",
                "extension-days",
                "days",
                "days",
                type="number",
                min=1,
                max=EXT["max_days"],
                required=True,
            ),
            _reason("Reason (told to the provider)", "extension-reason", "reason", "reason"),
            rx.button("Request extension", type="submit"),
            spacing="2",
            width="100%",
        ),
        on_submit=Ext.request,
        reset_on_submit=False,
        id="request-extension",
        aria_label="Request an extension of the protection",
        width="100%",
    )


def _decide_forms() -> rx.Component:
    """The provider's answer: a new end (the date asked for, within the maximum) or a decline
    with a reason (asked first: it cannot be taken back)."""
    return rx.vstack(
        rx.form(
            rx.vstack(
                _input(
                    "New end of the protection (by " + EXT["latest_end"] + ")",
                    "extension-new-end",
                    "new_end",
                    "new_end",
                    type="date",
                    required=True,
                    default_value=EXT["suggested_end"],
                    min=EXT["earliest_end"],
                    max=EXT["latest_end"],
                    key=EXT["pending_id"],
                ),
                rx.button("Approve extension", type="submit", color_scheme="green"),
                spacing="2",
                width="100%",
            ),
            on_submit=Ext.approve,
            reset_on_submit=False,
            id="approve-extension",
            aria_label="Approve the extension",
            width="100%",
        ),
        rx.form(
            rx.vstack(
                _reason(
                    "Reason to decline (told to the partner)",
                    "extension-decline-reason",
                    "decision_reason",
                    "decision_reason",
                ),
                confirm_button(
                    "Decline extension",
                    aria_label="Decline the extension request",
                    title="Decline the extension?",
                    description="The partner is told the protection is not extended, with "
                    "your reason; it ends as planned.",
                    confirm_label="Decline extension",
                    form_id="decline-extension",
                    size="2",
                    variant="soft",
                ),
                spacing="2",
                width="100%",
            ),
            on_submit=Ext.decline,
            reset_on_submit=False,
            id="decline-extension",
            aria_label="Decline the extension",
            width="100%",
        ),
        spacing="3",
        width="100%",
    )


def _pending() -> rx.Component:
    return rx.callout(
        "Extension requested on "
        + EXT["pending_asked"]
        + ": "
        + EXT["pending_days"]
        + " more days. Reason: "
        + EXT["pending_reason"],
        icon="clock",
        color_scheme="blue",
    )


def _history() -> rx.Component:
    return rx.vstack(
        rx.text("Extension requests", weight="medium", size="2"),
        rx.el.ul(
            rx.foreach(
                State.extension_history,
                lambda r: rx.el.li(
                    r["asked"] + ": " + r["asked_for"] + " (" + r["reason"] + "). " + r["answer"]
                ),
            ),
            style={"padding_left": "1.2rem", "font_size": "0.875rem"},
            aria_label="Extension requests",
        ),
        spacing="1",
        width="100%",
    )


def extension_card() -> rx.Component:
    """Shown once there is something to show: a request possible, waiting, or answered."""
    return rx.cond(
        (EXT["can_request"] == "yes") | (EXT["pending_id"] != "") | (HISTORY.length() > 0),
        rx.card(
            rx.vstack(
                rx.heading("Protection extension", as_="h2", size="4"),
                rx.cond(EXT["pending_id"] != "", _pending()),
                rx.cond(EXT["can_decide"] == "yes", _decide_forms()),
                rx.cond(EXT["can_request"] == "yes", _request_form()),
                rx.cond(
                    (EXT["closed"] != "") & (EXT["pending_id"] == ""),
                    rx.text(EXT["closed"], size="2", color_scheme="gray"),
                ),
                form_error(Ext.error),
                rx.cond(HISTORY.length() > 0, _history()),
                spacing="3",
                width="100%",
            ),
            width="100%",
        ),
    )
