"""CSV files in and out: reading an uploaded file into tables of strings, writing safe exports.

An upload is read from its (spooled, seekable) file object with pandas, never from a path the
client chose: UTF-8 with or without a byte order mark, UTF-16 with one (what spreadsheets save
as "Unicode text"), else Windows-1252/Latin-1; comma, semicolon or tab detected from the header;
quoted fields; blank lines skipped. Every value is a string. A file that is not such a table is
refused with Invalid and a message the user can act on.

The limits of an import live here: MAX_BYTES (512 MB) and MAX_ROWS (1,000,000 rows below the
header; `PRM_IMPORT_MAX_BYTES` and `PRM_IMPORT_MAX_ROWS` lower or raise them). A file is read
CHUNK_ROWS rows at a time (`open_csv`, a `Source`), so that what an import holds in memory does
not grow with the file; a file over the row limit is refused when its reading gets there.
"""

import codecs
import csv
import os
import re
import tempfile
from collections.abc import Callable, Collection, Iterable, Iterator
from dataclasses import dataclass
from decimal import Decimal
from typing import IO

import pandas as pd

from ... import settings
from ..core.errors import Invalid

MAX_BYTES = 512 * 1024 * 1024  # the largest upload (HubSpot's limit)
MAX_ROWS = 1_000_000  # records below the header in one file
CHUNK_ROWS = 50_000  # rows read, checked and written at a time
MAX_COLUMNS = 100
MAX_HEADER = 200  # characters in one column name
MAX_FIELD = 10_000  # characters in one value (the longest field imported holds 5,000)
DELIMITERS = {",": "comma", ";": "semicolon", "\t": "tab"}
# The encodings a person may choose (a BOM is read as UTF-8 with it), by name.
ENCODINGS = {
    "utf-8": "UTF-8",
    "utf-8-sig": "UTF-8 with BOM",
    "cp1252": "Windows-1252 (ANSI)",
    "latin-1": "Latin-1 (ISO-8859-1)",
    "utf-16": "UTF-16 (Unicode text)",
}
_SAMPLE = 256 * 1024  # bytes read to find the header and the delimiter
_CHUNK = 1024 * 1024
CHOOSE_A_FILE = "Choose a CSV file or a spreadsheet (.xlsx, .xls, .ods) to import."
_CONTROL = re.compile(r"[\x01-\x08\x0b\x0c\x0e-\x1f\x7f]")
# Spreadsheets run a cell starting with one of these as a formula (and tab/CR can hide one).
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_NEUTRALIZED = re.compile(r"^'(?=[=+\-@\t\r])")
_PHONE = re.compile(r"^[+(\d][\d ().\-/]{2,39}$")  # digits, spaces and punctuation only


@dataclass(frozen=True, slots=True)
class Table:
    """A CSV's header and records: `rows` has one column per header, every value a string,
    and is indexed by the row number a spreadsheet shows (the header is row 1)."""

    headers: list[str]
    rows: pd.DataFrame
    encoding: str  # a CSV's ("" for a spreadsheet)
    delimiter: str  # a CSV's ("" for a spreadsheet)
    sheets: tuple[str, ...] = ()  # a spreadsheet's worksheets
    sheet: str = ""  # the one read


@dataclass(frozen=True, slots=True)
class Source:
    """A file being read: its header and how it was read, then its rows in chunks.

    `chunks()` yields frames of at most CHUNK_ROWS rows (one column per header, every value a
    string, indexed by the sheet's row numbers), blank rows left out; it raises Invalid when
    the file turns out unreadable, over the row limit, or with a header but no rows. `share()`
    tells how much of the file was read so far (0 to 1). Read the chunks once.
    """

    headers: list[str]
    encoding: str  # a CSV's ("" for a spreadsheet)
    delimiter: str  # a CSV's ("" for a spreadsheet)
    chunks: Callable[[], Iterator[pd.DataFrame]]
    share: Callable[[], float]
    sheets: tuple[str, ...] = ()  # a spreadsheet's worksheets
    sheet: str = ""  # the one read

    def table(self, rows: pd.DataFrame) -> Table:
        """A chunk as a Table of this file."""
        return Table(self.headers, rows, self.encoding, self.delimiter, self.sheets, self.sheet)

    def whole(self) -> Table:
        """Every row at once (for the small files of other readers: not for imports)."""
        frames = list(self.chunks())
        return self.table(pd.concat(frames) if len(frames) > 1 else frames[0])


