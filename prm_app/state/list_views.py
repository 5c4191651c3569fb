"""Custom columns, custom filters and saved views of a list (a mixin of each list's state).

Which fields a list offers comes from the services (views.fields_of: only the fields the viewer
may see); every read passes the chosen columns and filters to the list's service, which checks
them again. The URL carries the open view (`?view=<id>`), so it can be bookmarked or sent to a
colleague, who sees it only if it is shared with them (services.views).
"""

from typing import Any, ClassVar, TypedDict

import reflex as rx

from ..models import FieldType
from ..services import custom_fields as cf
from ..services import views
from ..services.core.errors import DomainError
from .rows import Option

RANGES = (FieldType.NUMBER, FieldType.MONEY, FieldType.DATE)


class FieldChoice(TypedDict):
    """A custom field the list offers as a column, a filter and a sort."""

    id: str
    label: str
    kind: str  # the filter's input: "choice", "yesno", "range", "text"
    op: str  # the service's operator for a value ("is", "has", "contains"; a range: from/to)
    input_type: str  # a range's input: "number" or "date"
    options: list[Option]  # a select's active options


class FilterChip(TypedDict):
    index: str
    text: str  # "Tier is Gold"


class SavedViewRow(TypedDict):
    id: str
    name: str
    shared: bool
    changeable: bool
    default: bool


def _kind(field_type: str) -> str:
    if field_type in (FieldType.SELECT, FieldType.MULTI_SELECT):
        return "choice"
    if field_type == FieldType.CHECKBOX:
        return "yesno"
    return "range" if field_type in RANGES else "text"


def _choice(field) -> FieldChoice:
    return {
        "id": field.name,
        "label": field.label,
        "kind": _kind(field.type),
        "op": cf.operators(field.type)[0],
        "input_type": "date" if field.type == FieldType.DATE else "number",
        "options": [
            {"id": str(o["id"]), "name": str(o["label"])}
            for o in field.options
            if not o.get("archived")
        ],
    }


