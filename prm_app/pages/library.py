"""/p/library (the provider's content library: add files and links, audiences, counts) and
/c/library (what the partner's audiences allow, from each of its providers)."""

from typing import Any, cast

import reflex as rx
from reflex.vars import ObjectVar

from ..components.confirm import confirm_button, permitted
from ..components.forms import field
from ..components.live import follow
from ..components.pickers import option_select
from ..components.tables import data_table
from ..state import upload_guard
from ..state.base import MANAGERS_ONLY
from ..state.library import (
    ADD_FORM,
    AUDIENCE_KINDS,
    EDIT_FORM,
    FOLDER_FORM,
    PICK,
    SEARCH_FORM,
    UPLOAD_ID,
    LibraryRow,
)
from ..state.library import LibraryState as State
from ..state.live import LibraryPulse
from .parts.shell import page_shell

TITLE = "Library"
ON = cast(Any, State)
MANAGE = permitted(State.can_manage, MANAGERS_ONLY)
ACCEPT = {
    "application/pdf": [".pdf"],
    "image/*": [".png", ".jpg", ".jpeg", ".gif", ".webp"],
    "video/mp4": [".mp4"],
    "text/plain": [".txt", ".csv", ".md"],
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": [".docx"],
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": [".xlsx"],
    "application/vnd.openxmlformats-officedocument.presentationml.presentation": [".pptx"],
}


def _error() -> rx.Component:
    return rx.cond(
        State.error != "", rx.text(State.error, color_scheme="red", size="2", role="alert")
    )


def _title_cell(row: ObjectVar[LibraryRow]) -> rx.Component:
    return rx.vstack(
        rx.link(
            row["title"],
            href=row["url"],
            is_external=True,
            aria_label=rx.cond(
                row["link"] == "yes", f"Open {row['title']}", f"Download {row['title']}"
            ),
        ),
        rx.cond(
            row["description"] != "", rx.text(row["description"], size="1", color_scheme="gray")
        ),
        spacing="0",
    )


def _search(provider: bool) -> rx.Component:
    return rx.form(
        rx.hstack(
            rx.input(id="library-search-text", name="search", placeholder="Search by title or tag", aria_label="Search by title or tag", max_length=200),
            option_select("", "folder", ON.folders, empty="All folders", control_id="library-search-folder", aria_label="Folder")
            if provider
            else rx.fragment(),
            rx.button("Search", type="submit", variant="soft"),
            align="end",
            wrap="wrap",
        ),
        id=SEARCH_FORM,
        on_submit=ON.find,
        reset_on_submit=False,
    )  # fmt: skip


def _partner_row(row: ObjectVar[LibraryRow]) -> rx.Component:
    return rx.table.row(
        rx.table.cell(_title_cell(row)),
        rx.table.cell(row["provider"]),
        rx.table.cell(row["folder"]),
        rx.table.cell(row["tags"]),
        rx.table.cell(row["what"]),
        rx.table.cell(row["expires"]),
    )


def consultant_page() -> rx.Component:
    return page_shell(
        TITLE,
        follow(LibraryPulse.version, State.follow),
        rx.text(
            "Sales and marketing content your providers share with you.",
            size="2",
            color_scheme="gray",
        ),
        _search(provider=False),
        rx.cond(
            ON.items.length() > 0,
            data_table(
                ("Title", "Provider", "Folder", "Tags", "File", "Until"),
                State.items,
                _partner_row,
                width="100%",
            ),
            rx.text("Nothing shared with you yet.", size="2"),
        ),
    )


def _provider_row(row: ObjectVar[LibraryRow]) -> rx.Component:
    return rx.table.row(
        rx.table.cell(_title_cell(row)),
        rx.table.cell(row["folder"]),
        rx.table.cell(row["tags"]),
        rx.table.cell(row["what"]),
        rx.table.cell(row["audience"]),
        rx.table.cell(row["partners"]),
        rx.table.cell(row["people"]),
        rx.table.cell(row["downloads"]),
        rx.table.cell(rx.cond(row["expired"] == "yes", f"expired {row['expires']}", row["expires"])),
        rx.table.cell(
            rx.hstack(
                rx.button("Audience", on_click=ON.edit(row["id"]), size="1", variant="soft", aria_label=f"Change who sees {row['title']}", **MANAGE),
                confirm_button(
                    "Remove",
                    aria_label=f"Remove {row['title']}",
                    title=f"Remove {row['title']} from the library?",
                    description="Partners no longer see or download it. Its download log stays.",
                    confirm_label="Remove",
                    on_confirm=ON.remove(row["id"]),
                    disabled=~State.can_manage,
                    disabled_reason=MANAGERS_ONLY,
                ),
                spacing="2",
            )
        ),
    )  # fmt: skip


def _picks(kind, form: str, picked=None) -> rx.Component:
    """The checkboxes of the chosen audience kind's terms or partners."""

    def box(option) -> rx.Component:
        control = f"{form}-pick-{option['id']}"
        checked = {"default_checked": picked.contains(option["id"])} if picked is not None else {}
        return rx.hstack(
            rx.el.input(type="checkbox", name=PICK + option["id"], id=control, **checked),
            rx.el.label(option["name"], html_for=control),
            align="center",
            spacing="1",
        )

    def group(name: str) -> rx.Component:
        return rx.flex(rx.foreach(State.choices[name], box), wrap="wrap", gap="0.75rem")

    return rx.match(
        kind,
        *[(name, group(name)) for name in ("tiers", "types", "groups", "partners")],
        rx.fragment(),
    )


