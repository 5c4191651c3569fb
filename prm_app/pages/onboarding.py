"""/p/onboarding: the provider's partner agreements (tab Agreements) and onboarding checklist
(tab Checklist). Administrators change them; everyone else reads."""

from typing import Any, cast

import reflex as rx
from reflex.vars import ObjectVar

from ..components.confirm import confirm_button, permitted
from ..components.forms import field
from ..components.live import follow
from ..components.pickers import option_select
from ..components.tables import data_table
from ..state import upload_guard
from ..state.base import ADMINS_ONLY
from ..state.live import PartnersPulse
from ..state.onboarding_settings import (
    AGREEMENT_FORM,
    STEP_FORM,
    UPLOAD_ID,
    VERSION_FORM,
    AgreementSetting,
    SignatureRow,
    StepSetting,
)
from ..state.onboarding_settings import OnboardingSettingsState as State
from .parts.shell import page_shell

TITLE = "Onboarding"
ON = cast(Any, State)
ADMIN = permitted(State.can_administer, ADMINS_ONLY)


def _error(message) -> rx.Component:
    return rx.cond(message != "", rx.text(message, color_scheme="red", size="2", role="alert"))


def _text_area(name: str, control_id: str) -> rx.Component:
    """The agreement's text (left empty when a file was chosen instead)."""
    return rx.text_area(id=control_id, name=name, rows="6", max_length=100_000, width="100%")


def _agreement(row: ObjectVar[AgreementSetting]) -> rx.Component:
    return rx.table.row(
        rx.table.cell(rx.link(row["title"], href=row["file_url"], is_external=True)),
        rx.table.cell(row["asked_of"]),
        rx.table.cell(f"v{row['number']} ({row['kind']}, {row['published']})"),
        rx.table.cell(
            rx.button(
                f"{row['signed']} signed",
                on_click=ON.show_signatures(row["id"]),
                size="1",
                variant="soft",
                aria_label=f"Who signed {row['title']}",
            )
        ),
        rx.table.cell(
            confirm_button(
                "Stop asking",
                aria_label=f"Stop asking {row['title']}",
                title=f"Stop asking partners to sign {row['title']}?",
                description="Partners are no longer asked to sign it, and it no longer holds "
                "their referrals or registrations. The signatures it has stay on record.",
                confirm_label="Stop asking",
                on_confirm=ON.archive_agreement(row["id"]),
                disabled=~State.can_administer,
                disabled_reason=ADMINS_ONLY,
            )
        ),
    )


def _signature(row: ObjectVar[SignatureRow]) -> rx.Component:
    return rx.table.row(
        rx.table.cell(row["partner"]),
        rx.table.cell(
            rx.cond(row["current"] == "yes", f"v{row['number']}", f"v{row['number']} (earlier)")
        ),
        rx.table.cell(f"{row['name']} <{row['email']}>"),
        rx.table.cell(row["at"]),
        rx.table.cell(rx.link("Signed copy", href=row["url"], is_external=True)),
    )


def _file_choice() -> rx.Component:
    """Instead of writing the text: a PDF or text file, used by the next form published."""
    box = rx.upload(
        rx.vstack(
            rx.icon("file-up", size=24, aria_hidden="true", color=rx.color("gray", 9)),
            rx.text("Or drop a PDF or text file here (up to 5 MB), or"),
            rx.text(
                "choose a file",
                as_="span",
                weight="medium",
                color=rx.color("accent", 11),
                text_decoration="underline",
            ),
            align="center",
            spacing="1",
        ),
        id=UPLOAD_ID,
        multiple=False,
        max_files=1,
        accept={"application/pdf": [".pdf"], "text/plain": [".txt"]},
        disabled=~State.can_administer,
        custom_attrs={"data-upload-ready": State.upload_ticket != ""},
        on_drop=ON.receive_file(
            rx.upload_files_chunk(
                upload_id=UPLOAD_ID, extra_headers={upload_guard.HEADER: State.upload_ticket}
            )
        ),
        border=f"2px dashed {rx.color('gray', 7)}",
        border_radius="0.75rem",
        padding="1rem",
        width="100%",
    )
    file_input = box.children[0].children[0]  # name the hidden input for assistive technology
    assert isinstance(file_input, rx.Component)
    file_input.custom_attrs["aria-label"] = "Agreement file (PDF or text)"
    return rx.cond(
        State.upload_name != "",
        rx.hstack(
            rx.text(
                f"Publishing the file {State.upload_name} instead of a written text.", size="2"
            ),
            rx.button("Write the text instead", on_click=ON.forget_file, size="1", variant="soft"),
            align="center",
            wrap="wrap",
        ),
        box,
    )


def _new_agreement() -> rx.Component:
    return rx.form(
        rx.vstack(
            rx.heading("New agreement", as_="h2", size="3"),
            field("Title", rx.input(id="agreement-title", name="title", required=True, max_length=120), html_for="agreement-title"),
            rx.hstack(
                option_select("Partner type", "partner_type_id", ON.partner_types, empty="All types", control_id="agreement-type"),
                option_select("Tier", "partner_tier_id", ON.tiers, empty="All tiers", control_id="agreement-tier"),
                wrap="wrap",
            ),
            field("Text", _text_area("text", "agreement-text"), html_for="agreement-text", required=False),
            rx.button("Publish version 1", type="submit", **ADMIN),
            width="100%",
        ),
        id=AGREEMENT_FORM,
        on_submit=ON.create_agreement,
        reset_on_submit=False,
        width="100%",
    )  # fmt: skip


