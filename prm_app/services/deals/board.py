"""The Kanban board of deals: one column per deal stage, a bounded slice of cards in each.

A provider's board has its own deal stages as columns. A consultant picks one provider's board
or sees all of its providers' deals on a combined board, where open stages of the same name
share a column and every provider's won (and lost) stage is one column. Each column carries
its count and total amount, computed in the database; only its first cards are read.
Rejected deals are not on the board (the list shows them).
"""

from collections import OrderedDict
from dataclasses import dataclass, field, replace
from datetime import date
from decimal import Decimal

import sqlalchemy as sa
from sqlmodel import Session, col, func, select

from ...models import Approval, Deal, OrgKind, Partnership, Pipeline, Stage
from ..core.actor import Actor
from ..core.errors import Invalid
from ..core.listing import filter_id
from ..views import lists as custom_lists
from . import OTHER_ORG, OWNER, scope, side_columns

CARDS = 20  # per column, until "load more"
MAX_CARDS = 500
NO_STAGE = "none"
SHARED_BOARDS = 128  # boards kept by shared_board in this process
_SHARED: OrderedDict[tuple, list["Column"]] = OrderedDict()


@dataclass(frozen=True, slots=True)
class Card:
    id: int
    version: int
    provider_org_id: int
    stage_id: int | None
    name: str
    company: str
    amount: Decimal
    currency: str
    close_date: date | None
    other_org_name: str  # the partner on a provider's board, the provider on a consultant's
    owner_name: str  # the owner on the caller's side
    approval: str
    outcome: str
    custom: dict = field(default_factory=dict)  # {field id: value as read}, chosen columns


@dataclass(slots=True)
class Column:
    key: str  # a stage id, "won"/"lost"/a stage name on a combined board, or NO_STAGE
    name: str
    outcome: str  # open / won / lost
    stage_ids: dict[int, int]  # provider id -> that provider's stage in this column
    count: int = 0
    totals: dict[str, Decimal] = field(default_factory=dict)  # by currency
    cards: list[Card] = field(default_factory=list)

    @property
    def more(self) -> int:
        """How many cards of this column are not shown yet."""
        return self.count - len(self.cards)


def shared_board(
    session: Session,
    *,
    actor: Actor,
    version: int,
    provider_org_id: str = "",
    search: str = "",
    limits: dict[str, int] | None = None,
    columns: tuple[str, ...] = (),
    custom_filters: tuple[tuple[str, str, str], ...] = (),
) -> list["Column"]:
    """`board`, read once for everyone who sees the same deals the same way while the
    organization's deals stay at `version`: when a change reaches twenty open boards, the first
    one reads it and the others share that read.

    `version` must be read before this call, and go up after every committed change: a board
    read after the version was read holds at least that version's changes. Share the columns
    as they are: never change them. `columns` and `custom_filters` ((field, op, value)) are
    `board`'s, hashable.
    """
    key = (
        *actor.scope,
        version,
        provider_org_id,
        search,
        tuple(sorted((limits or {}).items())),
        tuple(columns),
        tuple(custom_filters),
    )
    if (found := _SHARED.get(key)) is not None:
        _SHARED.move_to_end(key)
        return found
    found = board(
        session,
        actor=actor,
        provider_org_id=provider_org_id,
        search=search,
        limits=limits,
        columns=list(columns),
        custom_filters=[{"field": f, "op": o, "value": v} for f, o, v in custom_filters],
    )
    _SHARED[key] = found
    while len(_SHARED) > SHARED_BOARDS:
        _SHARED.popitem(last=False)
    return found


def board(
    session: Session,
    *,
    actor: Actor,
    provider_org_id: object = None,
    search: object = "",
    owner_id: object = None,
    limits: object = None,
    columns: object = (),
    custom_filters: object = (),
) -> list[Column]:
    """The columns of the caller's board, in stage order, each with its first cards.

    `provider_org_id` picks one provider's board (a consultant's choice; a provider always sees
    its own). `limits` maps a column key to how many cards to show (load more). Custom fields
    (services.views.lists): `columns` shown on the cards, `custom_filters` narrow them.
    """
    choice = custom_lists.choose(
        session, actor=actor, list_name="board", columns=columns, filters=custom_filters
    )
    if actor.org_kind == OrgKind.PROVIDER:
        provider = actor.org_id
    else:
        provider = filter_id(provider_org_id, "provider_org_id")
    where = [
        *scope(actor, search=search, owner_id=owner_id, other_org_id=_other(actor, provider)),
        col(Deal.approval).notin_([Approval.REJECTED, Approval.WITHDRAWN]),
        *choice.conditions(Deal.id),
    ]
    totals = session.exec(
        select(Deal.stage_id, Deal.currency, func.count(), func.sum(Deal.amount))
        .where(*where)
        .group_by(col(Deal.stage_id), col(Deal.currency))
    ).all()
    stages = _stages(session, actor, provider, {s for s, *_ in totals if s is not None})
    columns, column_of = _columns(stages, combined=provider is None)
    if any(stage_id is None for stage_id, *_ in totals):
        columns.insert(0, Column(NO_STAGE, "No stage", "open", {}))
    by_key = {c.key: c for c in columns}
    for stage_id, currency, count, amount in totals:
        column = by_key[column_of.get(stage_id, NO_STAGE)]
        column.count += count
        column.totals[currency] = column.totals.get(currency, Decimal(0)) + (amount or 0)
    wanted = _limits(limits, by_key)
    cards = _cards(session, actor, where, column_of, wanted)
    cells = choice.cells(session, Deal.id, Deal.custom, [c.id for c in cards])
    for card in cards:
        if cells:
            card = replace(card, custom=cells.get(card.id, {}))
        by_key[column_of.get(card.stage_id, NO_STAGE)].cards.append(card)
    for column in columns:
        column.cards.sort(key=_card_order)
        del column.cards[wanted[column.key] :]
    return columns


