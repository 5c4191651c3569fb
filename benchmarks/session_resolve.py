"""Cost of re-verifying the session on every event: `auth.resolve` p50/p95/p99.

Usage: python -m benchmarks.session_resolve [POSTGRESQL_URL]
Measures on a fresh SQLite file, and on PostgreSQL when a URL is given (its server must allow
CREATE DATABASE). Seeds 2,000 users with 5 sessions each so the lookup is not trivially small,
all seen just now: the common path (one query; last_seen_at is written at most once a minute).
"""

import statistics
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

from sqlalchemy import create_engine
from sqlmodel import Session

from benchmarks.table import Figure, print_table
from prm_app.models import AuthSession, Membership, Organization, OrgKind, User, utcnow
from prm_app.services.identity import auth
from tests.support import migrate, scratch_postgres

USERS, SESSIONS_PER_USER, LOOKUPS = 2_000, 5, 2_000


def seed(session: Session) -> list[str]:
    org = Organization(name="Bench Org", kind=OrgKind.PROVIDER)
    session.add(org)
    session.flush()
    now = utcnow()
    tokens, expires = [], now + timedelta(days=30)
    for n in range(USERS):
        user = User(email=f"user{n}@bench.example", name=f"User {n}", password_hash="x")
        session.add(user)
        session.flush()
        session.add(Membership(user_id=user.id, org_id=org.id))
        for _ in range(SESSIONS_PER_USER):
            token = auth.new_token()
            tokens.append(token)
            session.add(
                AuthSession(
                    token_hash=auth.hash_token(token),
                    user_id=user.id,
                    org_id=org.id,
                    expires_at=expires,
                    last_seen_at=now,  # in use: the common path, no last-seen write
                )
            )
    session.commit()
    return tokens


def measure(url: str) -> Figure:
    migrate(url)
    engine = create_engine(url)
    with Session(engine) as session:
        tokens = seed(session)
    timings = []
    for token in tokens[:: len(tokens) // LOOKUPS][:LOOKUPS]:
        with Session(engine) as session:  # one session per event, as the app does
            start = time.perf_counter()
            actor = auth.resolve(session, token=token)
            timings.append((time.perf_counter() - start) * 1000)
        assert actor is not None
    engine.dispose()
    q = statistics.quantiles(timings, n=100)
    print(
        f"{engine.dialect.name:10} resolve() over {USERS * SESSIONS_PER_USER:,} sessions, "
        f"{len(timings):,} lookups: p50 {q[49]:.3f} ms  p95 {q[94]:.3f} ms  p99 {q[98]:.3f} ms"
    )
    return Figure("session check on every event, p95", engine.dialect.name, q[94], "ms")


def figures(postgres_url: str | None) -> list[Figure]:
    with tempfile.TemporaryDirectory() as folder:
        found = [measure(f"sqlite:///{Path(folder) / 'bench.db'}")]
    if postgres_url:
        with scratch_postgres(postgres_url) as scratch:
            found.append(measure(scratch))
    return found


if __name__ == "__main__":
    print_table(figures(sys.argv[1] if len(sys.argv) > 1 else None))
