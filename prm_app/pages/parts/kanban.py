"""The Kanban board: columns of deal cards, moved with the mouse or with "Move to stage".

A card is grabbed on mouse down (`state.pick`) and dropped on the column where the mouse is
released (`state.drop`); releasing it anywhere else, or leaving the board, lets it go. Every
open card also has a "Move to stage" disclosure for the keyboard: the browser opens it, with no
round trip, and lists the stages. `state` is DealsState.
"""

import reflex as rx

from ...state.deals import DealsState

APPROVAL_COLORS = {"pending": "amber", "approved": "green", "rejected": "red"}


@rx.memo
def deal_card(
    deal_id: rx.Var[int],
    name: rx.Var[str],
    company: rx.Var[str],
    amount: rx.Var[str],
    close_date: rx.Var[str],
    other: rx.Var[str],
    owner: rx.Var[str],
    approval: rx.Var[str],
    won: rx.Var[bool],
    dragging: rx.Var[bool],
    other_label: rx.Var[str],
    href: rx.Var[str],
    column: rx.Var[str],
    stages: rx.Var[list[dict[str, str]]],
    rest: rx.RestProp,  # React's `key`
) -> rx.Component:
    """One card: plain elements styled by assets/kanban.css, and a React memo, so that a
    board update re-renders only the cards whose fields changed (`stages` keeps its identity
    from one update to the next)."""
    return rx.el.article(
        rest,
        rx.el.div(
            rx.link(name, href=href, class_name="deal-card-name"),
            rx.cond(approval != "approved", rx.el.span(approval, class_name="deal-card-badge")),
            class_name="deal-card-head",
        ),
        rx.el.div(company),
        rx.el.div(
            rx.el.span(amount, class_name="deal-card-amount"),
            rx.el.span(close_date, class_name="deal-card-muted"),
            class_name="deal-card-row",
        ),
        rx.el.div(other_label, ": ", other, class_name="deal-card-muted"),
        rx.el.div("Owner: ", rx.cond(owner != "", owner, "—"), class_name="deal-card-muted"),
        rx.cond(won, rx.fragment(), _move_menu(deal_id, name, column, stages)),
        on_mouse_down=rx.cond(won, DealsState.cancel_drag, DealsState.pick(deal_id)),
        aria_label=name,
        class_name="deal-card",
        custom_attrs={"data-won": won.to_string(), "data-dragging": dragging.to_string()},
    )


def _move_menu(deal_id, name, column, stages) -> rx.Component:
    """A native disclosure: opening it costs no event, and its stages render only when open."""
    return rx.el.details(
        rx.el.summary("Move to stage", aria_label="Move " + name + " to stage"),
        rx.el.div(
            rx.foreach(
                stages,
                lambda stage: rx.el.button(
                    stage["name"],
                    type="button",
                    disabled=stage["key"] == column,
                    on_click=DealsState.move_card(deal_id, stage["key"]),
                ),
            ),
            role="group",
            aria_label="Stages",
        ),
        on_mouse_down=rx.stop_propagation,  # using it is no grab of the card
        class_name="deal-card-move",
    )


def _card(state, card, other_label: str, base: str) -> rx.Component:
    return deal_card(
        deal_id=card.id,
        name=card.name,
        company=card.company,
        amount=card.amount,
        close_date=card.close_date,
        other=card.other,
        owner=card.owner,
        approval=card.approval,
        won=card.outcome == "won",
        dragging=state.dragging == card.id,
        other_label=other_label,
        href=f"{base}/{card.id}",
        column=card.column,
        stages=state.stages,
        key=card.id,  # a card keeps its element when others move around it
    )


def _column(state, column, other_label: str, base: str) -> rx.Component:
    """Plain elements styled by assets/kanban.css: a board update re-renders each column, and
    themed components would cost several times as much."""
    return rx.el.section(
        rx.el.div(
            rx.el.h2(column.name, class_name="deal-column-name"),
            rx.el.span(
                column.count, class_name="deal-column-count", aria_label="Deals in this stage"
            ),
            class_name="deal-column-head",
        ),
        rx.el.p(column.total, class_name="deal-column-total"),
        rx.foreach(column.cards, lambda card: _card(state, card, other_label, base)),
        rx.cond(
            column.more > 0,
            rx.el.button(
                "Show ",
                rx.cond(column.more > 20, 20, column.more),
                " more",
                type="button",
                class_name="deal-column-more",
                on_click=state.load_more(column.key),
            ),
        ),
        on_mouse_up=state.drop(column.key),
        aria_label=column.name,
        class_name="deal-column",
        custom_attrs={"data-target": (state.dragging != 0).to_string()},
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
