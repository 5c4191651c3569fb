"""A list's saved views, custom columns, custom filters and sort (a ListViews state).

Every control is a labelled native select, a button or a checkbox, so it works by keyboard and
with a screen reader; the bar wraps at 390 px. Dialogs and popovers are Radix's (focus trapped,
Escape closes).
"""

import reflex as rx

from .confirm import confirm_button

_SELECT = {"padding": "0.3rem", "border_radius": "0.4rem", "max_width": "100%"}


def _label(text: str, control: str) -> rx.Component:
    return rx.el.label(text, html_for=control, font_size="0.8rem", font_weight="500")


def _view_select(state, prefix: str) -> rx.Component:
    control = f"{prefix}-view"
    return rx.vstack(
        _label("Saved view", control),
        rx.el.select(
            rx.el.option("None", value=""),
            rx.foreach(
                state.saved_views,
                lambda v: rx.el.option(
                    v["name"]
                    + rx.cond(v["shared"], " (shared)", "")
                    + rx.cond(v["default"], " \u2605", ""),
                    value=v["id"],
                ),
            ),
            id=control,
            value=state.view_id,
            on_change=lambda value: rx.cond(
                value == "", state.clear_view(), state.open_saved_view(value)
            ),
            style=_SELECT,
        ),
        spacing="1",
    )


def _name_dialog(trigger: str, title: str, control: str, on_submit, *, share=None) -> rx.Component:
    """A small dialog asking for a view's name (and, to save as, whether to share it)."""
    return rx.dialog.root(
        rx.dialog.trigger(rx.button(trigger, size="1", variant="soft", type="button")),
        rx.dialog.content(
            rx.dialog.title(title),
            rx.form(
                rx.vstack(
                    _label("Name", control),
                    rx.input(id=control, name="name", required=True, max_length=60, width="100%"),
                    *([share] if share is not None else []),
                    rx.flex(
                        rx.dialog.close(
                            rx.button("Cancel", variant="soft", color_scheme="gray", type="button")
                        ),
                        rx.dialog.close(rx.button("Save", type="submit")),
                        spacing="3",
                        justify="end",
                        width="100%",
                    ),
                    spacing="2",
                    width="100%",
                ),
                on_submit=on_submit,
                reset_on_submit=True,
            ),
            max_width="24rem",
            width="calc(100vw - 2rem)",
        ),
    )


def _view_actions(state, prefix: str) -> rx.Component:
    view = state.current_view
    share = rx.cond(
        state.can_manage,
        rx.el.label(
            rx.el.input(type="checkbox", name="shared", id=f"{prefix}-view-shared"),
            " Share with everyone in my organization",
            html_for=f"{prefix}-view-shared",
            font_size="0.9rem",
        ),
    )
    return rx.hstack(
        _name_dialog(
            "Save view as\u2026",
            "Save this list as a view",
            f"{prefix}-view-name",
            state.save_view,
            share=share,
        ),
        rx.cond(
            view["changeable"],
            rx.fragment(
                rx.button(
                    "Save changes to view", size="1", variant="soft", on_click=state.update_view
                ),
                _name_dialog(
                    "Rename\u2026", "Rename the view", f"{prefix}-view-rename", state.rename_view
                ),
                rx.cond(
                    state.can_manage,
                    rx.cond(
                        view["shared"],
                        rx.button(
                            "Make personal",
                            size="1",
                            variant="soft",
                            on_click=state.share_view(False),
                        ),
                        rx.button(
                            "Share with everyone",
                            size="1",
                            variant="soft",
                            on_click=state.share_view(True),
                        ),
                    ),
                ),
                confirm_button(
                    "Delete view",
                    aria_label="Delete the view " + view["name"],
                    title="Delete this view?",
                    description="The view " + view["name"] + " is deleted for everyone who "
                    "sees it. The records stay as they are.",
                    confirm_label="Delete view",
                    on_confirm=state.delete_view,
                ),
            ),
        ),
        rx.cond(
            view["id"] != "",
            rx.cond(
                view["default"],
                rx.button(
                    "Stop opening with this view",
                    size="1",
                    variant="soft",
                    on_click=state.set_default_view(False),
                ),
                rx.button(
                    "Open this list with this view",
                    size="1",
                    variant="soft",
                    on_click=state.set_default_view(True),
                ),
            ),
        ),
        wrap="wrap",
        spacing="2",
        align="end",
    )


def _columns(state, prefix: str) -> rx.Component:
    return rx.popover.root(
        rx.popover.trigger(
            rx.button(rx.icon("columns-3", size=14), "Columns", size="1", variant="outline")
        ),
        rx.popover.content(
            rx.el.fieldset(
                rx.el.legend("Show these fields as columns", font_size="0.9rem"),
                rx.vstack(
                    rx.foreach(
                        state.field_choices,
                        lambda f: rx.el.label(
                            rx.el.input(
                                type="checkbox",
                                id=f"{prefix}-column-" + f["id"],
                                checked=state.custom_columns.contains(f["id"]),
                                on_change=lambda _: state.toggle_column(f["id"]),
                            ),
                            " ",
                            f["label"],
                            html_for=f"{prefix}-column-" + f["id"],
                        ),
                    ),
                    spacing="1",
                ),
                style={"border": "none", "padding": 0, "margin": 0},
            ),
            max_width="calc(100vw - 2rem)",
        ),
    )