class ListViews(rx.State, mixin=True):
    """A list's custom columns, filters and sort, and its saved views.

    The state using it names its list (`LIST_NAME`, one of services.views.LISTS), says which
    of its vars hold the built-in filters a view keeps (`VIEW_FILTERS`: the service's filter
    name -> its var; or overrides `_builtin_filters`/`_set_builtin_filters`), calls
    `_read_views` where it reads its options, and passes `_custom_arguments()` to its list
    service; `_refresh` re-reads the page.
    """

    LIST_NAME: ClassVar[str]
    VIEW_FILTERS: ClassVar[dict[str, str]] = {}
    SORT_VAR: ClassVar[str] = "sort"  # its built-in sort's var
    DEFAULT_SORT: ClassVar[str] = "newest"

    field_choices: list[FieldChoice] = []
    custom_columns: list[str] = []  # chosen field ids, in the order they were chosen
    custom_filters: list[dict[str, str]] = []  # {"field", "op", "value"}
    custom_sort: str = ""  # "custom:<id>[:desc]", or "" (the built-in sort applies)
    filter_field: str = ""  # the field the filter form is set to
    saved_views: list[SavedViewRow] = []
    view_id: str = ""  # the open view ("" none)

    def _refresh(self):
        raise NotImplementedError

    def _list_name(self) -> str:
        return self.LIST_NAME

    # --- what the page shows ---------------------------------------------------------------

    @rx.var
    def column_headers(self) -> list[str]:
        labels = {f["id"]: f["label"] for f in self.field_choices}
        return [labels.get(c, "") for c in self.custom_columns]

    @rx.var
    def filter_chips(self) -> list[FilterChip]:
        fields = {f["id"]: f for f in self.field_choices}
        words = {"is": "is", "has": "has", "from": "from", "to": "up to"}
        chips: list[FilterChip] = []
        for n, item in enumerate(self.custom_filters):
            field = fields.get(item["field"])
            if field is None:
                continue
            named = {o["id"]: o["name"] for o in field["options"]}
            if field["kind"] == "yesno":
                named = {"yes": "Yes", "no": "No"}
            value = named.get(item["value"], item["value"])
            text = f"{field['label']} {words.get(item['op'], 'contains')} {value}"
            chips.append({"index": str(n), "text": text})
        return chips

    @rx.var
    def custom_filtered(self) -> bool:
        return bool(self.custom_filters)

    @rx.var
    def chosen_field(self) -> FieldChoice:
        for field in self.field_choices:
            if field["id"] == self.filter_field:
                return field
        return {"id": "", "label": "", "kind": "", "op": "", "input_type": "", "options": []}

    @rx.var
    def sort_choices(self) -> list[Option]:
        """The custom sorts: each field, ascending then descending."""
        found: list[Option] = []
        for field in self.field_choices:
            sort = f"{views.lists.PREFIX}{field['id']}"
            found.append({"id": sort, "name": f"{field['label']} (A to Z, low to high)"})
            found.append({"id": f"{sort}:desc", "name": f"{field['label']} (Z to A, high to low)"})
        return found

    @rx.var
    def current_view(self) -> SavedViewRow:
        for found in self.saved_views:
            if found["id"] == self.view_id:
                return found
        return {"id": "", "name": "", "shared": False, "changeable": False, "default": False}

    def _custom_arguments(self) -> dict[str, Any]:
        """The custom columns and filters, for the list's service."""
        return {"columns": list(self.custom_columns), "custom_filters": list(self.custom_filters)}

    def _sort_argument(self) -> str:
        return self.custom_sort or getattr(self, self.SORT_VAR)

    def _cells(self, row: Any) -> list[str]:
        """A row's values of the chosen columns, in their order."""
        return [row.custom.get(c, "") for c in self.custom_columns]

    def _labelled(self, row: Any) -> str:
        """A record's chosen custom values in a line: "Tier: Gold \u00b7 Seats: 5"."""
        labels = {f["id"]: f["label"] for f in self.field_choices}
        return " \u00b7 ".join(
            f"{labels.get(c, '')}: {row.custom[c]}"
            for c in self.custom_columns
            if row.custom.get(c)
        )

    # --- a view's state ----------------------------------------------------------------------

    def _builtin_filters(self) -> dict[str, str]:
        return {name: getattr(self, var) for name, var in self.VIEW_FILTERS.items()}

    def _set_builtin_filters(self, filters: dict[str, str]) -> None:
        for name, var in self.VIEW_FILTERS.items():
            setattr(self, var, str(filters.get(name, "")))

    def _apply(self, view_id: str, state: dict) -> None:
        self.view_id = view_id
        self.custom_columns = list(state.get("columns") or [])
        self.custom_filters = [dict(f) for f in state.get("custom_filters") or []]
        self._set_builtin_filters(dict(state.get("filters") or {}))
        sort = str(state.get("sort") or "")
        self.custom_sort = sort if sort.startswith(views.lists.PREFIX) else ""
        if not self.custom_sort:
            setattr(self, self.SORT_VAR, sort or self.DEFAULT_SORT)
        if hasattr(self, "page"):
            self.page = 1

    def _state_now(self) -> dict:
        return {
            "columns": list(self.custom_columns),
            "filters": {k: v for k, v in self._builtin_filters().items() if v},
            "custom_filters": list(self.custom_filters),
            "sort": self._sort_argument(),
        }

    # --- reading -------------------------------------------------------------------------------

    def _read_views(self, session, *, actor, from_address: bool = True) -> None:
        """The fields the list offers and its views; then the view the address names (or the
        person's default one), applied."""
        fields = views.fields_of(session, actor=actor, list_name=self._list_name())
        self.field_choices = [_choice(f) for f in fields]
        self._list_views(session, actor=actor)
        wanted = self.router.url.query_parameters.get("view", "") if from_address else ""
        opened: views.ViewRow | None
        try:
            if wanted:
                opened = views.open_view(session, actor=actor, view_id=wanted)
                if opened.list_name != self._list_name():
                    opened = None
            else:
                opened = views.default_view(session, actor=actor, list_name=self._list_name())
        except DomainError:
            opened = None  # not shared with this person: the plain list
        if opened is not None:
            self._apply(str(opened.id), opened.state)
        else:
            self._apply("", {"filters": self._builtin_filters(), "sort": self._sort_argument()})

    def _list_views(self, session, *, actor) -> None:
        self.saved_views = [
            {
                "id": str(v.id),
                "name": v.name,
                "shared": v.shared,
                "changeable": v.changeable,
                "default": v.default,
            }
            for v in views.views(session, actor=actor, list_name=self._list_name())
        ]

    def _again(self, undo):
        """Re-read from page 1 with the new choice; a refused one is undone (the toast says
        why)."""
        if hasattr(self, "page"):
            self.page = 1
        refusal = self._refresh()
        if refusal is not None:
            undo()
        return refusal

    # --- columns, filters, sort ------------------------------------------------------------

    @rx.event
    def toggle_column(self, field_id: str):
        if not any(f["id"] == field_id for f in self.field_choices):
            return None
        before = list(self.custom_columns)
        if field_id in before:
            self.custom_columns = [c for c in before if c != field_id]
        elif len(before) < views.lists.MAX_COLUMNS:
            self.custom_columns = [*before, field_id]
        return self._again(lambda: setattr(self, "custom_columns", before))

    @rx.event
    def choose_filter_field(self, field_id: str):
        known = {f["id"] for f in self.field_choices}
        self.filter_field = field_id if isinstance(field_id, str) and field_id in known else ""

    @rx.event
    def add_custom_filter(self, form: dict):
        """The filter form: a value (a select, a checkbox, a text) or a range (from, to)."""
        field = self.chosen_field
        if not field["id"] or not isinstance(form, dict):
            return rx.toast.error("Choose a field to filter on.")
        added = []
        names = ("from", "to") if field["kind"] == "range" else ("value",)
        for name in names:
            value = form.get(name)
            if isinstance(value, str) and value.strip():
                op = name if field["kind"] == "range" else field["op"]
                added.append({"field": field["id"], "op": op, "value": value.strip()[:100]})
        if not added:
            return rx.toast.error("Give a value to filter on.")
        before = list(self.custom_filters)
        self.custom_filters = [*before, *added][: views.lists.MAX_FILTERS]
        return self._again(lambda: setattr(self, "custom_filters", before))

    @rx.event
    def remove_custom_filter(self, index: str):
        if not (isinstance(index, str) and index.isdigit()):
            return None
        before = list(self.custom_filters)
        self.custom_filters = [f for n, f in enumerate(before) if n != int(index)]
        return self._again(lambda: setattr(self, "custom_filters", before))

    @rx.event
    def set_custom_sort(self, value: str):
        known = {c["id"] for c in self.sort_choices}
        before = self.custom_sort
        self.custom_sort = value if isinstance(value, str) and value in known else ""
        return self._again(lambda: setattr(self, "custom_sort", before))

    # --- saved views ----------------------------------------------------------------------

    def _views_changed(self, then):
        """Re-read the menu of views after a change; `then`: what to do next."""
        _, refusal = self._perform(self._list_views)  # type: ignore[attr-defined]
        return refusal or then

    @rx.event
    def open_saved_view(self, view_id: str):
        """Open a view from the menu; the address bar then names it (bookmarkable)."""
        found, refusal = self._perform(views.open_view, view_id=view_id)  # type: ignore[attr-defined]
        if refusal is not None:
            return refusal
        if found.list_name != self._list_name():
            return rx.toast.error(views.saved.NOT_VISIBLE)
        self._apply(str(found.id), found.state)
        return _events(self._refresh(), address(found.id))

    @rx.event
    def clear_view(self):
        """Back to the plain list: no view, no custom columns, filters or sort."""
        self._apply("", {})
        return _events(self._refresh(), address(None))

    @rx.event
    def save_view(self, form: dict):
        """Save as: the list as it is now, under a new name (shared: managers only)."""
        form = form if isinstance(form, dict) else {}
        saved, refusal = self._perform(  # type: ignore[attr-defined]
            views.save_view,
            list_name=self._list_name(),
            name=form.get("name", ""),
            state=self._state_now(),
            shared=_checkbox(form.get("shared")),
        )
        if refusal is not None:
            return refusal
        self.view_id = str(saved.id)
        notice = rx.toast.success(f"Saved the view \u201c{saved.name}\u201d.")
        return self._views_changed(_events(notice, address(saved.id)))

    @rx.event
    def update_view(self):
        """Keep the list as it is now in the open view."""
        return self._change(state=self._state_now())

    @rx.event
    def rename_view(self, form: dict):
        return self._change(name=form.get("name", "") if isinstance(form, dict) else "")

    @rx.event
    def share_view(self, shared: bool):
        return self._change(shared=shared is True)

    def _change(self, **changes):
        found, refusal = self._perform(views.update_view, view_id=self.view_id, **changes)  # type: ignore[attr-defined]
        if refusal is not None:
            return refusal
        return self._views_changed(rx.toast.success(f"Saved the view \u201c{found.name}\u201d."))

    @rx.event
    def set_default_view(self, on: bool):
        """Open this list with the open view from now on (on), or with no view (off)."""
        _, refusal = self._perform(  # type: ignore[attr-defined]
            views.set_default,
            list_name=self._list_name(),
            view_id=self.view_id if on is True else None,
        )
        return refusal or self._views_changed(None)

    @rx.event
    def delete_view(self):
        _, refusal = self._perform(views.delete_view, view_id=self.view_id)  # type: ignore[attr-defined]
        if refusal is not None:
            return refusal
        self._apply("", {})
        return self._views_changed(_events(self._refresh(), address(None)))


def _events(*events) -> list:
    """What a handler returns: the events, without the Nones of reads that went well."""
    return [e for e in events if e is not None]


def address(view_id: int | None):
    """The address bar names the open view, without reloading the page."""
    query = f"?view={int(view_id)}" if view_id is not None else ""
    return rx.call_script(
        f"window.history.replaceState(null, '', window.location.pathname + '{query}')"
    )


def _checkbox(posted: object) -> object:
    """A form's checkbox as the services take it: True ticked ("on"), False left out; anything
    else as it came, for the service to refuse."""
    if posted is True or posted == "on":
        return True
    if posted is None or posted is False or posted == "":
        return False
    return posted
