"""An .xlsx read as a stream (services.imports.sheets_xlsx): chunks read as they are asked for,
merged cells found without parsing the rows, worksheets only and hidden sheets last, a sheet
damaged further in refused, a wrong <dimension> ignored."""

import datetime as dt
import io
import itertools
import re
import zipfile
from xml.etree.ElementTree import ParseError

import openpyxl
import pytest
from openpyxl.chart import BarChart, Reference

from prm_app.services.core.errors import Invalid
from prm_app.services.imports import sheets, sheets_xlsx


def _saved(book: openpyxl.Workbook) -> io.BytesIO:
    data = io.BytesIO()
    book.save(data)
    data.seek(0)
    return data


def _leads(rows: int, *, title: str | None = None) -> openpyxl.Workbook:
    book = openpyxl.Workbook()
    sheet = book.active
    if title:
        sheet.append([title])
    sheet.append(["Email", "Company", "Employees"])
    for n in range(rows):
        sheet.append([f"person{n}@company{n * 7919 % 1000}.example", f"Company {n}", n])
    return book


def _edited(data: io.BytesIO, member: str, edit) -> io.BytesIO:
    """The workbook with one member's XML changed by `edit` (bytes to bytes)."""
    out = io.BytesIO()
    with zipfile.ZipFile(data) as source, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as copy:
        for info in source.infolist():
            content = source.read(info.filename)
            copy.writestr(info, edit(content) if info.filename == member else content)
    out.seek(0)
    return out


def test_an_xlsx_is_read_as_its_chunks_are_asked_for():
    source = sheets.open_table(_saved(_leads(10_000)), chunk_rows=100)
    chunks = source.chunks()
    first = next(chunks)
    assert (len(first), first.index[0], first.loc[2, "Employees"]) == (100, 2, "0")
    # the reading is where the first chunk ends, not at the end of the sheet: not loaded whole
    assert 0 < source.share() < 0.2
    shares, rows = [source.share()], len(first)
    for chunk in chunks:
        assert len(chunk) <= 100
        rows += len(chunk)
        shares.append(source.share())
    assert rows == 10_000 and shares == sorted(shares) and shares[-1] == 1.0


XML = (
    b'<?xml version="1.0" encoding="UTF-8"?>\n'
    b'<x:worksheet xmlns:x="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
    b'<x:dimension ref="A1:F60"/><x:sheetData>'
    b'<x:row r="1"><x:c r="A1" t="inlineStr"><x:is><x:t>a &lt;/x:sheetData&gt; in text'
    b"</x:t></x:is></x:c></x:row>"
    b'<x:row r="60"><x:c r="A60"><x:v>1</x:v></x:c></x:row>'
    b"</x:sheetData >"
    b'<x:mergeCells count="4"><x:mergeCell ref="A1:F1"/><x:mergeCell ref="A2:B3"/>'
    b'<x:mergeCell ref="A60:B60"/><x:mergeCell ref="A:A"/></x:mergeCells>'
    b'<x:pageMargins left="0.7" right="0.7" top="0.75" bottom="0.75" header="0.3" footer="0.3"/>'
    b"</x:worksheet>"
)


@pytest.mark.parametrize("block", [1, 7, 64, 1 << 20])
def test_merged_cells_are_found_without_parsing_the_rows(block):
    # a namespace prefix, tags cut between blocks, "</sheetData>" as text: the merges of the
    # header's rows only (A60:B60 is past them; a whole column is no header cell)
    assert sheets_xlsx.merges(io.BytesIO(XML), 51, block) == [((0, 0), (0, 5)), ((1, 0), (2, 1))]
    empty = re.sub(rb"<x:sheetData>.*</x:sheetData >", b"<x:sheetData/>", XML)
    assert sheets_xlsx.merges(io.BytesIO(empty), 51, block) == sheets_xlsx.merges(
        io.BytesIO(XML), 51
    )
    with pytest.raises(ParseError):  # the rows never end
        sheets_xlsx.merges(io.BytesIO(XML[: XML.index(b"</x:sheetData")]), 51, block)


