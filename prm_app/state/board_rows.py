"""The Kanban board's rows as the deals state keeps them: a slice of each column.

`shown_columns` formats a board read once per worker: the tabs that share a board read
(`services.deals.board.shared_board`, the same list object for everyone who sees the same deals
the same way at the same version) also share its rows, so that a move seen on twenty open
boards formats the board once, not twenty times.
"""

import dataclasses
from collections import OrderedDict
from collections.abc import Callable

from ..services.deals.board import Card, Column
from . import view

SHOWN_BOARDS = 128  # formatted boards kept in this process, as many as shared_board keeps


@dataclasses.dataclass
class BoardCard:
    id: int
    name: str
    company: str
    amount: str
    close_date: str
    other: str
    owner: str
    approval: str
    outcome: str
    column: str
    custom: str = ""  # the chosen custom fields, "Tier: Gold · Seats: 5" (state.list_views)


@dataclasses.dataclass
class BoardColumn:
    key: str
    name: str
    outcome: str
    count: int
    total: str
    more: int
    cards: list[BoardCard]


# id(the shared read), labels -> (the shared read, kept alive so its id stays its own; its rows)
_SHOWN: OrderedDict[tuple, tuple[list[Column], list[BoardColumn]]] = OrderedDict()


def shown_columns(
    columns: list[Column], labels: tuple, labelled: Callable[[Card], str]
) -> list[BoardColumn]:
    """The rows of the board read `columns`, formatted once per read and `labels` (what
    `labelled`, a card's custom values in a line, depends on). Shared: never change them."""
    key = (id(columns), labels)
    found = _SHOWN.get(key)
    if found is not None and found[0] is columns:
        _SHOWN.move_to_end(key)
        return found[1]
    rows = [_column(c, labelled) for c in columns]
    _SHOWN[key] = (columns, rows)
    while len(_SHOWN) > SHOWN_BOARDS:
        _SHOWN.popitem(last=False)
    return rows


def _column(c: Column, labelled: Callable[[Card], str]) -> BoardColumn:
    return BoardColumn(
        key=c.key,
        name=c.name,
        outcome=c.outcome,
        count=c.count,
        total=" · ".join(view.money(v, cur) for cur, v in sorted(c.totals.items()))
        or view.money(0, "USD"),
        more=c.more,
        cards=[
            BoardCard(
                id=card.id,
                name=card.name,
                company=card.company,
                amount=view.money(card.amount, card.currency),
                close_date=view.day(card.close_date),
                other=card.other_org_name,
                owner=card.owner_name,
                approval=card.approval,
                outcome=card.outcome,
                column=c.key,
                custom=labelled(card),
            )
            for card in c.cards
        ],
    )
