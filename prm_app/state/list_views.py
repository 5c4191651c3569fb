"""Custom columns, custom filters and saved views of a list (a mixin of each list's state).

Which fields a list offers comes from the services (views.fields_of: only the fields the viewer
may see); every read passes the chosen columns and filters to the list's service, which checks
them again. The URL carries the open view (`?view=<id>`), so it can be bookmarked or sent to a
colleague, who sees it only if it is shared with them (services.views).
"""

from typing import Any, ClassVar, TypedDict, cast

import reflex as rx

from ..models import FieldType
from ..services import views
from ..services.core.errors import DomainError
from .rows import Option

RANGES = (FieldType.NUMBER, FieldType.MONEY, FieldType.DATE)


class FieldChoice(TypedDict):
    """A custom field the list offers as a column, a filter and a sort."""

    id: str
    label: str
    kind: str  # the filter's input: "choice", "yesno", "range", "text"
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
        "input_type": "date" if field.type == FieldType.DATE else "number",
        "options": [
            {"id": str(o["id"]), "name": str(o["label"])}
            for o in field.options
            if not o.get("archived")
        ],
    }


class ListViews(rx.State, mixin=True):
    """A list's custom columns and filters, and its saved views. The state using it names its
    list (`LIST_NAME`, one of services.views.LISTS) and maps each built-in filter a view keeps
    to its own var (`VIEW_FILTERS`), calls `_read_views` where it reads its options and passes
    `_custom_arguments()` to its list service; `_refresh` re-reads the page."""

    LIST_NAME: ClassVar[str]
    VIEW_FILTERS: ClassVar[dict[str, str]]  # the service's filter name -> this state's var

    field_choices: list[FieldChoice] = []
    columns: list[str] = []  # chosen field ids, in the order they were chosen
    custom_filters: list[dict[str, str]] = []  # {"field", "op", "value"}
    filter_field: str = ""  # the field the filter form is set to
    saved_views: list[SavedViewRow] = []
    view_id: str = ""  # the open view ("" none)

    def _refresh(self):
        raise NotImplementedError

    # --- what the page shows ---------------------------------------------------------------

    @rx.var
    def column_headers(self) -> list[str]:
        labels = {f["id"]: f["label"] for f in self.field_choices}
        return [labels.get(c, "") for c in self.columns]

    @rx.var
    def filter_chips(self) -> list[FilterChip]:
        fields = {f["id"]: f for f in self.field_choices}
        chips: list[FilterChip] = []
        for n, item in enumerate(self.custom_filters):
            field = fields.get(item["field"])
            if field is None:
                continue
            value = item["value"]
            named = {o["id"]: o["name"] for o in field["options"]}
            shown = named.get(value, value)
            words = {"is": "is", "has": "has", "from": "from", "to": "up to"}
            chips.append(
                {"index": str(n), "text": f"{field['label']} {words.get(item['op'], 'contains')} "
                 f"{shown}"}
            )  # fmt: skip
        return chips

    @rx.var
    def chosen_field(self) -> FieldChoice:
        for field in self.field_choices:
            if field["id"] == self.filter_field:
                return field
        return cast(FieldChoice, {"id": "", "label": "", "kind": "", "input_type": "",
                                  "options": []})  # fmt: skip

    @rx.var
    def sort_choices(self) -> list[Option]:
        """The custom sorts: each field ascending and descending."""
        found: list[Option] = []
        for field in self.field_choices:
            found.append({"id": f"{views.lists.PREFIX}{field['id']}", "name": field["label"]})
            found.append(
                {"id": f"{views.lists.PREFIX}{field['id']}:desc", "name": f"{field['label']} (desc)"}
            )
        return found

    @rx.var
    def current_view(self) -> SavedViewRow:
        for found in self.saved_views:
            if found["id"] == self.view_id:
                return found
        return cast(SavedViewRow, {"id": "", "name": "", "shared": False, "changeable": False,
                                   "default": False})  # fmt: skip

    def _custom_arguments(self) -> dict[str, Any]:
        return {"columns": list(self.columns), "custom_filters": list(self.custom_filters)}

    def _cells(self, row: Any) -> list[str]:
        """A row's values of the chosen columns, in their order."""
        return [row.custom.get(c, "") for c in self.columns]

    # --- reading -------------------------------------------------------------------------------

    def _read_views(self, session, *, actor) -> None:
        """The fields the list offers and its views; then the view the URL names (or the
        person's default one), applied."""
        fields = views.fields_of(session, actor=actor, list_name=self.LIST_NAME)
        self.field_choices = [_choice(f) for f in fields]
        self._list_views(session, actor)
        wanted = self.router.url.query_parameters.get("view", "")
        try:
            if wanted:
                opened = views.open_view(session, actor=actor, view_id=wanted)
            else:
                opened = views.default_view(session, actor=actor, list_name=self.LIST_NAME)
        except DomainError:
            opened = None  # not shared with this person: the plain list
        if opened is not None:
            self._apply(str(opened.id), opened.state)
        else:
            self.view_id = ""

    def _list_views(self, session, actor) -> None:
        self.saved_views = [
            {
                "id": str(v.id),
                "name": v.name,
                "shared": v.shared,
                "changeable": v.changeable,
                "default": v.default,
            }
            for v in views.views(session, actor=actor, list_name=self.LIST_NAME)
        ]

    def _apply(self, view_id: str, state: dict) -> None:
        self.view_id = view_id
        self.columns = list(state.get("columns") or [])
        self.custom_filters = [dict(f) for f in state.get("custom_filters") or []]
        filters = state.get("filters") or {}
        for name, var in self.VIEW_FILTERS.items():
            setattr(self, var, str(filters.get(name, "")))
        self.sort = state.get("sort") or self.DEFAULT_SORT  # type: ignore[attr-defined]
        self.page = 1  # type: ignore[attr-defined]

    def _state_now(self) -> dict:
        return {
            "columns": list(self.columns),
            "filters": {n: getattr(self, v) for n, v in self.VIEW_FILTERS.items()},
            "custom_filters": list(self.custom_filters),
            "sort": self.sort,  # type: ignore[attr-defined]
        }

    def _again(self, undo):
        """Re-read with the new choice; a refused one is undone (the message says why)."""
        self.page = 1  # type: ignore[attr-defined]
        refusal = self._refresh()
        if refusal is not None:
            undo()
        return refusal

    # --- columns and filters ---------------------------------------------------------------

    @rx.event
    def toggle_column(self, field_id: str):
        if not any(f["id"] == field_id for f in self.field_choices):
            return None
        before = list(self.columns)
        if field_id in self.columns:
            self.columns = [c for c in self.columns if c != field_id]
        elif len(self.columns) < views.lists.MAX_COLUMNS:
            self.columns = [*self.columns, field_id]
        return self._again(lambda: setattr(self, "columns", before))

    @rx.event
    def choose_filter_field(self, field_id: str):
        self.filter_field = field_id if isinstance(field_id, str) else ""

    @rx.event
    def add_custom_filter(self, form: dict):
        """The filter form: a value (select, checkbox, text) or a range (from, to)."""
        field = self.chosen_field
        if not field["id"] or not isinstance(form, dict):
            return rx.toast.error("Choose a field to filter on.")
        kind = field["kind"]
        ops = {"choice": "is", "yesno": "is", "text": "contains"}
        added = []
        if kind == "range":
            for op in ("from", "to"):
                if isinstance(form.get(op), str) and form[op].strip():
                    added.append({"field": field["id"], "op": op, "value": form[op].strip()})
        elif isinstance(form.get("value"), str) and form["value"].strip():
            op = ops.get(kind, "contains")
            # A multi select "has" the option; a single select "is" it (the service's names).
            if kind == "choice" and self._multi(field["id"]):
                op = "has"
            added.append({"field": field["id"], "op": op, "value": form["value"].strip()})
        if not added:
            return rx.toast.error("Give a value to filter on.")
        before = list(self.custom_filters)
        self.custom_filters = [*before, *added][: views.lists.MAX_FILTERS]
        return self._again(lambda: setattr(self, "custom_filters", before))

    def _multi(self, field_id: str) -> bool:
        return field_id in self._multis

    _multis: list[str] = []  # the multi selects among field_choices

    @rx.event
    def remove_custom_filter(self, index: str):
        if not (isinstance(index, str) and index.isdigit()):
            return None
        n = int(index)
        before = list(self.custom_filters)
        self.custom_filters = [f for i, f in enumerate(before) if i != n]
        return self._again(lambda: setattr(self, "custom_filters", before))

    # --- saved views ----------------------------------------------------------------------

    def _views_done(self, done: Any, refusal):
        if refusal is not None:
            return refusal
        self._perform(lambda session, *, actor: self._list_views(session, actor))  # type: ignore[attr-defined]
        return done

    @rx.event
    def open_saved_view(self, view_id: str):
        """Open a view from the menu; the address bar then names it (bookmarkable)."""
        found, refusal = self._perform(views.open_view, view_id=view_id)  # type: ignore[attr-defined]
        if refusal is not None:
            return refusal
        self._apply(str(found.id), found.state)
        return [self._refresh(), _address(found.id)]

    @rx.event
    def clear_view(self):
        """Back to the plain list (no view, no custom columns or filters)."""
        self._apply("", {})
        return [self._refresh(), _address(None)]

    @rx.event
    def save_view(self, form: dict):
        """Save as: the list as it is now, under a new name (shared: managers only)."""
        form = form if isinstance(form, dict) else {}
        saved, refusal = self._perform(  # type: ignore[attr-defined]
            views.save_view,
            list_name=self.LIST_NAME,
            name=form.get("name", ""),
            state=self._state_now(),
            shared=form.get("shared") in ("on", True, "true"),
        )
        if refusal is not None:
            return refusal
        self.view_id = str(saved.id)
        return self._views_done([rx.toast.success(f"Saved \u201c{saved.name}\u201d."),
                                 _address(saved.id)], None)  # fmt: skip

    @rx.event
    def update_view(self):
        """Keep the list as it is now in the open view."""
        return self._change(state=self._state_now())

    @rx.event
    def rename_view(self, form: dict):
        name = form.get("name", "") if isinstance(form, dict) else ""
        return self._change(name=name)

    @rx.event
    def share_view(self, shared: bool):
        return self._change(shared=shared is True)

    def _change(self, **changes):
        found, refusal = self._perform(views.update_view, view_id=self.view_id, **changes)  # type: ignore[attr-defined]
        return self._views_done(rx.toast.success(f"Saved \u201c{found.name}\u201d.") if found
                                else None, refusal)  # fmt: skip

    @rx.event
    def set_default_view(self, on: bool):
        """Open this list with the open view (on), or with no view (off)."""
        _, refusal = self._perform(  # type: ignore[attr-defined]
            views.set_default, list_name=self.LIST_NAME, view_id=self.view_id if on is True else None
        )
        return self._views_done(None, refusal)

    @rx.event
    def delete_view(self):
        _, refusal = self._perform(views.delete_view, view_id=self.view_id)  # type: ignore[attr-defined]
        if refusal is not None:
            return refusal
        self._apply("", {})
        return self._views_done([self._refresh(), _address(None)], None)


def _address(view_id: int | None):
    """The address bar names the open view, without reloading the page."""
    query = f"?view={int(view_id)}" if view_id is not None else ""
    return rx.call_script(
        f"window.history.replaceState(null, '', window.location.pathname + '{query}')"
    )