def _other(actor: Actor, provider: int | None) -> int | None:
    """The other-organization filter: a consultant's chosen provider."""
    return provider if actor.org_kind == OrgKind.CONSULTANT else None


def _stages(session: Session, actor: Actor, provider: int | None, used: set[int]) -> list[Stage]:
    """Active deal stages of the board's providers, and any archived one still holding deals."""
    if provider is not None:
        providers = select(sa.literal(provider))
    else:  # every provider the consultant works with
        providers = select(Partnership.provider_org_id).where(
            Partnership.consultant_org_id == actor.org_id
        )
    return list(
        session.exec(
            select(Stage)
            .where(
                Stage.pipeline == Pipeline.DEAL,
                sa.or_(
                    sa.and_(
                        col(Stage.org_id).in_(providers.scalar_subquery()),
                        col(Stage.archived_at).is_(None),
                    ),
                    col(Stage.id).in_(used),
                ),
            )
            .order_by(col(Stage.position), col(Stage.id))
        ).all()
    )


# The closing columns of a board showing providers that name those stages differently: the
# default stages' names, so that the board says "Closed Won" with or without a provider filter.
CLOSING = {"won": "Closed Won", "lost": "Closed Lost"}


def _columns(stages: list[Stage], *, combined: bool) -> tuple[list[Column], dict[int, str]]:
    """The columns and each stage's column key. A combined board merges open stages by name
    and puts the won and lost columns last."""
    columns: dict[str, Column] = {}
    column_of: dict[int, str] = {}
    for stage in stages:
        outcome = "won" if stage.is_won else "lost" if stage.is_lost else "open"
        if not combined:
            key = str(stage.id)
        elif outcome != "open":
            key = outcome
        else:
            key = stage.name.strip().lower()
        column = columns.setdefault(key, Column(key, stage.name, outcome, {}))
        if column.name != stage.name and outcome != "open":  # providers name it differently
            column.name = CLOSING[outcome]
        column.stage_ids.setdefault(stage.org_id, stage.id)
        column_of[stage.id] = key
    ordered = list(columns.values())
    if combined:
        ordered.sort(key=lambda c: {"open": 0, "won": 1, "lost": 2}[c.outcome])
    return ordered, column_of


def _limits(value: object, by_key: dict[str, Column]) -> dict[str, int]:
    wanted = dict.fromkeys(by_key, CARDS)
    if value is None:
        return wanted
    if not isinstance(value, dict):
        raise Invalid("Unknown board columns.", field="limits")
    for key, limit in value.items():
        if key in wanted and isinstance(limit, int) and not isinstance(limit, bool):
            wanted[key] = min(max(limit, CARDS), MAX_CARDS)
    return wanted


def _cards(
    session: Session, actor: Actor, where: list, column_of: dict[int, str], wanted: dict[str, int]
) -> list[Card]:
    """Each stage's first cards (as many as its column shows), in one statement: the ids come
    from one LIMITed read per stage (an index range each), then only those rows are joined."""
    order = (sa.nulls_last(col(Deal.close_date)), col(Deal.id))
    firsts = [
        select(Deal.id).where(*where, Deal.stage_id == stage_id).order_by(*order).limit(limit)
        for stage_id, limit in [
            *((stage_id, wanted[key]) for stage_id, key in column_of.items()),
            *([(None, wanted[NO_STAGE])] if NO_STAGE in wanted else []),
        ]
    ]
    if not firsts:
        return []
    chosen = sa.union_all(*(sa.select(first.subquery().c.id) for first in firsts))
    side = side_columns(actor)
    other, owner = OTHER_ORG, OWNER
    rows = session.execute(
        sa.select(
            Deal.id,
            Deal.version,
            Deal.provider_org_id,
            Deal.stage_id,
            Deal.name,
            Deal.company,
            Deal.amount,
            Deal.currency,
            Deal.close_date,
            col(other.name).label("other_org_name"),
            func.coalesce(owner.name, "").label("owner_name"),
            Deal.approval,
            Deal.outcome,
        )
        .join(other, other.id == side.other_org)
        .outerjoin(owner, owner.id == side.owner)
        .where(col(Deal.id).in_(chosen))
    ).all()
    return [Card(**row._mapping) for row in rows]


def _card_order(card: Card) -> tuple:
    return (card.close_date is None, card.close_date or date.min, card.id)
