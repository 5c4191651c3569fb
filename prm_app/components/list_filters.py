"""The search, filter and sort bar of a server-side list (a ListFilters state)."""

import reflex as rx


def _select(state, name: str, label: str, options, *, any_label: str = "All") -> rx.Component:
    """A labelled select; `options` is a list of (value, label) or a state list var of dicts."""
    control = f"filter-{name}"
    if isinstance(options, list):
        items = [rx.el.option(text, value=value) for value, text in options]
    else:
        items = [rx.foreach(options, lambda o: rx.el.option(o["name"], value=o["id"]))]
    first = [] if name == "sort" else [rx.el.option(any_label, value="")]
    return rx.vstack(
        rx.el.label(label, html_for=control, font_size="0.8rem", font_weight="500"),
        rx.el.select(
            *first,
            *items,
            id=control,
            value=getattr(state, name),  # a saved view's filter shows as chosen
            on_change=lambda value: state.set_filter(name, value),
            style={"padding": "0.3rem", "border_radius": "0.4rem"},
        ),
        spacing="1",
    )


def _day(state, name: str, label: str) -> rx.Component:
    control = f"filter-{name}"
    return rx.vstack(
        rx.el.label(label, html_for=control, font_size="0.8rem", font_weight="500"),
        rx.input(
            id=control,
            type="date",
            size="1",
            value=getattr(state, name),
            on_change=lambda v: state.set_filter(name, v),
        ),
        spacing="1",
    )


def search_field(control_id: str, placeholder: str, on_change, **props) -> rx.Component:
    """A labelled search box that reports what is typed once the typing pauses."""
    return rx.vstack(
        rx.el.label("Search", html_for=control_id, font_size="0.8rem", font_weight="500"),
        rx.input(
            id=control_id,
            placeholder=placeholder,
            on_change=on_change,
            debounce_timeout=300,
            **props,
        ),
        spacing="1",
    )


def list_filters(
    state,
    *,
    noun: str,
    statuses: list[tuple[str, str]],
    org_label: str,
    sorts: list[tuple[str, str]],
    stages: bool = False,
) -> rx.Component:
    return rx.hstack(
        search_field(
            "filter-search",
            "Company, name or email",
            state.set_search,
            aria_label=f"Search {noun}s",
            value=state.search,
            width="16rem",
        ),
        _select(state, "status", "Status", statuses),
        _select(state, "org_id", org_label, state.counterparts),
        rx.cond(
            state.role != "member",
            _select(state, "owner_id", "Owner", state.colleagues, any_label="Anyone"),
        ),
        *([_select(state, "stage_id", "Stage", state.stages)] if stages else []),
        _day(state, "created_from", "From"),
        _day(state, "created_to", "To"),
        _select(state, "sort", "Sort", sorts),
        wrap="wrap",
        align="end",
        spacing="3",
        width="100%",
    )
