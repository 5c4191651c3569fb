"""Imports read in chunks: the row limit (1,000,000 accepted, one over Excel's sheet refused),
a chunked check equal to the whole file's, a cancelled import that leaves nothing, and the
estimate of the time left. The big files are generated here, never committed."""

import io

import openpyxl
import pytest
from argon2 import PasswordHasher
from sqlmodel import func, select

from prm_app.models import ActivityEvent, ImportBatch, Lead, LeadRecipient, OrgKind
from prm_app.services import imports
from prm_app.services.core.errors import Invalid
from prm_app.services.identity import auth
from prm_app.services.imports import files as csv_files
from prm_app.services.imports import writer as imports_writer
from prm_app.state import import_steps
from tests.unit.factories import org_admin, partners
from tests.unit.test_imports import LEAD_HEADER, LEAD_MAPPING, _leads_file


@pytest.fixture(autouse=True)
def _cheap_password_hashing(monkeypatch):
    monkeypatch.setattr(auth, "_hasher", PasswordHasher(time_cost=1, memory_cost=8, parallelism=1))


@pytest.fixture
def world(session):
    """Northwind (provider) partnered with Fabrikam and Contoso (consultants)."""
    provider = org_admin(session, kind=OrgKind.PROVIDER, org_name="Northwind")
    firm = org_admin(session, kind=OrgKind.CONSULTANT, org_name="Fabrikam")
    other_firm = org_admin(session, kind=OrgKind.CONSULTANT, org_name="Contoso Partners")
    partners(session, provider, firm)
    partners(session, provider, other_firm)
    return provider, firm, other_firm


def _big_csv(rows: int) -> io.BytesIO:
    """A CSV of `rows` leads (built as bytes in one go: a few seconds for a million)."""
    body = b"".join(
        b"Ann,Lee,a%d@x%d.example,Firm %d,Northwind,,\n" % (n, n, n) for n in range(rows)
    )
    return io.BytesIO(LEAD_HEADER.encode() + b"\n" + body)


def _count(session, model, *where) -> int:
    return session.exec(select(func.count()).select_from(model).where(*where)).one()


def test_a_million_rows_are_accepted_and_one_more_than_a_sheet_holds_is_refused(session, world):
    _, firm, _ = world
    prepared = imports.prepare(session, actor=firm, kind="leads", file=_big_csv(1_000_000))
    assert prepared.rows == 1_000_000
    assert prepared.samples["Email"] == ["a0@x0.example", "a1@x1.example", "a2@x2.example"]
    with pytest.raises(Invalid, match="more than 1,000,000 rows, the most one import takes"):
        imports.prepare(session, actor=firm, kind="leads", file=_big_csv(1_048_577))


def test_the_limits_live_in_files():
    assert csv_files.max_rows() == csv_files.MAX_ROWS == 1_000_000
    assert csv_files.max_bytes() == csv_files.MAX_BYTES == 512 * 1024 * 1024


ROWS = [
    "Ann,Lee,ann@acme.com,Acme,Northwind,stranger@else.where,",
    "Bob,,bob@acme.com,Acme,Northwind,,",  # no last name: fails
    "Cy,Ng,cy@beta.com,Beta,Northwind,stranger@else.where,",  # the same stranger again
    "Ann,Lee,ann@acme.com,Acme,Northwind,,",  # the first row again, in another chunk
    "Di,Ho,not-an-email,Gamma,Northwind,,",
    "Ed,Wu,ed@delta.com,Delta,Northwind,,",
    "Cy,Ng,cy@beta.com,Beta,Northwind,,",  # the third row again
]


def _dry(session, actor, file):
    return imports.dry_run(
        session, actor=actor, kind="leads", file=file, mapping=LEAD_MAPPING, submit=True
    )


@pytest.mark.parametrize("chunk", [2, 3])
def test_a_file_checked_in_chunks_is_checked_as_a_whole(session, world, monkeypatch, chunk):
    _, firm, _ = world
    whole = _dry(session, firm, _leads_file(*ROWS))
    monkeypatch.setattr(csv_files, "CHUNK_ROWS", chunk)
    chunked = _dry(session, firm, _leads_file(*ROWS))
    assert chunked == whole
    assert (whole.rows_valid, whole.rows_failed, whole.problem_count) == (3, 4, 5)
    said = [(c.rows_text, c.message) for c in whole.causes]
    assert any("An earlier row of the file has the same email" in m for _, m in said)
    assert sum("stranger@else.where" in m for _, m in said) == 1  # told once


