"""csv_files: reading uploads (encodings, delimiters, row numbers), refusing bad files, exports.

The corpus of bad files goes through the whole import (imports.run): each is refused with a
message the user can act on, and nothing is written.
"""

import codecs
import gzip
import io
import random
import time
from decimal import Decimal

import pandas as pd
import pytest
from argon2 import PasswordHasher
from sqlmodel import func, select

from prm_app.models import ImportBatch, Lead, OrgKind
from prm_app.services import imports
from prm_app.services.core.errors import Invalid
from prm_app.services.identity import auth
from prm_app.services.imports import files as csv_files
from tests.unit.factories import org_admin, partners

HEADER = "First name,Last name,Email,Company,Provider"
ROW = "Jane,Doe,jane@contoso.com,Contoso Ltd,Northwind"
MAPPING = {
    "first_name": "First name",
    "last_name": "Last name",
    "email": "Email",
    "company": "Company",
    "provider": "Provider",
}


def _table(data: bytes) -> csv_files.Table:
    return csv_files.read_csv(io.BytesIO(data))


# reading good files --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("data", "encoding", "delimiter"),
    [
        (f"{HEADER}\n{ROW}\n".encode(), "utf-8", ","),
        (f"\ufeff{HEADER}\r\n{ROW}\r\n".encode(), "utf-8-sig", ","),
        (f"{HEADER}\n{ROW}\n".replace(",", ";").encode(), "utf-8", ";"),
        (f"{HEADER}\n{ROW}".replace(",", "\t").encode(), "utf-8", "\t"),
        (f"{HEADER}\r\n{ROW}\r\n".replace(",", "\t").encode("utf-16"), "utf-16", "\t"),
        (codecs.BOM_UTF16_BE + f"{HEADER}\n{ROW}\n".encode("utf-16-be"), "utf-16", ","),
    ],
    ids=["utf8-comma", "bom-crlf", "semicolon", "tab-no-final-newline", "utf16-le", "utf16-be"],
)
def test_reads_encodings_and_delimiters(data, encoding, delimiter):
    table = _table(data)
    assert table.headers == ["First name", "Last name", "Email", "Company", "Provider"]
    assert (table.encoding, table.delimiter) == (encoding, delimiter)
    assert table.rows.loc[2].tolist() == [
        "Jane",
        "Doe",
        "jane@contoso.com",
        "Contoso Ltd",
        "Northwind",
    ]


def test_latin1_and_windows_1252_fall_back():
    latin = "Name;Company\nJos\u00e9;Caf\u00e9 \u00c0 la carte\n".encode("latin-1")
    assert _table(latin).rows.loc[2].tolist() == ["Jos\u00e9", "Caf\u00e9 \u00c0 la carte"]
    ansi = "Name,Note\nEve,costs 5 \u20ac\n".encode("cp1252")
    table = _table(ansi)
    assert table.encoding == "cp1252"
    assert table.rows.loc[2, "Note"] == "costs 5 \u20ac"


def test_row_numbers_are_a_spreadsheets_and_blank_rows_are_skipped():
    data = (
        b"\n"  # row 1: blank, before the header
        b"Name,Note\n"  # row 2
        b"Ann,one\n"  # row 3
        b"\n"  # row 4: blank
        b",\n"  # row 5: empty cells
        b'"Lee, Bo","two\nlines, quoted ""here"""\n'  # row 6
        b"Cy,007\n"  # row 7
    )
    table = _table(data)
    assert list(table.rows.index) == [3, 6, 7]
    assert table.rows.loc[6].tolist() == ["Lee, Bo", 'two\nlines, quoted "here"']
    assert table.rows.loc[7, "Note"] == "007"  # strings, not numbers


@pytest.mark.parametrize(
    ("bad_row", "message"),
    [
        (b"Cy,007,extra\n", "Row 7 has 3 values where the header has 2"),
        (b"Cy;007;x\n", "Row 7 does not use the header's commas"),
    ],
)
def test_a_bad_rows_number_counts_blank_rows_before_the_header_and_quoted_line_breaks_once(
    bad_row, message
):
    data = (
        b"\n\n"  # rows 1-2: blank, before the header
        b"Name,Note\n"  # row 3
        b'Ann,"three\nlines\nquoted"\n'  # row 4
        b"\n"  # row 5: blank
        b"Bo,two\n"  # row 6
    ) + bad_row
    with pytest.raises(Invalid, match=message):
        _table(data)


def test_empty_trailing_columns_are_dropped():
    table = _table(b"Name,Note,,\nAnn,one,,\n")
    assert table.headers == ["Name", "Note"]