def _filter_value(state, prefix: str) -> rx.Component:
    field = state.chosen_field
    control = f"{prefix}-filter-value"
    choice = rx.vstack(
        _label("Value", control),
        rx.el.select(
            rx.foreach(field["options"], lambda o: rx.el.option(o["name"], value=o["id"])),
            id=control,
            name="value",
            style=_SELECT,
        ),
        spacing="1",
    )
    yes_no = rx.vstack(
        _label("Value", control),
        rx.el.select(
            rx.el.option("Yes", value="yes"),
            rx.el.option("No", value="no"),
            id=control,
            name="value",
            style=_SELECT,
        ),
        spacing="1",
    )
    ranged = rx.hstack(
        rx.vstack(
            _label("From", f"{prefix}-filter-from"),
            rx.input(id=f"{prefix}-filter-from", name="from", type=field["input_type"], size="1"),
            spacing="1",
        ),
        rx.vstack(
            _label("To", f"{prefix}-filter-to"),
            rx.input(id=f"{prefix}-filter-to", name="to", type=field["input_type"], size="1"),
            spacing="1",
        ),
        spacing="2",
        wrap="wrap",
    )
    text = rx.vstack(
        _label("Contains", control),
        rx.input(id=control, name="value", size="1", max_length=100),
        spacing="1",
    )
    return rx.match(
        field["kind"],
        ("choice", choice),
        ("yesno", yes_no),
        ("range", ranged),
        ("text", text),
        rx.fragment(),
    )


def _filters(state, prefix: str) -> rx.Component:
    control = f"{prefix}-filter-field"
    return rx.popover.root(
        rx.popover.trigger(
            rx.button(
                rx.icon("list-filter", size=14), "Filter on a field", size="1", variant="outline"
            )
        ),
        rx.popover.content(
            rx.form(
                rx.vstack(
                    _label("Field", control),
                    rx.el.select(
                        rx.el.option("Choose a field", value=""),
                        rx.foreach(
                            state.field_choices,
                            lambda f: rx.el.option(f["label"], value=f["id"]),
                        ),
                        id=control,
                        value=state.filter_field,
                        on_change=state.choose_filter_field,
                        style=_SELECT,
                    ),
                    _filter_value(state, prefix),
                    rx.button(
                        "Add filter", type="submit", size="1", disabled=state.filter_field == ""
                    ),
                    spacing="2",
                ),
                on_submit=state.add_custom_filter,
                reset_on_submit=True,
            ),
            max_width="calc(100vw - 2rem)",
        ),
    )


def _sort(state, prefix: str) -> rx.Component:
    control = f"{prefix}-custom-sort"
    return rx.vstack(
        _label("Sort by field", control),
        rx.el.select(
            rx.el.option("None (the list's sort)", value=""),
            rx.foreach(state.sort_choices, lambda o: rx.el.option(o["name"], value=o["id"])),
            id=control,
            value=state.custom_sort,
            on_change=state.set_custom_sort,
            style=_SELECT,
        ),
        spacing="1",
        max_width="100%",  # a long field name never takes the bar past a phone's width
    )


def _chips(state) -> rx.Component:
    return rx.hstack(
        rx.foreach(
            state.filter_chips,
            lambda chip: rx.badge(
                chip["text"],
                rx.icon_button(
                    rx.icon("x", size=12),
                    size="1",
                    variant="ghost",
                    aria_label="Remove the filter " + chip["text"],
                    on_click=state.remove_custom_filter(chip["index"]),
                ),
                variant="soft",
                size="2",
            ),
        ),
        wrap="wrap",
        spacing="2",
    )


def list_views_bar(state, prefix: str, *, sortable=True) -> rx.Component:
    """The views of a list and its custom columns, filters and sort; `prefix` keeps the ids of
    two bars on one page apart. `sortable` (a bool Var, or True): whether the list sorts (a
    board does not)."""
    custom = rx.hstack(
        _columns(state, prefix),
        _filters(state, prefix),
        rx.cond(sortable, _sort(state, prefix)) if sortable is not True else _sort(state, prefix),
        wrap="wrap",
        spacing="2",
        align="end",
        max_width="100%",  # wraps within the bar, never past it
    )
    return rx.vstack(
        rx.hstack(
            _view_select(state, prefix),
            _view_actions(state, prefix),
            rx.cond(state.field_choices.length() > 0, custom),
            wrap="wrap",
            spacing="3",
            align="end",
            width="100%",
        ),
        _chips(state),
        spacing="2",
        width="100%",
    )


def custom_headers(state) -> rx.Component:
    """The chosen custom columns' headers (after a table's own)."""
    return rx.foreach(state.column_headers, lambda h: rx.table.column_header_cell(h))


def custom_cells(row) -> rx.Component:
    """A row's cells of the chosen custom columns (`row["cells"]`)."""
    return rx.foreach(row["cells"], lambda value: rx.table.cell(value))


def custom_line(row) -> rx.Component:
    """A card's chosen custom values in a line (`row["custom"]`), when it has any."""
    return rx.cond(row["custom"] != "", rx.text(row["custom"], size="1", color_scheme="gray"))
