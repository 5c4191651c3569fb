"""What term lists and pipelines share: unique names, positions, usage, archive and restore.

Entries in use are archived rather than deleted, so the records that name them keep their meaning.
"""

from collections import Counter
from collections.abc import Sequence

from sqlmodel import Session, col, func, select

from ...models import Stage, TaxonomyTerm, utcnow
from ..core import activity, inputs
from ..core.actor import Actor
from ..core.errors import Invalid

DIRECTIONS = ("up", "down")


def valid_name(value: object) -> str:
    return inputs.text(value, field="name", label="Name", max_len=100)


def require_unique_name(
    session: Session, model: type, scope: tuple, name: str, *, allowed_id: int | None = None
) -> None:
    """Refuse a name already in the list (archived entries included), whatever its case."""
    taken = session.exec(select(model.id, model.name).where(*scope)).all()
    if any(other.casefold() == name.casefold() and id_ != allowed_id for id_, other in taken):
        raise Invalid(f"\u201c{name}\u201d is already in this list.", field="name")


def listed(rows: Sequence) -> list:
    """Active entries by position, then archived ones by name."""
    return sorted(
        rows,
        key=lambda r: (
            r.archived_at is not None,
            r.position if r.archived_at is None else 0,
            r.name.casefold(),
        ),
    )


def active_rows(session: Session, model: type, scope: tuple) -> list:
    """The active entries of a list, in order."""
    return list(
        session.exec(
            select(model)
            .where(*scope, col(model.archived_at).is_(None))
            .order_by(col(model.position), col(model.id))
        )
    )


def renumber(session: Session, rows: Sequence) -> None:
    """Number the entries 0..n-1 in the given order."""
    for position, row in enumerate(rows):
        if row.position != position:
            row.position = position
            session.add(row)


def append_row(
    session: Session, row: TaxonomyTerm | Stage, active: list, *, after: Sequence = ()
) -> None:
    """Add a new entry after the active ones (and before `after`) and give it its id."""
    session.add(row)
    renumber(session, [*active, row, *after])
    session.flush()


def usage_counts(session: Session, columns: Sequence, ids: Sequence[int]) -> Counter[int]:
    """How many rows of `columns` reference each of `ids` (one COUNT query per column)."""
    counts: Counter[int] = Counter()
    for column in columns if ids else ():
        counts.update(
            dict(
                session.exec(
                    select(column, func.count()).where(col(column).in_(ids)).group_by(column)
                ).all()
            )
        )
    return counts


def move_row(
    session: Session, actor: Actor, row: TaxonomyTerm | Stage, active: list, direction: object
) -> None:
    """Swap an active entry with its neighbour above or below; at an end nothing happens."""
    if direction not in DIRECTIONS:
        raise Invalid("Move it up or down.", field="direction")
    if row.archived_at is not None:
        raise Invalid("Restore it before moving it.")
    index = [r.id for r in active].index(row.id)
    other = index - 1 if direction == "up" else index + 1
    if not 0 <= other < len(active):
        return
    before = row.position
    active[index], active[other] = active[other], active[index]
    renumber(session, active)
    activity.record(
        session,
        actor=actor,
        subject=row,
        action="moved",
        before={"position": before},
        after={"position": row.position},
    )


def remove_row(
    session: Session, actor: Actor, row: TaxonomyTerm | Stage, in_use: int, scope: tuple
) -> str:
    """Delete an unused entry, or archive one in use; close the gap it leaves."""
    if in_use:
        if row.archived_at is None:
            row.archived_at = utcnow()
            session.add(row)
            renumber(session, active_rows(session, type(row), scope))
            activity.record(
                session, actor=actor, subject=row, action="archived", after={"in_use": in_use}
            )
        return "archived"
    activity.record(session, actor=actor, subject=row, action="deleted", before={"name": row.name})
    session.delete(row)
    renumber(session, active_rows(session, type(row), scope))
    return "deleted"


def restore_row(session: Session, actor: Actor, row: TaxonomyTerm | Stage, scope: tuple) -> None:
    """Un-archive an entry, placed after the active ones."""
    if row.archived_at is None:
        return
    active = active_rows(session, type(row), scope)
    row.archived_at = None
    session.add(row)
    renumber(session, [*active, row])
    activity.record(
        session, actor=actor, subject=row, action="restored", after={"position": row.position}
    )
