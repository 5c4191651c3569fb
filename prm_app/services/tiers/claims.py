"""Claims on periodic jobs: every worker tries, the insert that wins runs the job.

The claim is inserted in the job's own transaction: a concurrent claimant waits on the row (or on
SQLite's write lock) and then fails the primary key, so it skips; if the winner's run fails and
rolls back, its claim goes with it and the next sweep tries again.
"""

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session

from ...models import JobRun


def claim(session: Session, *, name: str, period: str) -> bool:
    """Whether this transaction won the run of job `name` for `period`."""
    try:
        with session.begin_nested():
            session.add(JobRun(name=name, period=period))
    except IntegrityError:
        return False
    return True