def max_bytes() -> int:
    """The largest upload accepted (PRM_IMPORT_MAX_BYTES, default MAX_BYTES)."""
    return settings.current().import_max_bytes or MAX_BYTES


def max_rows() -> int:
    """The most records one file may hold (PRM_IMPORT_MAX_ROWS, default MAX_ROWS)."""
    return settings.current().import_max_rows or MAX_ROWS


def counted(total: int, frame: pd.DataFrame) -> int:
    """The rows read so far with this chunk's; refuses the file once over the limit."""
    total += len(frame)
    if total > max_rows():
        raise too_many_rows()
    return total


def no_rows(where: str = "The file") -> Invalid:
    return refused(f"{where} has a header but no rows: add the rows to import.")


def too_many_rows() -> Invalid:
    """What a file over the row limit is told (CSV or spreadsheet)."""
    return refused(
        f"The file has more than {max_rows():,} rows, the most one import takes: split it into "
        "smaller files."
    )


def too_large(limit: int) -> str:
    """What a file over the limit is told (the upload refuses it before it is all in)."""
    return f"The file is over {megabytes(limit)}, the most that can be imported at once: split it into smaller files."


def read_csv(file: object, *, encoding: object = None, delimiter: object = None) -> Table:
    """A whole (small) CSV as one Table: see `open_csv`."""
    return open_csv(file, encoding=encoding, delimiter=delimiter).whole()


def open_csv(
    file: object, *, encoding: object = None, delimiter: object = None, chunk_rows: int = 0
) -> Source:
    """Open an uploaded CSV from a binary file object (its position is reset first), to be
    read `chunk_rows` (default CHUNK_ROWS) rows at a time.

    The size is measured from the data itself, never taken from what the client declared.
    `encoding` (one of ENCODINGS) and `delimiter` (one of DELIMITERS) replace what is detected
    when the person chose them. Raises Invalid, with `field="file"`, for anything that is not
    a usable table (`field="encoding"` or `"delimiter"` for a choice that does not fit); the
    chunks raise it too, for what is found further in the file.
    """
    stream = sized(file)
    size = stream.seek(0, os.SEEK_END)
    stream.seek(0)
    encoding = _chosen_encoding(stream, encoding) if encoding else _encoding(stream)
    stream.seek(0)
    sample = _decoded_sample(stream, encoding)
    blank_before = _leading_blank_lines(sample)
    header_line = _first_record(sample, blank_before)
    if delimiter and (not isinstance(delimiter, str) or delimiter not in DELIMITERS):
        raise Invalid("Choose comma, semicolon or tab.", field="delimiter")
    delimiter = str(delimiter) if delimiter else _delimiter(header_line)
    headers = _headers(header_line, delimiter)
    _require_consistent(sample, blank_before, delimiter, len(headers))
    named = named_headers(headers)

    def chunks() -> Iterator[pd.DataFrame]:
        stream.seek(0)
        total, first = 0, True
        try:
            with pd.read_csv(
                stream,
                sep=delimiter,
                header=None,
                dtype=str,
                keep_default_na=False,
                skip_blank_lines=False,
                skiprows=blank_before,
                encoding=encoding,
                engine="c",
                chunksize=chunk_rows or CHUNK_ROWS,
            ) as reader:
                for frame in reader:
                    if frame.shape[1] != len(headers):
                        raise refused(
                            "The header and the rows do not line up: check that every value "
                            f"containing a {DELIMITERS[delimiter]} is in double quotes."
                        )
                    frame.index = frame.index + 1 + blank_before  # spreadsheet row numbers
                    if first:
                        frame, first = frame.iloc[1:], False
                    frame.columns = headers
                    frame = frame[(frame != "").any(axis=1)]  # blank lines, rows of empty cells
                    frame = only_named(headers, named, frame)
                    total = counted(total, frame)
                    require_short_fields(frame)
                    if len(frame):
                        yield frame
        except pd.errors.ParserError as error:
            raise refused(_parser_message(error)) from None
        except UnicodeDecodeError:
            raise Invalid(_not_in(encoding), field="encoding") from None
        except pd.errors.EmptyDataError:
            raise refused(
                "The file has no header row: its first line must name the columns."
            ) from None
        if not total:
            raise no_rows()

    def share() -> float:
        return min(1.0, stream.tell() / size) if size else 1.0

    return Source(named, encoding, delimiter, chunks, share)


