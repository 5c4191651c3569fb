"""Spreadsheets (.xlsx, .xls, .ods) read into the same `Table` of strings a CSV gives.

`read_table` takes any upload: what it is comes from its bytes, never its name (a zip holding
`xl/workbook.xml` is an .xlsx, one whose `mimetype` is an OpenDocument spreadsheet an .ods, an
OLE2 compound file an .xls; anything else is read as CSV). An .xlsx is read as a stream by
openpyxl (sheets_xlsx), an .xls or .ods with pandas' `calamine` engine. Worksheets only: a
chartsheet is no list.

Typed cells are written as a CSV of the same list would hold them: dates as ISO `2030-06-30`
(with the time when it is not midnight: `2030-06-30 14:05:00`), numbers without a trailing `.0`
(`12000.5`, a phone typed as a number `5550100`), booleans `TRUE`/`FALSE`.

Where the header is, sensibly:
- rows above it holding at most one value (a title such as "Leads, June", merged across the
  columns or not) and blank rows are skipped: the header is the first row with two values or
  more (or the first row with any value, for a sheet of one column);
- a header cell merged across several columns names the first one; when the row below names
  each column under such a merged cell and holds nothing else (a two-row header: "Contact"
  above "First name" and "Last name", with "Email" merged down over both rows), the two rows
  are one header and each column takes its lowest name; otherwise the other columns under the
  merged cell are named after it with a number ("Contact 2").
Row numbers are the sheet's own (the header may be row 3), so that a problem's row is found.
The default sheet is the first with a value, hidden sheets last; the person may choose
another by name.

A sheet is read in chunks as a CSV is (files.Source), CHUNK_ROWS rows at a time: an .xlsx's
rows are parsed as they are read, so that its memory barely grows with it (see sheets_xlsx);
calamine loads a whole .xls or .ods sheet (an .xls holds at most
65,536 rows).
"""

import datetime as dt
import itertools
import zipfile
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import IO, Any, Protocol

import pandas as pd
from python_calamine import SheetTypeEnum, SheetVisibleEnum

from ..core.errors import Invalid
from .files import (
    CHUNK_ROWS,
    Source,
    Table,
    check_headers,
    counted,
    named_headers,
    no_rows,
    only_named,
    open_csv,
    refused,
    require_short_fields,
    sized,
)
from .sheets_xlsx import Merges, XlsxBook

XLSX, XLS, ODS = "xlsx", "xls", "ods"
_ZIP = b"PK\x03\x04"
_OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_ODS_MIME = b"application/vnd.oasis.opendocument.spreadsheet"
_MAX_UNZIPPED_RATIO = 100  # a zip that inflates more than this is a zip bomb, not a workbook
_HEADER_SEARCH = 50  # rows searched for the header
_SHEET_ROWS = 1_048_576  # the most a sheet holds (Excel's): a row past it is a damaged file


@dataclass(frozen=True, slots=True)
class Reading:
    """How the person chose to read the file ("" or None: as detected). Checked by the readers:
    a client may send anything."""

    sheet: object = None  # a spreadsheet's sheet, by name
    encoding: object = None  # a CSV's, one of files.ENCODINGS
    delimiter: object = None  # a CSV's, one of files.DELIMITERS
    numbers: object = None  # how amounts are written, one of locales.NUMBERS
    dates: object = None  # how dates are written, one of locales.DATES


def read_table(
    file: object, *, sheet: object = None, encoding: object = None, delimiter: object = None
) -> Table:
    """A whole (small) upload as one Table: see `open_table`."""
    return open_table(file, sheet=sheet, encoding=encoding, delimiter=delimiter).whole()


def open_table(
    file: object,
    *,
    sheet: object = None,
    encoding: object = None,
    delimiter: object = None,
    chunk_rows: int = 0,
) -> Source:
    """Any upload as a Source read in chunks: a spreadsheet's `sheet` (a name; its first
    sheet with a value when None) or a CSV in the `encoding` and with the `delimiter` chosen
    (detected when None; see files.open_csv). Raises Invalid(field="file"), or the field of
    the choice refused."""
    stream = sized(file)
    kind = spreadsheet_kind(stream)
    if kind is None:
        return open_csv(stream, encoding=encoding, delimiter=delimiter, chunk_rows=chunk_rows)
    return _open_sheet(stream, kind, sheet, chunk_rows or CHUNK_ROWS)


