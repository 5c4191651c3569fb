"""Reading an XLSX import (issue 28): `sheets.open_table` and every chunk of it, against the same
sheet loaded whole by calamine and turned into text (how an .xlsx was read before), each in a
fresh process: seconds, CPU seconds, and peak memory over the process's once its modules are in.

Usage: python -m benchmarks.xlsx_read [--rows N] [--excel]
The workbook holds benchmarks/import_million.py's rows, written as that benchmark writes them
(openpyxl's write-only mode: inline strings, no <dimension>), or with --excel as Excel saves a
workbook (shared strings, a <dimension>). No database.
"""

import argparse
import subprocess
import sys
import tempfile
import time
import zipfile
from itertools import chain, islice
from pathlib import Path
from xml.sax.saxutils import escape

from openpyxl.utils import get_column_letter

from benchmarks.csv_import import HEADERS, _peak_mb, _reset_peak
from benchmarks.import_million import rows_of, write_xlsx

ROWS = 200_000


_MAIN = 'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'
_RELS = "http://schemas.openxmlformats.org/package/2006/relationships"
_DOC = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml"
_PARTS = {
    "[Content_Types].xml": '<Types xmlns="http://schemas.openxmlformats.org/package/2006/'
    'content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-'
    'package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/>'
    f'<Override PartName="/xl/workbook.xml" ContentType="{_TYPE}.sheet.main+xml"/>'
    f'<Override PartName="/xl/worksheets/sheet1.xml" ContentType="{_TYPE}.worksheet+xml"/>'
    f'<Override PartName="/xl/sharedStrings.xml" ContentType="{_TYPE}.sharedStrings+xml"/>'
    "</Types>",
    "_rels/.rels": f'<Relationships xmlns="{_RELS}"><Relationship Id="rId1" '
    f'Type="{_DOC}/officeDocument" Target="xl/workbook.xml"/></Relationships>',
    "xl/workbook.xml": f'<workbook {_MAIN} xmlns:r="{_DOC}"><sheets><sheet name="Leads" '
    'sheetId="1" r:id="rId1"/></sheets></workbook>',
    "xl/_rels/workbook.xml.rels": f'<Relationships xmlns="{_RELS}"><Relationship Id="rId1" '
    f'Type="{_DOC}/worksheet" Target="worksheets/sheet1.xml"/><Relationship Id="rId2" '
    f'Type="{_DOC}/sharedStrings" Target="sharedStrings.xml"/></Relationships>',
}


def write_excel_like(path: Path, count: int) -> None:
    """The rows as Excel saves a workbook: each distinct text once in the shared strings, the
    cells pointing into them, the sheet's <dimension> given."""
    strings: dict[str, int] = {}
    rows = chain([HEADERS], rows_of(count, ["Northwind"], ["owner@example.com"]))
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, xml in _PARTS.items():
            archive.writestr(name, xml)
        with archive.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as sheet:
            sheet.write(
                f'<worksheet {_MAIN}><dimension ref="A1:I{count + 1}"/><sheetData>'.encode()
            )
            for number, row in enumerate(rows, start=1):
                cells = "".join(
                    f'<c r="{get_column_letter(column)}{number}" t="s">'
                    f"<v>{strings.setdefault(value, len(strings))}</v></c>"
                    for column, value in enumerate(row, start=1)
                    if value
                )
                sheet.write(f'<row r="{number}">{cells}</row>'.encode())
            sheet.write(b"</sheetData></worksheet>")
        with archive.open("xl/sharedStrings.xml", "w", force_zip64=True) as table:
            table.write(f'<sst {_MAIN} uniqueCount="{len(strings)}">'.encode())
            for text in strings:  # in the order of their numbers
                table.write(f"<si><t>{escape(text)}</t></si>".encode())
            table.write(b"</sst>")


def read(path: str, reader: str) -> str:
    """One reading, in this process: its figures as one line."""
    import pandas as pd

    from prm_app.services.imports import sheets

    _reset_peak()
    base = _peak_mb()  # the process's size once its modules are in
    began, cpu = time.perf_counter(), time.process_time()
    with open(path, "rb") as file:
        if reader == "sheets":
            rows = sum(len(chunk) for chunk in sheets.open_table(file).chunks())
        else:
            book = pd.ExcelFile(file, engine="calamine").book
            sheet = book.get_sheet_by_name(book.sheet_names[0])
            values, rows = sheet.iter_rows(), -1  # the header is no row
            while block := list(islice(values, 50_000)):
                text = [[sheets.cell_text(value) for value in cells] for cells in block]
                rows += len(pd.DataFrame(text, dtype=str))
    took, cpu = time.perf_counter() - began, time.process_time() - cpu
    return f"{rows:,} rows: {took:.1f} s ({cpu:.1f} s CPU), peak +{_peak_mb() - base:.0f} MB"


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.xlsx_read")
    parser.add_argument("--rows", type=int, default=ROWS)
    parser.add_argument("--excel", action="store_true", help="as Excel saves a workbook")
    parser.add_argument("--read", nargs=2, help=argparse.SUPPRESS)  # PATH READER: one reading
    args = parser.parse_args()
    if args.read:
        print(read(*args.read), flush=True)
        return
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "leads.xlsx"
        if args.excel:
            write_excel_like(path, args.rows)
        else:
            write_xlsx(path, rows_of(args.rows, ["Northwind"], ["owner@example.com"]))
        print(f"{args.rows:,} rows, {path.stat().st_size / 2**20:.1f} MB of XLSX", flush=True)
        for reader in ("calamine", "sheets"):
            found = subprocess.run(  # noqa: S603 - this interpreter, this module
                [sys.executable, "-m", "benchmarks.xlsx_read", "--read", str(path), reader],
                check=True,
                capture_output=True,
                text=True,
            )
            name = "calamine, whole sheet" if reader == "calamine" else "sheets.open_table"
            print(f"{name:22} {found.stdout.strip()}", flush=True)


if __name__ == "__main__":
    main()