def restored(values: pd.Series) -> pd.Series:
    """Values as the user meant them: the apostrophe an export put before a formula-like
    value (see `neutralize`) is taken off again, so an exported file imports as it was."""
    quoted = values.str.startswith("'")
    if not quoted.any():
        return values
    return values.where(~quoted, values.str.replace(_NEUTRALIZED, "", regex=True))


def neutralize(value: object, *, phone: bool = False) -> str:
    """A value made safe for a spreadsheet: text starting like a formula gets a leading '.

    A number stays a number (a debit's -3600.00 must still sum), whatever its sign; so does a
    `phone` written as phone numbers are (+44 20 7946 0958): no letter, nothing it could call.
    """
    if isinstance(value, int | float | Decimal) and not isinstance(value, bool):
        return str(value)
    text = "" if value is None else str(value)
    if phone and _PHONE.match(text):
        return text
    return "'" + text if text.startswith(_FORMULA_START) else text


def csv_text(
    header: list[str],
    rows: Iterable[Iterable[object]],
    *,
    delimiter: str = ",",
    phones: Collection[int] = (),
) -> str:
    """A whole CSV (header first, every value neutralized) as text."""
    return "".join(csv_chunks(header, [list(rows)], delimiter=delimiter, phones=phones))


def csv_chunks(
    header: list[str],
    chunks: Iterable[Iterable[Iterable[object]]],
    *,
    delimiter: str = ",",
    phones: Collection[int] = (),
) -> Iterator[str]:
    """CSV text, one piece per chunk of rows (the header with the first), values neutralized
    (those of the columns at the positions `phones` as phone numbers)."""
    buffer = _Buffer()
    writer = csv.writer(buffer, delimiter=delimiter, lineterminator="\r\n")
    writer.writerow([neutralize(name) for name in header])
    for rows in chunks:
        writer.writerows(
            [neutralize(value, phone=n in phones) for n, value in enumerate(row)] for row in rows
        )
        yield buffer.take()
    if tail := buffer.take():
        yield tail


def encoded(text: str, encoding: str) -> tuple[bytes, str]:
    """(bytes, charset) of a CSV written back as its upload was: in Windows-1252, Latin-1 or
    UTF-16 when the upload was and every character fits; else (a UTF-8 upload, a spreadsheet,
    a character the encoding lacks) in UTF-8 with a byte order mark, so that a spreadsheet
    shows "Björn". Nothing is ever lost to an encoding."""
    text = text.removeprefix("\ufeff")
    if encoding in _CHARSETS:
        try:
            return text.encode(encoding), _CHARSETS[encoding]
        except UnicodeEncodeError:
            pass
    return text.encode("utf-8-sig"), "utf-8"


_CHARSETS = {"cp1252": "windows-1252", "latin-1": "iso-8859-1", "utf-16": "utf-16"}


# helpers ---------------------------------------------------------------------------------------


class _Buffer:
    """A write target for csv.writer whose text is taken piece by piece."""

    def __init__(self) -> None:
        self._parts: list[str] = []

    def write(self, text: str) -> None:
        self._parts.append(text)

    def take(self) -> str:
        text, self._parts = "".join(self._parts), []
        return text


def sized(file: object) -> IO[bytes]:
    """The upload as a seekable stream at its start, refused when empty or over the limit."""
    stream = seekable(file)
    size = stream.seek(0, os.SEEK_END)
    if size > max_bytes():
        raise refused(
            f"The file is {megabytes(size)}: files of up to {megabytes(max_bytes())} "
            "can be imported. Split it into smaller files."
        )
    if size == 0:
        raise refused("The file is empty (0 bytes): choose a file with a header and rows.")
    stream.seek(0)
    return stream


def refused(message: str) -> Invalid:
    return Invalid(message, field="file")


def megabytes(size: int) -> str:
    return f"{size / (1024 * 1024):,.1f} MB"


