""".xlsx workbooks read as a stream, for services.imports.sheets (which turns the values into text
and finds the header).

openpyxl's read-only mode parses a worksheet's XML row by row as it is read, so that what is held
barely grows with the sheet: the shared strings (the format keeps each distinct text once, in a
table every cell points into) and about 80 bytes a row read (openpyxl's parser keeps an emptied
element per row), where calamine's whole sheet took about 1 KB a row. That mode does not tell the merged cells, which the
header needs: they are read from the sheet's `<mergeCell ref=...>` elements, which come after
its rows (`merges`). Worksheets only: chartsheets hold no rows.
"""

import re
import zipfile
from collections.abc import Iterator, Sequence
from typing import IO, Any
from xml.etree.ElementTree import XMLParser

import openpyxl
from openpyxl.utils.cell import range_boundaries

Merges = list[tuple[tuple[int, int], tuple[int, int]]]  # ((row, col), (last row, last col)) from 0
_BLOCK = 1024 * 1024  # bytes of a sheet's XML read at a time when looking for its merged cells
_OVERLAP = 256  # bytes kept between two blocks: more than a <sheetData> tag holds
_SHEET_DATA = re.compile(rb"<(?:[\w.-]+:)?sheetData\b[^>]*?(/?)>")
_SHEET_DATA_END = re.compile(rb"</(?:[\w.-]+:)?sheetData\s*>")


class XlsxBook:
    """An .xlsx workbook opened from a seekable binary stream; raises what openpyxl or zipfile
    raise for a file that is no workbook. `close()` when done (the stream stays open)."""

    def __init__(self, stream: IO[bytes]) -> None:
        self._stream = stream
        self._book = openpyxl.load_workbook(stream, read_only=True, data_only=True)
        self._zip = zipfile.ZipFile(stream)
        self._sheets = {sheet.title: sheet for sheet in self._book.worksheets}
        self.names = tuple(self._sheets)
        self.hidden = frozenset(n for n, s in self._sheets.items() if s.sheet_state != "visible")

    def values(self, name: str) -> Iterator[Sequence[Any]]:
        """The sheet's rows from row 1 (a missing row is empty), cells from column A, typed."""
        sheet = self._sheets[name]
        sheet.reset_dimensions()  # a workbook's <dimension> may be wrong: never cut rows by it
        return sheet.iter_rows(values_only=True)

    def merges(self, name: str, rows: int) -> Merges:
        """The sheet's merged ranges that start in its first `rows` rows."""
        with self._zip.open(self._path(name)) as member:
            return merges(member, rows)

    def share(self, name: str, done: int) -> float:
        """How much of the sheet was read (0 to 1): where its reading is in the sheet's
        compressed bytes, as a CSV's share is where its reading is in the file (`done`, the
        rows read, is not needed)."""
        info = self._zip.getinfo(self._path(name))
        read = self._stream.tell() - info.header_offset
        return min(1.0, max(0.0, read / max(1, info.compress_size)))

    def close(self) -> None:
        self._zip.close()
        self._book.close()

    def _path(self, name: str) -> str:
        return str(self._sheets[name]._worksheet_path)  # the sheet's member in the zip


def merges(member: IO[bytes], rows: int, block: int = _BLOCK) -> Merges:
    """The merged ranges of a worksheet's XML that start in its first `rows` rows.

    `<mergeCells>` follows `<sheetData>`, which holds the rows: the XML is parsed without the
    content of `<sheetData>`, skipped as bytes, so that this costs a read of the sheet, not a
    parse of each of its cells; the parser builds no tree (its target keeps the ranges)."""
    target = _MergeCells(rows)
    # expat (2.4.1 and later) bounds entity expansion and fetches no external entity
    parser = XMLParser(target=target)  # noqa: S314
    for piece in _without_rows(member, block):
        parser.feed(piece)
    parser.close()  # raises ParseError for XML that ends badly
    return target.found


class _MergeCells:
    """An XMLParser target: the <mergeCell ref=...> ranges starting in the first `rows` rows."""

    def __init__(self, rows: int) -> None:
        self.rows = rows
        self.found: Merges = []

    def start(self, tag: str, attrib: dict[str, str]) -> None:
        if tag.rpartition("}")[2] == "mergeCell":
            self.found += _merged(attrib.get("ref", ""), self.rows)


def _merged(ref: str, rows: int) -> Merges:
    """A mergeCell's range ("A1:F1") when it starts in the first `rows` rows (none for a ref
    that is no range of cells: the merges only name the header's columns)."""
    try:
        c0, r0, c1, r1 = range_boundaries(ref)
    except ValueError:
        return []
    if not (c0 and r0 and c1 and r1) or r0 > rows:
        return []
    return [((r0 - 1, c0 - 1), (r1 - 1, c1 - 1))]


def _without_rows(member: IO[bytes], block: int) -> Iterator[bytes]:
    """The worksheet's XML in pieces, without what is between <sheetData> and </sheetData>."""
    before, inside = True, False
    pending = b""
    while data := member.read(block):
        pending += data
        if before:
            opening = _SHEET_DATA.search(pending)
            if not opening:
                cut = max(0, len(pending) - _OVERLAP)
                yield pending[:cut]
                pending = pending[cut:]
                continue
            yield pending[: opening.end()]
            pending = pending[opening.end() :]
            before, inside = False, not opening.group(1)  # <sheetData/>: no rows
        if inside:
            closing = _SHEET_DATA_END.search(pending) if b"sheetData" in pending else None
            if not closing:
                pending = pending[-_OVERLAP:]
                continue
            pending = pending[closing.start() :]
            inside = False
        yield pending
        pending = b""
    if not inside:  # else the XML ends in the rows: the parser refuses it
        yield pending
