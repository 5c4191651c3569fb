"""Import a CSV or a spreadsheet: /c/leads/import, /p/referrals/import, /p/deals/import and /c/deals/import.

Choose a file (picker or drag and drop) and, in a workbook, its sheet; map its columns, see every problem before anything is
written, import the valid rows or nothing, then download the failed rows or undo the batch.
"""

from dataclasses import dataclass
from typing import Any, cast

import reflex as rx

from .. import routes
from ..components.confirm import confirm_button
from ..components.file_links import TABLE_FILES
from ..components.forms import form_error
from ..components.import_mode import changes_table, mode_choice
from ..components.live import follow
from ..components.sections import section_card
from ..components.step_progress import step_progress
from ..components.tables import data_table, paged_table
from ..state import upload_guard, view
from ..state.imports import DATES, ENCODINGS, MODES, NUMBERS, PROBLEMS_SHOWN, SEPARATORS
from ..state.imports import ImportState as State
from ..state.live import ImportsPulse
from .parts.shell import page_shell

UPLOAD_ID = "csv"
Untyped = cast(Any, State)  # Reflex's stubs type list vars as lists and events as namespaces


@dataclass(frozen=True, slots=True)
class Words:
    noun: str  # plural: "leads"
    back: str  # the list's route
    back_label: str
    submit: str  # what "submit" means for this kind ("" for deals)
    other: str  # where the rows go: "provider" or "partner"


LEADS = Words(
    "leads",
    routes.Consultant.LEADS,
    "Leads",
    "Submit each lead to the provider in its row",
    "provider",
)
REFERRALS = Words(
    "referrals",
    routes.Provider.REFERRALS,
    "Referrals",
    "Send each referral to the partner in its row",
    "partner",
)
PROVIDER_DEALS = Words("deals", routes.Provider.DEALS, "Deals", "", "partner")
CONSULTANT_DEALS = Words("deals", routes.Consultant.DEALS, "Deals", "", "provider")


def _named_file_input(upload: rx.Component, name: str) -> rx.Component:
    """rx.upload takes no props for its hidden <input type=file>: name it, so that assistive
    technology reaching the input (axe: "Form elements must have labels") knows what it is."""
    file_input = upload.children[0].children[0]
    assert isinstance(file_input, rx.Component)
    file_input.custom_attrs["aria-label"] = name
    return upload


def _picker(words: Words) -> rx.Component:
    return _named_file_input(_upload(words), f"CSV or spreadsheet file of {words.noun}")


def _upload(words: Words) -> rx.Component:
    return rx.upload(
        rx.vstack(
            rx.icon("file-up", size=32, aria_hidden="true", color=rx.color("gray", 9)),
            rx.text(f"Drag a CSV file or a spreadsheet of {words.noun} here, or"),
            # Not a button of its own: the whole box is the one control that opens the picker.
            rx.text(
                "Choose a file",
                as_="span",
                weight="medium",
                color=rx.color("accent", 11),
                text_decoration="underline",
            ),
            rx.text(
                "CSV (comma, semicolon or tab separated; UTF-8, UTF-16 or Latin-1) or a spreadsheet "
                "(.xlsx, .xls, .ods); the first row names the columns.",
                size="1",
                color_scheme="gray",
            ),
            align="center",
            spacing="2",
        ),
        id=UPLOAD_ID,
        multiple=False,
        max_files=1,
        accept=TABLE_FILES,
        disabled=State.busy,
        # Whether the page has handed the tab its upload ticket (an upload needs it).
        custom_attrs={"data-upload-ready": State.upload_ticket != ""},
        on_drop=State.receive_file(
            rx.upload_files_chunk(
                upload_id=UPLOAD_ID,
                on_upload_progress=State.upload_progress,
                extra_headers={upload_guard.HEADER: State.upload_ticket},
            )
        ),
        border=f"2px dashed {rx.color('gray', 7)}",
        border_radius="0.75rem",
        padding="2rem",
        width="100%",
        cursor="pointer",
        aria_label="Choose a CSV file or a spreadsheet",
    )


