"""Bulk import (CSV or spreadsheet) of leads (a consultant's, to its providers), referrals (a provider's, to its
partners) and deals (registered with a provider, or recorded for a partner).

`prepare` reads the file's columns and suggests a mapping; `dry_run` lists every problem by row
(as a spreadsheet numbers them: the header is row 1), column and reason, with a preview; `run`
imports the valid rows as one ImportBatch, in the caller's transaction: all of them or, on any
error, none. `undo` removes a batch while none of its records was touched since.

The file is read in chunks (files.CHUNK_ROWS rows), each checked with pandas column operations
and a few queries (partners, people, existing records, protected customers, stages), never a
query per row, and its rows written with multi-row inserts before the next chunk is read.

Submodules: flow (prepare, dry run, run), rules (checking the rows), writer (the bulk inserts),
batches (history, error report, undo), columns (fields and mappings), files (CSV in and out),
sheets (spreadsheets read into the CSV's table, and how the person chose to read a file),
send_to (the organizations every row goes to), locales (amounts and dates the file's way),
causes (the problems grouped) and exports (the lists as CSV).
"""

from .batches import BatchRow, ErrorFile, batch, error_report, list_batches, undo
from .flow import Cancelled, DryRun, Prepared, Progress, dry_run, prepare, run
from .rules import Problem

__all__ = [
    "BatchRow",
    "Cancelled",
    "DryRun",
    "ErrorFile",
    "Prepared",
    "Problem",
    "Progress",
    "batch",
    "dry_run",
    "error_report",
    "list_batches",
    "prepare",
    "run",
    "undo",
]
