"""The Kanban board: columns of deal cards, dragged and dropped with dnd-kit
(components/dnd.py) by mouse, touch or keyboard, or moved with "Move to stage".

A drop calls `state.move_card(deal id, column key)`, the same event as "Move to stage" (a native
disclosure on every open card, opened by the browser with no round trip). A move to a won column
asks for confirmation (`won_dialog`), one to a lost column for a reason (`lost_dialog`).
`state` is DealsState; the board shows the slice of each column that it holds.
"""

import reflex as rx

from ...components import dnd
from ...state.deals import DealsState

APPROVAL_COLORS = {"pending": "amber", "approved": "green", "rejected": "red", "withdrawn": "gray"}


@rx.memo
def deal_card(
    deal_id: rx.Var[int],
    name: rx.Var[str],
    company: rx.Var[str],
    amount: rx.Var[str],
    close_date: rx.Var[str],
    other: rx.Var[str],
    owner: rx.Var[str],
    custom: rx.Var[str],
    approval: rx.Var[str],
    won: rx.Var[bool],
    other_label: rx.Var[str],
    href: rx.Var[str],
    column: rx.Var[str],
    origin: rx.Var[str],
    stages: rx.Var[list[dict[str, str]]],
    rest: rx.RestProp,  # React's `key`
) -> rx.Component:
    """One card: plain elements styled by assets/kanban.css, and a React memo, so that a
    board update re-renders only the cards whose fields changed (`stages` keeps its identity
    from one update to the next). A won deal is final: it does not move."""
    return dnd.card(
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
        rx.cond(custom != "", rx.el.div(custom, class_name="deal-card-muted")),
        rx.cond(won, rx.fragment(), _move_menu(deal_id, name, column, stages)),
        deal=deal_id,
        column=column,
        origin=origin,
        name=name,
        company=company,
        amount=amount,
        disabled=won,
        class_name="deal-card",
        custom_attrs={"data-won": won.to_string()},
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
        class_name="deal-card-move",
    )


def _card(state, card, column, other_label: str, base: str) -> rx.Component:
    return deal_card(
        deal_id=card.id,
        name=card.name,
        company=card.company,
        amount=card.amount,
        close_date=card.close_date,
        other=card.other,
        owner=card.owner,
        custom=card.custom,
        approval=card.approval,
        won=card.outcome == "won",
        other_label=other_label,
        href=f"{base}/{card.id}",
        column=card.column,
        origin=column.name,
        stages=state.stages,
        key=card.id,  # a card keeps its element when others move around it
    )


def _column(state, column, other_label: str, base: str) -> rx.Component:
    """Plain elements styled by assets/kanban.css: a board update re-renders each column, and
    themed components would cost several times as much. The whole column is the drop target."""
    return dnd.column(
        rx.el.div(
            rx.el.h2(column.name, class_name="deal-column-name"),
            rx.el.span(
                column.count, class_name="deal-column-count", aria_label="Deals in this stage"
            ),
            class_name="deal-column-head",
        ),
        rx.el.p(column.total, class_name="deal-column-total"),
        rx.foreach(column.cards, lambda card: _card(state, card, column, other_label, base)),
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
        column=column.key,
        name=column.name,
        class_name="deal-column",
        custom_attrs={"data-outcome": column.outcome},
    )


def board(state, other_label: str, base: str) -> rx.Component:
    """`other_label` names the organization across ("Partner"), `base` the deal pages' URL."""
    return rx.fragment(
        dnd.board(
            rx.foreach(state.columns, lambda column: _column(state, column, other_label, base)),
            outcomes=state.outcomes,
            scroll_label="Scroll the board",
            on_move=state.move_card,
            class_name="deal-board",
            custom_attrs={"aria-label": "Deal board", "role": "group"},
        ),
        won_dialog(state),
    )


def won_dialog(state) -> rx.Component:
    """Asked when a card is moved to a won column: Closed Won is final."""
    return rx.alert_dialog.root(
        rx.alert_dialog.content(
            rx.alert_dialog.title("Close the deal as won?"),
            rx.alert_dialog.description(
                rx.el.strong(state.won_name),
                " will be Closed Won. This is final: the deal can no longer move or change, "
                "and both parties are told.",
                size="2",
            ),
            rx.hstack(
                rx.alert_dialog.cancel(rx.button("Cancel", variant="soft")),
                rx.alert_dialog.action(
                    rx.button("Close as won", color_scheme="green", on_click=state.confirm_won)
                ),
                justify="end",
                spacing="3",
                margin_top="1rem",
            ),
        ),
        open=state.won_deal != 0,
        on_open_change=state.cancel_won,  # Cancel, Escape; after Close as won, a no-op
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