def _field_row(field: rx.Var[dict]) -> rx.Component:
    control = f"map-{field['name']}"
    item = cast(Any, field)  # (Reflex's stubs do not type its items)
    note = item["note"]  # a custom field's
    return rx.table.row(
        rx.table.cell(
            rx.el.label(field["label"], html_for=control, font_weight="500"),
            rx.cond(
                State.required_fields.contains(item["name"]),
                rx.badge("required", ml="2", variant="soft"),
            ),
            rx.cond(note != "", rx.text(note, size="1", color_scheme="gray")),
        ),
        rx.table.cell(
            rx.el.select(
                rx.el.option("Not imported", value=""),
                rx.foreach(State.headers, lambda h: rx.el.option(h, value=h)),
                id=control,
                value=State.mapping.get(field["name"], ""),
                on_change=lambda value: State.map_column(field["name"], value),
                disabled=State.busy,
                style={"padding": "0.3rem", "border_radius": "0.4rem", "max_width": "100%"},
            ),
            rx.cond(
                Untyped.field_samples.get(item["name"], "") != "",
                rx.text(
                    "In the file: ",
                    Untyped.field_samples.get(item["name"], ""),
                    size="1",
                    color_scheme="gray",
                ),
            ),
        ),
    )


def _send_to(words: Words) -> rx.Component:
    """Where every row goes, for files without a Provider (Partner) column: several
    organizations for leads and referrals, one for deals."""
    single = not words.submit
    other = words.other
    chooser = rx.foreach(
        State.targets,
        lambda target: rx.el.label(
            rx.hstack(
                rx.el.input(
                    type="radio" if single else "checkbox",
                    name="send-to",
                    value=target["id"],
                    checked=Untyped.send_to.contains(target["id"]),
                    on_change=Untyped.toggle_send_to(target["id"]),
                    disabled=State.busy,
                ),
                rx.text(target["name"], size="2"),
                align="center",
            )
        ),
    )
    return rx.cond(
        State.submit | (State.kind == "deals"),
        rx.el.fieldset(
            rx.el.legend(
                f"Send every row to (instead of a {other} column)",
                font_size="0.875rem",
                font_weight="500",
            ),
            rx.cond(
                Untyped.targets.length() > 0,
                rx.hstack(chooser, spacing="4", wrap="wrap"),
                rx.text(f"No {other} can receive them yet.", size="2", color_scheme="gray"),
            ),
            border="none",
            padding="0",
        ),
    )


def _csv_reading() -> rx.Component:
    """How a CSV was read (detected), changeable when the names or columns look wrong."""
    return rx.cond(
        (Untyped.sheets.length() == 0) & (State.encoding != ""),
        rx.hstack(
            _choice(
                "Encoding",
                "import-encoding",
                ENCODINGS,
                State.encoding,
                lambda value: Untyped.read_csv_as(value, State.delimiter),
            ),
            _choice(
                "Separator",
                "import-delimiter",
                SEPARATORS,
                State.delimiter,
                lambda value: Untyped.read_csv_as(State.encoding, value),
            ),
            spacing="4",
            wrap="wrap",
        ),
    )


def _value_formats() -> rx.Component:
    """How the file writes amounts and dates (detected unless the values leave both readings
    open: then the check asks to choose here), when its fields hold any: a deal's amount and
    close date, custom money, number and date fields."""
    return rx.cond(
        State.formats,
        rx.hstack(
            _choice(
                "Amounts written as", "import-numbers", NUMBERS, State.numbers, State.set_numbers
            ),
            _choice("Dates written as", "import-dates", DATES, State.dates, State.set_dates),
            spacing="4",
            wrap="wrap",
        ),
    )


def _choice(label: str, control: str, options: dict, value: Any, on_change: Any) -> rx.Component:
    return rx.vstack(
        rx.el.label(label, html_for=control, font_size="0.875rem", font_weight="500"),
        rx.el.select(
            *(rx.el.option(name, value=key) for key, name in options.items()),
            id=control,
            value=value,
            on_change=on_change,
            disabled=State.busy,
            style={"padding": "0.3rem", "border_radius": "0.4rem", "max_width": "100%"},
        ),
        spacing="1",
    )


def _sheet_choice() -> rx.Component:
    """A workbook of several sheets: which one holds the list (the first with values at first)."""
    return rx.cond(
        Untyped.sheets.length() > 1,
        rx.vstack(
            rx.el.label("Sheet", html_for="import-sheet", font_size="0.875rem", font_weight="500"),
            rx.el.select(
                rx.foreach(State.sheets, lambda name: rx.el.option(name, value=name)),
                id="import-sheet",
                value=State.sheet,
                on_change=State.choose_sheet,
                disabled=State.busy,
                style={"padding": "0.3rem", "border_radius": "0.4rem", "max_width": "100%"},
            ),
            spacing="1",
        ),
    )


