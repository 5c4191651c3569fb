"""A child process that runs one unit of work and kills itself with SIGKILL part-way through.

Test code, not production code. Usage: `python -m tests.reliability.crash_worker DB_URL SCENARIO`.
It imports the app once, then reads crash points from stdin, one per line: for each it forks a
worker that opens its own engine, runs SCENARIO ("import" or "move") in one transaction as the
app does (services.core.unit_of_work), and SIGKILLs itself just before the database statement
number k (k >= 1), or right after the commit (k = -1); k = 0 counts the statements and rolls
back. For each crash point it prints one line: `k exit-status statements` (a killed worker
reports -9).
"""

import io
import os
import signal
import sys
import traceback

from sqlalchemy import create_engine, event
from sqlmodel import Session, col, select

from prm_app.models import Approval, Deal, Organization, Outcome, Pipeline, Stage
from prm_app.services import imports
from prm_app.services.core.actor import Actor
from prm_app.services.deals import lifecycle as deal_changes
from prm_app.services.identity import auth

PASSWORD = "demo-password"
IMPORT_ROWS = 12
IMPORT_FILE = "crash.csv"


def import_csv() -> bytes:
    """A file of valid leads and one invalid row (so the batch also has an error report)."""
    rows = ["First name,Last name,Email,Company,Provider"]
    rows += [
        f"Crash{i},Test,crash{i}@crash-co{i}.example,Crash Co {i},Northwind Software"
        for i in range(IMPORT_ROWS)
    ]
    rows.append("Bad,Row,not-an-email,Broken Co,Northwind Software")
    return ("\n".join(rows) + "\n").encode()


def sign_in(session: Session, email: str) -> Actor:
    return auth.authenticate(session, email=email, password=PASSWORD)


def run_import(session: Session, arm) -> None:
    actor = sign_in(session, "admin@fabrikam.example")
    arm()
    imports.run(
        session,
        actor=actor,
        kind="leads",
        file=io.BytesIO(import_csv()),
        file_name=IMPORT_FILE,
        mapping={
            "first_name": "First name",
            "last_name": "Last name",
            "email": "Email",
            "company": "Company",
            "provider": "Provider",
        },
        submit=True,
    )


def target_deal(session: Session) -> tuple[Deal, Stage]:
    """Northwind's first approved open deal with an amount, and Northwind's Closed Won stage."""
    northwind = session.exec(
        select(Organization.id).where(Organization.name == "Northwind Software")
    ).one()
    deal = session.exec(
        select(Deal)
        .where(
            Deal.provider_org_id == northwind,
            Deal.approval == Approval.APPROVED,
            Deal.outcome == Outcome.OPEN,
            col(Deal.amount) > 0,
        )
        .order_by(col(Deal.id))
    ).first()
    won = session.exec(
        select(Stage).where(
            Stage.org_id == northwind, Stage.pipeline == Pipeline.DEAL, col(Stage.is_won)
        )
    ).one()
    return deal, won


def run_move(session: Session, arm) -> None:
    actor = sign_in(session, "admin@northwind.example")
    deal, won = target_deal(session)
    arm()
    deal_changes.move_stage(
        session, actor=actor, deal_id=deal.id, version=deal.version, stage_id=won.id
    )


SCENARIOS = {"import": run_import, "move": run_move}


def work(url: str, scenario: str, crash_at: int) -> None:
    """In the forked worker: run the scenario, dying at statement `crash_at`."""
    engine = create_engine(url)
    counted = {"armed": False, "n": 0}

    @event.listens_for(engine, "before_cursor_execute")
    def _count(*_args):
        if counted["armed"]:
            counted["n"] += 1
            if counted["n"] == crash_at:
                os.kill(os.getpid(), signal.SIGKILL)

    def arm() -> None:
        counted["armed"] = True

    with Session(engine, expire_on_commit=False) as session:
        try:
            SCENARIOS[scenario](session, arm)
            if crash_at == 0:  # only counting
                session.rollback()
            else:
                session.commit()
        except BaseException:
            session.rollback()
            raise
    if crash_at == -1:
        os.kill(os.getpid(), signal.SIGKILL)
    print(counted["n"], flush=True)


def main() -> None:
    url, scenario = sys.argv[1], sys.argv[2]
    for line in sys.stdin:
        crash_at = int(line)
        read, write = os.pipe()
        pid = os.fork()
        if pid == 0:
            os.close(read)
            os.dup2(write, 1)
            try:
                work(url, scenario, crash_at)
            except BaseException:
                traceback.print_exc()
                os._exit(1)
            os._exit(0)
        os.close(write)
        with os.fdopen(read) as output:
            statements = output.read().strip() or "0"
        _, status = os.waitpid(pid, 0)
        code = -os.WTERMSIG(status) if os.WIFSIGNALED(status) else os.WEXITSTATUS(status)
        print(crash_at, code, statements, flush=True)


if __name__ == "__main__":
    main()