def seekable(file: object) -> IO[bytes]:
    """The upload as a seekable binary stream; an unseekable one is copied, up to the limit."""
    read = getattr(file, "read", None)
    if not callable(read):
        raise refused(CHOOSE_A_FILE)
    if getattr(file, "seekable", lambda: False)():
        return file  # type: ignore[return-value]
    copy = tempfile.SpooledTemporaryFile(max_size=_CHUNK * 8)  # noqa: SIM115 - returned
    copied = 0
    while chunk := read(_CHUNK):
        if not isinstance(chunk, bytes):
            raise refused(CHOOSE_A_FILE)
        copied += len(chunk)
        if copied > max_bytes():
            raise refused(
                f"The file is over {megabytes(max_bytes())}: files of up to that size can be "
                "imported. Split it into smaller files."
            )
        copy.write(chunk)
    return copy


def _encoding(stream: IO[bytes]) -> str:
    """UTF-16 when the file starts with its byte order mark (and decodes), UTF-8 (with or
    without BOM) when every byte decodes as such, else Windows-1252 (what spreadsheets call
    ANSI), else Latin-1. Refuses NUL bytes in any other file (binary files)."""
    head = stream.read(4)
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        if not _decodes(stream, "utf-16"):
            raise _not_text()
        return "utf-16"
    if _decodes(stream, "utf-8", check_nul=True):
        stream.seek(0)
        return "utf-8-sig" if stream.read(3) == codecs.BOM_UTF8 else "utf-8"
    return "cp1252" if _decodes(stream, "cp1252") else "latin-1"


def _chosen_encoding(stream: IO[bytes], chosen: object) -> str:
    """The encoding the person chose, if the whole file decodes in it (UTF-8: with its BOM
    skipped when it has one)."""
    if not isinstance(chosen, str) or chosen not in ENCODINGS:
        raise Invalid("Choose one of the encodings offered.", field="encoding")
    if chosen.startswith("utf-8"):
        stream.seek(0)
        chosen = "utf-8-sig" if stream.read(3) == codecs.BOM_UTF8 else "utf-8"
    if not _decodes(stream, chosen):
        raise Invalid(_not_in(chosen), field="encoding")
    return chosen


def _not_in(encoding: str) -> str:
    return f"The file is not in {ENCODINGS[encoding]}: choose another encoding."


def _decodes(stream: IO[bytes], encoding: str, *, check_nul: bool = False) -> bool:
    """Whether the whole stream decodes (read in chunks, never all at once)."""
    stream.seek(0)
    decoder = codecs.getincrementaldecoder(encoding)()
    fits = True
    while chunk := stream.read(_CHUNK):
        if check_nul and b"\x00" in chunk:
            raise _not_text()
        if fits:
            try:
                decoder.decode(chunk)
            except UnicodeDecodeError:
                fits = False
                if not check_nul:
                    return False
    try:
        decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        return False
    return fits


def _not_text() -> Invalid:
    return refused("This is not a text file: export the list from your spreadsheet as CSV.")


def _decoded_sample(stream: IO[bytes], encoding: str) -> str:
    decoder = codecs.getincrementaldecoder(encoding)()
    text = decoder.decode(stream.read(_SAMPLE))
    controls = len(_CONTROL.findall(text))
    if controls > 8 or controls > len(text) // 50:
        raise _not_text()
    return text


def _leading_blank_lines(sample: str) -> int:
    lines = sample.splitlines()
    count = 0
    while count < len(lines) - 1 and not lines[count].strip():
        count += 1
    if count == len(lines) - 1 and not lines[count].strip():
        raise refused("The file has only blank lines: choose a CSV file with a header and rows.")
    return count


def _first_record(sample: str, skip: int) -> str:
    """The header record's text (which may span lines inside quotes)."""
    lines = sample.splitlines(keepends=True)[skip:]
    quotes = 0  # counted line by line: linear in the sample, however many lines a quote spans
    for end, line in enumerate(lines, start=1):
        quotes += line.count('"')
        if quotes % 2 == 0:
            return "".join(lines[:end]).rstrip("\r\n")
    raise refused(
        "The header row does not end: it is too long, or a double quote in it is not closed."
    )


