"""Every benchmark of the project, on SQLite and PostgreSQL, in one table.

Usage: python -m benchmarks [POSTGRESQL_URL] [REDIS_URL] [--only NAME,...]
Defaults: postgresql+psycopg://postgres@127.0.0.1:5432/test (its server must allow CREATE
DATABASE) and redis://127.0.0.1:6379/7 (that Redis database is flushed). NAME is one of
session_resolve, leads_list, custom_fields_list, csv_import, import_million, import_update,
scorecard, audit_log, deal_board, fan_out, load_run. The deal board, the fan-out and the load
run need several workers, hence PostgreSQL and Redis: they have no SQLite figures. Takes about
an hour; run it on a quiet machine. Exits 1 when a figure is over its bar.
"""

import argparse
import sys

from benchmarks import (
    audit_log,
    csv_import,
    custom_fields_list,
    deal_board,
    fan_out,
    import_million,
    import_update,
    leads_list,
    load_run,
    scorecard,
    session_resolve,
)
from benchmarks.table import POSTGRES, REDIS, print_table


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m benchmarks")
    parser.add_argument("postgres", nargs="?", default=POSTGRES)
    parser.add_argument("redis", nargs="?", default=REDIS)
    parser.add_argument("--only", default="", help="comma-separated benchmark names")
    args = parser.parse_args()
    runs = {
        "session_resolve": lambda: session_resolve.figures(args.postgres),
        "leads_list": lambda: leads_list.figures(args.postgres),
        "custom_fields_list": lambda: custom_fields_list.figures(args.postgres),
        "csv_import": lambda: csv_import.figures(args.postgres),
        "import_update": lambda: import_update.figures(args.postgres),
        "import_million": lambda: import_million.figures(args.postgres),
        "scorecard": lambda: scorecard.figures(args.postgres),
        "audit_log": lambda: audit_log.figures(args.postgres),
        "deal_board": lambda: deal_board.figures(args.postgres, args.redis),
        "fan_out": lambda: fan_out.figures(args.postgres, args.redis),
        "load_run": lambda: load_run.figures(args.postgres, args.redis),
    }
    chosen = [name for name in args.only.split(",") if name] or list(runs)
    unknown = [name for name in chosen if name not in runs]
    if unknown:
        parser.error(f"unknown benchmark {unknown}; choose from {', '.join(runs)}")
    figures = []
    for name in chosen:
        print(f"\n=== {name}", flush=True)
        figures += runs[name]()
    sys.exit(0 if print_table(figures) else 1)


if __name__ == "__main__":
    main()
