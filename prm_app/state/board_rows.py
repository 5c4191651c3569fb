"""The Kanban board's rows as the deals state keeps them: a slice of each column.

`shown_columns` formats a board read once per worker: the tabs that share a board read
(`services.deals.board.shared_board`, the same list object for everyone who sees the same deals
the same way at the same version) also share its rows, so that a move seen on twenty open
boards formats the board once, not twenty times.

A tab's board is a pushed view (live.py): `params` states how the tab shows it (its filters,
the cards shown per column, the custom columns and their labels), `read` reads it as a viewer
sees it, and `pushed` is what a change sends to every tab showing it the same way.
"""

import dataclasses
from collections import OrderedDict
from collections.abc import Callable
from typing import Any

from sqlmodel import Session

from ..services.core.actor import Actor
from ..services.deals import board as deal_board
from ..services.deals.board import Card, Column
from . import view
from .deal_rows import BoardStage

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


def params(
    *,
    provider: str,
    search: str,
    limits: dict[str, int],
    columns: list[str],
    custom_filters: list[tuple[str, str, str]],
    shown: tuple[tuple[str, str], ...],
) -> dict[str, Any]:
    """How a tab shows its board, as JSON: `shown` is (custom column, its label) in order."""
    return {
        "provider": provider,
        "search": search,
        "limits": sorted(limits.items()),
        "columns": list(columns),
        "filters": [list(f) for f in custom_filters],
        "shown": [list(s) for s in shown],
    }


def read(session: Session, actor: Actor, version: int, spec: dict[str, Any]) -> list[Column]:
    """The board as `actor` sees it, shown as `spec` (params) says; shared while `version`
    holds (services.deals.board.shared_board)."""
    return deal_board.shared_board(
        session,
        actor=actor,
        version=version,
        provider_org_id=spec["provider"],
        search=spec["search"],
        limits=dict(spec["limits"]),
        columns=tuple(spec["columns"]),
        custom_filters=tuple((f, o, v) for f, o, v in spec["filters"]),
    )


def labels_of(spec: dict[str, Any]) -> tuple[tuple[str, str], ...]:
    return tuple((c, label) for c, label in spec["shown"])


def custom_line(labels: tuple[tuple[str, str], ...]) -> Callable[[Card], str]:
    """A card's chosen custom values in a line: "Tier: Gold · Seats: 5"."""

    def line(card: Card) -> str:
        return " · ".join(f"{label}: {card.custom[c]}" for c, label in labels if card.custom.get(c))

    return line


def stages_of(columns: list[Column]) -> list[BoardStage]:
    """The board's columns, for each card's "Move to stage"."""
    return [{"key": c.key, "name": c.name} for c in columns]


def outcomes_of(columns: list[Column]) -> list[BoardStage]:
    """The won and lost columns: drop targets at any width."""
    return [{"key": c.key, "name": c.name} for c in columns if c.outcome != "open"]


def pushed(session: Session, actor: Actor, version: int, spec: dict[str, Any]) -> dict[str, Any]:
    """The board's vars as a change sends them to the tabs showing it with `spec` (params)."""
    columns = read(session, actor, version, spec)
    labels = labels_of(spec)
    rows = shown_columns(columns, labels, custom_line(labels))
    return {
        "columns": [dataclasses.asdict(row) for row in rows],
        "stages": stages_of(columns),
        "outcomes": outcomes_of(columns),
    }