def test_a_declared_size_is_not_trusted(monkeypatch):
    monkeypatch.setenv("PRM_IMPORT_MAX_BYTES", "1000")
    small = io.BytesIO(f"{HEADER}\n{ROW}\n".encode())
    small.size = 2**30  # what a client declared: ignored
    assert len(csv_files.read_csv(small).rows) == 1


def test_neutralize_and_restore():
    for value in ("=1+1", "+1 555", "-5", "@SUM(A1)", "\tx", "\rx"):
        assert csv_files.neutralize(value) == "'" + value
    for value in ("Contoso", "", "1-2", "a=b", "'quoted"):
        assert csv_files.neutralize(value) == value
    exported = csv_files.csv_text(["A"], [["=HYPERLINK(1)"], ["plain"], [None], [12]])
    assert exported == 'A\r\n\'=HYPERLINK(1)\r\nplain\r\n""\r\n12\r\n'
    table = _table(exported.encode())
    restored = csv_files.restored(table.rows["A"]).tolist()
    assert restored == ["=HYPERLINK(1)", "plain", "12"]


def test_csv_chunks_writes_one_piece_per_chunk():
    pieces = list(csv_files.csv_chunks(["A", "B"], [[[1, "-x"]], [[2, "y"]]]))
    assert pieces == ["A,B\r\n1,'-x\r\n", "2,y\r\n"]


# the corpus of bad files ---------------------------------------------------------------------


def _garbage(size: int, *, nul: bool) -> bytes:
    rng = random.Random(size)
    data = bytes(rng.randrange(256) for _ in range(size))
    return data if nul else data.replace(b"\x00", b"\x01")


class _Unseekable(io.RawIOBase):
    """A stream that can only be read forward, like a socket."""

    def __init__(self, data: bytes):
        self._data = io.BytesIO(data)

    def readable(self):
        return True

    def read(self, size=-1):
        return self._data.read(size)


def _sparse_gigabyte(tmp_path):
    """A real 1 GB file (sparse: no disk used) that also declares its size."""
    path = tmp_path / "huge.csv"
    with path.open("wb") as file:
        file.write(f"{HEADER}\n{ROW}\n".encode())
        file.seek(2**30)
        file.write(b"\n")
    file = path.open("rb")
    file.size = 2**30
    return file


CORPUS = [
    ("zero-bytes", b"", "is empty (0 bytes)"),
    ("only-blank-lines", b"\n\r\n   \n", "only blank lines"),
    ("header-only", f"{HEADER}\n".encode(), "header but no rows"),
    ("header-only-with-bom", f"\ufeff{HEADER}".encode(), "header but no rows"),
    ("header-and-blank-lines", f"{HEADER}\n\n\n".encode(), "header but no rows"),
    ("header-and-empty-cells", f"{HEADER}\n,,,,\n,,,,\n".encode(), "header but no rows"),
    ("binary-with-nul", _garbage(4000, nul=True), "not a text file"),
    ("binary-without-nul", _garbage(300, nul=False), "not a text file"),
    ("png-image", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(64), "not a text file"),
    ("gzip-csv", gzip.compress(f"{HEADER}\n{ROW}\n".encode() * 50), "not a text file"),
    ("utf-16-damaged", codecs.BOM_UTF16_LE + f"{HEADER}".encode("utf-16-le")[:-1], "not a text"),
    (
        "duplicated-header",
        b"Email,Company,Email\na@b.co,C,a@b.co\n",
        "Two columns are named 'Email'",
    ),
    (
        "duplicated-header-spaces",
        b"Email, Email \na@b.co,a@b.co\n",
        "Two columns are named 'Email'",
    ),
    (
        "too-many-columns",
        (",".join(f"c{n}" for n in range(101)) + "\n" + "x," * 100 + "x\n").encode(),
        "101 columns",
    ),
    (
        "very-long-field",
        f"{HEADER}\nJane,Doe,jane@contoso.com,{'C' * 20_000},Northwind\n".encode(),
        "holds 20,000 characters",
    ),
    ("very-long-header", ("N" * 300 + ",Email\nx,y\n").encode(), "over 200 characters"),
    ("header-never-ends", b'"First name,Email\nJane,jane@contoso.com\n', "header row does not end"),
    (
        "mixed-delimiters",
        f"{HEADER}\n{ROW}\n{ROW.replace(',', ';')}\n".encode(),
        "mixes delimiters",
    ),
    (
        "extra-values-in-a-row",
        f"{HEADER}\n{ROW},extra,more\n".encode(),
        "Row 2 has 7 values where the header has 5",
    ),
    (
        "unclosed-quote",
        f'{HEADER}\nJane,"Doe,jane@contoso.com,Contoso,Northwind\n'.encode(),
        "never closed",
    ),
    (
        "values-without-a-column-name",
        b"First name,,Email\nJane,Doe,jane@contoso.com\n",
        "Column 2 has values but no name",
    ),
    (
        "missing-mandatory-column",
        b"First name,Last name,Company,Provider\nJane,Doe,Contoso,Northwind\n",
        "no column 'Email'",
    ),
    (
        "formulas-instead-of-emails",
        f"{HEADER}\nJane,Doe,=cmd|' /C calc'!A0,Contoso,Northwind\nJo,Li,@SUM(A1),Acme,Northwind\n".encode(),
        "No row can be imported",
    ),
    ("not-a-file", {"name": "leads.csv"}, "Choose a CSV file"),
    ("a-path-not-a-file", "/etc/passwd", "Choose a CSV file"),
]