def _new_version() -> rx.Component:
    return rx.form(
        rx.vstack(
            rx.heading("New version", as_="h2", size="3"),
            rx.text(
                "Publishing a new version asks every partner it concerns to sign again.",
                size="2",
                color_scheme="gray",
            ),
            rx.el.label("Agreement", html_for="version-agreement"),
            rx.el.select(
                rx.foreach(State.agreements, lambda a: rx.el.option(a["title"], value=a["id"])),
                id="version-agreement",
                name="agreement_id",
                required=True,
            ),
            field(
                "Text", _text_area("text", "version-text"), html_for="version-text", required=False
            ),
            rx.button("Publish new version", type="submit", **ADMIN),
            width="100%",
        ),
        id=VERSION_FORM,
        on_submit=ON.publish_version,
        reset_on_submit=False,
        width="100%",
    )


def _agreements_tab() -> rx.Component:
    return rx.vstack(
        rx.hstack(
            rx.switch(
                checked=State.hold,
                on_change=ON.set_hold,
                id="hold-until-signed",
                **ADMIN,
            ),
            rx.el.label(
                "Hold referrals and deal registrations until the partner's admin has signed "
                "the current version of every agreement asked of it",
                html_for="hold-until-signed",
            ),
            align="center",
        ),
        _error(State.agreement_error),
        rx.cond(
            ON.agreements.length() > 0,
            data_table(
                ("Agreement", "Asked of", "Current", "Signatures", ""),
                State.agreements,
                _agreement,
                width="100%",
            ),
            rx.text("No agreement yet: partners are asked to sign nothing.", size="2"),
        ),
        rx.cond(
            State.signatures_of != "",
            rx.vstack(
                rx.heading("Who signed", as_="h2", size="3"),
                rx.cond(
                    ON.signatures.length() > 0,
                    data_table(
                        ("Partner", "Version", "Signed by", "On", ""),
                        State.signatures,
                        _signature,
                        width="100%",
                    ),
                    rx.text("Nobody has signed it yet.", size="2"),
                ),
                width="100%",
            ),
        ),
        _file_choice(),
        rx.grid(
            rx.card(_new_agreement()),
            rx.cond(ON.agreements.length() > 0, rx.card(_new_version())),
            columns=rx.breakpoints(initial="1", lg="2"),
            spacing="4",
            width="100%",
        ),
        spacing="4",
        width="100%",
        padding_top="1rem",
    )


def _step(row: ObjectVar[StepSetting]) -> rx.Component:
    return rx.table.row(
        rx.table.cell(row["title"]),
        rx.table.cell(row["kind"]),
        rx.table.cell(row["partner_type"]),
        rx.table.cell(
            rx.cond(row["url"] != "", rx.link(row["url"], href=row["url"], is_external=True))
        ),
        rx.table.cell(
            rx.button(
                "Remove",
                on_click=ON.remove_step(row["id"]),
                size="1",
                variant="ghost",
                color_scheme="red",
                aria_label=f"Remove the step {row['title']}",
                **ADMIN,
            )
        ),
    )


def _new_step() -> rx.Component:
    return rx.form(
        rx.vstack(
            rx.heading("New step", as_="h2", size="3"),
            rx.hstack(
                option_select("What it asks", "kind", ON.step_kinds, empty="Choose…", control_id="step-kind", required=True),
                option_select("For", "partner_type_id", ON.partner_types, empty="All partners", control_id="step-type"),
                wrap="wrap",
            ),
            field("Title", rx.input(id="step-title", name="title", max_length=120), html_for="step-title", required=False),
            field("Training link (for a link step)", rx.input(id="step-url", name="url", type="url", max_length=500, placeholder="https://"), html_for="step-url", required=False),
            _error(State.step_error),
            rx.button("Add step", type="submit", **ADMIN),
            width="100%",
        ),
        id=STEP_FORM,
        on_submit=ON.add_step,
        reset_on_submit=False,
        width="100%",
    )  # fmt: skip


def _checklist_tab() -> rx.Component:
    return rx.vstack(
        rx.text(
            "Steps are done on their own when the app sees them (agreements signed, your "
            "required partner fields filled, a first lead, a first deal, a training link "
            "opened through the portal); manual steps are ticked by the partner.",
            size="2",
            color_scheme="gray",
        ),
        rx.cond(
            ON.steps.length() > 0,
            data_table(("Step", "Done when", "For", "Link", ""), State.steps, _step, width="100%"),
            rx.text("No checklist yet.", size="2"),
        ),
        rx.card(_new_step(), width="100%"),
        spacing="4",
        width="100%",
        padding_top="1rem",
    )


def page() -> rx.Component:
    return page_shell(
        TITLE,
        follow(PartnersPulse.version, State.follow),
        rx.cond(
            ~State.can_administer,
            rx.callout(
                "Only administrators can change the agreements and the checklist.",
                icon="info",
                color_scheme="gray",
            ),
        ),
        rx.tabs.root(
            rx.tabs.list(
                rx.tabs.trigger("Agreements", value="agreements"),
                rx.tabs.trigger("Checklist", value="checklist"),
            ),
            rx.tabs.content(_agreements_tab(), value="agreements"),
            rx.tabs.content(_checklist_tab(), value="checklist"),
            default_value="agreements",
            width="100%",
        ),
    )
