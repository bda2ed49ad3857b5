"""Reading an uploaded sheet gives the values Excel shows, whatever wrote the file: shared strings
(what Excel and WPS write), inline strings (what many programs write), rich text with phonetic
guides, numbers, dates, booleans, errors and calculated formulas — the same values openpyxl reads."""

from __future__ import annotations

import datetime
import io
import re
import zipfile

from openpyxl import Workbook, load_workbook

from guanqing.core import excel
from guanqing.registry.tests.excel_helpers import xlsx_bytes

SHEET = "xl/worksheets/sheet1.xml"
MAIN_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
HEADERS = ["姓名", "数量", "日期", "时间", "是否", "备注"]
ROWS = [
    [
        "张三",
        3,
        datetime.date(2026, 1, 5),
        datetime.datetime(2026, 1, 5, 9, 30),
        True,
        "  前后有空格  ",
    ],
    ["李四", 2.5, datetime.date(1999, 12, 31), None, False, "独居老人\n需要陪护"],
    [None, None, None, None, None, None],
    ["王五", -7, None, None, None, "330203199001011234"],
]


def workbook() -> bytes:
    """The rows as openpyxl writes them: text as inline strings."""
    return xlsx_bytes(HEADERS, ROWS)


def rewrite(content: bytes, changes: dict) -> bytes:
    source, target = zipfile.ZipFile(io.BytesIO(content)), io.BytesIO()
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as out:
        for item in source.infolist():
            data = source.read(item.filename)
            change = changes.pop(item.filename, None)
            out.writestr(item, change(data.decode()).encode() if change else data)
        for name, change in changes.items():  # new parts
            out.writestr(name, change("").encode())
    return target.getvalue()


def as_shared_strings(content: bytes) -> bytes:
    """The same workbook with its text in a shared-string table, as Excel stores it."""
    strings: list[str] = []

    def share(match) -> str:
        strings.append(match.group(2))
        return f'<c r="{match.group(1)}" t="s"><v>{len(strings) - 1}</v></c>'

    def sheet(text: str) -> str:
        return re.sub(r'<c r="(\w+)" t="inlineStr"><is><t>([^<]*)</t></is></c>', share, text)

    def table(_text: str) -> str:
        items = "".join(f'<si><t xml:space="preserve">{text}</t></si>' for text in strings)
        return f'<sst xmlns="{MAIN_NS}" count="{len(strings)}">{items}</sst>'

    def types(text: str) -> str:
        return text.replace(
            "</Types>",
            '<Override PartName="/xl/sharedStrings.xml" ContentType="application/'
            'vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/></Types>',
        )

    changes = {SHEET: sheet, "[Content_Types].xml": types}
    shared = rewrite(content, changes)
    return rewrite(shared, {"xl/sharedStrings.xml": table})


def openpyxl_rows(content: bytes) -> list[tuple[int, dict]]:
    """What openpyxl's own read-only reader gives, as read_sheet shapes it."""
    ws = load_workbook(io.BytesIO(content), read_only=True, data_only=True).worksheets[0]
    rows = list(ws.iter_rows(values_only=True))
    headers = [excel.clean_header(h) for h in rows[0]]
    shaped = []
    for number, row in enumerate(rows[1:], start=2):
        values = [v.strip() or None if isinstance(v, str) else v for v in row]
        if any(v is not None for v in values):
            shaped.append((number, dict(zip(headers, values, strict=False))))
    return shaped


def test_shared_and_inline_strings_read_alike_and_as_openpyxl_reads_them():
    inline = workbook()
    shared = as_shared_strings(inline)
    assert 't="s"' in zipfile.ZipFile(io.BytesIO(shared)).read(SHEET).decode()
    assert 't="inlineStr"' in zipfile.ZipFile(io.BytesIO(inline)).read(SHEET).decode()

    from_shared = excel.read_sheet(io.BytesIO(shared))
    from_inline = excel.read_sheet(io.BytesIO(inline))

    assert from_shared.headers == from_inline.headers == HEADERS
    assert from_shared.rows == from_inline.rows == openpyxl_rows(shared) == openpyxl_rows(inline)
    first = dict(from_shared.rows)[2]
    assert first["备注"] == "前后有空格"  # surrounding spaces are not data
    assert first["日期"] == datetime.datetime(2026, 1, 5)  # a date cell, not its serial number
    assert first["是否"] is True
    assert [number for number, _ in from_shared.rows] == [2, 3, 5]  # Excel's row numbers


def test_an_inline_rich_text_reads_as_its_runs_without_the_phonetic_guide():
    def rich(sheet: str) -> str:
        return sheet.replace(
            "<is><t>张三</t></is>",
            '<is><r><rPr><b/></rPr><t>张</t></r><r><t xml:space="preserve">三 </t></r>'
            '<rPh sb="0" eb="1"><t>zhang</t></rPh></is>',
            1,
        )

    content = rewrite(workbook(), {SHEET: rich})

    sheet = excel.read_sheet(io.BytesIO(content))

    assert dict(sheet.rows)[2]["姓名"] == "张三"
    assert sheet.rows == openpyxl_rows(content)


def test_an_error_cell_and_a_calculated_formula_read_as_excel_shows_them():
    def formulas(sheet: str) -> str:
        sheet = re.sub(r'<c r="B2"[^>]*>.*?</c>', '<c r="B2"><f>1+2</f><v>3</v></c>', sheet)
        return re.sub(r'<c r="B3"[^>]*>.*?</c>', '<c r="B3" t="e"><v>#N/A</v></c>', sheet)

    content = rewrite(workbook(), {SHEET: formulas})

    rows = dict(excel.read_sheet(io.BytesIO(content)).rows)

    assert (rows[2]["数量"], rows[3]["数量"]) == (3, "#N/A")


def test_a_later_sheet_is_read_by_its_position():
    wb = Workbook()
    wb.active.append(["说明"])
    second = wb.create_sheet("数据")
    second.append(HEADERS)
    second.append(ROWS[0])
    buffer = io.BytesIO()
    wb.save(buffer)

    sheet = excel.read_sheet(io.BytesIO(buffer.getvalue()), index=1)

    assert sheet.headers == HEADERS
    assert [number for number, _ in sheet.rows] == [2]
