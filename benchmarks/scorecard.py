"""The scorecard on a realistic provider: service figures, partner figures and a drill.

Usage: python -m benchmarks.scorecard [POSTGRESQL_URL]
Seeds the world of benchmarks/leads_list.py (100,000 leads over two years from 20 partner
firms, three in four decided), then gives its provider 20,000 deal registrations over the same
two years (each decided by an approval or rejection event in the timeline, a quarter closed as
won with their commission approved days later) and 3,000 paid payout requests. Times what the
scorecard pages read, one new Session per call as the app does: the provider's page (service
figures and every partner's figures), the consultant's page (the provider's figures over all
and over its own, its own figures) and the largest drill (the 90 days' lead decisions). The
figures are reported, not judged: no bar is set for this page yet.
"""

import random
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, text
from sqlmodel import Session, select

from benchmarks import leads_list
from benchmarks.table import Figure, print_table, timed_reads
from prm_app.models import (
    ActivityEvent,
    Approval,
    Deal,
    LedgerKind,
    LedgerStatus,
    LedgerTransaction,
    Outcome,
    Partnership,
    PayoutKind,
    PayoutRequest,
    PayoutStatus,
    utcnow,
)
from prm_app.services import scorecard
from tests.support import migrate, scratch_postgres

DEALS, PAYOUTS, CALLS, WARMUP = 20_000, 3_000, 60, 3


def seed_program(session: Session, world: leads_list.World) -> None:
    """Deals, their decisions, commissions and payouts between the provider and its partners."""
    rng = random.Random(20261206)
    provider = world.provider_admin
    firms = list(
        session.exec(
            select(Partnership.consultant_org_id).where(
                Partnership.provider_org_id == provider.org_id
            )
        ).all()
    )
    now = utcnow()
    start = now - timedelta(days=730)
    step = timedelta(days=730) / DEALS
    plans = []
    for n in range(DEALS):
        created = start + step * n
        decided = created + timedelta(hours=rng.randrange(1, 120))
        rejected = rng.random() < 0.2
        won_at = decided + timedelta(days=rng.randrange(5, 60))
        won = not rejected and rng.random() < 0.25 and won_at < now
        partner = firms[min(int(rng.paretovariate(1.2)) - 1, len(firms) - 1)]
        deal = Deal(
            provider_org_id=provider.org_id,
            partner_org_id=partner,
            registered_by_id=provider.user_id,
            name=f"Deal {n}",
            company=f"Company {n}",
            amount=Decimal(rng.randrange(1_000, 200_000)),
            approval=Approval.REJECTED if rejected else Approval.APPROVED,
            outcome=Outcome.WON if won else Outcome.OPEN,
            closed_at=won_at if won else None,
            approved_at=None if rejected else decided,
            created_at=created,
        )
        plans.append((deal, decided, rejected, won_at if won else None))
    session.add_all([deal for deal, *_ in plans])
    session.flush()
    for deal, decided, rejected, won_at in plans:
        if decided < now:
            session.add(
                ActivityEvent(
                    org_id=provider.org_id,
                    actor_id=provider.user_id,
                    entity_type="deal",
                    entity_id=deal.id,
                    action="rejected" if rejected else "approved",
                    created_at=decided,
                )
            )
        if won_at is not None and won_at + timedelta(days=3) < now:
            session.add(
                LedgerTransaction(
                    kind=LedgerKind.COMMISSION_APPROVAL,
                    status=LedgerStatus.APPROVED,
                    provider_org_id=provider.org_id,
                    partner_org_id=deal.partner_org_id,
                    deal_id=deal.id,
                    created_at=won_at + timedelta(hours=rng.randrange(2, 72)),
                )
            )
    for n in range(PAYOUTS):
        requested = start + timedelta(days=730) / PAYOUTS * n
        session.add(
            PayoutRequest(
                provider_org_id=provider.org_id,
                partner_org_id=rng.choice(firms),
                kind=PayoutKind.CASH,
                amount=Decimal(rng.randrange(100, 5_000)),
                status=PayoutStatus.PAID,
                requested_by_id=provider.user_id,
                created_at=requested,
                paid_at=requested + timedelta(hours=rng.randrange(4, 240)),
            )
        )
    session.commit()


def _pages(world: leads_list.World) -> list[tuple[str, Callable[[Session], Any]]]:
    provider, consultant = world.provider_admin, world.big_admin

    def provider_page(session: Session) -> Any:
        scorecard.service_figures(session, actor=provider)
        return scorecard.partner_figures(session, actor=provider)

    def consultant_page(session: Session) -> Any:
        chosen = provider.org_id
        scorecard.service_figures(session, actor=consultant, provider_org_id=chosen)
        return scorecard.partner_figures(session, actor=consultant, provider_org_id=chosen)

    def drill(session: Session) -> Any:
        return scorecard.records(session, actor=provider, figure="lead_decision").rows

    return [
        ("provider scorecard page", provider_page),
        ("consultant scorecard page", consultant_page),
        ("drill: the 90 days' lead decisions", drill),
    ]


def measure(url: str) -> list[tuple[str, float, float]]:
    migrate(url)
    engine = create_engine(url)
    began = time.perf_counter()
    with Session(engine) as session:
        world = leads_list.seed(session)
        seed_program(session, world)
    if engine.dialect.name == "postgresql":
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            connection.execute(text("VACUUM ANALYZE"))
    print(f"{engine.dialect.name}: seeded in {time.perf_counter() - began:.1f} s", flush=True)
    results = []
    for name, read in _pages(world):
        p50, p95 = timed_reads(engine, read, calls=CALLS, warmup=WARMUP)
        print(f"  {name:40} p50 {p50:7.1f} ms  p95 {p95:7.1f} ms", flush=True)
        results.append((name, p50, p95))
    engine.dispose()
    return results


def figures(postgres_url: str | None) -> list[Figure]:
    measured = []
    with tempfile.TemporaryDirectory() as folder:
        measured.append(("sqlite", measure(f"sqlite:///{Path(folder) / 'bench.db'}")))
    if postgres_url:
        with scratch_postgres(postgres_url) as scratch:
            measured.append(("postgresql", measure(scratch)))
    return [
        Figure(f"scorecard: {name} p95", dialect, p95, "ms")
        for dialect, results in measured
        for name, _, p95 in results
    ]


if __name__ == "__main__":
    print_table(figures(sys.argv[1] if len(sys.argv) > 1 else None))