def test_worksheets_only_and_hidden_sheets_last():
    book = openpyxl.Workbook()
    chart = book.create_chartsheet("Chart", 0)
    lookup = book.create_sheet("Lookup", 1)
    lookup.append(["Code", "Name"])
    lookup.append(["NW", "Northwind"])
    lookup.sheet_state = "hidden"
    leads = book["Sheet"]
    leads.title = "Leads"
    leads.append(["Email", "Name"])
    leads.append(["jane@contoso.com", "Jane"])
    plot = BarChart()
    plot.add_data(Reference(leads, min_col=1, min_row=1, max_row=2))
    chart.add_chart(plot)
    workbook = _saved(book)
    table = sheets.read_table(workbook)
    assert (table.sheets, table.sheet, table.headers) == (
        ("Lookup", "Leads"),
        "Leads",
        ["Email", "Name"],
    )
    assert sheets.read_table(workbook, sheet="Lookup").rows["Name"].tolist() == ["Northwind"]
    with pytest.raises(Invalid, match="Choose one of the workbook's sheets") as refused:
        sheets.read_table(workbook, sheet="Chart")
    assert refused.value.field == "sheet"


def test_typed_cells_of_an_xlsx_are_text_as_a_csv_holds_them():
    book = openpyxl.Workbook()
    book.active.append(["Since", "At", "Amount", "Phone", "Active", "Time"])
    book.active.append(
        [dt.date(2030, 6, 30), dt.datetime(2030, 6, 30, 14, 5), 12000.5, 5550100, True, None]
    )
    book.active["F2"] = dt.time(9, 30)
    book.active["F2"].number_format = "hh:mm"
    assert sheets.read_table(_saved(book)).rows.loc[2].tolist() == [
        "2030-06-30",
        "2030-06-30 14:05:00",
        "12000.5",
        "5550100",
        "TRUE",
        "09:30:00",
    ]


def test_a_sheet_damaged_further_in_is_refused_when_its_reading_gets_there():
    def broken(xml: bytes) -> bytes:
        return xml.replace(b'<c r="A80"', b'<c r="A80" <', 1)

    workbook = _edited(_saved(_leads(100)), "xl/worksheets/sheet1.xml", broken)
    source = sheets.open_table(workbook, chunk_rows=20)  # the header's rows are sound
    with pytest.raises(Invalid, match="The xlsx file cannot be read") as refused:
        list(source.chunks())
    assert refused.value.field == "file"


def test_a_value_past_the_headers_columns_further_down_is_refused():
    book = _leads(100)
    book.active["E90"] = "stray"
    source = sheets.open_table(_saved(book), chunk_rows=20)
    assert source.headers == ["Email", "Company", "Employees"]
    with pytest.raises(Invalid, match="Column 5 has values but no name in the header row"):
        list(source.chunks())


def test_a_wrong_dimension_cuts_no_rows():
    def wrong(xml: bytes) -> bytes:
        return re.sub(rb'<dimension ref="[^"]*"', b'<dimension ref="A1"', xml, count=1)

    workbook = _edited(_saved(_leads(60, title="Leads, June")), "xl/worksheets/sheet1.xml", wrong)
    table = sheets.read_table(workbook)
    assert table.headers == ["Email", "Company", "Employees"]
    assert (len(table.rows), table.rows.index[-1]) == (60, 62)  # the sheet's own row numbers
    assert list(itertools.islice(table.rows["Company"], 2)) == ["Company 0", "Company 1"]


def test_a_row_past_the_last_a_sheet_can_hold_is_a_damaged_file(monkeypatch):
    monkeypatch.setattr(sheets, "_SHEET_ROWS", 50)  # Excel's 1,048,576, made small
    with pytest.raises(Invalid, match="The xlsx file cannot be read"):
        sheets.read_table(_saved(_leads(60)))