def spreadsheet_kind(stream: IO[bytes]) -> str | None:
    """XLSX, XLS or ODS from the file's bytes; None for anything else (a CSV, or not a table,
    which the CSV reader refuses). The stream is left at its start."""
    stream.seek(0)
    head = stream.read(8)
    stream.seek(0)
    if head.startswith(_OLE2):
        return XLS
    if not head.startswith(_ZIP):
        return None
    size = stream.seek(0, 2)
    try:
        with zipfile.ZipFile(stream) as archive:
            names = set(archive.namelist())
            if sum(info.file_size for info in archive.infolist()) > _MAX_UNZIPPED_RATIO * size:
                raise refused("The file cannot be read: save it from your spreadsheet again.")
            mime = b""
            if "mimetype" in names:
                with archive.open("mimetype") as member:
                    mime = member.read(100)
    except (zipfile.BadZipFile, OSError, EOFError, RuntimeError):  # RuntimeError: encrypted
        raise refused(
            "The file is a damaged zip archive: save it from your spreadsheet again."
        ) from None
    finally:
        stream.seek(0)
    if "xl/workbook.xml" in names:
        return XLSX
    if mime.startswith(_ODS_MIME):
        return ODS
    raise refused(
        "The file is a zip archive, not a spreadsheet: choose an .xlsx, .xls, .ods or CSV file."
    )


def _open_sheet(stream: IO[bytes], kind: str, sheet: object, chunk_rows: int) -> Source:
    book: _Book | None = None
    try:
        book = XlsxBook(stream) if kind == XLSX else _CalamineBook(stream)
        return _sheet_source(book, kind, sheet, chunk_rows)
    except Exception as error:  # the readers' errors are not typed: a damaged or protected file
        if book:
            book.close()
        if isinstance(error, Invalid):
            raise
        raise damaged(kind) from None


def _sheet_source(book: "_Book", kind: str, sheet: object, chunk_rows: int) -> Source:
    names = book.names
    if not names:
        raise refused("The workbook has no sheet to import.")
    if sheet is None or sheet == "":
        order = sorted(names, key=lambda n: n in book.hidden)  # the visible sheets first
        name = next((n for n in order if _filled(_rows(book.values(n)))), order[0])
    elif isinstance(sheet, str) and sheet in names:
        name = sheet
    else:
        raise refused_sheet("Choose one of the workbook's sheets.")
    merges = book.merges(name, _HEADER_SEARCH + 1)
    rows = _rows(_guarded(kind, book.values(name)))
    grid = list(itertools.islice(rows, _HEADER_SEARCH + 1))
    while grid and not grid[-1] and len(grid) <= _HEADER_SEARCH:
        grid.pop()  # nothing below: trailing blank rows
    if not _filled(grid):
        raise refused_sheet(f"The sheet '{name}' is empty: choose the sheet that holds the list.")
    headers, first = _header(grid, merges)
    width = max(len(headers), *(len(row) for row in grid[first:]), 0)
    headers = check_headers(headers + [""] * (width - len(headers)))
    named = named_headers(headers)
    done = [first]

    def chunks() -> Iterator[pd.DataFrame]:
        body = itertools.chain(grid[first:], rows)
        total, start = 0, first
        try:
            while block := list(itertools.islice(body, chunk_rows)):
                wide = max(width, *map(len, block))  # values past the header: refused below
                columns = headers + [""] * (wide - width)
                padded = [row + [""] * (wide - len(row)) for row in block]
                frame = pd.DataFrame(padded, columns=columns, dtype=str)
                frame.index = pd.RangeIndex(start + 1, start + 1 + len(block))  # the sheet's rows
                start += len(block)
                done[0] = start
                if start > _SHEET_ROWS:
                    raise damaged(kind)
                frame = frame[(frame != "").any(axis=1)]
                frame = only_named(columns, named, frame)
                total = counted(total, frame)
                require_short_fields(frame)
                if len(frame):
                    yield frame
            if not total:
                raise refused_sheet(str(no_rows(f"The sheet '{name}'")))
        finally:
            book.close()

    def share() -> float:
        return book.share(name, done[0])

    return Source(named, "", "", chunks, share, sheets=names, sheet=name)


def damaged(kind: str) -> Invalid:
    return refused(
        f"The {kind} file cannot be read (damaged, or protected by a password): save it "
        "from your spreadsheet again, or export the sheet as CSV."
    )


def refused_sheet(message: str) -> Invalid:
    return Invalid(message, field="sheet")


class _Book(Protocol):
    """A workbook being read: its worksheets (in order; `hidden` the hidden ones), each
    sheet's typed values row by row from row 1 and column A, its merged ranges, how much of
    it was read (`done` rows)."""

    names: tuple[str, ...]
    hidden: frozenset[str]

    def values(self, name: str) -> Iterator[Sequence[Any]]: ...
    def merges(self, name: str, rows: int) -> Merges: ...
    def share(self, name: str, done: int) -> float: ...
    def close(self) -> None: ...


