"""Dashboard charts (Reflex's Recharts): each in a card with its points as a table, so the
figures are readable without the picture (screen readers, tests, copy and paste)."""

import reflex as rx

Column = tuple[str, str]  # label, key of a point


def data_table(points: rx.Var, columns: list[Column], *, caption: str) -> rx.Component:
    return rx.el.details(
        rx.el.summary("Figures", style={"cursor": "pointer", "font_size": "0.8rem"}),
        rx.table.root(
            rx.el.caption(caption, style={"display": "none"}),
            rx.table.header(
                rx.table.row(*[rx.table.column_header_cell(label) for label, _ in columns])
            ),
            rx.table.body(
                rx.foreach(
                    points,
                    lambda p: rx.table.row(*[rx.table.cell(p[key]) for _, key in columns]),
                )
            ),
            size="1",
            width="100%",
        ),
        open=True,
    )


def chart_card(
    title: str, points: rx.Var, chart: rx.Component, columns: list[Column], *, empty: str, key: str
) -> rx.Component:
    """A titled chart, its figures, or a sentence when there is nothing to show."""
    return rx.card(
        rx.vstack(
            rx.heading(title, as_="h2", size="3"),
            rx.cond(
                points.length() > 0,
                rx.vstack(
                    rx.box(chart, width="100%", height="240px"),
                    data_table(points, columns, caption=title),
                    width="100%",
                ),
                rx.text(empty, size="2", color_scheme="gray"),
            ),
            width="100%",
            spacing="2",
        ),
        id=key,
        aria_label=title,
        role="region",
        width="100%",
    )


def _xy_chart(chart, points: rx.Var, x_key: str, series: list, extras: list | None = None):
    """A grid, the series, the axes and a tooltip (and any `extras`), 240 px high."""
    return chart(
        rx.recharts.cartesian_grid(stroke_dasharray="3 3"),
        *series,
        rx.recharts.x_axis(data_key=x_key),
        rx.recharts.y_axis(),
        rx.recharts.graphing_tooltip(),
        *(extras or []),
        data=points,
        width="100%",
        height=240,
    )


def bars(points: rx.Var, x_key: str, *series: tuple[str, str, str], stacked: bool = False):
    """A bar chart of `points`; each series is (data key, name, color)."""
    bars = [
        rx.recharts.bar(
            data_key=key,
            name=name,
            fill=color,
            is_animation_active=False,
            **({"stack_id": "a"} if stacked else {}),
        )
        for key, name, color in series
    ]
    legend = [rx.recharts.legend()] if len(series) > 1 else []
    return _xy_chart(rx.recharts.bar_chart, points, x_key, bars, legend)


def line(points: rx.Var, x_key: str, y_key: str, name: str, color: str):
    series = rx.recharts.line(
        data_key=y_key, name=name, stroke=color, type_="monotone", is_animation_active=False
    )
    return _xy_chart(rx.recharts.line_chart, points, x_key, [series])


def funnel(points: rx.Var, name_key: str, value_key: str):
    """Points carry their own `fill`."""
    return rx.recharts.funnel_chart(
        rx.recharts.funnel(
            rx.recharts.label_list(position="right", data_key=name_key, fill="#000", stroke="none"),
            data=points,
            data_key=value_key,
            name_key=name_key,
            is_animation_active=False,
        ),
        rx.recharts.graphing_tooltip(),
        width="100%",
        height=240,
        margin={"top": 5, "right": 130, "bottom": 5, "left": 5},  # room for the stage labels
    )
