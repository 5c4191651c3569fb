"""What the mail and webhook senders share: claiming due rows of an outbox table, and the
wait before the next attempt. Every worker runs the senders; a conditional UPDATE makes each
row one sender's, and a lease lets another take it if that sender vanished."""

from datetime import datetime, timedelta
from typing import Any

from sqlmodel import Session, col, select, update


def claim_due(
    session: Session, table: Any, *, queued: str, now: datetime, lease: timedelta, limit: int
) -> list:
    """Claim up to `limit` due rows of `table` (status `queued`, next attempt due): each one
    moves its next attempt past the lease and counts an attempt, only if it is still due, so
    one sender wins each row. Returns the claimed rows, oldest first."""
    due = (table.status == queued, col(table.next_attempt_at) <= now)
    candidates = session.exec(
        select(table.id)
        .where(*due)
        .order_by(col(table.next_attempt_at), col(table.id))
        .limit(limit)
        .with_for_update(skip_locked=True)
    ).all()
    claimed = []
    for row_id in candidates:
        result = session.execute(
            update(table)
            .where(col(table.id) == row_id, *due)
            .values(next_attempt_at=now + lease, attempts=table.attempts + 1)
            .execution_options(synchronize_session=False)
        )
        if result.rowcount == 1:
            claimed.append(row_id)
    if not claimed:
        return []
    return list(
        session.exec(
            select(table)
            .where(col(table.id).in_(claimed))
            .order_by(col(table.id))
            .execution_options(populate_existing=True)
        ).all()
    )


def backoff(attempts: int, base: float) -> timedelta:
    """The wait before the next try after `attempts` failed ones: base, 2x, 4x, ... (max 6 h)."""
    return timedelta(seconds=min(base * 2 ** max(attempts - 1, 0), 6 * 3600))


def settle(session: Session, table: Any, row: Any, *, queued: str, **values: Any) -> None:
    """Record the outcome of this sender's attempt on `row`, only while the row is still its
    claim (still queued, with the attempt count it claimed)."""
    session.execute(
        update(table)
        .where(col(table.id) == row.id, table.attempts == row.attempts, table.status == queued)
        .values(**values)
        .execution_options(synchronize_session=False)
    )