class _CalamineBook:
    """An .xls or .ods workbook (calamine loads a whole sheet: an .xls has at most 65,536 rows,
    an .ods file is read so too)."""

    def __init__(self, stream: IO[bytes]) -> None:
        self._book = pd.ExcelFile(stream, engine="calamine").book
        sheets = [m for m in self._book.sheets_metadata if m.typ == SheetTypeEnum.WorkSheet]
        self.names = tuple(str(m.name) for m in sheets)
        self.hidden = frozenset(
            str(m.name) for m in sheets if m.visible != SheetVisibleEnum.Visible
        )
        self._loaded: tuple[str, Any] = ("", None)  # the last sheet loaded, only
        self._heights: dict[str, int] = {}

    def values(self, name: str) -> Iterator[Sequence[Any]]:
        sheet = self._sheet(name)
        pad = [None] * (sheet.start or (0, 0))[1]  # rows from the first, cells from the used
        return ([*pad, *cells] for cells in sheet.iter_rows())  # range's first column

    def merges(self, name: str, rows: int) -> Merges:
        found = self._sheet(name).merged_cell_ranges or []
        return [merge for merge in found if merge[0][0] < rows]

    def share(self, name: str, done: int) -> float:
        return min(1.0, done / max(1, self._heights.get(name, done)))

    def close(self) -> None:
        self._loaded = ("", None)

    def _sheet(self, name: str) -> Any:
        if self._loaded[0] != name:
            self._loaded = (name, self._book.get_sheet_by_name(name))
            self._heights[name] = self._loaded[1].total_height
        return self._loaded[1]


def _rows(values: Iterable[Sequence[Any]]) -> Iterator[list[str]]:
    """A sheet's rows (from row 1, cells from column A) as text, trailing blanks cut."""
    for cells in values:
        row = [cell_text(value) for value in cells]
        while row and row[-1] == "":
            row.pop()
        yield row


def _guarded(kind: str, values: Iterator[Sequence[Any]]) -> Iterator[Sequence[Any]]:
    """The rows of a reader that parses as it goes: what it raises further in the sheet is
    the damaged file's refusal."""
    while True:
        try:
            cells = next(values)
        except StopIteration:
            return
        except Exception:
            raise damaged(kind) from None
        yield cells


def cell_text(value: Any) -> str:
    """A typed cell as the CSV path expects its text."""
    if type(value) is str:  # most cells, as they are
        return value
    if value is None or value is pd.NaT or (isinstance(value, float) and value != value):
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else format(Decimal(repr(value)), "f")
    if isinstance(value, dt.datetime):
        if value.time() == dt.time(0):
            return value.date().isoformat()
        return value.isoformat(sep=" ", timespec="seconds")
    if isinstance(value, dt.date | dt.time):
        return value.isoformat()
    return str(value).strip() if not isinstance(value, str) else value


def _filled(grid: Iterable[list[str]]) -> bool:
    return any(any(row) for row in grid)


def _header(grid: list[list[str]], merges: Merges) -> tuple[list[str], int]:
    """The header's names and the index of the first row below it (see the docstring)."""
    counts = [sum(1 for value in row if value) for row in grid[:_HEADER_SEARCH]]
    wide = 2 if max(counts) >= 2 else 1
    top = next(i for i, count in enumerate(counts) if count >= wide)
    names = list(grid[top])
    groups = [(c0, c1) for (r0, c0), (_, c1) in merges if r0 == top and c1 > c0]
    if not groups:
        return names, top + 1
    width = max(len(names), *(c1 + 1 for _, c1 in groups))
    names += [""] * (width - len(names))
    below = grid[top + 1] + [""] * (width - len(grid[top + 1])) if top + 1 < len(grid) else []
    if below and _subheader(below, groups, names):
        return [lower or upper for upper, lower in zip(names, below, strict=True)], top + 2
    for c0, c1 in groups:
        for column in range(c0 + 1, c1 + 1):
            if not names[column]:
                names[column] = f"{names[c0]} {column - c0 + 1}"
    return names, top + 1


def _subheader(below: list[str], groups: list[tuple[int, int]], names: list[str]) -> bool:
    """Whether the row below the header names each column under its merged cells and
    nothing else (the header's other columns are merged down over it, or empty)."""
    grouped = {column for c0, c1 in groups for column in range(c0, c1 + 1)}
    return all(below[c] for c in grouped) and not any(
        below[c] for c in range(len(names)) if c not in grouped
    )
