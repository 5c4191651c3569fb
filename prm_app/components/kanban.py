"""The Kanban board: columns of deal cards, moved with the mouse or with "Move to stage".

A card is grabbed on mouse down (`state.pick`) and dropped on the column where the mouse is
released (`state.drop`); releasing it anywhere else, or leaving the board, lets it go. Every
card also has a "Move to stage" select for the keyboard. `state` is DealsState.
"""

import reflex as rx

APPROVAL_COLORS = {"pending": "amber", "approved": "green", "rejected": "red"}


def _card(state, card, other_label: str, base: str) -> rx.Component:
    won = card.outcome == "won"
    return rx.el.article(
        rx.vstack(
            rx.hstack(
                rx.link(card.name, href=f"{base}/{card.id}", weight="medium"),
                rx.cond(
                    card.approval != "approved",
                    rx.badge(card.approval, color_scheme="amber", variant="soft", size="1"),
                ),
                justify="between",
                width="100%",
            ),
            rx.text(card.company, size="2"),
            rx.hstack(
                rx.text(card.amount, size="2", weight="medium"),
                rx.text(card.close_date, size="1", color_scheme="gray"),
                justify="between",
                width="100%",
            ),
            rx.text(f"{other_label}: ", card.other, size="1", color_scheme="gray"),
            rx.text("Owner: ", rx.cond(card.owner != "", card.owner, "—"), size="1"),
            _move_menu(state, card, won),
            spacing="1",
            align="start",
        ),
        on_mouse_down=rx.cond(won, state.cancel_drag, state.pick(card.id)),
        aria_label=card.name,
        style={
            "background": rx.color("gray", 1),
            "border": f"1px solid {rx.color('gray', 6)}",
            "border_radius": "0.5rem",
            "padding": "0.6rem",
            "width": "100%",
            "user_select": "none",
            "cursor": rx.cond(won, "default", "grab"),
            "opacity": rx.cond(state.dragging == card.id, "0.5", "1"),
        },
    )


def _move_menu(state, card, won) -> rx.Component:
    """ "Move to stage" for the keyboard: a menu whose items exist only while it is open, so
    a board of many cards stays light to render."""
    return rx.menu.root(
        rx.menu.trigger(
            rx.button(
                "Move to stage",
                rx.icon("chevron-down", size=14, aria_hidden="true"),
                size="1",
                variant="soft",
                disabled=won,
                aria_label="Move " + card.name + " to stage",
                on_mouse_down=rx.stop_propagation,  # a click on it is no drag of the card
                width="100%",
            ),
        ),
        rx.menu.content(
            rx.foreach(
                state.columns,
                lambda column: rx.menu.item(
                    column.name,
                    on_select=state.move_card(card.id, column.key),
                    disabled=column.key == card.column,
                ),
            ),
            size="1",
        ),
        modal=False,
    )


def _column(state, column, other_label: str, base: str) -> rx.Component:
    return rx.el.section(
        rx.vstack(
            rx.hstack(
                rx.heading(column.name, as_="h2", size="3"),
                rx.badge(column.count, variant="surface", aria_label="Deals in this stage"),
                justify="between",
                width="100%",
            ),
            rx.text(column.total, size="1", color_scheme="gray"),
            rx.foreach(column.cards, lambda card: _card(state, card, other_label, base)),
            rx.cond(
                column.more > 0,
                rx.button(
                    "Show ",
                    rx.cond(column.more > 20, 20, column.more),
                    " more",
                    on_click=state.load_more(column.key),
                    variant="ghost",
                    size="1",
                ),
            ),
            spacing="2",
            width="100%",
        ),
        on_mouse_up=state.drop(column.key),
        aria_label=column.name,
        style={
            "min_width": "16rem",
            "width": "16rem",
            "min_height": "12rem",
            "padding": "0.6rem",
            "border_radius": "0.75rem",
            "background": rx.color("gray", 3),
            "outline": rx.cond(state.dragging != 0, f"2px dashed {rx.color('accent', 7)}", "none"),
        },
    )


def board(state, other_label: str, base: str) -> rx.Component:
    """`other_label` names the organization across ("Partner"), `base` the deal pages' URL."""
    return rx.hstack(
        rx.foreach(state.columns, lambda column: _column(state, column, other_label, base)),
        on_mouse_leave=state.cancel_drag,
        align="start",
        spacing="3",
        width="100%",
        overflow_x="auto",
        padding_bottom="0.5rem",
        aria_label="Deal board",
        role="group",
    )


def lost_dialog(state) -> rx.Component:
    """Asked when a card is moved to the lost column: a reason from the provider's list."""
    return rx.dialog.root(
        rx.dialog.content(
            rx.dialog.title("Why was it lost?"),
            rx.dialog.description(state.lost_name, size="2"),
            rx.form(
                rx.vstack(
                    rx.el.select(
                        rx.el.option("Lost reason…", value=""),
                        rx.foreach(
                            state.lost_reasons, lambda reason: rx.el.option(reason, value=reason)
                        ),
                        name="reason",
                        required=True,
                        aria_label="Lost reason",
                        style={"padding": "0.3rem", "width": "100%"},
                    ),
                    rx.input(name="note", placeholder="Note (optional)", aria_label="Lost note"),
                    rx.hstack(
                        rx.button(
                            "Cancel", type="button", variant="soft", on_click=state.cancel_lost
                        ),
                        rx.button("Close as lost", type="submit", color_scheme="red"),
                        justify="end",
                        width="100%",
                    ),
                    spacing="3",
                ),
                on_submit=state.confirm_lost,
                aria_label="Close the deal as lost",
            ),
        ),
        open=state.lost_deal != 0,
        on_open_change=state.cancel_lost,
    )