def _delimiter(header_line: str) -> str:
    """The candidate found most often outside quotes in the header (comma for one column)."""
    outside = re.sub(r'"[^"]*"', "", header_line)
    counts = {d: outside.count(d) for d in DELIMITERS}
    best = max(counts, key=lambda d: counts[d])
    return best if counts[best] else ","


def _headers(header_line: str, delimiter: str) -> list[str]:
    return check_headers([h.strip() for h in next(csv.reader([header_line], delimiter=delimiter))])


def check_headers(headers: list[str]) -> list[str]:
    """Refuses too many columns, overlong names and two columns of one name."""
    if len(headers) > MAX_COLUMNS:
        raise refused(
            f"The file has {len(headers)} columns: at most {MAX_COLUMNS} can be imported. "
            "Delete the columns you do not need."
        )
    for position, name in enumerate(headers, start=1):
        if len(name) > MAX_HEADER:
            raise refused(
                f"Column {position}'s name is over {MAX_HEADER} characters: is the first line "
                "really the header?"
            )
    seen: dict[str, int] = {}
    for position, name in enumerate(headers, start=1):
        if name and name in seen:
            raise refused(
                f"Two columns are named '{name}' (columns {seen[name]} and {position}): "
                "rename one of them."
            )
        seen[name] = position
    return headers


def _require_consistent(sample: str, skip: int, delimiter: str, width: int) -> None:
    """In the sample, a record whose fields do not line up with the header and that holds
    another delimiter means the file mixes delimiters."""
    others = [d for d in DELIMITERS if d != delimiter]
    lines = sample.splitlines(keepends=True)[skip:]
    if len(lines) > 1 and not sample.endswith(("\n", "\r")):
        lines.pop()  # cut off by the sample's end
    row = skip  # a spreadsheet's row number: a quoted value's line breaks stay in its row
    try:
        for row, record in enumerate(csv.reader(lines, delimiter=delimiter), start=skip + 1):
            if record and len(record) != width and any(d in "".join(record) for d in others):
                raise refused(
                    f"Row {row} does not use the header's {DELIMITERS[delimiter]}s "
                    f"as separators: the file mixes delimiters. Use one of comma, semicolon or "
                    "tab throughout."
                )
    except csv.Error as error:
        raise refused(f"Row {row + 1} cannot be read: {error}.") from None


def _parser_message(error: Exception) -> str:
    """pandas' "line" counts records (a quoted value's line breaks stay in its row) and the
    blank lines skipped before the header: a spreadsheet's row number."""
    found = re.search(r"Expected (\d+) fields in line (\d+), saw (\d+)", str(error))
    if found:
        expected, line, saw = (int(n) for n in found.groups())
        return (
            f"Row {line} has {saw} values where the header has {expected}: put values "
            "containing the delimiter in double quotes, and use one delimiter throughout."
        )
    if "EOF inside string" in str(error):
        return "A double quote is never closed: check the quotes in the file."
    return "The file cannot be read as CSV: export it from your spreadsheet as CSV again."


def named_headers(headers: list[str]) -> list[str]:
    """The headers that name a column (a trailing separator makes one without a name)."""
    named = [name for name in headers if name]
    if not named:
        raise refused("The header row is empty: its first line must name the columns.")
    return named


def only_named(headers: list[str], named: list[str], frame: pd.DataFrame) -> pd.DataFrame:
    """The frame's named columns (`frame` has one per header); refuses a column with values
    but no name."""
    if len(named) == len(headers):
        return frame
    positions = []
    for position, name in enumerate(headers):
        if name:
            positions.append(position)
        elif (frame.iloc[:, position] != "").any():
            raise refused(
                f"Column {position + 1} has values but no name in the header row: name it or "
                "delete it."
            )
    frame = frame.iloc[:, positions]
    frame.columns = named
    return frame


def require_short_fields(frame: pd.DataFrame) -> None:
    for name in frame.columns:
        lengths = frame[name].str.len()
        if lengths.max() > MAX_FIELD:
            row = lengths.idxmax()
            raise refused(
                f"Row {row}, column '{name}' holds {int(lengths.max()):,} characters: values "
                f"of up to {MAX_FIELD:,} characters can be imported."
            )
