"""Cost of re-verifying the session on every event: `auth.resolve` p50/p95/p99.

Usage: python -m benchmarks.session_resolve [DATABASE_URL ...]
Defaults to a fresh SQLite file; pass a PostgreSQL URL (its server must allow CREATE DATABASE)
to measure there too. Seeds 2,000 users with 5 sessions each so the lookup is not trivially small.
"""

import statistics
import sys
import tempfile
import time
from pathlib import Path

from sqlalchemy import create_engine
from sqlmodel import Session

from prm_app.models import AuthSession, Membership, Organization, OrgKind, User, utcnow
from prm_app.services import auth
from tests.support import migrate, scratch_postgres

USERS, SESSIONS_PER_USER, LOOKUPS = 2_000, 5, 2_000


def seed(session: Session) -> list[str]:
    org = Organization(name="Bench Org", kind=OrgKind.PROVIDER)
    session.add(org)
    session.flush()
    tokens, expires = [], utcnow() + auth.SESSION_TTL
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
                )
            )
    session.commit()
    return tokens


def measure(url: str) -> None:
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


def main(urls: list[str]) -> None:
    with tempfile.TemporaryDirectory() as folder:
        measure(f"sqlite:///{Path(folder) / 'bench.db'}")
    for url in urls:
        with scratch_postgres(url) as scratch:
            measure(scratch)


if __name__ == "__main__":
    main(sys.argv[1:])