def _default_owner() -> rx.Component:
    """Who gets the rows whose owner is no active member of the organization (an export from
    another firm's CRM names that firm's people): one warning per such owner, not an error."""
    return rx.vstack(
        rx.el.label(
            "Owner of rows whose owner is not in your organization",
            html_for="default-owner",
            font_size="0.875rem",
            font_weight="500",
        ),
        rx.el.select(
            rx.foreach(State.owners, lambda o: rx.el.option(o["name"], value=o["id"])),
            id="default-owner",
            value=State.default_owner,
            on_change=State.set_default_owner,
            disabled=State.busy,
            style={"padding": "0.3rem", "border_radius": "0.4rem", "max_width": "100%"},
        ),
        spacing="1",
    )


def _submit_choice(words: Words) -> rx.Component:
    if not words.submit:
        return rx.fragment()
    return rx.el.fieldset(
        rx.el.legend("Import as", font_size="0.875rem", font_weight="500"),
        rx.hstack(
            _radio("draft", "Drafts (send them later)", ~State.submit),
            _radio("submit", words.submit, State.submit),
            spacing="4",
            wrap="wrap",
        ),
        border="none",
        padding="0",
    )


def _radio(value: str, label: str, checked: rx.Var[bool]) -> rx.Component:
    return rx.el.label(
        rx.hstack(
            rx.el.input(
                type="radio",
                name="import-as",
                value=value,
                checked=checked,
                on_change=State.set_submit(value),
                disabled=State.busy,
            ),
            rx.text(label, size="2"),
            align="center",
        )
    )


def _mapping(words: Words) -> rx.Component:
    return section_card(
        "Match the columns",
        rx.text(
            State.file_name,
            f": {State.row_count} rows. Choose the file's column for each field; "
            "fields you leave out stay empty.",
            size="2",
        ),
        _sheet_choice(),
        _csv_reading(),
        _value_formats(),
        data_table(
            ("Field", "Column in your file"),
            State.fields,
            _field_row,
            width="100%",
            variant="surface",
        ),
        mode_choice(
            modes=MODES,
            mode=State.mode,
            match_key=State.match_key,
            keys=State.match_keys,
            on_mode=State.set_mode,
            on_key=State.set_match_key,
            disabled=State.busy,
        ),
        _submit_choice(words),
        _send_to(words),
        _default_owner(),
        rx.hstack(
            rx.button("Check the file", on_click=State.check, disabled=State.busy),
            rx.button("Import nothing", variant="ghost", on_click=State.cancel),
        ),
    )


def _preview() -> rx.Component:
    return rx.el.section(
        rx.table.root(
            rx.table.header(
                rx.table.row(
                    rx.table.column_header_cell("Row"),
                    rx.foreach(
                        State.preview_fields, lambda f: rx.table.column_header_cell(f["label"])
                    ),
                )
            ),
            rx.table.body(
                rx.foreach(
                    State.preview,
                    lambda row: rx.table.row(
                        rx.table.cell(row["row"]),
                        rx.foreach(State.preview_fields, lambda f: rx.table.cell(row[f["name"]])),
                    ),
                )
            ),
            width="100%",
            size="1",
        ),
        aria_label="Preview",
        overflow_x="auto",
        width="100%",
    )


def _problems() -> rx.Component:
    return rx.el.section(
        rx.heading("Problems", as_="h3", size="3"),
        rx.text(State.problems_note, size="2"),
        data_table(
            ("Rows", "Column", "Problem"),
            State.problems,
            lambda p: rx.table.row(
                rx.table.cell(p["row"]),
                rx.table.cell(p["column"]),
                rx.table.cell(rx.cond(p["level"] == "warning", "Warning: ", ""), p["message"]),
            ),
            width="100%",
            size="1",
        ),
        rx.cond(
            State.problem_total > PROBLEMS_SHOWN,
            rx.hstack(
                rx.button(
                    "Previous problems",
                    on_click=Untyped.turn_problem_page(-1),
                    disabled=State.problem_page <= 1,
                    size="1",
                ),
                rx.text(f"Page {State.problem_page}", size="2"),
                rx.button(
                    "Next problems",
                    on_click=Untyped.turn_problem_page(1),
                    disabled=State.problem_page * PROBLEMS_SHOWN >= State.problem_total,
                    size="1",
                ),
                align="center",
            ),
        ),
        rx.text(
            "After the import, the error file lists every row that was not imported.",
            size="1",
            color_scheme="gray",
        ),
        aria_label="Problems",
        width="100%",
    )