def test_an_import_in_chunks_writes_what_its_dry_run_said(session, world, monkeypatch):
    _, firm, _ = world
    monkeypatch.setattr(csv_files, "CHUNK_ROWS", 2)
    batch = imports.run(
        session,
        actor=firm,
        kind="leads",
        file=_leads_file(*ROWS),
        file_name="leads.csv",
        mapping=LEAD_MAPPING,
        submit=True,
    )
    assert (batch.rows_total, batch.rows_imported, batch.rows_failed) == (7, 3, 4)
    emails = session.exec(select(Lead.email).where(Lead.import_batch_id == batch.id)).all()
    assert sorted(emails) == ["ann@acme.com", "cy@beta.com", "ed@delta.com"]
    assert _count(session, LeadRecipient) == 3
    lines = imports.error_report(session, actor=firm, batch_id=batch.id).text().splitlines()
    assert lines[0] == LEAD_HEADER + ",error"
    assert [line.split(",")[0] for line in lines[1:]] == ["Bob", "Ann", "Di", "Cy"]


def test_a_cancelled_import_writes_nothing(session, world, monkeypatch):
    _, firm, _ = world
    monkeypatch.setattr(csv_files, "CHUNK_ROWS", 3)
    monkeypatch.setattr(imports_writer, "INSERT_CHUNK", 2)
    rows = [f"P{n},Q,p{n}@x{n}.com,X{n},Northwind,," for n in range(10)]
    steps: list[str] = []

    def progress(step: str, share: float) -> None:
        steps.append(step)
        if step.startswith("Imported 4"):  # in the second chunk: some rows are written
            raise imports.Cancelled()

    with pytest.raises(imports.Cancelled, match="nothing was imported"):
        imports.run(
            session,
            actor=firm,
            kind="leads",
            file=_leads_file(*rows),
            file_name="leads.csv",
            mapping=LEAD_MAPPING,
            submit=True,
            progress=progress,
        )
    assert "Imported 2 leads" in steps  # the first chunk was written before the cancel
    assert _count(session, Lead, Lead.origin_org_id == firm.org_id) == 0
    assert _count(session, LeadRecipient) == 0
    assert _count(session, ImportBatch) == 0
    assert _count(session, ActivityEvent, ActivityEvent.action == "imported") == 0
    batch = imports.run(  # and the same file imports afterwards, whole
        session,
        actor=firm,
        kind="leads",
        file=_leads_file(*rows),
        file_name="leads.csv",
        mapping=LEAD_MAPPING,
    )
    assert batch.rows_imported == 10


def _workbook(rows: list[list[object]]) -> io.BytesIO:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["Leads, June"])  # a title above the header
    sheet.merge_cells("A1:G1")
    for row in rows:
        sheet.append(row)
    data = io.BytesIO()
    book.save(data)
    data.seek(0)
    return data


def test_a_workbook_read_in_chunks_is_its_csv_twin(session, world, monkeypatch):
    _, firm, _ = world
    cells = [LEAD_HEADER.split(","), *(row.split(",") for row in ROWS)]
    twin = _dry(session, firm, _leads_file(*ROWS))
    monkeypatch.setattr(csv_files, "CHUNK_ROWS", 2)
    read = _dry(session, firm, _workbook(cells))
    assert (read.rows_valid, read.rows_failed) == (twin.rows_valid, twin.rows_failed)
    assert [(p.row - 1, p.column, p.message) for p in read.problems] == [
        (p.row, p.column, p.message) for p in twin.problems
    ]  # the title row moves every row down by one


@pytest.mark.parametrize(
    ("elapsed", "share", "said"),
    [
        (1, 0.5, ""),  # too early to tell
        (10, 0.01, ""),
        (10, 1.0, ""),
        (10, 0.5, "About 10 s left"),
        (12, 0.5, "About 15 s left"),
        (60, 0.5, "About 1 min left"),
        (100, 0.4, "About 2 min 30 s left"),
        (600, 0.5, "About 10 min left"),
    ],
)
def test_the_time_left_is_estimated_from_the_share_done(elapsed, share, said):
    assert import_steps.time_left(elapsed, share) == said
