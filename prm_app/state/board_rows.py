"""The Kanban board's rows as the deals state keeps them: a slice of each column."""

import dataclasses


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
