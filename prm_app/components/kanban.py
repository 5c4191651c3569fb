"""The Kanban board: columns of deal cards, moved with the mouse or with "Move to stage".

A card is grabbed on mouse down (`state.pick`) and dropped on the column where the mouse is
released (`state.drop`); releasing it anywhere else, or leaving the board, lets it go. Every
card also has a "Move to stage" select for the keyboard. `state` is DealsState.
"""

import reflex as rx

APPROVAL_COLORS = {"pending": "amber", "approved": "green", "rejected": "red"}


def _card(state, card, other_label: str, base: str) -> rx.Component:
    """Plain elements styled by assets/kanban.css: a board re-renders every card when it
    changes, so each card stays as light as it can."""
    won = card.outcome == "won"
    return rx.el.article(
        rx.el.div(
            rx.link(card.name, href=f"{base}/{card.id}", class_name="deal-card-name"),
            rx.cond(
                card.approval != "approved",
                rx.el.span(card.approval, class_name="deal-card-badge"),
            ),
            class_name="deal-card-head",
        ),
        rx.el.div(card.company),
        rx.el.div(
            rx.el.span(card.amount, class_name="deal-card-amount"),
            rx.el.span(card.close_date, class_name="deal-card-muted"),
            class_name="deal-card-row",
        ),
        rx.el.div(f"{other_label}: ", card.other, class_name="deal-card-muted"),
        rx.el.div(
            "Owner: ", rx.cond(card.owner != "", card.owner, "—"), class_name="deal-card-muted"
        ),
        rx.el.button(
            "Move to stage",
            type="button",
            class_name="deal-card-move",
            disabled=won,
            aria_label="Move " + card.name + " to stage",
            on_click=state.ask_move(card.id),
            on_mouse_down=rx.stop_propagation,  # a click on it is no grab of the card
        ),
        on_mouse_down=rx.cond(won, state.cancel_drag, state.pick(card.id)),
        aria_label=card.name,
        class_name="deal-card",
        key=card.id,  # a card keeps its element when others move around it
        custom_attrs={
            "data-won": won.to_string(),
            "data-dragging": (state.dragging == card.id).to_string(),
        },
    )


def move_dialog(state) -> rx.Component:
    """ "Move to stage" for the keyboard: one dialog for the whole board, listing its stages."""
    return rx.dialog.root(
        rx.dialog.content(
            rx.dialog.title("Move to stage"),
            rx.dialog.description(state.moving_name, size="2"),
            rx.vstack(
                rx.foreach(
                    state.columns,
                    lambda column: rx.button(
                        column.name,
                        variant="soft",
                        width="100%",
                        disabled=column.key == state.moving_column,
                        on_click=state.move_card(state.moving, column.key),
                    ),
                ),
                rx.button("Cancel", variant="ghost", width="100%", on_click=state.cancel_move),
                spacing="2",
                margin_top="0.75rem",
            ),
        ),
        open=state.moving != 0,
        on_open_change=state.cancel_move,
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