@pytest.fixture(autouse=True)
def _cheap_password_hashing(monkeypatch):
    monkeypatch.setattr(auth, "_hasher", PasswordHasher(time_cost=1, memory_cost=8, parallelism=1))


@pytest.fixture
def consultant(session):
    provider = org_admin(session, kind=OrgKind.PROVIDER, org_name="Northwind")
    firm = org_admin(session, kind=OrgKind.CONSULTANT, org_name="Fabrikam")
    partners(session, provider, firm)
    return firm


def _refused(session, actor, file) -> str:
    with pytest.raises(Invalid) as refused:
        imports.run(
            session,
            actor=actor,
            kind="leads",
            file=file,
            file_name="bad.csv",
            mapping=MAPPING,
            submit=True,
        )
    session.flush()
    assert session.exec(select(func.count()).select_from(Lead)).one() == 0
    assert session.exec(select(func.count()).select_from(ImportBatch)).one() == 0
    return str(refused.value)


@pytest.mark.parametrize(("data", "expected"), [c[1:] for c in CORPUS], ids=[c[0] for c in CORPUS])
def test_bad_files_are_refused_with_a_clear_message(session, consultant, data, expected):
    file = io.BytesIO(data) if isinstance(data, bytes) else data
    assert expected in _refused(session, consultant, file)


def test_a_one_gigabyte_file_is_refused_from_its_real_size(session, consultant, tmp_path):
    with _sparse_gigabyte(tmp_path) as file:
        message = _refused(session, consultant, file)
    assert message == (
        "The file is 1,024.0 MB: files of up to 512.0 MB can be imported. "
        "Split it into smaller files."
    )


def test_a_file_over_the_configured_size_is_refused(session, consultant, monkeypatch):
    monkeypatch.setenv("PRM_IMPORT_MAX_BYTES", "1000")
    big = f"{HEADER}\n" + f"{ROW}\n" * 30
    file = io.BytesIO(big.encode())
    file.size = 10  # declared small: the real size decides
    assert "files of up to 0.0 MB" in _refused(session, consultant, file)
    # A stream that cannot seek is copied only up to the limit, then refused.
    assert "over 0.0 MB" in _refused(session, consultant, _Unseekable(big.encode()))


def test_more_rows_than_configured_are_refused(session, consultant, monkeypatch):
    monkeypatch.setenv("PRM_IMPORT_MAX_ROWS", "3")
    data = (f"{HEADER}\n" + f"{ROW}\n" * 4).encode()
    assert "more than 3 rows" in _refused(session, consultant, io.BytesIO(data))


def test_numbers_stay_numbers_whatever_their_sign():
    """A debit's -3600.00 is a number a spreadsheet and pandas can sum, not text ('-3600.00);
    text that starts like a formula is still neutralized."""
    for number in (Decimal("-3600.00"), -5, -1.5, Decimal("250.00")):
        assert csv_files.neutralize(number) == str(number)
    assert csv_files.neutralize("-3600.00") == "'-3600.00"  # text: it could be a formula
    exported = csv_files.csv_text(
        ["Effect", "Memo"], [[Decimal("-3600.00"), "-cmd"], [Decimal("-1000.00"), "ok"]]
    )
    table = pd.read_csv(io.StringIO(exported))
    assert table["Effect"].sum() == -4600
    assert list(table["Memo"]) == ["'-cmd", "ok"]


def test_an_unclosed_quote_over_many_lines_is_refused_in_linear_time():
    """A crafted 1 MB file (a quote, then a million carriage returns) once cost seconds of CPU
    in the header scan (quadratic): it is refused at once, with the reason."""
    crafted = b'"a' + b"\r" * (1024 * 1024)
    started = time.perf_counter()
    with pytest.raises(Invalid, match="header row does not end"):
        _table(crafted)
    assert time.perf_counter() - started < 1.0
