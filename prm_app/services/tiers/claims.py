"""Claims on periodic jobs: every worker tries, the insert that wins runs the job.

The claim is the first thing a job's transaction does: a concurrent claimant waits on the row
(PostgreSQL) or on the write lock (SQLite) until the winner's transaction ends, then fails the
primary key and skips. If the winner's run fails and rolls back, its claim goes with it and the
next sweep tries again. (No savepoint: on SQLite, releasing a savepoint that began the
transaction would commit the claim at once.)
"""

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session

from ...models import JobRun


def claim(session: Session, *, name: str, period: str) -> bool:
    """Whether this transaction won the run of job `name` for `period`; call it before any
    other change of the transaction (a lost claim rolls the transaction back)."""
    if session.get(JobRun, (name, period)) is not None:  # the usual sweep: no failed insert
        return False
    session.add(JobRun(name=name, period=period))
    try:
        session.flush()
    except IntegrityError:
        session.rollback()
        return False
    return True
