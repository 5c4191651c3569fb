"""A benchmark's figures, the table every benchmark prints them in, and timed reads."""

import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlmodel import Session

POSTGRES = "postgresql+psycopg://postgres@127.0.0.1:5432/test"  # must allow CREATE DATABASE
REDIS = "redis://127.0.0.1:6379/7"  # flushed


def servers(argv: list[str]) -> tuple[str, str]:
    """(PostgreSQL URL, Redis URL) from a benchmark's command line, or the defaults."""
    return (argv[1] if len(argv) > 1 else POSTGRES, argv[2] if len(argv) > 2 else REDIS)


@dataclass(frozen=True, slots=True)
class Figure:
    name: str
    database: str
    measured: float
    unit: str
    bar: float | None = None  # the most the figure may be; None: reported, not judged

    @property
    def verdict(self) -> str:
        if self.bar is None:
            return ""
        return "pass" if self.measured <= self.bar else "FAIL"


def print_table(figures: list[Figure]) -> bool:
    """Print the figures; True when every judged figure passes."""
    print(f"\n{'figure':68} {'database':10} {'bar':>12} {'measured':>12}  verdict")
    for f in figures:
        bar = "" if f.bar is None else f"<= {f.bar:g} {f.unit}"
        print(f"{f.name:68} {f.database:10} {bar:>12} {f.measured:9.2f} {f.unit:2}  {f.verdict}")
    failed = [f for f in figures if f.verdict == "FAIL"]
    print(f"\n{len(figures)} figures, {len(failed)} over their bar")
    return not failed


def timed_reads(
    engine: Any, read: Callable[[Session], Any], *, calls: int, warmup: int
) -> tuple[float, float]:
    """p50 and p95 in ms of `read` over `calls` calls after `warmup`, each in a new Session
    (as the app reads); it must find something, or the scenario measures nothing."""
    timings, found = [], None
    for n in range(warmup + calls):
        with Session(engine) as session:
            began = time.perf_counter()
            found = read(session)
            elapsed = (time.perf_counter() - began) * 1000
        if n >= warmup:
            timings.append(elapsed)
    assert found, "the scenario measures nothing"
    q = statistics.quantiles(timings, n=100)
    return q[49], q[94]
