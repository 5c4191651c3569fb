"""Labelled native selects fed by state lists of {"id", "name"} options."""

import reflex as rx


def option_select(
    label: str,
    name: str,
    options: rx.Var[list[dict]],
    *,
    default: rx.Var | str = "",
    empty: str = "—",
    control_id: rx.Var | str | None = None,
    **props,
) -> rx.Component:
    """A <select> with a visible label; the empty option clears (or, in filters, means "any")."""
    control_id = control_id if control_id is not None else name
    return rx.vstack(
        rx.el.label(label, html_for=control_id, font_size="0.8rem", font_weight="500")
        if label
        else rx.fragment(),  # labelled by the caller's own label (components.forms.field)
        rx.el.select(
            rx.el.option(empty, value=""),
            rx.foreach(options, lambda o: rx.el.option(o["name"], value=o["id"])),
            id=control_id,
            name=name,
            default_value=default,
            style={"padding": "0.35rem", "border_radius": "0.4rem", "min_width": "9rem"},
            **props,
        ),
        spacing="1",
    )