def _review() -> rx.Component:
    return section_card(
        "Check before importing",
        rx.callout(
            State.checked_summary,
            icon="info",
            role="status",
            color_scheme=rx.cond(State.rows_failed > 0, "amber", "green"),
        ),
        rx.cond(State.preview.length() > 0, _preview()),
        rx.cond(Untyped.changes.length() > 0, changes_table(State.changes)),
        rx.cond(State.problems.length() > 0, _problems()),
        rx.hstack(
            rx.button(
                State.import_label,
                on_click=State.import_rows,
                disabled=State.busy | (State.rows_valid == 0),
            ),
            rx.button("Change the mapping", variant="soft", on_click=State.check_again),
            rx.button("Import nothing", variant="ghost", on_click=State.cancel),
            wrap="wrap",
        ),
    )


def _done(words: Words) -> rx.Component:
    return rx.vstack(
        rx.callout(State.result, icon="check", color_scheme="green", role="status", width="100%"),
        rx.hstack(
            rx.button("Import another file", variant="soft", on_click=State.cancel),
            rx.link(f"Back to {words.back_label}", href=words.back),
            align="center",
            spacing="4",
        ),
        width="100%",
    )


def _batch_row(row: rx.Var[dict], words: Words) -> rx.Component:
    name, untyped = row["file_name"], cast(Any, row)  # (Reflex's stubs do not type its items)
    return rx.table.row(
        rx.table.cell(row["file_name"]),
        rx.table.cell(row["when"]),
        rx.table.cell(row["by"]),
        rx.table.cell(row["imported"]),
        rx.table.cell(
            rx.cond(
                row["failed"] != "",
                rx.link(
                    f"{row['failed']} (download)",
                    href=row["errors_url"],
                    aria_label=f"Download the rows of {row['file_name']} that were not imported",
                ),
                "0",
            )
        ),
        rx.table.cell(rx.badge(row["status"], variant="soft")),
        rx.table.cell(
            rx.cond(
                row["status"] == "imported",
                confirm_button(
                    "Undo",
                    aria_label=f"Undo the import of {name}",
                    title=f"Undo the import of {name}?",
                    description=f"The {untyped['imported']} {words.noun} imported from "
                    f"{name} are deleted, also for anyone they were sent to. This "
                    "cannot be reversed: to have them back, import the file again.",
                    confirm_label="Undo import",
                    on_confirm=State.undo(row["id"]),
                    disabled=State.busy,
                    variant="soft",
                ),
            )
        ),
    )


def _batches(words: Words) -> rx.Component:
    return rx.vstack(
        rx.heading("Past imports", as_="h2", size="4"),
        rx.cond(
            State.total > 0,
            paged_table(
                State,
                view.PAGE_SIZE,
                ("File", "When", "By", "Imported", "Not imported", "", ""),
                State.batches,
                lambda row: _batch_row(row, words),
            ),
            rx.text(f"No {words.noun} imported yet.", size="2", color_scheme="gray"),
        ),
        width="100%",
    )


def _page(words: Words) -> rx.Component:
    return page_shell(
        f"Import {words.noun}",
        follow(ImportsPulse.version, State.follow),
        rx.hstack(
            rx.link(f"← {words.back_label}", href=words.back),
            rx.spacer(),
            rx.button(
                "Download the template",
                variant="soft",
                on_click=State.download_template,
                type="button",
            ),
            width="100%",
            align="center",
        ),
        form_error(State.error),
        step_progress(
            State.busy, State.progress_label, State.progress, State.time_left, State.stop
        ),
        rx.match(
            State.step,
            ("map", _mapping(words)),
            ("review", _review()),
            ("done", _done(words)),
            _picker(words),
        ),
        _batches(words),
    )


def leads_page() -> rx.Component:
    return _page(LEADS)


def referrals_page() -> rx.Component:
    return _page(REFERRALS)


def provider_deals_page() -> rx.Component:
    return _page(PROVIDER_DEALS)


def consultant_deals_page() -> rx.Component:
    return _page(CONSULTANT_DEALS)