def _audience(kind, on_change, form: str, picked=None) -> rx.Component:
    return rx.vstack(
        rx.el.label("Who can see it", html_for=f"{form}-audience", font_size="0.875rem", font_weight="500"),
        rx.el.select(
            rx.foreach(AUDIENCE_KINDS, lambda o: rx.el.option(o["name"], value=o["id"])),
            id=f"{form}-audience",
            name="audience",
            value=kind,
            on_change=on_change,
            style={"padding": "0.35rem", "border_radius": "0.4rem"},
        ),
        _picks(kind, form, picked),
        spacing="1",
        width="100%",
    )  # fmt: skip


def _file_choice() -> rx.Component:
    box = rx.upload(
        rx.vstack(
            rx.icon("file-up", size=24, aria_hidden="true", color=rx.color("gray", 9)),
            rx.text("Drop a file here (PDF, image, Office, MP4 or text; up to 20 MB), or"),
            rx.text("choose a file", as_="span", weight="medium", color=rx.color("accent", 11), text_decoration="underline"),
            align="center",
            spacing="1",
        ),
        id=UPLOAD_ID,
        multiple=False,
        max_files=1,
        accept=ACCEPT,
        disabled=~State.can_manage,
        custom_attrs={"data-upload-ready": State.upload_ticket != ""},
        on_drop=ON.receive_file(
            rx.upload_files_chunk(upload_id=UPLOAD_ID, extra_headers={upload_guard.HEADER: State.upload_ticket})
        ),
        border=f"2px dashed {rx.color('gray', 7)}",
        border_radius="0.75rem",
        padding="1rem",
        width="100%",
    )  # fmt: skip
    file_input = box.children[0].children[0]  # name the hidden input for assistive technology
    assert isinstance(file_input, rx.Component)
    file_input.custom_attrs["aria-label"] = "Library file"
    return rx.cond(
        State.upload_name != "",
        rx.hstack(
            rx.text(f"Adding the file {State.upload_name}.", size="2"),
            rx.button("Add a link instead", on_click=ON.forget_file, size="1", variant="soft"),
            align="center",
            wrap="wrap",
        ),
        box,
    )


def _add_form() -> rx.Component:
    return rx.form(
        rx.vstack(
            rx.heading("Add to the library", as_="h2", size="3"),
            _file_choice(),
            rx.cond(
                State.upload_name == "",
                field("Link (instead of a file)", rx.input(id="library-url", name="url", type="url", max_length=500, placeholder="https://"), html_for="library-url", required=False),
            ),
            field("Title", rx.input(id="library-title", name="title", required=True, max_length=200), html_for="library-title"),
            field("Description", rx.text_area(id="library-description", name="description", max_length=2000, rows="2"), html_for="library-description", required=False),
            field("Tags (separated by commas)", rx.input(id="library-tags", name="tags", max_length=500), html_for="library-tags", required=False),
            rx.hstack(
                option_select("Folder", "folder_id", ON.folders, empty="No folder", control_id="library-folder"),
                rx.vstack(
                    rx.el.label("Hidden from partners from", html_for="library-expires", font_size="0.8rem", font_weight="500"),
                    rx.input(id="library-expires", name="expires_on", type="date"),
                    spacing="1",
                ),
                wrap="wrap",
            ),
            _audience(State.add_audience, ON.choose_add_audience, "add"),
            rx.button("Add", type="submit", **MANAGE),
            width="100%",
        ),
        id=ADD_FORM,
        on_submit=ON.add_item,
        reset_on_submit=False,
        width="100%",
    )  # fmt: skip


def _edit_form() -> rx.Component:
    return rx.form(
        rx.vstack(
            rx.heading(f"Who sees {State.editing_title}", as_="h2", size="3"),
            _audience(State.edit_audience, ON.choose_edit_audience, "edit", State.editing_picked),
            rx.vstack(
                rx.el.label("Hidden from partners from", html_for="edit-expires", font_size="0.8rem", font_weight="500"),
                rx.input(id="edit-expires", name="expires_on", type="date", default_value=State.editing_expires),
                spacing="1",
            ),
            rx.hstack(
                rx.button("Save", type="submit", **MANAGE),
                rx.button("Cancel", type="button", variant="soft", on_click=ON.stop_editing),
            ),
            width="100%",
        ),
        id=EDIT_FORM,
        key=State.editing,
        on_submit=ON.save_edit,
        reset_on_submit=False,
        width="100%",
    )  # fmt: skip


def _folder_form() -> rx.Component:
    return rx.form(
        rx.hstack(
            rx.el.label("New folder", html_for="library-folder-name", font_size="0.875rem", font_weight="500"),
            rx.input(id="library-folder-name", name="name", required=True, max_length=80),
            rx.button("Add folder", type="submit", variant="soft", **MANAGE),
            align="center",
            wrap="wrap",
        ),
        id=FOLDER_FORM,
        on_submit=ON.add_folder,
        reset_on_submit=False,
    )  # fmt: skip


def provider_page() -> rx.Component:
    return page_shell(
        TITLE,
        follow(LibraryPulse.version, State.follow),
        rx.text(
            "Files and links for your partners. Each item is seen and downloaded only by the "
            "partners of its audience; every download is counted.",
            size="2",
            color_scheme="gray",
        ),
        _search(provider=True),
        _error(),
        rx.cond(
            ON.items.length() > 0,
            data_table(
                ("Title", "Folder", "Tags", "File", "Audience", "Partners", "People", "Downloads", "Until", ""),
                State.items,
                _provider_row,
                width="100%",
            ),
            rx.text("The library is empty.", size="2"),
        ),
        rx.cond(State.editing != "", rx.card(_edit_form(), width="100%")),
        rx.cond(
            State.can_manage,
            rx.vstack(rx.card(_add_form(), width="100%"), _folder_form(), spacing="4", width="100%"),
            rx.callout("Only administrators and managers can change the library.", icon="info", color_scheme="gray"),
        ),
    )  # fmt: skip
